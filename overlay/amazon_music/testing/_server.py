"""The emulator over a real socket, for code that does not speak httpx: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Literal

__all__ = ["LoopbackServer"]

_START_TIMEOUT = 20.0
_STOP_TIMEOUT = 10.0


class LoopbackServer:
    """Serves an ASGI app on 127.0.0.1 (a port the OS picks) from a daemon thread until stop()."""

    def __init__(
        self,
        app: Any,
        *,
        http: str = "auto",
        lifespan: Literal["auto", "on", "off"] = "off",
        name: str = "amazon-music-emulator",
    ) -> None:
        import uvicorn  # the emulator extra's server; imported here so the kit loads without it until serve()

        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(128)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(
            app, http=http, log_level="warning", access_log=False, lifespan=lifespan, server_header=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name=name, daemon=True
        )

    def __repr__(self) -> str:
        return f"LoopbackServer({self.url!r})"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"serve(): the emulator's server on {self.url} did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=_STOP_TIMEOUT)
        if self._thread.is_alive():  # open connections hold the graceful shutdown: cut them
            self._server.force_exit = True
            self._thread.join(timeout=_STOP_TIMEOUT)
        self._socket.close()
