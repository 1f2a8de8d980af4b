"""Helpers for the overlay's unit tests: constants, a fake sleep, bodies shaped like the spec's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"
BASE_URL = "https://api.music.amazon.dev"
API_KEY = "amzn1.application-oa2-client.profile"
ACCESS_TOKEN = "Atza|IwEBIA-static-access-token-for-tests"
DEMO_USER = "zqll6htnhyb2welrqsrtrhdvaa"


class FakeSleep:
    """Records the waits instead of sleeping; ``total`` is the time that would have passed."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    @property
    def total(self) -> float:
        return sum(self.calls)


class AsyncFakeSleep(FakeSleep):
    async def __call__(self, seconds: float) -> None:  # type: ignore[override]
        self.calls.append(seconds)


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": str(status), "code": code, "message": message}}


def user_node(index: int) -> dict[str, Any]:
    user_id = f"user{index:022d}"
    return {"id": user_id, "name": f"User {index}", "url": f"https://music.amazon.com/profiles/{user_id}"}


def connection(nodes: list[dict[str, Any]], *, has_next: bool, token: str | None = None) -> dict[str, Any]:
    page_info: dict[str, Any] = {"hasNextPage": has_next}
    if token is not None:
        page_info["token"] = token
    return {"pageInfo": page_info, "edgeCount": len(nodes), "edges": [{"node": node} for node in nodes]}


def followers_page(start: int, count: int, *, has_next: bool, token: str | None = None) -> dict[str, Any]:
    nodes = [user_node(index) for index in range(start, start + count)]
    followers = connection(nodes, has_next=has_next, token=token)
    return {"data": {"user": {"id": DEMO_USER, "name": "Tony Starked", "followers": followers}}}


def no_jitter(retry_number: int) -> float:
    """A backoff without randomness: 0.5, 1, 2, ... seconds, so tests can state the waits."""
    return float(0.5 * 2 ** (retry_number - 1))
