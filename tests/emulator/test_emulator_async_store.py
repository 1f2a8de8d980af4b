"""A served PostgreSQL emulator waits for its database without holding its event loop (issue #17): authentication and
the handlers run their statements on the serving loop's pool (``Store.run_async``), opened at the lifespan's startup
and closed at its shutdown; an app used without a lifespan (in-process, ASGI) keeps the synchronous path.

The observable: a table is locked by the test, so the statements that read it wait in PostgreSQL. With the loop free,
a second request reaches the database while the first still waits, and ``pg_stat_activity`` shows two of the serving
process's connections waiting on the lock at once; with the loop held by the first request's wait, it never shows
more than one. No duration is asserted: the wait for the second waiter is bounded only so that a failure ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from live_server import running_serve, serve
from postgres_cluster import PostgresCluster

from amazon_music_emulator import DEMO_USER_ID, create_app

IN_FLIGHT = 2
JANE = "uj7wxenmftr26zlg7eo4maa744"  # a seeded PUBLIC user
WAIT_FOR_WAITERS_S = 30.0  # a bound for a busy machine; a free loop takes milliseconds
_WAITING_ON_LOCKS = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
)


@pytest.fixture
def database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A new, empty PostgreSQL database in this worker's cluster."""
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


def most_waiting_at_once(database: str, table: str, send: list[httpx.Request]) -> tuple[int, list[httpx.Response]]:
    """Send ``send`` (each on a connection of its own) while ``table`` is locked; the most statements seen waiting on
    that lock at once, and the answers once the lock is let go."""
    most = 0
    with (
        psycopg.connect(database) as holder,
        psycopg.connect(database, autocommit=True) as watcher,
        ThreadPoolExecutor(len(send)) as pool,
    ):
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        try:
            answers = [pool.submit(_send, request) for request in send]
            deadline = time.monotonic() + WAIT_FOR_WAITERS_S
            while most < len(send) and time.monotonic() < deadline:
                most = max(most, int(watcher.execute(_WAITING_ON_LOCKS).fetchone()[0]))  # type: ignore[index]
                time.sleep(0.02)
        finally:
            holder.rollback()  # the lock goes: every request goes on
        return most, [answer.result() for answer in answers]


def _send(request: httpx.Request) -> httpx.Response:
    with httpx.Client(timeout=120) as http:
        return http.send(request)


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ("tokens", "/v1/me"),  # authentication's statement waits (security.py -> auth.py)
        ("user_follows", "/v1/me/followers"),  # authentication passes; the handler's page waits (handlers/)
    ],
)
def test_requests_of_one_serve_process_wait_for_postgresql_at_once(database: str, table: str, path: str) -> None:
    with running_serve(database) as banner:
        headers = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}
        url = banner["base URL"] + path
        assert httpx.get(url, headers=headers, timeout=60).status_code == 200  # the process is up and its pool open
        most, answers = most_waiting_at_once(
            database, table, [httpx.Request("GET", url, headers=headers) for _ in range(IN_FLIGHT)]
        )
    assert most == IN_FLIGHT, f"at most {most} of {IN_FLIGHT} requests waited for PostgreSQL at once"
    assert [answer.status_code for answer in answers] == [200] * IN_FLIGHT, [answer.text for answer in answers]
    assert all(answer.json() == answers[0].json() for answer in answers)


def test_the_loops_pool_opens_with_the_lifespan_and_closes_before_it_ends(database: str) -> None:
    app = create_app(database)
    try:
        grant = app.mint_token()
        headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
        app.store.unfollow_user(DEMO_USER_ID, JANE)
        with serve(app) as base_url:
            put = httpx.put(f"{base_url}/v1/me/followed/users/{JANE}", headers=headers, timeout=60)
            assert put.status_code == 200, put.text
            assert app.store._async_pool is not None  # the serving loop's
        assert app.store._async_pool is None  # closed at the lifespan's shutdown
        # The app goes on without a lifespan, synchronously, and sees what the served one wrote.
        followed = app.store.page("followed_users", DEMO_USER_ID, after=0, limit=1, ids=[JANE]).edges
        assert [edge[1] for edge in followed] == [JANE]
    finally:
        app.close()
