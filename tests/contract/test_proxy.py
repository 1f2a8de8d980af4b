"""The validation proxy: forwards requests and answers unchanged, and reports every way an answer breaks the spec.

Two upstreams: a deliberately wrong one (a small ASGI app answering off-spec bodies, in-process), whose every planted
mismatch must be reported exactly once and nothing else; and the emulator over real sockets, with the proxy started
by its command line, where every operation of the spec passes through with zero mismatches.
"""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from contract_support import TRAFFIC, RunningEmulator, stop, wait_for_line

from amazon_music_emulator.proxy import ProxyReport, ResponseChecker, ValidationProxy, build_proxy
from amazon_music_generated.operations import OPERATIONS

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "amazon-music-user-v1.yaml"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SECRET_TOKEN = "Atza|proxy-test-secret-token-value"
SECRET_KEY = "proxy-test-secret-api-key"
CREDENTIALS = {"x-api-key": SECRET_KEY, "Authorization": f"Bearer {SECRET_TOKEN}"}

VALID_USER = {"data": {"user": {"id": "zqll6htnhyb2welrqsrtrhdvaa", "name": "Tony Starked"}}}
VALID_SHOWS = {
    "data": {
        "user": {
            "id": "zqll6htnhyb2welrqsrtrhdvaa",
            "followedPodcastShows": {
                "pageInfo": {"hasNextPage": False},
                "edgeCount": 1,
                "edges": [{"node": {"id": "6e8b7d6c-0000-4000-8000-000000000001", "title": "Crime Junkie"}}],
            },
        }
    }
}


