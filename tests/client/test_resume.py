"""Resuming a listing (issue 13.1): however a walk stops (max_items, break, an exception), its resume point continues
at exactly the next unseen item, with no duplicate and no gap, from a string that survives a process restart."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amazon_music import AmazonMusic, AsyncAmazonMusic, ServerError, ValidationError
from amazon_music.testing import Emulator, emulate

FOLLOWERS = 47  # a prime, so that few page sizes divide it


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with emulate(followers=FOLLOWERS) as running:
        yield running


@pytest.fixture(scope="module")
def everyone(emulator: Emulator) -> list[str]:
    ids = [user.id for user in emulator.client().followers()]
    assert len(ids) == len(set(ids)) >= FOLLOWERS
    return ids


class FaultAt:
    """Answers 503 to the API requests whose numbers (from 0) are in ``requests``: faults where hypothesis puts them."""

    def __init__(self, emulator: Emulator, requests: frozenset[int]) -> None:
        self._faults = emulator.app.faults
        self._requests = requests
        self._count = 0
        self._original = self._faults.draw_fault

    def draw_fault(self) -> int | None:
        number, self._count = self._count, self._count + 1
        return 503 if number in self._requests else None

    def __enter__(self) -> FaultAt:
        self._faults.draw_fault = self.draw_fault  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self._faults.draw_fault = self._original  # type: ignore[method-assign]


limits = st.none() | st.integers(1, 60)
walks = st.fixed_dictionaries(
    {
        "limit": limits,
        "max_items": st.none() | st.integers(0, 60),
        "break_after": st.none() | st.integers(1, 60),
        "pages": st.booleans(),
    }
)


def walk(client: AmazonMusic, cursor: str | None, plan: dict[str, Any]) -> tuple[list[str], str, bool]:
    """One walk as ``plan`` says, stopped by max_items, a break or a fault: what it saw, its resume point, and
    whether the listing is exhausted."""
    paginator = client.followers(limit=plan["limit"], max_items=plan["max_items"], cursor=cursor)
    seen: list[str] = []
    try:
        if plan["pages"]:
            for page in paginator.pages():
                seen.extend(edge.node.id for edge in page.edges)
                if plan["break_after"] is not None and len(seen) >= plan["break_after"]:
                    break
        else:
            for user in paginator:  # an item handed out is seen: the body uses it, then may break
                seen.append(user.id)
                if plan["break_after"] is not None and len(seen) >= plan["break_after"]:
                    break
    except ServerError:
        pass
    return seen, paginator.resume_point, paginator.exhausted


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans=st.lists(walks, min_size=1, max_size=6), faults=st.frozensets(st.integers(0, 12), max_size=4))
def test_walks_and_their_resumptions_see_every_item_once_in_order(
    emulator: Emulator, everyone: list[str], plans: list[dict[str, Any]], faults: frozenset[int]
) -> None:
    client = emulator.client(max_retries=0)
    seen: list[str] = []
    cursor: str | None = None
    with FaultAt(emulator, faults):
        for plan in plans:
            items, cursor, exhausted = walk(client, cursor, plan)
            seen.extend(items)
            cursor = pickle.loads(pickle.dumps(cursor))  # a string to save: nothing else travels
            assert seen == everyone[: len(seen)]
            if exhausted:
                break
    # then one plain walk from the last resume point, without faults, finishes the listing
    rest, _, exhausted = walk(client, cursor, {"limit": None, "max_items": None, "break_after": None, "pages": False})
    assert exhausted
    assert seen + rest == everyone


def test_the_issue_example_max_items_then_resume(emulator: Emulator, everyone: list[str]) -> None:
    client = emulator.client()
    first = client.followers(limit=10, max_items=15)
    head = [user.id for user in first]
    rest = [user.id for user in client.followers(cursor=first.resume_point)]
    assert head + rest == everyone
    assert len(head) == 15


def test_break_mid_page_then_resume(emulator: Emulator, everyone: list[str]) -> None:
    client = emulator.client()
    paginator = client.followers(limit=20)
    head = []
    for user in paginator:
        head.append(user.id)
        if len(head) == 7:
            break
    assert paginator.resume_point.startswith("am-resume.1.followers.7.")  # page 1 at offset 7
    assert head + [user.id for user in client.followers(cursor=paginator.resume_point)] == everyone


def test_an_exhausted_walk_resumes_to_nothing(emulator: Emulator, everyone: list[str]) -> None:
    client = emulator.client()
    paginator = client.followers()
    assert [user.id for user in paginator] == everyone
    assert paginator.exhausted
    assert list(client.followers(cursor=paginator.resume_point)) == []


async def test_async_walks_resume_the_same_way(emulator: Emulator, everyone: list[str]) -> None:
    client: AsyncAmazonMusic = emulator.async_client()
    first = client.followers(limit=9, max_items=20)
    head = [user.id async for user in first]
    rest = [user.id async for user in client.followers(limit=4, cursor=first.resume_point)]
    assert head + rest == everyone


def test_a_resume_point_of_another_listing_is_refused(emulator: Emulator) -> None:
    client = emulator.client()
    paginator = client.followers(max_items=3)
    list(paginator)
    with pytest.raises(ValidationError, match="cursor: is a resume point of followers, not of followed_users"):
        client.followed_users(cursor=paginator.resume_point)
    with pytest.raises(ValidationError, match="cursor"):
        client.followers(cursor="am-resume.1.followers.x.abc")


def test_a_resume_point_continues_in_another_process(emulator: Emulator, everyone: list[str]) -> None:
    """The resume point is saved by one process and used by another (the emulator served over loopback)."""
    base_url = emulator.serve()
    script = textwrap.dedent(
        """
        import sys
        from amazon_music import AmazonMusic
        base_url, api_key, token, cursor = sys.argv[1:5]
        with AmazonMusic(api_key, token=token, base_url=base_url) as music:
            paginator = music.followers(limit=6, max_items=int(sys.argv[5]), cursor=cursor or None)
            for user in paginator:
                print(user.id)
            print(paginator.resume_point)
        """
    )

    def run(cursor: str, max_items: int) -> tuple[list[str], str]:
        argv = [base_url, emulator.api_key, emulator.token(), cursor, str(max_items)]
        result = subprocess.run(
            [sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True, timeout=120
        )
        *ids, resume_point = result.stdout.split()
        return ids, resume_point

    first, resume_point = run("", 13)
    second, _ = run(resume_point, 10**6)
    assert len(first) == 13
    assert first + second == everyone
