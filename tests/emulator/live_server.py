"""The emulator over a real socket: uvicorn on a free loopback port, in a background thread, with the HTTP protocol
``amazon-music-emulator serve`` uses (one write per response, see serving.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