class PlantedAnswer:
    """One off-spec answer of the wrong upstream: status, content type, body bytes, extra headers."""

    def __init__(
        self,
        status: int,
        body: Any,
        *,
        content_type: str = "application/json",
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.content_type = content_type
        self.headers = headers or []


# (method, path with query) -> the answer, and the mismatches it plants: (operation, status, pointer, kind).
PLANTED: list[tuple[str, str, PlantedAnswer, set[tuple[str, int, str, str]]]] = [
    (
        "GET",
        "/v1/me",
        PlantedAnswer(200, {"data": {"user": {"id": 42}}}),
        {("getCurrentUser", 200, "/data/user/id", "schema")},
    ),
    (
        "GET",
        "/v1/users/abc",
        PlantedAnswer(418, {"error": {"status": "418", "code": "TEAPOT", "message": "short and stout"}}),
        {("getUser", 418, "", "status")},
    ),
    (
        "GET",
        "/v1/me/followers?limit=5",
        PlantedAnswer(200, b"<html>followers</html>", content_type="text/html"),
        {("getCurrentUserFollowers", 200, "", "content-type")},
    ),
    (
        "GET",
        "/v1/me/followed/users",
        PlantedAnswer(200, b"{not json"),
        {("getCurrentUserFollowedUsers", 200, "", "body")},
    ),
    (
        "GET",
        "/v1/users?ids=abc,def",
        PlantedAnswer(200, {"users": []}),
        {("getUsers", 200, "/data", "schema"), ("getUsers", 200, "/users", "envelope")},
    ),
    (
        "GET",
        "/v1/me/library/tracks",
        PlantedAnswer(
            200,
            {
                "data": {
                    "user": {
                        "id": "zqll6htnhyb2welrqsrtrhdvaa",
                        "libraryTracks": {
                            "pageInfo": {"hasNextPage": True},
                            "edgeCount": 5,
                            "edges": [{"purchased": False, "node": {"id": "B07B62ZK5S"}}],
                        },
                    }
                }
            },
        ),
        {
            ("getCurrentUserLibraryTracks", 200, "/data/user/libraryTracks/edges/0/uploaded", "schema"),
            ("getCurrentUserLibraryTracks", 200, "/data/user/libraryTracks/pageInfo/token", "paging"),
            ("getCurrentUserLibraryTracks", 200, "/data/user/libraryTracks/edgeCount", "paging"),
        },
    ),
    (
        "PUT",
        "/v1/me",
        PlantedAnswer(200, {"data": {"updateUser": {"id": "zqll6htnhyb2welrqsrtrhdvaa", "visibility": "FRIENDS"}}}),
        {("updateCurrentUser", 200, "/data/updateUser/visibility", "schema")},
    ),
    (
        "DELETE",
        "/v1/me/followed/artists/B000QKGN8W",
        PlantedAnswer(404, {"error": {"status": "400", "code": "NOT_FOUND", "message": "no artist"}}),
        {("unfollowArtist", 404, "/error/status", "error-status")},
    ),
    (
        "PUT",
        "/v1/me/followed/users/abc",
        PlantedAnswer(403, {"error": {"status": "403", "message": "a code is missing"}}),
        {("followUser", 403, "/error/code", "schema")},
    ),
    (
        "GET",
        "/v1/users/abc/followers",
        PlantedAnswer(500, {"error": {"status": "500", "code": "BOOM", "message": "x"}, "data": {}}),
        {("getUserFollowers", 500, "/data", "envelope")},
    ),
    (
        "GET",
        "/v1/users/abc/followed/users",
        PlantedAnswer(
            200,
            {
                "data": {
                    "user": {
                        "followedUsers": {
                            "pageInfo": {"hasNextPage": False, "token": "abc"},
                            "edgeCount": 0,
                            "edges": [],
                        }
                    }
                }
            },
        ),
        {
            ("getUserFollowedUsers", 200, "/data/user/id", "schema"),
            ("getUserFollowedUsers", 200, "/data/user/followedUsers/pageInfo/token", "paging"),
        },
    ),
    (
        "GET",
        "/v1/users/abc/followed/artists",
        PlantedAnswer(
            200,
            {
                "data": {
                    "user": {
                        "id": "abc",
                        "followedArtists": {
                            "pageInfo": {"hasNextPage": False},
                            "edgeCount": -1,
                            "edges": [{"node": {"name": "Coldplay"}}],
                        },
                    }
                }
            },
        ),
        {
            ("getUserFollowedArtists", 200, "/data/user/followedArtists/edgeCount", "schema"),
            ("getUserFollowedArtists", 200, "/data/user/followedArtists/edgeCount", "paging"),
            ("getUserFollowedArtists", 200, "/data/user/followedArtists/edges/0/node/id", "schema"),
        },
    ),
    (
        "PUT",
        "/v1/me/followed/artists/B000QKGN8W",
        PlantedAnswer(200, {"data": {"followArtist": {"artist": {"id": "B000QKGN8W"}, "followState": "FOLLOWING"}}}),
        {("followArtist", 200, "/data/followArtist/followState", "schema")},
    ),
    (
        "DELETE",
        "/v1/me/followed/users/abc",
        PlantedAnswer(
            200,
            {
                "data": {
                    "unfollowUser": {"user": {"id": "abc", "playbackVisibility": "SECRET"}, "followState": "UNFOLLOW"}
                }
            },
        ),
        {("unfollowUser", 200, "/data/unfollowUser/user/playbackVisibility", "schema")},
    ),
    # Conforming answers, one of them gzip-encoded: nothing to report.
    ("GET", "/v1/users/zqll6htnhyb2welrqsrtrhdvaa", PlantedAnswer(200, VALID_USER), set()),
    (
        "GET",
        "/v1/me/followed/podcasts/shows",
        PlantedAnswer(200, gzip.compress(json.dumps(VALID_SHOWS).encode()), headers=[(b"content-encoding", b"gzip")]),
        set(),
    ),
    # Outside the spec: forwarded, counted as unmatched, never a mismatch.
    ("GET", "/v2/unknown", PlantedAnswer(200, {"anything": True}), set()),
]


class WrongUpstream:
    """Answers each planted request with its off-spec answer, and remembers what it received."""

    def __init__(self) -> None:
        self.answers = {(method, target): answer for method, target, answer, _ in PLANTED}
        self.received: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope["query_string"].decode()
        target = scope["path"] + (f"?{query}" if query else "")
        self.received.append(
            {"method": scope["method"], "target": target, "headers": list(scope["headers"]), "body": body}
        )
        answer = self.answers[(scope["method"], target)]
        headers = [(b"content-type", answer.content_type.encode()), (b"x-upstream", b"wrong"), *answer.headers]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


@pytest.fixture
def wrong_upstream() -> WrongUpstream:
    return WrongUpstream()


@pytest.fixture
def report_path(tmp_path: Path) -> Path:
    return tmp_path / "proxy-report.json"


@pytest.fixture
def proxy(wrong_upstream: WrongUpstream, report_path: Path) -> ValidationProxy:
    return build_proxy("http://upstream.test", report_path=report_path, transport=httpx.ASGITransport(wrong_upstream))


async def _send_all(proxy: ValidationProxy) -> list[httpx.Response]:
    responses = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(proxy), base_url="http://proxy.test") as client:
        for method, target, _answer, _planted in PLANTED:
            body = b'{"name": "New Name"}' if method == "PUT" else None
            responses.append(await client.request(method, target, headers=CREDENTIALS, content=body))
    return responses


