"""Fault injection for client testing: added latency, a per-API-key rate limit, and random 429/5xx answers.

``FaultSettings`` holds the knobs; they can be changed while the emulator runs (``app.faults.fault_rate = 0.5``),
which is how a test flips them mid-scenario. Random faults come from a seeded generator, so the same seed and the
same sequence of requests give the same faults. The middleware applies to the API (paths under /v1/) only, not to
/docs, the spec or Login with Amazon.

Order per request: latency, then the rate limit (429 THROTTLED with Retry-After), then a random fault: one of
``fault_statuses`` (429 and 503 by default), drawn evenly; a 429 carries Retry-After.

The rate limit is a sliding one-second window per API key. A process counts alone by default; given ``shared_log``
(the store, on PostgreSQL) it counts in the database instead, so that every process serving that database holds the
limit together: one statement per request while the limit is on (Store.admit_request), on the database's clock.
Changing ``rate_limit`` then starts no count afresh (the database's count is every process's), and ``clock`` does not
apply.
"""

from __future__ import annotations

import asyncio
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_music_emulator.errors import error_body

__all__ = ["DEFAULT_FAULT_STATUSES", "FAULT_CODES", "FaultSettings", "FaultsMiddleware", "SharedRateLog"]

_WINDOW = 1.0  # the rate limit counts requests in the last second
_MAX_KEYS = 10_000
_FORGET_IDLE_EVERY = 10_000  # shared counts: every so many requests, the rows of idle keys are deleted
# The statuses a random fault can take, with the code its body carries.
FAULT_CODES: dict[int, str] = {
    429: "THROTTLED",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
_FAULT_MESSAGES = {
    429: "Rate exceeded.",
    500: "Internal server error.",
    502: "Bad gateway; retry with backoff.",
    503: "The service is unavailable; retry with backoff.",
    504: "Gateway timeout; retry with backoff.",
}
DEFAULT_FAULT_STATUSES = (429, 503)


class SharedRateLog(Protocol):
    """Where processes count their requests together (the PostgreSQL store)."""

    def admit_request(self, api_key: str, limit: int) -> float: ...

    def forget_idle_rate_keys(self) -> int: ...


class FaultSettings:
    def __init__(
        self,
        *,
        fault_rate: float = 0.0,
        latency_ms: float = 0.0,
        rate_limit: int = 0,
        seed: int = 0,
        retry_after: int = 1,
        fault_statuses: Iterable[int] = DEFAULT_FAULT_STATUSES,
        clock: Callable[[], float] = time.monotonic,
        shared_log: SharedRateLog | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self.clock = clock  # seconds, monotonic; tests swap it to step through rate-limit windows (not shared ones)
        self._windows: dict[str, deque[float]] = {}
        self.shared_log = shared_log
        self._shared_counts = 0
        self.fault_rate = fault_rate
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.retry_after = retry_after
        self.fault_statuses = tuple(fault_statuses)
        self.reseed(seed)

    def __repr__(self) -> str:
        return (
            f"FaultSettings(fault_rate={self.fault_rate}, latency_ms={self.latency_ms}, "
            f"rate_limit={self.rate_limit}, fault_statuses={self.fault_statuses}, seed={self.seed})"
        )

    @property
    def fault_rate(self) -> float:
        """The share of API requests answered with a random 429 or 503, from 0 to 1."""
        return self._fault_rate

    @fault_rate.setter
    def fault_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"fault_rate: must be between 0 and 1, not {value}")
        self._fault_rate = float(value)

    @property
    def latency_ms(self) -> float:
        """Milliseconds added before every API request is handled."""
        return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"latency_ms: must not be negative, not {value}")
        self._latency_ms = float(value)

    @property
    def rate_limit(self) -> int:
        """Requests allowed per second per API key; 0 turns the limit off."""
        return self._rate_limit

    @rate_limit.setter
    def rate_limit(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"rate_limit: must not be negative, not {value}")
        self._rate_limit = int(value)
        with self._lock:
            self._windows.clear()

    @property
    def retry_after(self) -> int:
        """The Retry-After (seconds) that random 429s carry."""
        return self._retry_after

    @retry_after.setter
    def retry_after(self, value: int) -> None:
        if value < 0:
            raise ValueError(f"retry_after: must not be negative, not {value}")
        self._retry_after = int(value)

    @property
    def fault_statuses(self) -> tuple[int, ...]:
        """The statuses random faults are drawn from, evenly: any of 429, 500, 502, 503 and 504."""
        return self._fault_statuses

    @fault_statuses.setter
    def fault_statuses(self, value: Iterable[int]) -> None:
        statuses = tuple(dict.fromkeys(value))
        unknown = [status for status in statuses if status not in FAULT_CODES]
        if not statuses or unknown:
            raise ValueError(
                f"fault_statuses: expected one or more of {', '.join(map(str, FAULT_CODES))}, not {list(value)}"
            )
        self._fault_statuses = statuses

    def reseed(self, seed: int) -> None:
        """Restart the random fault sequence from ``seed``."""
        with self._lock:
            self.seed = seed
            self._rng = random.Random(seed)

    def draw_fault(self) -> int | None:
        """One of ``fault_statuses``, or None, for the next request, from the seeded sequence."""
        if self._fault_rate <= 0.0:
            return None
        statuses = self._fault_statuses
        with self._lock:
            hit = self._rng.random() < self._fault_rate
            pick = self._rng.random()
        if not hit:
            return None
        return statuses[min(int(pick * len(statuses)), len(statuses) - 1)]

    def admit(self, api_key: str) -> float:
        """0 when the request is within the rate limit, else the seconds until it would be."""
        limit = self._rate_limit
        if limit <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            if len(self._windows) > _MAX_KEYS:  # fuzzers send endless made-up keys; forget the idle ones
                self._windows = {key: w for key, w in self._windows.items() if w and w[-1] > now - _WINDOW}
            window = self._windows.setdefault(api_key, deque())
            while window and window[0] <= now - _WINDOW:
                window.popleft()
            if len(window) >= limit:
                return window[0] + _WINDOW - now
            window.append(now)
        return 0.0

    async def rate_limit_wait(self, api_key: str) -> float:
        """``admit``, counted with every process on the database when there is a ``shared_log``."""
        limit = self._rate_limit
        if self.shared_log is None or limit <= 0:
            return self.admit(api_key)
        self._shared_counts += 1
        if self._shared_counts % _FORGET_IDLE_EVERY == 0:
            await asyncio.to_thread(self.shared_log.forget_idle_rate_keys)
        try:
            return await asyncio.to_thread(self.shared_log.admit_request, api_key, limit)
        except Exception:  # the database does not answer: the request's own queries will say so, in the error shape
            return 0.0


class FaultsMiddleware:
    def __init__(self, app: ASGIApp, settings: FaultSettings, *, prefix: str = "/v1/") -> None:
        self.app = app
        self.settings = settings
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        settings = self.settings
        if settings.latency_ms > 0:
            await asyncio.sleep(settings.latency_ms / 1000)
        if settings.rate_limit > 0:
            wait = await settings.rate_limit_wait(_header(scope, b"x-api-key"))
            if wait > 0:
                retry = max(1, math.ceil(wait))
                await _send_error(send, 429, "THROTTLED", "Rate exceeded.", retry_after=retry)
                return
        fault = settings.draw_fault()
        if fault is None:
            await self.app(scope, receive, send)
            return
        retry_after = settings.retry_after if fault == 429 else None
        await _send_error(send, fault, FAULT_CODES[fault], _FAULT_MESSAGES[fault], retry_after=retry_after)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _send_error(send: Send, status: int, code: str, message: str, *, retry_after: int | None = None) -> None:
    body = error_body(status, code, message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
