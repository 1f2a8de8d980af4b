"""Retrying transports (sync and async) layered over any httpx transport; the retry policy is made of small callables.

Retried: 429 (waiting what Retry-After says, in seconds or as an HTTP date, up to ``max_retry_after``; a longer wait
is not slept: the 429 goes back at once and becomes a RateLimitError carrying ``retry_after``), 500, 502, 503 and 504,
and connect and read failures. Waits without a Retry-After are exponential backoff with full jitter. The API's
operations are all idempotent, so every request is safe to repeat.

Each attempt is logged at DEBUG on the "amazon_music" logger (method, path, status, duration), and so is each retry
decision; the request headers ride along as ``extra`` with Authorization and x-api-key shown as [secure].
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import httpx

__all__ = [
    "AsyncRetryTransport",
    "RetryDecision",
    "RetryPolicy",
    "RetryTransport",
    "full_jitter",
    "is_retryable_error",
    "is_retryable_status",
    "parse_retry_after",
    "redact_headers",
]

logger = logging.getLogger("amazon_music")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRYABLE_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.RemoteProtocolError,
)
# the Retry-After the policy read (on its clock), handed to the error a 429 becomes
RETRY_AFTER_EXTENSION = "amazon_music.retry_after"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})


def is_retryable_status(status: int) -> bool:
    """429 and the transient server statuses."""
    return status in RETRYABLE_STATUSES


def is_retryable_error(error: Exception) -> bool:
    """Connect and read failures (timeouts included); a failure while writing or in the pool is not retried."""
    return isinstance(error, _RETRYABLE_ERRORS)


def full_jitter(
    base: float = 0.5, cap: float = 8.0, uniform: Callable[[], float] = random.random
) -> Callable[[int], float]:
    """Backoff for retry number ``n`` (1, 2, ...): a uniform draw in [0, min(cap, base * 2 ** (n - 1)))."""

    def backoff(retry_number: int) -> float:
        return float(uniform() * min(cap, base * 2.0 ** (retry_number - 1)))

    return backoff


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # an HTTP date is always GMT
            return None
        return max(0.0, moment.timestamp() - now())
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite: not a wait
        return None
    return max(0.0, seconds)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers for a log line: secret ones shown as [secure], as httpx shows them in a repr."""
    return {name: "[secure]" if name.lower() in SECRET_HEADERS else value for name, value in headers.items()}


