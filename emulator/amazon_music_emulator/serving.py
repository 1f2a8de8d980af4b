"""How ``serve`` runs the emulator under uvicorn: the HTTP protocol, with a response's head and body in one write.

uvicorn writes a response's status line and headers to the socket as soon as the app sends ``http.response.start``,
and the body with the next message: two ``send`` system calls, two TCP segments, and on loopback two wake-ups of the
client, per response. Profiled under load (issue 7), the head's write was the largest single cost after the SQL; one
write per response took about a sixth off the CPU time of a followers page. ``CoalescingHttpToolsProtocol`` is
uvicorn's httptools protocol with the transport wrapped so that everything written in one event-loop step leaves in
one write, at the end of that step. Nothing else changes: the same parser, flow control, keep-alive and timeouts.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import socket
from pathlib import Path
from typing import Any, cast

import click
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = [
    "HTTP_PROTOCOL",
    "CoalescingHttpToolsProtocol",
    "CoalescingTransport",
    "claim_database",
    "listen",
    "share_database",
]

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


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through a ``CoalescingTransport``."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Flow control keeps the real transport (set by the line above); reads and writes of the cycle use this one,
        # which is not a Transport subclass: its methods other than write and close must reach the real one.
        self.transport = cast(asyncio.Transport, CoalescingTransport(transport, self.loop))


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
        raise click.ClickException(
            f"--reset refused: another emulator is serving {db}; stop it first (or serve another --db)"
        ) from None
    return descriptor


def share_database(descriptor: int) -> None:
    """After the reset: let other emulators serve the same file again (the exclusive lock becomes a shared one)."""
    fcntl.flock(descriptor, fcntl.LOCK_SH)
