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


def start_serve(db: Path | str, *extra: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``serve --port 0`` on ``db`` (a file or a database URL), started; the process, and its banner's base URL,
    x-api-key and bearer token, and pid. No access log unless ``extra`` asks for one (--access-log...)."""
    quiet = () if any(argument.startswith("--access-log") for argument in extra) else ("--quiet",)
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", "--db", str(db), *quiet, *extra],
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
    except BaseException:
        stop_serve(process)
        raise
    banner["pid"] = str(process.pid)
    return process, banner


def stop_serve(process: subprocess.Popen[str]) -> int:
    """SIGTERM, then SIGKILL if it is still there 20 s later; its exit status."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


@contextmanager
def running_serve(db: Path | str, *extra: str) -> Iterator[dict[str, str]]:
    """``serve --port 0`` on ``db`` (a file or a database URL) until the block ends; its banner (see start_serve)."""
    process, banner = start_serve(db, *extra)
    try:
        yield banner
    finally:
        stop_serve(process)
