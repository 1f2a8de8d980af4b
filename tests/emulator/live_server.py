"""The emulator over a real socket: uvicorn on a free loopback port, in a background thread, with the HTTP protocol
``amazon-music-emulator serve`` uses (one write per response, see serving.py)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from amazon_music_emulator import EmulatorApp
from amazon_music_emulator.serving import HTTP_PROTOCOL


@contextmanager
def serve(app: EmulatorApp) -> Iterator[str]:
    """The base URL of ``app`` served by uvicorn on 127.0.0.1 (a free port) until the block ends."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, http=HTTP_PROTOCOL, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="emulator-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
