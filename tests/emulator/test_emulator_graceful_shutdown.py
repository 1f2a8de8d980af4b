"""SIGTERM stops ``serve`` gracefully: a request in flight gets its answer, new connections are refused, and the
process exits 0; ``--graceful-timeout`` bounds the wait. With one process and with ``--workers 2``.

A request is kept in flight with ``--latency-ms``; the signal follows once the request was sent and the server had
ample time to take it. No durations are asserted, only orders of events and bounds with generous margins.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from live_server import start_serve, stop_serve

LATENCY_S = 4.0
TAKEN_WITHIN = 1.0  # time for the server to accept the request sent before the signal


def wait_ready(banner: dict[str, str], log: Path, workers: int) -> None:
    """Until every worker has answered (its pid in the access log): the banner comes before the workers start."""
    limits = httpx.Limits(max_keepalive_connections=0)  # a connection per request, so that any worker may take it
    with httpx.Client(base_url=banner["base URL"], limits=limits, timeout=60) as http:
        for _ in range(600):
            assert http.get("/healthz").status_code == 200
            if len({json.loads(line)["pid"] for line in log.read_text(encoding="utf-8").splitlines()}) == workers:
                return
            time.sleep(0.1)
    raise AssertionError(f"fewer than {workers} workers answered")


def send_me(banner: dict[str, str]) -> socket.socket:
    """A connection on which GET /v1/me has been sent (and not answered yet: --latency-ms holds it)."""
    parts = urlsplit(banner["base URL"])
    connection = socket.create_connection((parts.hostname, parts.port), timeout=60)
    auth = f"x-api-key: {banner['x-api-key']}\r\nAuthorization: Bearer {banner['Authorization']}\r\n"
    connection.sendall(f"GET /v1/me HTTP/1.1\r\nHost: {parts.netloc}\r\n{auth}\r\n".encode())
    return connection


def answer_of(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def refuses_connections(banner: dict[str, str]) -> bool:
    parts = urlsplit(banner["base URL"])
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def exit_status(process: subprocess.Popen[str], within: float) -> int:
    try:
        return process.wait(timeout=within)
    except subprocess.TimeoutExpired:
        stop_serve(process)
        raise AssertionError(f"serve still runs {within} s after SIGTERM") from None


@pytest.mark.long_running
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_answers_the_request_in_flight_refuses_new_ones_and_exits_0(tmp_path: Path, workers: int) -> None:
    log = tmp_path / "access.jsonl"
    latency = str(LATENCY_S * 1000)
    process, banner = start_serve(
        tmp_path / "e.db", "--latency-ms", latency, "--workers", str(workers), "--access-log-file", str(log)
    )
    try:
        wait_ready(banner, log, workers)
        with send_me(banner) as in_flight:
            time.sleep(TAKEN_WITHIN)
            process.terminate()
            while not refuses_connections(banner):
                answered = select.select([in_flight], [], [], 0.1)[0]
                assert not answered, "new connections still accepted until the request in flight was answered"
            answer = answer_of(in_flight)
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
        assert b"Tony Starked" in answer
        assert exit_status(process, 30) == 0
    finally:
        if process.poll() is None:
            stop_serve(process)


def test_the_graceful_timeout_bounds_the_wait(tmp_path: Path) -> None:
    slow = "60000"  # a request that would take a minute
    log = tmp_path / "access.jsonl"
    process, banner = start_serve(
        tmp_path / "e.db", "--latency-ms", slow, "--graceful-timeout", "1", "--access-log-file", str(log)
    )
    try:
        wait_ready(banner, log, 1)
        with send_me(banner) as in_flight:
            time.sleep(TAKEN_WITHIN)
            process.terminate()
            assert exit_status(process, 20) == 0  # well before the request's minute
            assert not answer_of(in_flight).startswith(b"HTTP/1.1 200 ")  # cut off, not answered
    finally:
        if process.poll() is None:
            stop_serve(process)
