"""``serve --client-timeout``: a request whose head or body trickles in is answered 408 and cut off, a connection that
sends nothing is closed, a slow but steady upload within the bound is served, and other clients are served meanwhile.

Over raw sockets, against one ``serve`` with a bound of ``BOUND`` seconds. No durations are asserted: only that the
server closed the connection within three times the bound.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from emulator_support import ERROR_VALIDATOR
from live_server import running_serve

BOUND = 2.0
CUT_OFF_WITHIN = 3 * BOUND
KEEP_ALIVE_BOUND = 5.0  # uvicorn's own idle timeout, which a silent connection gets too


class Served:
    def __init__(self, banner: dict[str, str], log: Path) -> None:
        self.banner = banner
        self.log = log
        parts = urlsplit(banner["base URL"])
        self.address = (str(parts.hostname), int(parts.port or 80))
        self.host = parts.netloc

    def auth(self) -> str:
        return f"x-api-key: {self.banner['x-api-key']}\r\nAuthorization: Bearer {self.banner['Authorization']}\r\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("slow-clients")
    log = folder / "access.jsonl"
    arguments = ("--client-timeout", str(BOUND), "--access-log-file", str(log))
    with running_serve(folder / "e.db", *arguments) as banner:
        yield Served(banner, log)


def read_until_closed(connection: socket.socket, within: float) -> bytes:
    """What the server sends until it closes the connection; fails if it is still open after ``within`` seconds."""
    deadline = time.monotonic() + within
    received = b""
    while (left := deadline - time.monotonic()) > 0:
        if select.select([connection], [], [], left)[0]:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                return received
            if not chunk:
                return received
            received += chunk
    raise AssertionError(f"the connection is still open {within} s on; received {received!r}")


def assert_request_timeout(answer: bytes) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in head.lower()
    error = json.loads(body)
    ERROR_VALIDATOR.validate(error)
    assert error["error"]["code"] == "REQUEST_TIMEOUT"


def healthy(served: Served) -> bool:
    return httpx.get(f"{served.banner['base URL']}/healthz", timeout=BOUND / 2).status_code == 200


def test_a_head_sent_a_byte_per_half_second_is_cut_off_and_others_are_served_meanwhile(served: Served) -> None:
    head = f"GET /v1/me HTTP/1.1\r\nHost: {served.host}\r\n{served.auth()}\r\n".encode()
    with socket.create_connection(served.address, timeout=30) as connection:
        sent = 0
        answer = b""
        while sent < len(head):
            connection.sendall(head[sent : sent + 1])
            sent += 1
            if sent == 3:
                assert healthy(served)  # another client, served while this one trickles
            if select.select([connection], [], [], 0.5)[0]:
                answer = read_until_closed(connection, CUT_OFF_WITHIN)
                break
        assert sent < len(head)  # the control: cut off before the head was complete
        assert sent <= CUT_OFF_WITHIN / 0.5
        assert_request_timeout(answer)


def test_a_stalled_body_is_cut_off_and_logged_as_408(served: Served) -> None:
    head = (
        f"POST /auth/o2/token HTTP/1.1\r\nHost: {served.host}\r\n"
        "content-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\nx-request-id: stalled-body\r\n\r\n"
    )
    with socket.create_connection(served.address, timeout=30) as connection:
        connection.sendall(head.encode() + b"grant_type")
        answer = read_until_closed(connection, CUT_OFF_WITHIN)
    assert_request_timeout(answer)
    assert healthy(served)
    lines = [json.loads(line) for line in served.log.read_text(encoding="utf-8").splitlines()]
    (stalled,) = [line for line in lines if line["request_id"] == "stalled-body"]
    assert stalled["status"] == 408


def test_a_slow_but_steady_upload_within_the_bound_is_served(served: Served) -> None:
    body = json.dumps({"name": "Steady", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}).encode()
    head = (
        f"PUT /v1/me HTTP/1.1\r\nHost: {served.host}\r\n{served.auth()}"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    pieces = [head.encode(), *(body[n : n + 8] for n in range(0, len(body), 8))]
    pause = BOUND / 4 / len(pieces)  # the whole request takes about a quarter of the bound
    with socket.create_connection(served.address, timeout=30) as connection:
        for piece in pieces:
            connection.sendall(piece)
            time.sleep(pause)
        answer = read_until_closed(connection, 30)
    assert answer.startswith(b"HTTP/1.1 200 "), answer


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    with socket.create_connection(served.address, timeout=30) as connection:
        assert read_until_closed(connection, 3 * KEEP_ALIVE_BOUND) == b""