@dataclass(frozen=True)
class RetryDecision:
    """Whether to try again, after how many seconds, and why (the why goes to the log)."""

    retry: bool
    delay: float = 0.0
    reason: str = ""
    retry_after: float | None = None  # what the response's Retry-After said, in seconds, when it said


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry and how long to wait; each part is a small callable that can be swapped.

    ``max_retries`` 0 turns retries off. ``max_retry_after`` is the longest Retry-After honoured, in seconds.
    """

    max_retries: int = 3
    max_retry_after: float = 60.0
    retry_status: Callable[[int], bool] = is_retryable_status
    retry_error: Callable[[Exception], bool] = is_retryable_error
    backoff: Callable[[int], float] = field(default_factory=full_jitter)
    now: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError(f"max_retries: expected an integer >= 0, got {self.max_retries!r}")
        if self.max_retry_after < 0:
            raise ValueError(f"max_retry_after: expected seconds >= 0, got {self.max_retry_after!r}")

    def after_response(self, response: httpx.Response, retries_done: int) -> RetryDecision:
        """The decision after a response (``retries_done`` retries already made)."""
        status = response.status_code
        if not self.retry_status(status):
            return RetryDecision(False)
        retry_after = parse_retry_after(response.headers.get("retry-after"), self.now)
        if retries_done >= self.max_retries:
            reason = f"{status}, no retries left ({self.max_retries} made)"
            return RetryDecision(False, reason=reason, retry_after=retry_after)
        if retry_after is None:
            return RetryDecision(True, self.backoff(retries_done + 1), f"{status}, backoff")
        if retry_after > self.max_retry_after:
            reason = f"{status} with Retry-After {retry_after:g} s, over the cap of {self.max_retry_after:g} s"
            return RetryDecision(False, reason=reason, retry_after=retry_after)
        return RetryDecision(True, retry_after, f"{status}, Retry-After {retry_after:g} s", retry_after)

    def after_error(self, error: Exception, retries_done: int) -> RetryDecision:
        """The decision after a transport error."""
        if not self.retry_error(error):
            return RetryDecision(False)
        if retries_done >= self.max_retries:
            return RetryDecision(False, reason=f"{type(error).__name__}, no retries left ({self.max_retries} made)")
        return RetryDecision(True, self.backoff(retries_done + 1), f"{type(error).__name__}, backoff")


def _log_attempt(request: httpx.Request, status: int | str, started: float, finished: float, attempt: int) -> None:
    duration_ms = (finished - started) * 1000
    logger.debug(
        "%s %s -> %s in %.1f ms (attempt %d)",
        request.method,
        request.url.path,
        status,
        duration_ms,
        attempt,
        extra={
            "http_method": request.method,
            "http_path": request.url.path,
            "http_status": status,
            "duration_ms": duration_ms,
            "attempt": attempt,
            "request_headers": redact_headers(request.headers),
        },
    )


def _log_decision(request: httpx.Request, decision: RetryDecision, retries_done: int, max_retries: int) -> None:
    if decision.retry:
        logger.debug(
            "retrying %s %s in %.2f s (%s; retry %d of %d)",
            request.method,
            request.url.path,
            decision.delay,
            decision.reason,
            retries_done + 1,
            max_retries,
        )
    elif decision.reason:
        logger.debug("not retrying %s %s: %s", request.method, request.url.path, decision.reason)


class RetryTransport(httpx.BaseTransport):
    """Retries requests on the inner transport according to a RetryPolicy. ``sleep`` and ``clock`` are injectable."""

    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.transport = transport if transport is not None else httpx.HTTPTransport()
        self.policy = policy if policy is not None else RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        policy = self.policy
        debug = logger.isEnabledFor(logging.DEBUG)
        retries_done = 0
        while True:
            started = self._clock()
            try:
                response = self.transport.handle_request(request)
            except httpx.TransportError as exc:
                decision = policy.after_error(exc, retries_done)
                if debug:
                    _log_attempt(request, type(exc).__name__, started, self._clock(), retries_done + 1)
                    _log_decision(request, decision, retries_done, policy.max_retries)
                if not decision.retry:
                    raise
            else:
                if debug:
                    _log_attempt(request, response.status_code, started, self._clock(), retries_done + 1)
                if response.status_code < 400:  # the common case: no decision to make
                    return response
                decision = policy.after_response(response, retries_done)
                if debug:
                    _log_decision(request, decision, retries_done, policy.max_retries)
                if not decision.retry:
                    if decision.retry_after is not None:
                        response.extensions[RETRY_AFTER_EXTENSION] = decision.retry_after
                    return response
                response.close()
            self._sleep(decision.delay)
            retries_done += 1

    def close(self) -> None:
        self.transport.close()


async def _asyncio_sleep(seconds: float) -> None:
    import asyncio  # imported on first use: `import amazon_music` stays light for sync users

    await asyncio.sleep(seconds)


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """The async twin of RetryTransport; ``sleep`` is an async callable (asyncio.sleep by default)."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()
        self.policy = policy if policy is not None else RetryPolicy()
        self._sleep = sleep if sleep is not None else _asyncio_sleep
        self._clock = clock

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        policy = self.policy
        debug = logger.isEnabledFor(logging.DEBUG)
        retries_done = 0
        while True:
            started = self._clock()
            try:
                response = await self.transport.handle_async_request(request)
            except httpx.TransportError as exc:
                decision = policy.after_error(exc, retries_done)
                if debug:
                    _log_attempt(request, type(exc).__name__, started, self._clock(), retries_done + 1)
                    _log_decision(request, decision, retries_done, policy.max_retries)
                if not decision.retry:
                    raise
            else:
                if debug:
                    _log_attempt(request, response.status_code, started, self._clock(), retries_done + 1)
                if response.status_code < 400:
                    return response
                decision = policy.after_response(response, retries_done)
                if debug:
                    _log_decision(request, decision, retries_done, policy.max_retries)
                if not decision.retry:
                    if decision.retry_after is not None:
                        response.extensions[RETRY_AFTER_EXTENSION] = decision.retry_after
                    return response
                await response.aclose()
            await self._sleep(decision.delay)
            retries_done += 1

    async def aclose(self) -> None:
        await self.transport.aclose()
