"""Consumer matrix, row 1: Prism (`prism proxy --errors`, project-local in tools/npm) validating answers in front of
an upstream. In front of the emulator, a walk of every operation reports no violation; in front of a stub upstream
that answers every operation with a planted wrong body, every operation is reported, proving validation is on for
each. With PlaybackVisibility's null spelled as in spec 1.1.0 (`type` + `nullable` + `enum: [null]`), Prism refused
every schema that reaches it and let planted answers through: the last test shows that failure on a copy built here."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from consumer_support import (
    NPM_BIN,
    TRAFFIC,
    RunningEmulator,
    credentials,
    free_port,
    operation_of,
    spec_before_1_2,
    wait_until_listening,
    walk,
)
from publish_support import SPEC_NAME, operations

PLANTED = b'{"nope": 1}'
PRISM_CREDENTIALS = {"x-api-key": "prism-api-key", "Authorization": "Bearer Atza|prism-token"}


class _PlantedUpstream(BaseHTTPRequestHandler):
    """Answers every request 200 with a JSON body that no operation's schema allows."""

    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(PLANTED)))
        self.end_headers()
        self.wfile.write(PLANTED)

    do_GET = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads Prism's answers, not this log."""


@dataclass(frozen=True)
class Prism:
    url: str
    log: Path


@pytest.fixture(scope="module")
def stub_upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlantedUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def prisms(
    published: Path,
    consumer_emulator: RunningEmulator,
    stub_upstream: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Prism]]:
    """Three Prism proxies, started together (each takes seconds to start): the bundle in front of the emulator and
    in front of the stub, and the 1.1.0 spelling of the null in front of the stub."""
    tmp = tmp_path_factory.mktemp("prism")
    bundle = published / "spec" / f"{SPEC_NAME}.yaml"
    old = tmp / "nullable-enum.yaml"
    old.write_text(yaml.safe_dump(spec_before_1_2(yaml.safe_load(bundle.read_text(encoding="utf-8")))))
    setups = {
        "emulator": (bundle, consumer_emulator.base_url),
        "stub": (bundle, stub_upstream),
        "old": (old, stub_upstream),
    }
    started: dict[str, tuple[Prism, subprocess.Popen[bytes]]] = {}
    try:
        for name, (spec, upstream) in setups.items():
            port, log = free_port(), tmp / f"{name}.log"
            with log.open("wb") as out:
                command = [NPM_BIN / "prism", "proxy", spec, upstream, "-h", "127.0.0.1", "-p", str(port), "--errors"]
                process = subprocess.Popen([*map(str, command), "-v", "warn"], stdout=out, stderr=subprocess.STDOUT)
            started[name] = (Prism(f"http://127.0.0.1:{port}", log), process)
        for prism, process in started.values():
            wait_until_listening(prism.url, process, prism.log)
        yield {name: prism for name, (prism, _) in started.items()}
    finally:
        for _, process in started.values():
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _violations(response: httpx.Response) -> list[Any]:
    """What Prism reported about this exchange: its sl-violations header (with --errors, also a problem body)."""
    header = response.headers.get("sl-violations")
    return list(json.loads(header)) if header else []


def _one_request_per_operation(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, str] | None]]:
    """operationId -> the first successful request of TRAFFIC for it: a request the spec accepts."""
    chosen: dict[str, tuple[str, str, dict[str, str] | None]] = {}
    for method, target, body, authenticated in TRAFFIC:
        if authenticated:
            chosen.setdefault(operation_of(document, method, target), (method, target, body))
    assert set(chosen) == set(operations(document))
    return chosen


def _unreported(prism: Prism, document: dict[str, Any]) -> dict[str, int]:
    """operationId -> status, for each operation whose planted answer Prism let through without a violation."""
    missed = {}
    with httpx.Client(base_url=prism.url, timeout=60.0, headers=PRISM_CREDENTIALS) as client:
        for operation_id, (method, target, body) in _one_request_per_operation(document).items():
            response = client.request(method, target, json=body)
            if not _violations(response):
                missed[operation_id] = response.status_code
    return missed


def test_walk_of_every_operation_through_prism_reports_no_violation(
    prisms: dict[str, Prism], consumer_emulator: RunningEmulator, bundle_json: dict[str, Any]
) -> None:
    with httpx.Client(base_url=prisms["emulator"].url, timeout=60.0) as client:
        answers = walk(client, bundle_json, credentials(consumer_emulator))
    # Prism itself refuses the walk's requests that break the spec (no credentials, limit=500, a body missing
    # fields): those are request violations, by design. Every answer the emulator gave must pass.
    refused_requests = [r for r in answers if r.headers.get("content-type", "").startswith("application/problem+json")]
    response_violations = {
        f"{r.request.method} {r.request.url.raw_path.decode()}": v
        for r in answers
        for v in [[x for x in _violations(r) if x["location"][0] == "response"]]
        if v
    }
    assert response_violations == {}
    refused = {(r.request.method, r.request.url.raw_path.decode(), r.status_code) for r in refused_requests}
    assert refused == {("GET", "/v1/me", 401), ("GET", "/v1/me/followers?limit=500", 422), ("PUT", "/v1/me", 422)}
    walked = {operation_of(bundle_json, r.request.method, r.request.url.raw_path.decode()) for r in answers}
    assert walked == set(operations(bundle_json))


def test_prism_reports_the_planted_wrong_answer_of_every_operation(
    prisms: dict[str, Prism], bundle_json: dict[str, Any]
) -> None:
    assert _unreported(prisms["stub"], bundle_json) == {}


def test_the_1_1_nullable_enum_let_planted_answers_through_unreported(
    prisms: dict[str, Prism], bundle_json: dict[str, Any]
) -> None:
    # The failure this row catches: Prism adds null to the enum a second time, refuses the schema, and validates
    # nothing that reaches a User, so getCurrentUser's planted answer passes as a 200.
    missed = _unreported(prisms["old"], bundle_json)
    assert missed.get("getCurrentUser") == 200
    assert len(missed) > len(operations(bundle_json)) // 2
