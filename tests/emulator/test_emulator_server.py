"""Over a real socket: the emulator under uvicorn, and the ``amazon-music-emulator`` command (serve and token), each
on both store backends (a SQLite file, a PostgreSQL database)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from emulator_support import BACKENDS, assert_error
from live_server import COMMAND, running_serve, serve
from postgres_cluster import PostgresCluster
from store_backends import in_process_location

from amazon_music_emulator import (
    DEMO_API_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_USER_ID,
    EmulatorApp,
    create_app,
)

AMIT = "zz2hu7x4ert4gferzyh5bsb4xvje"
STORE_BACKENDS = BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def live(request: pytest.FixtureRequest) -> Iterator[tuple[EmulatorApp, str]]:
    """One server per backend for the module's in-process tests (each test leaves the state as it found it)."""
    with in_process_location(request.param, request) as location:
        app = create_app(location, validate_responses=True)
        with serve(app) as base_url:
            yield app, base_url
        app.close()


def test_a_session_over_http(live: tuple[EmulatorApp, str]) -> None:
    app, base_url = live
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
        me = http.get("/v1/me")
        assert me.status_code == 200 and me.headers["content-type"] == "application/json"
        assert me.json()["data"]["user"]["id"] == DEMO_USER_ID
        assert http.put(f"/v1/me/followed/users/{AMIT}").status_code == 200
        followers, cursor = [], None
        while True:
            page = http.get(
                f"/v1/users/{AMIT}/followers", params={"limit": 1, **({"cursor": cursor} if cursor else {})}
            )
            connection = page.json()["data"]["user"]["followers"]
            followers += [edge["node"]["id"] for edge in connection["edges"]]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            cursor = connection["pageInfo"]["token"]
        assert DEMO_USER_ID in followers
        assert http.delete(f"/v1/me/followed/users/{AMIT}").status_code == 200
        assert_error(http.get("/v1/me/followers", params={"limit": 500}), 400, "BAD_REQUEST", names="limit")
        not_allowed = http.request("PATCH", "/v1/me")
        assert_error(not_allowed, 405, "METHOD_NOT_ALLOWED")
        assert set(not_allowed.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}
        assert_error(http.get("/v1/nothing"), 404, "NOT_FOUND")
        assert_error(http.get("/v1/me", headers={"Authorization": "Basic x"}), 401, "INVALID_AUTH_TYPE")
        head = http.head("/v1/me")
        assert head.status_code == 200 and head.content == b""
        assert "server" not in me.headers  # the server does not name itself


def test_faults_over_http(live: tuple[EmulatorApp, str]) -> None:
    app, base_url = live
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    app.faults.rate_limit = 3
    try:
        with httpx.Client(base_url=base_url, headers=headers, timeout=10) as http:
            codes = [http.get("/v1/me").status_code for _ in range(6)]
            throttled = http.get("/v1/me")
    finally:
        app.faults.rate_limit = 0
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    assert_error(throttled, 429, "THROTTLED")
    assert int(throttled.headers["retry-after"]) >= 1


def test_login_with_amazon_over_http(live: tuple[EmulatorApp, str]) -> None:
    _, base_url = live
    redirect_uri = "http://localhost:9/callback"
    with httpx.Client(base_url=base_url, timeout=10, follow_redirects=False) as http:
        consent = http.get(
            "/ap/oa",
            params={
                "client_id": DEMO_CLIENT_ID,
                "scope": "music::profile",
                "response_type": "code",
                "redirect_uri": redirect_uri,
                "state": "s1",
            },
        )
        assert consent.status_code == 302
        query = parse_qs(urlsplit(consent.headers["location"]).query)
        tokens = http.post(
            "/auth/o2/token",
            data={"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect_uri},
            auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        )
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()) == {"access_token", "refresh_token", "token_type", "expires_in", "scope"}


# -- the command ---------------------------------------------------------------------------------------------------


@pytest.mark.long_running
def test_serve_prints_working_credentials_and_keeps_state_across_restarts(serve_db: Path | str) -> None:
    db = serve_db
    update = {"name": "Restarted", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
    with running_serve(db) as banner:
        headers = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}
        response = httpx.put(f"{banner['base URL']}/v1/me", headers=headers, json=update, timeout=10)
        assert response.status_code == 200, response.text
        # A token minted by another process into the same file works at once.
        minted = subprocess.run(
            [*COMMAND, "token", "--db", str(db), "--json"], capture_output=True, text=True, check=True
        )
        grant = json.loads(minted.stdout)
        other = {"x-api-key": grant["api_key"], "Authorization": f"Bearer {grant['access_token']}"}
        assert httpx.get(f"{banner['base URL']}/v1/me", headers=other, timeout=10).status_code == 200
    with running_serve(db) as banner:
        headers = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}
        assert (
            httpx.get(f"{banner['base URL']}/v1/me", headers=headers, timeout=10).json()["data"]["user"]["name"]
            == "Restarted"
        )
    with running_serve(db, "--reset") as banner:
        headers = {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}
        assert (
            httpx.get(f"{banner['base URL']}/v1/me", headers=headers, timeout=10).json()["data"]["user"]["name"]
            == "Tony Starked"
        )
    if isinstance(db, Path):  # a SQLite file is ours to protect; a PostgreSQL database is its server's
        assert oct(os.stat(db).st_mode & 0o777) == "0o600"


