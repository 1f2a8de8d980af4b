"""A sync httpx transport over an ASGI app: a private event loop on a thread runs httpx.ASGITransport.

httpx ships an async ASGITransport only; a sync client (AmazonMusic, or any httpx.Client) needs a sync transport to
reach an in-process emulator without a socket.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx

__all__ = ["SyncASGITransport"]


class SyncASGITransport(httpx.BaseTransport):
    """Sends each request through httpx.ASGITransport on a background loop and waits for the whole response.

    close() stops the loop; a later request starts a new one, so one bridge can serve several clients in turn.
    """

    def __init__(self, app: Any) -> None:
        self._transport = httpx.ASGITransport(app=app)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="asgi-bridge", daemon=True)
                self._thread.start()
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        future = asyncio.run_coroutine_threadsafe(self._send(request), self._running_loop())
        status, headers, content = future.result()
        return httpx.Response(status, headers=headers, content=content)

    async def _send(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._transport.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
