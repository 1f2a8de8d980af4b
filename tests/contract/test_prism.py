"""A third party's reading of the spec: Prism serves it as a mock, and the overlay client reads every example back.

Prism (@stoplight/prism-cli, project-local in tools/npm) checks our requests against the spec (credentials, parameter
patterns) and answers with the spec's own examples. Each read operation of ``amazon_music.AmazonMusic`` and of
``AsyncAmazonMusic`` runs against it, and its parsed result, turned back into JSON, must equal the example: the
examples match the schemas as a tool we did not write reads them, and the client parses them without loss. Error
statuses come back as the typed errors.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from amazon_music import (
    AmazonMusic,
    APIStatusError,
    AsyncAmazonMusic,
    AsyncPaginator,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    Paginator,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
PRISM = ROOT / "tools" / "npm" / "node_modules" / ".bin" / "prism"
STARTUP_SECONDS = 60.0
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
USER_ID = "zqll6htnhyb2welrqsrtrhdvaa"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def prism_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert PRISM.exists(), f"{PRISM} is missing: run `make install` (npm tools are installed into tools/npm)"
    port = _free_port()
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", str(SPEC_PATH), "-h", "127.0.0.1", "-p", str(port), "-v", "error"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"prism exited with {process.returncode}: {log.read_text()[-2000:]}"
            try:
                httpx.get(url + "/v1/me", timeout=1.0)  # 401 without credentials: Prism is up
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"prism not listening after {STARTUP_SECONDS:.0f} s"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _example(path: str, method: str = "get") -> Any:
    """The `docs` example of an operation's 200 response."""
    content = SPEC["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return content["examples"]["docs"]["value"]


def _first_page(result: Any) -> Any:
    # Prism answers every page with the same example (token included), so only the first page is read.
    return next(iter(result.pages())) if isinstance(result, Paginator) else result


async def _first_page_async(result: Any) -> Any:
    if isinstance(result, AsyncPaginator):
        return await anext(aiter(result.pages()))
    return await result


# (operation, path in the spec, call, where the parsed result sits in the example). A call works on both clients:
# it returns a model, a list, or a Paginator (AmazonMusic), or a coroutine or a Paginator (AsyncAmazonMusic).
READS: list[tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("getCurrentUser", "/v1/me", lambda m: m.me(), lambda e: e["data"]["user"]),
    (
        "getCurrentUserLibraryTracks",
        "/v1/me/library/tracks",
        lambda m: m.library_tracks(),
        lambda e: e["data"]["user"]["libraryTracks"],
    ),
    (
        "getCurrentUserFollowers",
        "/v1/me/followers",
        lambda m: m.followers(),
        lambda e: e["data"]["user"]["followers"],
    ),
    (
        "getCurrentUserFollowedUsers",
        "/v1/me/followed/users",
        lambda m: m.followed_users(),
        lambda e: e["data"]["user"]["followedUsers"],
    ),
    (
        "getCurrentUserFollowedPlaylists",
        "/v1/me/followed/playlists",
        lambda m: m.followed_playlists(),
        lambda e: e["data"]["user"]["followedPlaylists"],
    ),
    (
        "getCurrentUserFollowedPodcastShows",
        "/v1/me/followed/podcasts/shows",
        lambda m: m.followed_podcast_shows(),
        lambda e: e["data"]["user"]["followedPodcastShows"],
    ),
    ("getUser", "/v1/users/{id}", lambda m: m.user(USER_ID), lambda e: e["data"]["user"]),
    (
        "getUsers",
        "/v1/users",
        lambda m: m.users(["k35wo4lm34masdsadevrs7a", "q4rno6sdfhqers7dnoiq"]),
        lambda e: e["data"]["users"],
    ),
    (
        "getUserFollowers",
        "/v1/users/{id}/followers",
        lambda m: m.user_followers(USER_ID),
        lambda e: e["data"]["user"]["followers"],
    ),
    (
        "getUserFollowedUsers",
        "/v1/users/{id}/followed/users",
        lambda m: m.user_followed_users(USER_ID),
        lambda e: e["data"]["user"]["followedUsers"],
    ),
    (
        "getUserFollowedArtists",
        "/v1/users/{id}/followed/artists",
        lambda m: m.user_followed_artists(USER_ID),
        lambda e: e["data"]["user"]["followedArtists"],
    ),
    (
        "getUserFollowedPodcastShows",
        "/v1/users/{id}/followed/podcasts/shows",
        lambda m: m.user_followed_podcast_shows(USER_ID),
        lambda e: e["data"]["user"]["followedPodcastShows"],
    ),
]


def _as_json(result: Any) -> Any:
    if isinstance(result, list):
        return [item.to_dict() for item in result]
    return result.to_dict()


def test_every_read_operation_of_the_spec_is_covered() -> None:
    reads = {
        operation["operationId"]
        for item in SPEC["paths"].values()
        for method, operation in item.items()
        if method == "get"
    }
    assert reads == {operation for operation, *_ in READS}


@pytest.mark.parametrize(("operation", "path", "call", "locate"), READS, ids=[r[0] for r in READS])
def test_client_parses_prism_example(
    prism_url: str,
    operation: str,
    path: str,
    call: Callable[[Any], Any],
    locate: Callable[[Any], Any],
) -> None:
    with AmazonMusic("prism-api-key", token="Atza|prism-token", base_url=prism_url, max_retries=0) as music:
        result = _first_page(call(music))
    assert _as_json(result) == locate(_example(path))


@pytest.mark.parametrize(("operation", "path", "call", "locate"), READS, ids=[r[0] for r in READS])
async def test_async_client_parses_prism_example(
    prism_url: str,
    operation: str,
    path: str,
    call: Callable[[Any], Any],
    locate: Callable[[Any], Any],
) -> None:
    async with AsyncAmazonMusic("prism-api-key", token="Atza|prism-token", base_url=prism_url, max_retries=0) as music:
        result = await _first_page_async(call(music))
    assert _as_json(result) == locate(_example(path))


class _Prefer(httpx.BaseTransport):
    """Asks Prism for the example of one status (its `Prefer: code=N` header)."""

    def __init__(self, status: int) -> None:
        self._status = status
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["Prefer"] = f"code={self._status}"
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@pytest.mark.parametrize(
    ("status", "error", "response_name"),
    [
        (400, BadRequestError, "BadRequest"),
        (401, AuthenticationError, "Unauthorized"),
        (403, PermissionDeniedError, "Forbidden"),
        (404, NotFoundError, "NotFound"),
        (429, RateLimitError, "TooManyRequests"),
        (500, ServerError, "InternalServerError"),
    ],
)
def test_client_raises_typed_error_for_prism_error_example(
    prism_url: str, status: int, error: type[APIStatusError], response_name: str
) -> None:
    example = SPEC["components"]["responses"][response_name]["content"]["application/json"]["example"]["error"]
    with (
        AmazonMusic(
            "prism-api-key", token="Atza|prism-token", base_url=prism_url, max_retries=0, transport=_Prefer(status)
        ) as music,
        pytest.raises(error) as raised,
    ):
        music.user(USER_ID)
    assert (raised.value.status, raised.value.code, raised.value.message) == (
        status,
        example["code"],
        example["message"],
    )


def test_prism_refuses_a_request_without_credentials(prism_url: str) -> None:
    # The mock enforces the spec's security, so the client tests above prove the client sends both credentials.
    response = httpx.get(prism_url + "/v1/me", timeout=10.0)
    assert response.status_code == 401
