"""Fault knobs: faults(rate, status=), latency(ms) and rate_limit(n), set from the start or changed mid-test."""

from __future__ import annotations

import time

import httpx
import pytest

from amazon_music import APIStatusError, RateLimitError, RetryPolicy, ServerError
from amazon_music.testing import Emulator, emulate

NO_WAIT = RetryPolicy(max_retries=10, backoff=lambda retry: 0.0)


def statuses(emulator: Emulator, count: int) -> list[int]:
    """The statuses of ``count`` GET /v1/me through a raw httpx client (no retries)."""
    with httpx.Client(transport=emulator.transport, base_url="https://api.music.amazon.dev") as http:
        headers = emulator.headers()
        return [http.get("/v1/me", headers=headers).status_code for _ in range(count)]


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [(429, RateLimitError, "THROTTLED"), (500, ServerError, "INTERNAL_SERVER_ERROR"), (503, ServerError, None)],
)
def test_faults_answer_with_the_chosen_status(
    amazon_music_emulator: Emulator, status: int, error: type[APIStatusError], code: str | None
) -> None:
    music = amazon_music_emulator.client(max_retries=0)
    assert music.me().name == "Tony Starked"
    amazon_music_emulator.faults(1.0, status=status, retry_after=0)
    with pytest.raises(error) as raised:
        music.me()
    assert raised.value.status == status
    assert raised.value.code == (code or "SERVICE_UNAVAILABLE")
    if isinstance(raised.value, RateLimitError):
        assert raised.value.retry_after == 0
    amazon_music_emulator.faults(0)
    assert music.me().name == "Tony Starked"


def test_a_share_of_requests_fails_and_a_retrying_client_gets_through(amazon_music_emulator: Emulator) -> None:
    with amazon_music_emulator.client() as calm:
        expected = [user.id for user in calm.followers(limit=10)]
    amazon_music_emulator.faults(0.5, status=[429, 503], retry_after=0)
    seen = statuses(amazon_music_emulator, 60)
    assert {429, 503, 200} <= set(seen) <= {429, 503, 200}

    patient = amazon_music_emulator.client(retry_policy=NO_WAIT)
    assert [user.id for user in patient.followers(limit=10)] == expected  # every page, each retried as needed


async def test_the_async_client_meets_the_same_faults(amazon_music_emulator: Emulator) -> None:
    amazon_music_emulator.faults(1.0, status=502)
    async with amazon_music_emulator.async_client(max_retries=0) as music:
        with pytest.raises(ServerError) as raised:
            await music.me()
        assert raised.value.status == 502
        amazon_music_emulator.faults(0)
        assert (await music.me()).name == "Tony Starked"


def test_a_knob_change_used_in_with_is_undone_at_the_end(amazon_music_emulator: Emulator) -> None:
    knobs = amazon_music_emulator.app.faults
    music = amazon_music_emulator.client(max_retries=0)
    with amazon_music_emulator.faults(1.0, status=503, retry_after=5):
        with pytest.raises(ServerError):
            music.me()
        assert (knobs.fault_rate, knobs.fault_statuses, knobs.retry_after) == (1.0, (503,), 5)
    assert (knobs.fault_rate, knobs.fault_statuses, knobs.retry_after) == (0.0, (429, 503), 1)
    assert music.me().name == "Tony Starked"

    with amazon_music_emulator.latency(40), amazon_music_emulator.rate_limit(7):
        assert (knobs.latency_ms, knobs.rate_limit) == (40.0, 7)
    assert (knobs.latency_ms, knobs.rate_limit) == (0.0, 0)


def test_bad_knob_values_name_the_argument_and_change_nothing(amazon_music_emulator: Emulator) -> None:
    knobs = amazon_music_emulator.app.faults
    before = repr(knobs)
    with pytest.raises(ValueError, match=r"^fault_rate: must be between 0 and 1"):
        amazon_music_emulator.faults(1.5)
    with pytest.raises(ValueError, match=r"^status: expected one or more of 429, 500, 502, 503, 504"):
        amazon_music_emulator.faults(1.0, status=418)
    with pytest.raises(ValueError, match=r"^status: expected HTTP statuses as integers"):
        amazon_music_emulator.faults(1.0, status="503")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^retry_after: must not be negative"):
        amazon_music_emulator.faults(1.0, status=429, retry_after=-1)
    with pytest.raises(ValueError, match=r"^latency_ms: must not be negative"):
        amazon_music_emulator.latency(-1)
    with pytest.raises(ValueError, match=r"^rate_limit: must not be negative"):
        amazon_music_emulator.rate_limit(-1)
    assert repr(knobs) == before
    assert statuses(amazon_music_emulator, 3) == [200, 200, 200]


def test_rate_limit_mid_test(amazon_music_emulator: Emulator) -> None:
    amazon_music_emulator.app.faults.clock = lambda: 1000.0  # one instant: the one-second window never moves on
    amazon_music_emulator.rate_limit(2)
    assert statuses(amazon_music_emulator, 3) == [200, 200, 429]
    with pytest.raises(RateLimitError) as raised:
        amazon_music_emulator.client(max_retries=0).me()
    assert raised.value.retry_after == 1
    amazon_music_emulator.rate_limit(0)
    assert statuses(amazon_music_emulator, 3) == [200, 200, 200]


def test_latency_mid_test(amazon_music_emulator: Emulator) -> None:
    music = amazon_music_emulator.client()
    amazon_music_emulator.latency(150)
    started = time.monotonic()
    music.me()
    assert time.monotonic() - started >= 0.15
    assert amazon_music_emulator.app.faults.latency_ms == 150.0


@pytest.mark.amazon_music(fault_rate=1.0, fault_status=500)
def test_the_marker_sets_faults_from_the_start(amazon_music_emulator: Emulator) -> None:
    with pytest.raises(ServerError) as raised:
        amazon_music_emulator.client(max_retries=0).me()
    assert raised.value.status == 500


def test_the_fault_sequence_repeats_with_its_seed() -> None:
    runs = []
    for seed in (3, 3, 4):
        with emulate(seed=False, fault_rate=0.5, fault_seed=seed) as emulator:
            runs.append(statuses(emulator, 40))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]
