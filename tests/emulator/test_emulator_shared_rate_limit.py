"""``--rate-limit`` on PostgreSQL holds across processes: every process on the database counts an API key's requests in
one sliding one-second window (Store.admit_request), so two processes together admit the limit, not twice it.

A burst is judged only when it took less than a second (then all of it falls in one window); a slower one is tried
again, at most ``TRIES`` times. No duration is asserted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from live_server import running_serve
from postgres_cluster import PostgresCluster

from amazon_music_emulator import Store

LIMIT = 5
BURST = 4 * LIMIT
TRIES = 3


@pytest.fixture
def database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


def test_concurrent_requests_of_one_key_admit_exactly_the_limit(database: str) -> None:
    with Store(database) as first, Store(database) as second, ThreadPoolExecutor(8) as pool:
        for attempt in range(TRIES):
            key = f"key-{attempt}"
            started = time.monotonic()
            stores = [(first, second)[n % 2] for n in range(BURST)]
            waits = list(pool.map(Store.admit_request, stores, [key] * BURST, [LIMIT] * BURST))
            if time.monotonic() - started < 1.0:
                break
        else:
            pytest.fail(f"no burst of {BURST} statements took less than a second in {TRIES} tries")
        assert waits.count(0.0) == LIMIT
        assert all(0.0 < wait <= 1.0 for wait in waits if wait != 0.0)
        assert first.admit_request("another-key", LIMIT) == 0.0  # the limit is per key


def test_the_rows_of_idle_keys_are_forgotten(database: str) -> None:
    with Store(database) as store:
        assert store.admit_request("busy", LIMIT) == 0.0
        assert store.admit_request("idle", LIMIT) == 0.0
        with psycopg.connect(database, autocommit=True) as conn:  # as if "idle" had last come two minutes ago
            conn.execute("UPDATE rate_limit_log SET admitted = ARRAY[admitted[1] - 120] WHERE api_key = 'idle'")
        assert store.forget_idle_rate_keys() == 1
        with psycopg.connect(database) as conn:
            assert [row[0] for row in conn.execute("SELECT api_key FROM rate_limit_log")] == ["busy"]


def test_two_processes_hold_the_limit_together(database: str) -> None:
    limit = ("--rate-limit", str(LIMIT))
    with running_serve(database, *limit) as first, running_serve(database, *limit) as second:
        headers = {"x-api-key": first["x-api-key"], "Authorization": f"Bearer {first['Authorization']}"}
        urls = [first["base URL"], second["base URL"]]

        async def burst() -> tuple[list[httpx.Response], float]:
            async with httpx.AsyncClient(headers=headers, timeout=30) as http:
                for url in urls:  # connections open before the burst, so that it takes the least time
                    assert (await http.get(f"{url}/healthz")).status_code == 200
                started = time.monotonic()
                answers = await asyncio.gather(*(http.get(f"{urls[n % 2]}/v1/me") for n in range(BURST)))
                return answers, time.monotonic() - started

        for _ in range(TRIES):
            answers, took = asyncio.run(burst())
            if took < 1.0:
                break
            time.sleep(1.1)  # a fresh window for the next try
        else:
            pytest.fail(f"no burst of {BURST} requests took less than a second in {TRIES} tries")
    statuses = [answer.status_code for answer in answers]
    # Each process got 2 x LIMIT requests: counting alone, each would have admitted LIMIT of them.
    assert statuses.count(200) == LIMIT and statuses.count(429) == BURST - LIMIT, statuses
    throttled = [answer for answer in answers if answer.status_code == 429]
    assert all(answer.json()["error"]["code"] == "THROTTLED" for answer in throttled)
    assert all(int(answer.headers["retry-after"]) >= 1 for answer in throttled)
