"""``serve --access-log json``: one JSON object per request, with a request id the response carries back; no secret
ever reaches the log; several worker processes append whole lines to one file."""

from __future__ import annotations

import asyncio
import json
import stat
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from live_server import running_serve

from amazon_music_emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from amazon_music_emulator.__main__ import main
from amazon_music_emulator.access_log import MAX_LOGGED_PATH, logged_path

FIELDS = {"time", "method", "path", "status", "duration_ms", "response_bytes", "client", "request_id", "pid"}
REDIRECT = "http://127.0.0.1:53682/callback"
# PKCE's plain method: the challenge is the verifier, so it is a secret in the /ap/oa query.
VERIFIER = "v" * 20 + "PLAIN-VERIFIER-SECRET" + "v" * 20
COOKIE_SECRET = "cookie-secret-9f2e"
QUERY_SECRET = "query-secret-71ab"
BODY_SECRET = "body-secret-c3d4"


def api_headers(banner: dict[str, str]) -> dict[str, str]:
    return {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_request_is_one_json_line_and_the_request_id_comes_back(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "access.jsonl"
    log.parent.mkdir()
    with (
        running_serve(tmp_path / "e.db", "--access-log-file", str(log)) as banner,
        httpx.Client(base_url=banner["base URL"], headers=api_headers(banner), timeout=10) as http,
    ):
        me = http.get("/v1/me", headers={"x-request-id": "trace-0001"})
        followed = http.get("/v1/me/followed/users", params={"limit": 2})
        probe = http.get("/healthz", headers={"x-request-id": "not sane: spaces"})
        long_id = http.get("/healthz", headers={"x-request-id": "x" * 129})
        missing = http.get("/v1/no-such-path")
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    lines = read_log(log)
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/v1/me", 200),
        ("GET", "/v1/me/followed/users?limit=2", 200),
        ("GET", "/healthz", 200),
        ("GET", "/healthz", 200),
        ("GET", "/v1/no-such-path", 404),
    ]
    responses = [me, followed, probe, long_id, missing]
    for line, response in zip(lines, responses, strict=True):
        assert set(line) == FIELDS
        assert line["request_id"] == response.headers["x-request-id"]
        assert line["response_bytes"] == len(response.content)
        assert line["pid"] == int(banner["pid"])
        assert line["client"].startswith("127.0.0.1:")
        assert line["duration_ms"] >= 0
        assert line["time"].endswith("Z")
        assert datetime.fromisoformat(line["time"]).utcoffset() == timedelta(0)
    assert me.headers["x-request-id"] == "trace-0001"  # a sane id is echoed; others are replaced by a new one
    assert probe.headers["x-request-id"] not in ("not sane: spaces", "")
    assert long_id.headers["x-request-id"] != "x" * 129
    assert len({line["request_id"] for line in lines}) == len(lines)


async def test_no_secret_reaches_the_log(tmp_path: Path) -> None:
    log = tmp_path / "access.jsonl"
    with running_serve(tmp_path / "e.db", "--access-log", "json", "--access-log-file", str(log)) as banner:
        secrets = [banner["x-api-key"], banner["Authorization"], DEMO_CLIENT_SECRET, VERIFIER]
        secrets += [COOKIE_SECRET, QUERY_SECRET, BODY_SECRET]
        async with httpx.AsyncClient(base_url=banner["base URL"], timeout=10) as http:
            headers = {**api_headers(banner), "cookie": f"session={COOKIE_SECRET}"}
            update = {"name": BODY_SECRET, "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
            assert (await http.put("/v1/me", headers=headers, json=update)).status_code == 200
            assert (await http.get("/v1/me", headers=headers, params={"client_secret": QUERY_SECRET})).status_code
            authorize = {"client_id": DEMO_CLIENT_ID, "scope": "music::profile", "response_type": "code"}
            authorize |= {"redirect_uri": REDIRECT, "state": "st", "code_challenge": VERIFIER}
            redirected = await http.get("/ap/oa", params=authorize)
            assert redirected.status_code == 302, redirected.text
            code = httpx.URL(redirected.headers["location"]).params["code"]
            form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
            form |= {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, "code_verifier": VERIFIER}
            granted = await http.post("/auth/o2/token", data=form)
            assert granted.status_code == 200, granted.text
            refresh = {"grant_type": "refresh_token", "refresh_token": granted.json()["refresh_token"]}
            refresh |= {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
            refreshed = await http.post("/auth/o2/token", data=refresh)
            assert refreshed.status_code == 200, refreshed.text
            # A client that puts its grant in the URL: the values are not logged either.
            leaked = {"refresh_token": refreshed.json()["refresh_token"], "code": code}
            assert (await http.post("/auth/o2/token", params=leaked, data=refresh)).status_code == 400
        secrets += [code, granted.json()["access_token"], granted.json()["refresh_token"]]
        secrets += [refreshed.json()["access_token"], refreshed.json()["refresh_token"]]
    text = log.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 6  # the control: every request above was logged
    assert "/ap/oa?" in text and "state=st" in text and "code_challenge=***" in text
    for secret in secrets:
        assert secret not in text


def test_several_workers_append_whole_lines_to_one_file(tmp_path: Path) -> None:
    log = tmp_path / "access.jsonl"
    requests = 300
    # Long lines (a long query) would show any interleaving of two processes' writes.
    filler = "f" * 1500
    with running_serve(tmp_path / "e.db", "--workers", "2", "--access-log-file", str(log)) as banner:
        limits = httpx.Limits(max_keepalive_connections=0)  # a connection per request: both workers accept

        async def load() -> None:
            async with httpx.AsyncClient(base_url=banner["base URL"], limits=limits, timeout=30) as http:
                gate = asyncio.Semaphore(16)

                async def one(n: int) -> None:
                    async with gate:
                        response = await http.get("/healthz", params={"n": n, "filler": filler})
                        assert response.status_code == 200

                await asyncio.gather(*(one(n) for n in range(requests)))

        with httpx.Client(base_url=banner["base URL"], limits=limits, timeout=30) as http:
            for _ in range(200):  # the banner comes before the workers: wait until both have answered
                assert http.get("/healthz").status_code == 200
                if len({line["pid"] for line in read_log(log)}) == 2:
                    break
                time.sleep(0.1)
        asyncio.run(load())
    lines = [line for line in read_log(log) if "n=" in line["path"]]  # every line parses: none is torn or interleaved
    assert sorted(int(line["path"].split("n=")[1].split("&")[0]) for line in lines) == list(range(requests))
    assert len({line["pid"] for line in lines}) == 2  # the control: two processes wrote at the same time
    assert int(banner["pid"]) not in {line["pid"] for line in lines}


def test_logged_path_keeps_the_query_and_hides_secret_values() -> None:
    scope = {"raw_path": b"/ap/oa", "query_string": b"client_id=c&Client_Secret=s1&code=s2&state=ok&x&token"}
    assert logged_path(scope) == "/ap/oa?client_id=c&Client_Secret=***&code=***&state=ok&x&token"
    assert len(logged_path({"raw_path": b"/" + b"a" * 5000, "query_string": b""})) == MAX_LOGGED_PATH


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--access-log", "text", "--access-log-file", "x.log"], "--access-log-file"),
        (["--quiet", "--access-log", "json"], "--quiet"),
        (["--access-log", "xml"], "--access-log"),
        (["--access-log-file", "no/such/folder/x.log"], "--access-log-file"),
    ],
)
def test_contradictory_or_impossible_access_log_options_are_refused(
    arguments: list[str], named: str, tmp_path: Path
) -> None:
    db = tmp_path / "e.db"
    arguments = [str(tmp_path / argument) if argument.endswith(".log") else argument for argument in arguments]
    result = CliRunner().invoke(main, ["serve", "--port", "0", "--db", str(db), *arguments])
    assert result.exit_code == 2, result.output
    assert named in result.output and "Traceback" not in result.output
    assert not db.exists()  # refused before anything was touched
