"""How ``serve`` runs the emulator under uvicorn: the HTTP protocol, with a response's head and body in one write.

uvicorn writes a response's status line and headers to the socket as soon as the app sends ``http.response.start``,
and the body with the next message: two ``send`` system calls, two TCP segments, and on loopback two wake-ups of the
client, per response. Profiled under load (issue 7), the head's write was the largest single cost after the SQL; one
write per response took about a sixth off the CPU time of a followers page. ``CoalescingHttpToolsProtocol`` is
uvicorn's httptools protocol with the transport wrapped so that everything written in one event-loop step leaves in
one write, at the end of that step. The same parser, flow control and keep-alive as uvicorn's, with two bounds added:

- a slow client: a request's head and body must arrive within ``client_timeout`` seconds (``serve --client-timeout``)
  from its first byte; past that the server answers 408 in the API's error shape (unless it already began to answer)
  and closes the connection, while the other connections are served as usual. Time the server spends not reading
  (the app holds the body back, or has not yet asked for an ``Expect: 100-continue`` body) does not count;
- a silent client: a connection that never sends a request is idle like a kept-alive one, and uvicorn's keep-alive
  timeout closes it.

``ServeConfig`` is uvicorn's Config with that setting; ``ServeSupervisor`` is uvicorn's supervisor of ``--workers``
processes, which stops listening as soon as it is told to stop (so new connections are refused while the workers
finish their requests); ``serve_until_stopped`` makes a stop by SIGTERM or SIGINT, once the requests in flight are
answered, a normal exit (status 0).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, cast

import click
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState
from uvicorn.supervisors.multiprocess import Multiprocess

from amazon_music_emulator.access_log import TIMED_OUT_KEY, AccessLogMiddleware, open_access_log
from amazon_music_emulator.errors import error_body

__all__ = [
    "ACCESS_LOG_FORMATS",
    "DEFAULT_CLIENT_TIMEOUT",
    "DEFAULT_GRACEFUL_TIMEOUT",
    "HTTP_PROTOCOL",
    "WORKER_HEALTHCHECK_TIMEOUT",
    "CoalescingHttpToolsProtocol",
    "CoalescingTransport",
    "ServeConfig",
    "ServeSupervisor",
    "claim_database",
    "listen",
    "logged_app",
    "reset_refused",
    "serve_until_stopped",
    "share_database",
]

DEFAULT_CLIENT_TIMEOUT: Final = 5.0
DEFAULT_GRACEFUL_TIMEOUT: Final = 30  # seconds: what orchestrators commonly allow between SIGTERM and SIGKILL
# A spawned worker imports connexion and compiles the spec before it answers the supervisor's first ping; on a busy host
# that outlasts uvicorn's 5 s, and the supervisor then kills and restarts the worker over and over.
WORKER_HEALTHCHECK_TIMEOUT: Final = 60
ACCESS_LOG_FORMATS: Final = ("text", "json", "off")  # uvicorn's lines, access_log.py's JSON lines, none
_REQUEST_TIMEOUT_BODY: Final = error_body(
    408, "REQUEST_TIMEOUT", "The request did not arrive in time; the server closed the connection."
)

# uvicorn's ``http`` setting, as an import string so that worker processes (spawned, not forked) can load it.
HTTP_PROTOCOL = "amazon_music_emulator.serving:CoalescingHttpToolsProtocol"


class CoalescingTransport:
    """A transport whose writes in one event-loop step go out as one write when the step ends (or before a close)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        # Everything but write and close (is_closing, get_extra_info, pause_reading, abort, ...) is the transport's.
        return getattr(self._transport, name)


