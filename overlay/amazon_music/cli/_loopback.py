"""The loopback redirect receiver of ``amazon-music login`` (RFC 8252): 127.0.0.1, a random port, one path.

It waits for the browser to come back to ``/callback`` and returns the query it brought; any other path gets a 404
and the wait goes on. The page it answers with says whether to go back to the terminal; the decision (state, error,
code) is the caller's, made before the page is sent so the page can tell the truth.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlsplit

__all__ = ["CALLBACK_PATH", "LoopbackReceiver"]

CALLBACK_PATH = "/callback"

# The caller's verdict on a redirect: None to accept it, else what went wrong (shown on the page too).
Verdict = Callable[[dict[str, str]], str | None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, "Not found", "This address only receives the Login with Amazon redirect.")
            return
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        problem = self.server.verdict(query)
        self.server.result = (query, problem)
        if problem is None:
            self._answer(200, "Signed in", "amazon-music is logged in. You can close this tab.")
        else:
            self._answer(400, "Login failed", f"{problem}. Nothing was saved; see the terminal.")

    def _answer(self, status: int, title: str, message: str) -> None:
        body = (
            f"<!doctype html><meta charset=utf-8><title>{html.escape(title)}</title>"
            f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the query string carries the authorization code."""


class _Server(HTTPServer):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.verdict = verdict
        self.result: tuple[dict[str, str], str | None] | None = None


class LoopbackReceiver:
    """Listens on 127.0.0.1 at a free port from construction until close()."""

    def __init__(self, verdict: Verdict) -> None:
        self._server = _Server(verdict)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{CALLBACK_PATH}"

    def wait(self, timeout: float) -> tuple[dict[str, str], str | None] | None:
        """The redirect's query and the verdict on it; None when ``timeout`` seconds pass without one."""
        deadline = time.monotonic() + timeout
        while self._server.result is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._server.timeout = remaining
            self._server.handle_request()
        return self._server.result

    def close(self) -> None:
        self._server.server_close()

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