async def test_every_planted_mismatch_is_reported_and_nothing_else(
    proxy: ValidationProxy, report_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="amazon_music_emulator.proxy")
    await _send_all(proxy)

    report = json.loads(report_path.read_text())
    found = [(d["operation"], d["status"], d["pointer"], d["kind"]) for d in report["details"]]
    planted = [mismatch for *_, mismatches in PLANTED for mismatch in mismatches]
    assert sorted(found) == sorted(planted)
    assert report["mismatches"] == len(planted)
    assert report["requests"] == len(PLANTED)
    assert report["unmatched"] == 1
    assert report["validated"] == len(PLANTED) - 1
    assert report["by_operation"]["getCurrentUserLibraryTracks"] == {"requests": 1, "mismatches": 3}
    assert report["by_kind"]["paging"] == 4

    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("mismatch ")]
    assert len(lines) == len(planted)
    for operation, status, pointer, _kind in planted:
        assert any(
            f"operation={operation} status={status} pointer={pointer or '/'} expected=" in line for line in lines
        ), (operation, status, pointer)


async def test_mismatch_says_what_was_expected(proxy: ValidationProxy, report_path: Path) -> None:
    await _send_all(proxy)
    details = {(d["operation"], d["pointer"], d["kind"]): d for d in json.loads(report_path.read_text())["details"]}
    assert details[("getCurrentUser", "/data/user/id", "schema")]["expected"] == "type string"
    assert details[("getCurrentUser", "/data/user/id", "schema")]["found"] == "42"
    assert details[("updateCurrentUser", "/data/updateUser/visibility", "schema")]["expected"] == (
        "one of PUBLIC, PRIVATE"
    )
    assert details[("unfollowArtist", "/error/status", "error-status")]["expected"].startswith('"404"')
    assert details[("followUser", "/error/code", "schema")]["expected"] == "a required property"
    assert "200" in details[("getUser", "", "status")]["expected"]
    assert details[("getCurrentUserFollowers", "", "content-type")]["expected"] == "Content-Type application/json"
    playback = details[("unfollowUser", "/data/unfollowUser/user/playbackVisibility", "schema")]["expected"]
    assert playback == "one of PUBLIC, PRIVATE or null"


async def test_requests_and_answers_pass_unchanged(proxy: ValidationProxy, wrong_upstream: WrongUpstream) -> None:
    responses = await _send_all(proxy)

    for (method, target, answer, _), received, response in zip(
        PLANTED, wrong_upstream.received, responses, strict=True
    ):
        assert (received["method"], received["target"]) == (method, target)
        headers = {k.decode().lower(): v.decode() for k, v in received["headers"]}
        assert headers["authorization"] == f"Bearer {SECRET_TOKEN}"
        assert headers["x-api-key"] == SECRET_KEY
        assert headers["host"] == "upstream.test"
        assert received["body"] == (b'{"name": "New Name"}' if method == "PUT" else b"")
        assert response.status_code == answer.status
        assert response.headers["x-upstream"] == "wrong"
        assert response.headers["content-type"] == answer.content_type
        assert response.content == (
            gzip.decompress(answer.body) if response.headers.get("content-encoding") == "gzip" else answer.body
        )