class ServeConfig(uvicorn.Config):
    """uvicorn's Config, with the time a client has to send a whole request (``serve --client-timeout``)."""

    def __init__(self, app: Any, *, client_timeout: float = DEFAULT_CLIENT_TIMEOUT, **settings: Any) -> None:
        if client_timeout <= 0:
            raise ValueError(f"client_timeout: must be a positive number of seconds, not {client_timeout}")
        settings.setdefault("timeout_worker_healthcheck", WORKER_HEALTHCHECK_TIMEOUT)
        super().__init__(app, **settings)
        self.client_timeout = client_timeout


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through a ``CoalescingTransport``, with a bound on slow clients."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.client_timeout = config.client_timeout if isinstance(config, ServeConfig) else DEFAULT_CLIENT_TIMEOUT
        self._request_timer: asyncio.TimerHandle | None = None
        self._reading_head = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Flow control keeps the real transport (set by the line above); reads and writes of the cycle use this one,
        # which is not a Transport subclass: its methods other than write and close must reach the real one.
        self.transport = cast(asyncio.Transport, CoalescingTransport(transport, self.loop))
        # Until its first byte, a new connection is as idle as a kept-alive one: the same timeout closes it.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_request_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._stop_request_timer()
        self._request_timer = self.loop.call_later(self.client_timeout, self._request_timed_out)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_request_timer()
        super().on_message_complete()

    def _stop_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_timed_out(self) -> None:
        """The request is still incomplete ``client_timeout`` seconds after its first byte: 408 if possible, close."""
        self._request_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if not self._reading_head and cycle is not None and (self.flow.read_paused or cycle.waiting_for_100_continue):
            # The server, not the client, holds the body back (the app has not read it yet): not the client's time.
            self._request_timer = self.loop.call_later(self.client_timeout, self._request_timed_out)
            return
        if self._reading_head:  # no cycle of this request yet; an earlier one may still be answering (pipelining)
            answer = cycle is None or cycle.response_complete
        else:
            answer = cycle is not None and not cycle.response_started and not self.pipeline
            if answer and cycle is not None:  # for the access log: the client got this, whatever the app sends next
                cast(dict[str, Any], cycle.scope)[TIMED_OUT_KEY] = len(_REQUEST_TIMEOUT_BODY)
        if answer:
            self.transport.write(self._request_timeout_response())
        self.transport.close()

    def _request_timeout_response(self) -> bytes:
        content = [STATUS_LINE[408]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(_REQUEST_TIMEOUT_BODY)).encode("ascii") + b"\r\n",
                b"connection: close\r\n\r\n",
                _REQUEST_TIMEOUT_BODY,
            ]
        )
        return b"".join(content)


class ServeSupervisor(Multiprocess):
    """uvicorn's supervisor of worker processes, closing its copy of the listening socket as soon as it stops: with the
    workers' copies closed by their own shutdown, new connections are refused while the workers finish."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def serve_until_stopped(server: uvicorn.Server, sock: socket.socket) -> None:
    """Run ``server`` on ``sock`` until SIGTERM or SIGINT, which end it gracefully and return (exit status 0)."""
    # uvicorn raises the stopping signal again once it has shut down; a handler that ignores it makes that a normal end.
    for stopping in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stopping, lambda number, frame: None)
    server.run(sockets=[sock])


def logged_app(factory: Callable[[], ASGIApp], log_file: Path | None) -> ASGIApp:
    """The app ``factory`` builds, with the JSON-lines access log appended to ``log_file`` (stdout when None); for
    ``--workers``, where each worker process builds its app and opens the log itself."""
    return AccessLogMiddleware(factory(), open_access_log(log_file))


def listen(host: str, port: int, backlog: int) -> tuple[socket.socket, str]:
    """A listening socket on host:port (0: a free port) and its base URL, bound before the banner so it names the real
    port and clients can connect as soon as it is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(backlog)
    shown_host = host if family == socket.AF_INET else f"[{host}]"
    return sock, f"http://{shown_host}:{sock.getsockname()[1]}"


def claim_database(db: Path, *, reset: bool) -> int:
    """Mark ``db`` as served by this process for as long as it lives (a lock on ``<db>.lock``); the lock's descriptor.

    Emulators share a database file at will (a shared lock each), but ``--reset`` empties it, so it needs the file to
    itself: with another live emulator on it, the reset is refused (ClickException) and nothing is touched.
    """
    lock_path = db.with_name(db.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, (fcntl.LOCK_EX | fcntl.LOCK_NB) if reset else fcntl.LOCK_SH)
    except BlockingIOError:
        os.close(descriptor)
        raise reset_refused(str(db)) from None
    return descriptor


def reset_refused(database: str) -> click.ClickException:
    """The error of ``serve --reset`` on a database another live emulator serves (``database`` shown redacted)."""
    return click.ClickException(
        f"--reset refused: another emulator is serving {database}; stop it first (or serve another --db)"
    )


def share_database(descriptor: int) -> None:
    """After the reset: let other emulators serve the same file again (the exclusive lock becomes a shared one)."""
    fcntl.flock(descriptor, fcntl.LOCK_SH)
