"""The paginator: edge cases of paging, early stops, resuming, one page held at a time, for and async for."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import httpx
import pytest
import respx
from overlay_support import DEMO_USER, connection, followers_page, user_node

from amazon_music import AmazonMusic, AsyncAmazonMusic, MalformedResponseError, Paginator


def pages_of(total: int, size: int) -> list[dict[str, Any]]:
    """The followers listing of ``total`` users in pages of ``size``, tokens t1, t2, ..."""
    bodies = []
    for number, start in enumerate(range(0, max(total, 1), size), start=1):
        count = min(size, total - start)
        last = start + size >= total
        bodies.append(followers_page(start, count, has_next=not last, token=None if last else f"t{number}"))
    return bodies


def serve(api: respx.MockRouter, bodies: list[dict[str, Any]], path: str = "/v1/me/followers") -> respx.Route:
    """Serve ``bodies`` by cursor: none for the first page, t1 for the second, ..."""
    by_cursor = {None: bodies[0], **{f"t{index}": body for index, body in enumerate(bodies[1:], start=1)}}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=by_cursor[request.url.params.get("cursor")])

    return api.get(path).mock(side_effect=handler)


def ids(users: Any) -> list[str]:
    return [user.id for user in users]


def expected_ids(start: int, stop: int) -> list[str]:
    return [user_node(index)["id"] for index in range(start, stop)]


def test_an_empty_listing_yields_nothing_after_one_request(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, [followers_page(0, 0, has_next=False)])
    assert list(client.followers()) == []
    assert route.call_count == 1


def test_one_page(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(7, 100))
    assert ids(client.followers()) == expected_ids(0, 7)
    assert route.call_count == 1


def test_exactly_100_items_in_one_full_page(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(100, 100))
    assert ids(client.followers()) == expected_ids(0, 100)
    assert route.call_count == 1


def test_exactly_100_items_then_an_empty_last_page(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, [followers_page(0, 100, has_next=True, token="t1"), followers_page(100, 0, has_next=False)])
    assert ids(client.followers()) == expected_ids(0, 100)
    assert route.call_count == 2


def test_many_pages_without_duplicates_or_gaps(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    assert ids(client.followers(limit=100)) == expected_ids(0, 250)
    assert route.call_count == 3
    assert [call.request.url.params.get("cursor") for call in route.calls] == [None, "t1", "t2"]
    assert {call.request.url.params["limit"] for call in route.calls} == {"100"}


def test_a_token_with_has_next_page_false_ends_the_walk(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, [followers_page(0, 3, has_next=False, token="t1"), followers_page(3, 3, has_next=False)])
    paginator = client.followers()
    assert ids(paginator) == expected_ids(0, 3)
    assert route.call_count == 1
    assert paginator.next_cursor is None


def test_has_next_page_without_a_token_is_malformed(client: AmazonMusic, api: respx.MockRouter) -> None:
    serve(api, [followers_page(0, 3, has_next=True)])
    with pytest.raises(MalformedResponseError, match="hasNextPage is true but no token"):
        list(client.followers())


def test_a_repeated_token_is_malformed_not_an_endless_loop(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/me/followers").respond(200, json=followers_page(0, 2, has_next=True, token="t1"))
    with pytest.raises(MalformedResponseError, match="repeats"):
        list(client.followers())
    assert route.call_count == 2


def test_resume_from_a_saved_cursor(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    first = client.followers()
    first_page = next(iter(first.pages()))
    assert len(first_page.edges) == 100
    saved = first.next_cursor
    assert saved == "t1"
    resumed = client.followers(cursor=saved)
    assert ids(resumed) == expected_ids(100, 250)
    assert [call.request.url.params.get("cursor") for call in route.calls] == [None, "t1", "t2"]


def test_max_items_stops_early_and_asks_for_no_more_than_it_needs(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    assert ids(client.followers(max_items=5)) == expected_ids(0, 5)
    assert route.call_count == 1
    assert route.calls.last.request.url.params["limit"] == "5"


def test_max_items_across_pages(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    assert ids(client.followers(limit=100, max_items=150)) == expected_ids(0, 150)
    assert route.call_count == 2


def test_max_items_zero_sends_nothing(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(10, 100))
    assert list(client.followers(max_items=0)) == []
    assert route.call_count == 0


def test_pages_yields_the_generated_connections(client: AmazonMusic, api: respx.MockRouter) -> None:
    from amazon_music_generated.models import FollowersConnection

    serve(api, pages_of(250, 100))
    pages = list(client.followers().pages())
    assert [type(page) for page in pages] == [FollowersConnection] * 3
    assert [page.edge_count for page in pages] == [100, 100, 50]
    assert [page.page_info.has_next_page for page in pages] == [True, True, False]


def test_limit_is_sent_and_the_api_default_is_left_alone(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(3, 100))
    list(client.followers())
    assert "limit" not in route.calls.last.request.url.params
    list(client.followers(limit=25))
    assert route.calls.last.request.url.params["limit"] == "25"


def test_iterating_twice_walks_twice(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(150, 100))
    paginator = client.followers()
    assert ids(paginator) == ids(paginator) == expected_ids(0, 150)
    assert route.call_count == 4


def test_the_walk_holds_one_page_at_a_time(client: AmazonMusic, api: respx.MockRouter) -> None:
    """While a page is fetched, the previous page's models are already unreachable."""
    bodies = pages_of(300, 100)
    alive_when_fetching: list[int] = []
    previous: list[weakref.ref[Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        gc.collect()
        alive_when_fetching.append(sum(ref() is not None for ref in previous))
        number = int((request.url.params.get("cursor") or "t0")[1:])
        return httpx.Response(200, json=bodies[number])

    api.get("/v1/me/followers").mock(side_effect=handler)
    seen = 0
    for user in client.followers():
        if seen % 100 == 0:
            previous.append(weakref.ref(user))
        seen += 1
    assert seen == 300
    assert alive_when_fetching == [0, 0, 0]


async def test_the_async_walk_holds_one_page_at_a_time(async_client: AsyncAmazonMusic, api: respx.MockRouter) -> None:
    bodies = pages_of(300, 100)
    alive_when_fetching: list[int] = []
    previous: list[weakref.ref[Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        gc.collect()
        alive_when_fetching.append(sum(ref() is not None for ref in previous))
        number = int((request.url.params.get("cursor") or "t0")[1:])
        return httpx.Response(200, json=bodies[number])

    api.get("/v1/me/followers").mock(side_effect=handler)
    seen = 0
    async for user in async_client.followers():
        if seen % 100 == 0:
            previous.append(weakref.ref(user))
        seen += 1
    assert seen == 300
    assert alive_when_fetching == [0, 0, 0]


async def test_an_abandoned_async_walk_frees_its_page_at_once(
    async_client: AsyncAmazonMusic, api: respx.MockRouter
) -> None:
    """No waiting for the event loop to finalize anything: the page goes with the last reference to the walk."""
    serve(api, pages_of(250, 100))
    walk = aiter(async_client.followers())
    await anext(walk)
    held = weakref.ref(await anext(walk))
    pages = aiter(async_client.followers().pages())
    page = weakref.ref(await anext(pages))
    del walk, pages
    assert held() is None
    assert page() is None


def test_a_sync_paginator_refuses_async_for(client: AmazonMusic, api: respx.MockRouter) -> None:
    paginator = client.followers()

    async def walk() -> None:
        async for _ in paginator:
            pass

    import asyncio

    with pytest.raises(TypeError, match="__aiter__"):
        asyncio.run(walk())


async def test_async_for_walks_all_pages(async_client: AsyncAmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    assert [user.id async for user in async_client.followers()] == expected_ids(0, 250)
    assert route.call_count == 3


async def test_async_pages_and_max_items(async_client: AsyncAmazonMusic, api: respx.MockRouter) -> None:
    serve(api, pages_of(250, 100))
    pages = [page async for page in async_client.followers().pages()]
    assert [page.edge_count for page in pages] == [100, 100, 50]
    limited = [user.id async for user in async_client.followers(limit=100, max_items=120)]
    assert limited == expected_ids(0, 120)


async def test_async_resume_and_malformed(async_client: AsyncAmazonMusic, api: respx.MockRouter) -> None:
    route = serve(api, pages_of(250, 100))
    assert [user.id async for user in async_client.followers(cursor="t2")] == expected_ids(200, 250)
    assert route.calls.last.request.url.params["cursor"] == "t2"
    api.get("/v1/me/followed/users").respond(
        200, json={"data": {"user": {"id": DEMO_USER, "followedUsers": connection([], has_next=True)}}}
    )
    with pytest.raises(MalformedResponseError):
        [user async for user in async_client.followed_users()]


async def test_an_async_paginator_refuses_for(async_client: AsyncAmazonMusic) -> None:
    with pytest.raises(TypeError, match="'AsyncPaginator' object is not iterable"):
        list(async_client.followers())  # type: ignore[call-overload]


def test_paginator_works_on_any_fetch_function() -> None:
    """One implementation: a hand-made fetch gets the same paging as the client's listings."""
    pages = {None: ([1, 2], True, "a"), "a": ([3], True, "b"), "b": ([], False, None)}
    asked: list[tuple[str | None, int | None]] = []

    def fetch(cursor: str | None, limit: int | None) -> tuple[list[int], bool, str | None]:
        asked.append((cursor, limit))
        return pages[cursor]

    paginator: Paginator[int, Any] = Paginator("numbers", lambda page: page, fetch=fetch, limit=2)
    assert list(paginator) == [1, 2, 3]
    assert asked == [(None, 2), ("a", 2), ("b", 2)]
