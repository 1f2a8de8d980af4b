"""The emulator's fast paths (issue 7) answer what the slow ones did: memoised routes and parameter checks, remembered
credentials that any write forgets, one write per response, and several workers on one database; the tests of another
connection's writes and of several workers run on both store backends (a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from emulator_support import BACKENDS, assert_error, connection_of

from amazon_music_emulator import DEMO_USER_ID, EmulatorApp, Store, create_app
from amazon_music_emulator import store as store_module
from amazon_music_emulator.seed import hash_secret
from amazon_music_emulator.serving import CoalescingTransport

ARTIST = "B000S2A8NE"  # a seeded artist
FOLLOWED_ARTISTS = f"/v1/users/{DEMO_USER_ID}/followed/artists"
# The tests of what a process remembers and of several workers, on each backend (copy_to is SQLite's alone).
ON_EACH_BACKEND = pytest.mark.parametrize("store_backend", BACKENDS, indirect=True)
STARTED_WORKER = re.compile(r"Started server process \[\d+\]")


def bearer(app: EmulatorApp, **mint: Any) -> dict[str, str]:
    grant = app.mint_token(**mint)
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


# -- memoised parameter checks and routes --------------------------------------------------------------------------


async def test_a_repeated_request_gets_the_same_parameter_check(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for _ in range(3):
        assert_error(await client.get("/v1/me/followers?limit=500", headers=headers), 400, "BAD_REQUEST", "limit: ")
        assert_error(await client.get("/v1/me/followers?limit=5&x=1", headers=headers), 400, "BAD_REQUEST", "x: ")
        page = await client.get("/v1/me/followers?limit=5", headers=headers)
        assert page.status_code == 200, page.text
        assert connection_of(page.json())["edgeCount"] == 5


async def test_the_same_query_is_checked_per_operation(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    query = f"artistIds={ARTIST}"
    assert (await client.get(f"{FOLLOWED_ARTISTS}?{query}", headers=headers)).status_code == 200
    assert_error(await client.get(f"/v1/me/followers?{query}", headers=headers), 400, "BAD_REQUEST", "artistIds: ")
    assert (await client.get(f"{FOLLOWED_ARTISTS}?{query}", headers=headers)).status_code == 200


async def test_memoised_routes_keep_path_parameters_and_methods_apart(
    app: EmulatorApp, client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    user_ids = app.store.user_ids(3)
    for _ in range(2):
        for user_id in user_ids:
            response = await client.get(f"/v1/users/{user_id}", headers=headers)
            assert response.status_code == 200, response.text
            assert response.json()["data"]["user"]["id"] == user_id
    response = await client.post(f"/v1/users/{user_ids[0]}", headers=headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]
    assert_error(await client.get("/v1/users/x/nothing", headers=headers), 404, "NOT_FOUND")
    assert (await client.head(f"/v1/users/{user_ids[0]}", headers=headers)).status_code == 200


# -- remembered credentials -----------------------------------------------------------------------------------------


@ON_EACH_BACKEND
async def test_a_remembered_token_still_expires_on_time(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    headers = bearer(app, ttl=60)
    for _ in range(2):
        assert (await client.get("/v1/me", headers=headers)).status_code == 200
    real_clock = app.auth.clock
    app.auth.clock = lambda: real_clock() + 61
    assert "expired" in assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")


@ON_EACH_BACKEND
async def test_a_token_revoked_in_the_store_is_refused_at_once(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    headers = bearer(app)
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    assert app.store.insert_tokens([], revoke=hash_secret(token))
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")


@ON_EACH_BACKEND
async def test_a_request_looks_its_api_key_and_token_up_in_one_statement(
    app: EmulatorApp, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = bearer(app)
    lookups: list[str] = []
    names = {
        store_module._CREDENTIALS_SELECT: "find_credentials",
        store_module._ACCESS_TOKEN_SELECT: "find_access_token",
    }
    read = app.store._read

    @contextmanager
    def noting(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with read(*args, **kwargs) as session:
            execute = session.execute

            def noted(sql: str, parameters: Any = (), /) -> Any:
                lookups.append(names.get(sql, "get_security_profile" if "FROM security_profiles" in sql else sql))
                return execute(sql, parameters)

            yield SimpleNamespace(execute=noted)

    monkeypatch.setattr(app.store, "_read", noting)
    app.store.set_meta("unrelated", "write")  # nothing remembered: the next request looks its credentials up
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    assert lookups == ["find_credentials"]
    token = headers["Authorization"].removeprefix("Bearer ")
    assert app.store.insert_tokens([], revoke=hash_secret(token))
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")
    assert lookups == ["find_credentials"] * 2


@ON_EACH_BACKEND
async def test_a_write_by_another_connection_to_the_store_is_seen_at_once(serve_db: Path | str) -> None:
    db = serve_db
    app = create_app(db)
    other = Store(db)
    try:
        headers = bearer(app)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as client:
            assert (await client.get("/v1/me", headers=headers)).status_code == 200
            token = headers["Authorization"].removeprefix("Bearer ")
            assert other.insert_tokens([], revoke=hash_secret(token))
            assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")
    finally:
        other.close()
        app.close()


async def test_a_store_copied_over_forgets_remembered_credentials(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    headers = bearer(app)
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    fresh = create_app(":memory:")
    try:
        fresh.store.copy_to(app.store)  # the same seed, without the token minted above
    finally:
        fresh.close()
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")


# -- one write per response -----------------------------------------------------------------------------------------


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


async def test_writes_in_one_loop_step_leave_as_one_write() -> None:
    real = RecordingTransport()
    transport = CoalescingTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b"body")
    assert real.writes == []
    await asyncio.sleep(0)
    assert real.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
    transport.write(b"last")
    transport.close()  # a close sends what is pending first
    assert real.writes[-1] == b"last" and real.closed
    transport.write(b"after close")
    await asyncio.sleep(0)
    assert real.writes[-1] == b"last"
    assert transport.get_extra_info("peername") == "info:peername"


# -- several workers ------------------------------------------------------------------------------------------------


@pytest.mark.long_running
@ON_EACH_BACKEND
def test_several_workers_share_one_state(serve_db: Path | str) -> None:
    db = serve_db
    command = [sys.executable, "-m", "amazon_music_emulator", "serve", "--port", "0", "--db", str(db), "--quiet"]
    process = subprocess.Popen([*command, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    banner: dict[str, str] = {}
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(process.stderr or ()), name="workers-log", daemon=True)
    reader.start()
    try:
        for line in process.stdout:
            if match := re.match(r"\s+(base URL|x-api-key|Authorization)\s+(?:Bearer )?(\S+)", line):
                banner[match.group(1)] = match.group(2)
            if line.startswith("  curl "):
                break
        # Both workers serve before the requests start (on a loaded machine the second may come up late).
        deadline = time.monotonic() + 60
        while len(STARTED_WORKER.findall("".join(log))) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        base, key = banner["base URL"], banner["x-api-key"]
        headers = {"x-api-key": key, "Authorization": f"Bearer {banner['Authorization']}"}

        def followed() -> list[bool]:
            # A new connection per request, so that the requests spread over the workers.
            url = f"{base}{FOLLOWED_ARTISTS}?artistIds={ARTIST}"
            responses = [httpx.get(url, headers=headers, timeout=20) for _ in range(12)]
            assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
            return [connection_of(r.json())["edgeCount"] == 1 for r in responses]

        # Unfollowing is idempotent: it sets a known start, whatever the seed holds.
        assert httpx.delete(f"{base}/v1/me/followed/artists/{ARTIST}", headers=headers, timeout=20).status_code == 200
        assert not any(followed())
        assert httpx.put(f"{base}/v1/me/followed/artists/{ARTIST}", headers=headers, timeout=20).status_code == 200
        assert all(followed())
        assert httpx.delete(f"{base}/v1/me/followed/artists/{ARTIST}", headers=headers, timeout=20).status_code == 200
        assert not any(followed())
        # A token revoked in the file by another process is refused by every worker.
        with Store(db) as store:
            assert store.insert_tokens([], revoke=hash_secret(banner["Authorization"]))
        refused = [httpx.get(f"{base}/v1/me", headers=headers, timeout=20) for _ in range(12)]
        assert {r.status_code for r in refused} == {401}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)
    errors = "".join(log)
    assert len(STARTED_WORKER.findall(errors)) == 2, errors


def test_several_workers_need_a_database_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "amazon_music_emulator", "serve", "--db", ":memory:", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers" in result.stderr and "database file" in result.stderr


@pytest.mark.parametrize("workers", ["0", "x"])
def test_workers_must_be_a_positive_number(workers: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "amazon_music_emulator", "serve", "--workers", workers],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--workers" in result.stderr
