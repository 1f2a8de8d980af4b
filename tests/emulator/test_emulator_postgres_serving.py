"""Several `serve` processes on one PostgreSQL database, what they hold together:

- the database is claimed by each serving process (Store.hold_serving_lock: a shared session advisory lock), so
  `serve --reset` is refused while another emulator serves it, as a SQLite file's lock file refuses it;
- ``--rate-limit`` counts an API key's requests in the database (Store.admit_request: a sliding one-second window),
  so two processes together admit the limit, not twice it. A burst is judged only when it took less than a second
  (then all of it falls in one window); a slower one is tried again, at most ``TRIES`` times. No duration is asserted.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from live_server import COMMAND, running_serve
from postgres_cluster import PostgresCluster

from amazon_music_emulator import Store
from amazon_music_emulator.store import StoreInUse

LIMIT = 5
BURST = 4 * LIMIT
TRIES = 3
KEPT = {"name": "Kept", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}


@pytest.fixture
def database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A new, empty PostgreSQL database in this worker's cluster."""
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


def api_headers(banner: dict[str, str]) -> dict[str, str]:
    return {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}


@pytest.mark.long_running
def test_a_reset_is_refused_while_another_emulator_serves_the_database(database: str) -> None:
    with running_serve(database) as banner:
        me_url = f"{banner['base URL']}/v1/me"
        assert httpx.put(me_url, headers=api_headers(banner), json=KEPT, timeout=10).status_code == 200
        refused = subprocess.run(
            [*COMMAND, "serve", "--quiet", "--port", "0", "--db", database, "--reset"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1, refused.stderr
        assert "--reset refused" in refused.stderr and database in refused.stderr and "Traceback" not in refused.stderr
        assert httpx.get(me_url, headers=api_headers(banner), timeout=10).json()["data"]["user"]["name"] == "Kept"
    with running_serve(database, "--reset") as banner:  # once nobody serves it, the reset goes ahead
        me = httpx.get(f"{banner['base URL']}/v1/me", headers=api_headers(banner), timeout=10)
        assert me.json()["data"]["user"]["name"] == "Tony Starked"


def test_servers_share_the_lock_and_a_reset_needs_it_alone(database: str) -> None:
    with Store(database) as first, Store(database) as second, Store(database) as resetter:
        with (
            first.hold_serving_lock(exclusive=False),
            second.hold_serving_lock(exclusive=False),
            pytest.raises(StoreInUse, match="another process serves"),
            resetter.hold_serving_lock(exclusive=True),
        ):
            pass
        with resetter.hold_serving_lock(exclusive=True):  # nobody serves it any more: the reset may go ahead
            pass


def test_a_shared_hold_waits_for_the_reset_and_the_downgrade_lets_it_in(database: str) -> None:
    with Store(database) as resetter, Store(database) as server:
        holding = threading.Event()
        with resetter.hold_serving_lock(exclusive=True) as share:

            def serve() -> None:
                with server.hold_serving_lock(exclusive=False):
                    holding.set()

            waiter = threading.Thread(target=serve)
            waiter.start()
            assert not holding.wait(0.5)  # the control: it waits while the reset holds the lock
            share()
            waiter.join(timeout=30)
            assert holding.is_set()
            with pytest.raises(StoreInUse), server.hold_serving_lock(exclusive=True):
                pass  # the resetter still serves it (shared), so another reset is refused


def test_a_sqlite_store_has_no_serving_lock() -> None:
    with (
        Store(":memory:") as store,
        pytest.raises(ValueError, match="PostgreSQL only"),
        store.hold_serving_lock(exclusive=True),
    ):
        pass


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


@pytest.mark.long_running
def test_two_processes_hold_the_limit_together(database: str) -> None:
    limit = ("--rate-limit", str(LIMIT))
    with running_serve(database, *limit) as first, running_serve(database, *limit) as second:
        headers = api_headers(first)
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
