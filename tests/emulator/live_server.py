"""The emulator over a real socket: uvicorn on a free loopback port, in a background thread, with the HTTP protocol
``amazon-music-emulator serve`` uses (one write per response, see serving.py); and the ``serve`` command itself, in a
child process (``running_serve``)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from amazon_music.testing._server import LoopbackServer
from amazon_music_emulator import EmulatorApp
from amazon_music_emulator.serving import HTTP_PROTOCOL


@contextmanager
def serve(app: EmulatorApp) -> Iterator[str]:
    """The base URL of ``app`` served by uvicorn on 127.0.0.1 (a free port) until the block ends."""
    server = LoopbackServer(app, http=HTTP_PROTOCOL, lifespan="on", name="emulator-server")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


COMMAND = [sys.executable, "-m", "amazon_music_emulator"]


@contextmanager
def running_serve(db: Path | str, *extra: str) -> Iterator[dict[str, str]]:
    """``serve --port 0`` on ``db`` (a file or a database URL) until the block ends; its banner's base URL, x-api-key
    and bearer token, and pid."""
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", "--db", str(db), "--quiet", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    banner: dict[str, str] = {}
    try:
        for line in process.stdout:
            if match := re.match(r"\s+(base URL|x-api-key|Authorization)\s+(?:Bearer )?(\S+)", line):
                banner[match.group(1)] = match.group(2)
            if line.startswith("  curl "):
                break
        assert set(banner) == {"base URL", "x-api-key", "Authorization"}, banner
        banner["pid"] = str(process.pid)
        yield banner
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
