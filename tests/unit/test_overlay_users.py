"""users(ids): any number of IDs in chunks of 100, in request order; concurrent but bounded on the async client."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import respx
from overlay_support import ACCESS_TOKEN, API_KEY, error_body

from amazon_music import AmazonMusic, AsyncAmazonMusic, ConfigurationError, NotFoundError


def user_ids(count: int) -> list[str]:
    return [f"u{index:05d}" for index in range(count)]


def echo_users(request: httpx.Request) -> httpx.Response:
    """The API's rule: the users found, in the order of ``ids``; unknown IDs (here: ending in 9) left out."""
    asked = request.url.params["ids"].split(",")
    return httpx.Response(200, json={"data": {"users": [{"id": uid} for uid in asked if not uid.endswith("9")]}})


def test_250_ids_go_in_chunks_of_100_and_come_back_in_order(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/users").mock(side_effect=echo_users)
    wanted = user_ids(250)
    found = client.users(wanted)
    assert [user.id for user in found] == [uid for uid in wanted if not uid.endswith("9")]
    assert [len(call.request.url.params["ids"].split(",")) for call in route.calls] == [100, 100, 50]


def test_exactly_100_ids_is_one_request(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/users").mock(side_effect=echo_users)
    client.users(user_ids(100))
    assert route.call_count == 1


def test_repeats_are_asked_once(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/users").mock(side_effect=echo_users)
    found = client.users(["bbb", "aaa", "bbb", "ccc", "aaa"])
    assert [user.id for user in found] == ["bbb", "aaa", "ccc"]
    assert route.calls.last.request.url.params["ids"] == "bbb,aaa,ccc"


def test_a_comma_separated_string_is_accepted(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get("/v1/users").mock(side_effect=echo_users)
    assert [user.id for user in client.users("aaa,bbb")] == ["aaa", "bbb"]


async def test_async_chunks_run_concurrently_within_the_bound(api: respx.MockRouter) -> None:
    in_flight = 0
    peak = 0

    async def slow_echo(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return echo_users(request)

    route = api.get("/v1/users").mock(side_effect=slow_echo)
    wanted = user_ids(1000)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, users_concurrency=3) as client:
        found = await client.users(wanted)
    assert [user.id for user in found] == [uid for uid in wanted if not uid.endswith("9")]
    assert route.call_count == 10
    assert peak == 3


async def test_async_results_keep_request_order_when_later_chunks_finish_first(api: respx.MockRouter) -> None:
    async def first_chunk_slowest(request: httpx.Request) -> httpx.Response:
        first = request.url.params["ids"].split(",")[0]
        await asyncio.sleep(0.03 if first == "u00000" else 0.0)
        return echo_users(request)

    api.get("/v1/users").mock(side_effect=first_chunk_slowest)
    wanted = user_ids(300)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN) as client:
        found = await client.users(wanted)
    assert [user.id for user in found] == [uid for uid in wanted if not uid.endswith("9")]


async def test_async_first_error_cancels_the_other_chunks(api: respx.MockRouter) -> None:
    finished: list[str] = []

    async def second_chunk_fails(request: httpx.Request) -> httpx.Response:
        first = request.url.params["ids"].split(",")[0]
        if first == "u00100":
            return httpx.Response(404, json=error_body(404, "NOT_FOUND", "no"))
        await asyncio.sleep(0.2)
        finished.append(first)
        return echo_users(request)

    api.get("/v1/users").mock(side_effect=second_chunk_fails)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN) as client:
        with pytest.raises(NotFoundError):
            await client.users(user_ids(500))
    assert finished == []


def test_users_concurrency_must_be_positive() -> None:
    with pytest.raises(ConfigurationError, match="users_concurrency"):
        AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, users_concurrency=0)
