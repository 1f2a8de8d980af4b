"""The JSON-lines access log of ``serve --access-log json``: one JSON object per line per request, and a request id.

``AccessLogMiddleware`` wraps the whole emulator (probes, Login with Amazon and the API alike). Each line holds::

    {"time": "2026-12-02T01:23:45.678Z", "method": "GET", "path": "/v1/me?limit=5", "status": 200,
     "duration_ms": 1.42, "response_bytes": 312, "client": "127.0.0.1:53412", "request_id": "...", "pid": 4242}

``time`` is when the request arrived (RFC 3339, UTC); ``status`` is null when the client went away before an
answer, and 408 when the server cut off a request whose body trickled in (serving.py). The request id is the
client's ``x-request-id`` when it is sane (``REQUEST_ID_PATTERN``), else a new one; the response carries it back.

What is never logged: headers (so no x-api-key, Authorization or cookie), request and response bodies (so no token
endpoint form: codes, verifiers, refresh tokens, client secrets), and the values of query parameters that name a
secret (``SECRET_QUERY_PARAMETERS``, shown as ``***``), should a client put one in a URL, and PKCE's
``code_challenge`` (the verifier itself with the plain method).

Every line is written with one ``os.write`` on a descriptor opened with O_APPEND, so several worker processes
appending to one file never interleave parts of lines; a line stays under ``PIPE_BUF`` (the path is cut to
``MAX_LOGGED_PATH`` characters), so on a pipe (stdout) each write is atomic too.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from urllib.parse import unquote_plus

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "MAX_LOGGED_PATH",
    "REQUEST_ID_HEADER",
    "REQUEST_ID_PATTERN",
    "SECRET_QUERY_PARAMETERS",
    "TIMED_OUT_KEY",
    "AccessLogMiddleware",
    "logged_path",
    "open_access_log",
]

REQUEST_ID_HEADER: Final = b"x-request-id"
# A sane request id: what UUIDs, ULIDs and the usual tracing ids are made of; anything else gets a new id.
REQUEST_ID_PATTERN: Final = re.compile(rb"[A-Za-z0-9._:+/=-]{1,128}")
# Query parameters whose value is a secret in OAuth or in API conventions; their values are never logged.
# code_challenge among them: with PKCE's plain method (LWA's default) the challenge is the verifier itself.
SECRET_QUERY_PARAMETERS: Final = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "assertion",
        "client_secret",
        "code",
        "code_challenge",
        "code_verifier",
        "id_token",
        "password",
        "refresh_token",
        "secret",
        "token",
        "x-api-key",
    }
)
MAX_LOGGED_PATH: Final = 2048
# The scope key serving.py sets, to the 408 body's length, when it answered 408 to a request the app was still reading.
TIMED_OUT_KEY: Final = "amazon_music_emulator.timed_out"
STDOUT: Final = 1


def open_access_log(path: Path | None) -> int:
    """A descriptor to append log lines to: ``path`` (created 0600), or stdout when None; OSError if it cannot."""
    if path is None:
        return STDOUT
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)


def logged_path(scope: Scope) -> str:
    """The request's path as sent, with its query string, secret parameter values replaced by ``***``."""
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else str(scope.get("path", ""))
    query = scope.get("query_string", b"").decode("latin-1")
    if query:
        path = f"{path}?{_redacted_query(query)}"
    return path if len(path) <= MAX_LOGGED_PATH else path[: MAX_LOGGED_PATH - 3] + "..."


def _redacted_query(query: str) -> str:
    parts = []
    for part in query.split("&"):
        name, equals, _ = part.partition("=")
        parts.append(f"{name}=***" if equals and unquote_plus(name).lower() in SECRET_QUERY_PARAMETERS else part)
    return "&".join(parts)


def _request_id(scope: Scope) -> bytes:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and REQUEST_ID_PATTERN.fullmatch(value):
            return bytes(value)
    return uuid.uuid4().hex.encode()


def _client(scope: Scope) -> str | None:
    client = scope.get("client")
    if not client:
        return None
    host, port = client[0], client[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class AccessLogMiddleware:
    """Writes one JSON line per HTTP request to ``descriptor`` and returns the request id as ``x-request-id``."""

    def __init__(self, app: ASGIApp, descriptor: int) -> None:
        self.app = app
        self.descriptor = descriptor
        self.pid = os.getpid()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.time()
        started = time.perf_counter()
        request_id = _request_id(scope)
        status: int | None = None
        response_bytes = 0

        async def send_logged(message: Message) -> None:
            nonlocal status, response_bytes
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), (REQUEST_ID_HEADER, request_id)]}
            elif message["type"] == "http.response.body":
                response_bytes += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_logged)
        except BaseException:
            status = status or 500  # the server answers 500 to an app that failed before it answered
            raise
        finally:
            if (timeout_body_bytes := scope.get(TIMED_OUT_KEY)) is not None:  # the client got 408, not the app's answer
                status, response_bytes = 408, timeout_body_bytes
            self._write(
                {
                    "time": datetime.fromtimestamp(arrived, UTC)
                    .isoformat(timespec="milliseconds")
                    .replace("+00:00", "Z"),
                    "method": scope.get("method"),
                    "path": logged_path(scope),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    "response_bytes": response_bytes,
                    "client": _client(scope),
                    "request_id": request_id.decode("ascii"),
                    "pid": self.pid,
                }
            )

    def _write(self, entry: dict[str, object]) -> None:
        line = orjson.dumps(entry) + b"\n"
        # A full disk or a closed stdout must not fail the request the line is about.
        with contextlib.suppress(OSError):
            os.write(self.descriptor, line)  # one write per line: whole lines, whichever process writes
