"""Retries on a fake clock: which responses and errors are retried, how long each wait is, and the Retry-After cap."""

from __future__ import annotations

import email.utils

import httpx
import pytest
import respx
from overlay_support import ACCESS_TOKEN, API_KEY, AsyncFakeSleep, FakeSleep, error_body, no_jitter

from amazon_music import (
    AmazonMusic,
    AsyncAmazonMusic,
    AsyncRetryTransport,
    RateLimitError,
    RetryPolicy,
    RetryTransport,
    ServerError,
    full_jitter,
)
from amazon_music._transport import parse_retry_after

ME = {"data": {"user": {"id": "zqll6htnhyb2welrqsrtrhdvaa"}}}
NOW = 1_700_000_000.0


def throttled(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(429, json=error_body(429, "THROTTLED", "Rate exceeded."), headers=headers)


def music(sleep: FakeSleep, **policy: object) -> AmazonMusic:
    transport = RetryTransport(policy=RetryPolicy(backoff=no_jitter, now=lambda: NOW, **policy), sleep=sleep)  # type: ignore[arg-type]
    return AmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_transient_server_errors_are_retried_with_backoff(api: respx.MockRouter, sleep: FakeSleep, status: int) -> None:
    route = api.get("/v1/me").mock(
        side_effect=[httpx.Response(status), httpx.Response(status), httpx.Response(200, json=ME)]
    )
    with music(sleep) as client:
        assert client.me().id == "zqll6htnhyb2welrqsrtrhdvaa"
    assert route.call_count == 3
    assert sleep.calls == [0.5, 1.0]


def test_retries_stop_after_max_retries(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").respond(503)
    with music(sleep, max_retries=2) as client, pytest.raises(ServerError) as caught:
        client.me()
    assert caught.value.status == 503
    assert route.call_count == 3
    assert sleep.calls == [0.5, 1.0]


def test_max_retries_zero_turns_retries_off(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").respond(500)
    with AmazonMusic(API_KEY, token=ACCESS_TOKEN, max_retries=0) as client, pytest.raises(ServerError):
        client.me()
    assert route.call_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 501])
def test_other_statuses_are_not_retried(api: respx.MockRouter, sleep: FakeSleep, status: int) -> None:
    route = api.get("/v1/me").respond(status, json=error_body(status, "NOPE", "no"))
    with music(sleep) as client, pytest.raises(Exception):  # noqa: B017 - the class is tested in test_overlay_errors
        client.me()
    assert route.call_count == 1
    assert sleep.calls == []


def test_429_waits_the_retry_after_seconds(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").mock(side_effect=[throttled("7"), httpx.Response(200, json=ME)])
    with music(sleep) as client:
        client.me()
    assert route.call_count == 2
    assert sleep.calls == [7.0]


def test_429_waits_until_the_retry_after_date(api: respx.MockRouter, sleep: FakeSleep) -> None:
    date = email.utils.formatdate(NOW + 12, usegmt=True)
    api.get("/v1/me").mock(side_effect=[throttled(date), httpx.Response(200, json=ME)])
    with music(sleep) as client:
        client.me()
    assert sleep.calls == [pytest.approx(12.0)]


def test_429_without_retry_after_backs_off(api: respx.MockRouter, sleep: FakeSleep) -> None:
    api.get("/v1/me").mock(side_effect=[throttled(), throttled(), httpx.Response(200, json=ME)])
    with music(sleep) as client:
        client.me()
    assert sleep.calls == [0.5, 1.0]


def test_retry_after_over_the_cap_raises_at_once(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").mock(side_effect=[throttled("3600"), httpx.Response(200, json=ME)])
    with music(sleep, max_retry_after=60.0) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    assert caught.value.retry_after == 3600.0
    assert "retry after 3600 s" in str(caught.value)
    assert route.call_count == 1
    assert sleep.calls == []


def test_retry_after_date_over_the_cap_raises_at_once(api: respx.MockRouter, sleep: FakeSleep) -> None:
    date = email.utils.formatdate(NOW + 600, usegmt=True)
    api.get("/v1/me").mock(side_effect=[throttled(date)])
    with music(sleep, max_retry_after=30.0) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    assert caught.value.retry_after == pytest.approx(600.0)
    assert sleep.calls == []


def test_retry_after_at_the_cap_is_honoured(api: respx.MockRouter, sleep: FakeSleep) -> None:
    api.get("/v1/me").mock(side_effect=[throttled("30"), httpx.Response(200, json=ME)])
    with music(sleep, max_retry_after=30.0) as client:
        client.me()
    assert sleep.calls == [30.0]


def test_429_after_the_last_retry_carries_retry_after(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").mock(return_value=throttled("2"))
    with music(sleep, max_retries=2) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    assert caught.value.retry_after == 2.0
    assert route.call_count == 3
    assert sleep.calls == [2.0, 2.0]


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.ReadError("reset"), httpx.ReadTimeout("slow")],
)
def test_connect_and_read_errors_are_retried(api: respx.MockRouter, sleep: FakeSleep, error: Exception) -> None:
    route = api.get("/v1/me").mock(side_effect=[error, httpx.Response(200, json=ME)])
    with music(sleep) as client:
        client.me()
    assert route.call_count == 2
    assert sleep.calls == [0.5]


def test_custom_status_predicate(api: respx.MockRouter, sleep: FakeSleep) -> None:
    route = api.get("/v1/me").mock(side_effect=[httpx.Response(500), httpx.Response(200, json=ME)])
    with music(sleep, retry_status=lambda status: status == 429) as client, pytest.raises(ServerError):
        client.me()
    assert route.call_count == 1


def test_full_jitter_stays_within_the_exponential_envelope() -> None:
    top = full_jitter(base=0.5, cap=4.0, uniform=lambda: 0.999999)
    bottom = full_jitter(base=0.5, cap=4.0, uniform=lambda: 0.0)
    assert [round(top(n), 3) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [bottom(n) for n in range(1, 6)] == [0.0] * 5
    default = full_jitter()
    assert all(0.0 <= default(n) < min(8.0, 0.5 * 2 ** (n - 1)) for n in range(1, 10) for _ in range(20))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        (email.utils.formatdate(NOW + 90, usegmt=True), 90.0),
        (email.utils.formatdate(NOW - 90, usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    parsed = parse_retry_after(value, now=lambda: NOW)
    assert parsed == (pytest.approx(expected) if expected is not None else None)


def test_policy_rejects_negative_max_retries() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)


async def test_async_retries_honour_retry_after_and_backoff(api: respx.MockRouter) -> None:
    sleep = AsyncFakeSleep()
    route = api.get("/v1/me").mock(side_effect=[throttled("3"), httpx.Response(502), httpx.Response(200, json=ME)])
    transport = AsyncRetryTransport(policy=RetryPolicy(backoff=no_jitter), sleep=sleep)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport) as client:
        await client.me()
    assert route.call_count == 3
    assert sleep.calls == [3.0, 1.0]


async def test_async_retry_after_over_the_cap_raises_at_once(api: respx.MockRouter) -> None:
    sleep = AsyncFakeSleep()
    route = api.get("/v1/me").mock(return_value=throttled("120"))
    transport = AsyncRetryTransport(policy=RetryPolicy(max_retry_after=10.0), sleep=sleep)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.me()
    assert caught.value.retry_after == 120.0
    assert route.call_count == 1
    assert sleep.calls == []


async def test_async_connect_errors_are_retried(api: respx.MockRouter) -> None:
    sleep = AsyncFakeSleep()
    route = api.get("/v1/me").mock(side_effect=[httpx.ConnectError("x"), httpx.Response(200, json=ME)])
    transport = AsyncRetryTransport(policy=RetryPolicy(backoff=no_jitter), sleep=sleep)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport) as client:
        await client.me()
    assert route.call_count == 2
    assert sleep.calls == [0.5]