def test_token_command_json(serve_db: Path | str) -> None:
    db = serve_db
    done = subprocess.run(
        [
            *COMMAND,
            "token",
            "--db",
            str(db),
            "--create",
            "--user",
            AMIT,
            "--scopes",
            "music::catalog music::profile",
            "--ttl",
            "60",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    grant = json.loads(done.stdout)
    assert set(grant) == {"api_key", "access_token", "refresh_token", "expires_in", "user_id", "scope"}
    assert grant["user_id"] == AMIT and grant["expires_in"] == 60
    assert grant["scope"] == "music::catalog music::profile"
    assert grant["access_token"].startswith("Atza|") and grant["refresh_token"].startswith("Atzr|")
    plain = subprocess.run([*COMMAND, "token", "--db", str(db)], capture_output=True, text=True, check=True)
    assert plain.stdout.strip().startswith("Atza|") and len(plain.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        (["--user", "nosuchuser"], "--user"),
        (["--scopes", "music::nope"], "--scopes"),
        (["--ttl", "0"], "--ttl"),
        (["--api-key", "amzn1.application.nope"], "--api-key"),
    ],
)
def test_token_command_errors_name_the_option(serve_db: Path | str, arguments: list[str], names: str) -> None:
    done = subprocess.run(
        [*COMMAND, "token", "--db", str(serve_db), "--create", *arguments], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert names in done.stderr and "Traceback" not in done.stderr


def test_token_refuses_a_database_no_emulator_serves(tmp_path: Path) -> None:
    """Issue 13.6: a token minted into a new database would be one no running emulator knows."""
    db = tmp_path / "other.db"
    done = subprocess.run([*COMMAND, "token", "--db", str(db)], capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--db" in done.stderr and "does not exist" in done.stderr and "--create" in done.stderr
    assert not db.exists()


def test_token_names_a_postgres_database_it_cannot_open(postgres_cluster: PostgresCluster) -> None:
    """The PostgreSQL side of the refusal above: a database that does not exist is one line naming it, not a seed."""
    url = postgres_cluster.url("no_such_database")
    done = subprocess.run([*COMMAND, "token", "--db", url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "no_such_database" in done.stderr, done.stderr


def test_serve_refuses_a_bad_seed_size(tmp_path: Path) -> None:
    done = subprocess.run(
        [*COMMAND, "serve", "--db", str(tmp_path / "e.db"), "--seed-size", "fans=3"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "--seed-size" in done.stderr and "Traceback" not in done.stderr


def test_tokens_and_codes_never_reach_the_logs(serve_db: Path | str) -> None:
    """With the access log on, a Login with Amazon round trip and API calls leave no token or code in the output."""
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", "--db", str(serve_db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = ""
    for line in process.stdout:  # the banner (it shows the demo credentials on purpose)
        if line.strip().startswith("base URL"):
            base_url = line.split()[-1]
        if line.startswith("  curl "):
            break
    secrets_used: list[str] = []
    try:
        redirect_uri = "http://127.0.0.1:9/callback"
        consent_query = {"client_id": DEMO_CLIENT_ID, "scope": "music::profile", "response_type": "code"}
        with httpx.Client(base_url=base_url, timeout=10) as http:
            consent = http.get("/ap/oa", params={**consent_query, "redirect_uri": redirect_uri})
            code = parse_qs(urlsplit(consent.headers["location"]).query)["code"][0]
            exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
            grant = http.post("/auth/o2/token", data=exchange, auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)).json()
            headers = {"x-api-key": DEMO_API_KEY, "Authorization": f"Bearer {grant['access_token']}"}
            assert http.get("/v1/me", headers=headers).status_code == 200
            refresh = {"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}
            refreshed = http.post("/auth/o2/token", data=refresh, auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)).json()
        secrets_used = [code, grant["access_token"], grant["refresh_token"], refreshed["access_token"]]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    logs = out + err
    assert "GET /v1/me" in logs  # the access log was on
    assert len(secrets_used) == 4
    for secret in secrets_used:
        assert secret.split("|")[-1] not in logs