async def test_credentials_never_reach_logs_or_report(
    proxy: ValidationProxy, report_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await _send_all(proxy)
    written = report_path.read_text() + caplog.text
    assert SECRET_TOKEN not in written
    assert SECRET_KEY not in written
    assert "Atza|" not in written


async def test_unreachable_upstream_answers_502_in_the_error_shape(report_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    proxy = build_proxy("http://upstream.test", report_path=report_path, transport=httpx.MockTransport(refuse))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(proxy), base_url="http://proxy.test") as client:
        response = await client.get("/v1/me", headers=CREDENTIALS)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "UPSTREAM_UNAVAILABLE"
    report = json.loads(report_path.read_text())
    assert (report["upstream_errors"], report["mismatches"]) == (1, 0)


def test_checker_knows_every_operation() -> None:
    checker = ResponseChecker.from_file(SPEC_PATH)
    assert set(checker.operation_ids) == {operation.operation_id for operation in OPERATIONS}
    for path, operation_id in [
        ("/v1/me/followed/users", "getCurrentUserFollowedUsers"),
        ("/v1/users/abc/followed/users", "getUserFollowedUsers"),
        ("/v1/users", "getUsers"),
    ]:
        operation = checker.match("GET", path)
        assert operation is not None and operation.operation_id == operation_id
    assert checker.match("POST", "/v1/me") is None


def test_report_without_path_is_kept_in_memory() -> None:
    report = ProxyReport(upstream="http://x", spec="s")
    report.write()  # no path: nothing to write, and no error
    assert report.as_dict()["requests"] == 0


# -- the emulator as the upstream, over real sockets ------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy_over_emulator(
    running_emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, Path]]:
    tmp = tmp_path_factory.mktemp("proxy")
    report, log = tmp / "report.json", tmp / "proxy.log"
    command = [sys.executable, "-m", "amazon_music_emulator", "proxy", "--upstream", running_emulator.base_url]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", "0", "--report", str(report)], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = wait_for_line(log, r"Validation proxy on (http://\S+)", process).group(1)
        yield url, report, log
    finally:
        stop(process)


def test_emulator_upstream_passes_with_zero_mismatches(
    running_emulator: RunningEmulator, proxy_over_emulator: tuple[str, Path, Path]
) -> None:
    url, report_path, log = proxy_over_emulator
    credentials = {"x-api-key": running_emulator.api_key, "Authorization": f"Bearer {running_emulator.access_token}"}
    statuses = []
    with httpx.Client(base_url=url, timeout=30.0) as client:
        for method, target, body, authenticated in TRAFFIC:
            response = client.request(method, target, json=body, headers=credentials if authenticated else {})
            statuses.append(response.status_code)
        # A walk over three pages, following each page's token.
        cursor: str | None = None
        for _ in range(3):
            params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
            page = client.get("/v1/me/followers", params=params, headers=credentials).json()
            cursor = page["data"]["user"]["followers"]["pageInfo"]["token"]

    assert statuses[:18] == [200] * 18
    assert sorted(statuses[18:]) == [400, 400, 400, 400, 401, 403, 404, 404]
    report = json.loads(report_path.read_text())
    assert report["details"] == []
    assert report["mismatches"] == 0
    assert report["requests"] == report["validated"] == len(TRAFFIC) + 3
    assert set(report["by_operation"]) == set(ResponseChecker.from_file(SPEC_PATH).operation_ids)
    assert running_emulator.access_token not in log.read_text() + report_path.read_text()
