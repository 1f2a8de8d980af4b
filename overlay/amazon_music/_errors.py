"""The errors amazon_music raises: one tree, so ``except AmazonMusicError`` catches everything this package raises.

    AmazonMusicError
     ├── ConfigurationError            a credential or setting is missing or contradictory (raised before any request)
     ├── ValidationError               an argument failed its check (raised before any request); also a ValueError
     ├── TokenError                    Login with Amazon refused a token request (invalid_grant, invalid_client, ...)
     ├── MalformedResponseError        a success response whose body does not have the shape the spec promises
     ├── APIConnectionError            no response at all, after the retries: connect or read failure
     │    └── APITimeoutError          ... because a timeout expired
     └── APIStatusError                the API answered with a non-2xx status (.status, .code, .message, .request_id,
          │                            .response)
          ├── BadRequestError          400
          ├── AuthenticationError      401 (the access token is missing, malformed, unknown or expired)
          ├── PermissionDeniedError    403 (.missing_scope when the message names the scope the token lacks)
          ├── NotFoundError            404
          ├── UnprocessableEntityError 422
          ├── RateLimitError           429 (.retry_after: seconds the API asked to wait, when it said)
          └── ServerError              5xx

No message of these errors carries an access token, refresh token or client secret: messages are built from the
status, the API's error code and message, and argument names only.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AmazonMusicError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "MalformedResponseError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TokenError",
    "UnprocessableEntityError",
    "ValidationError",
    "connection_error",
    "error_from_response",
]

_SCOPE_IN_MESSAGE = re.compile(r"music::[a-z]+(?::[a-z]+)?")
_REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amzn-request-id", "x-request-id")


class AmazonMusicError(Exception):
    """The base of every error this package raises.

    Every error pickles and copies with its type and fields (process pools, task queues): it is rebuilt from its
    ``args`` and attributes rather than by calling its constructor again, whose keyword arguments ``args`` lacks.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild_error, (type(self), self.args, self.__dict__)


def _rebuild_error(cls: type[AmazonMusicError], args: tuple[Any, ...], state: dict[str, Any]) -> AmazonMusicError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigurationError(AmazonMusicError):
    """A credential or setting is missing or contradictory; raised before any request is sent."""


class ValidationError(AmazonMusicError, ValueError):
    """An argument failed its check before any request was sent. ``argument`` names it."""

    def __init__(self, argument: str, problem: str) -> None:
        self.argument = argument
        self.problem = problem
        super().__init__(f"{argument}: {problem}")


class TokenError(AmazonMusicError):
    """Login with Amazon refused a token request; ``error`` is its RFC 6749 error code (``invalid_grant``, ...)."""

    def __init__(self, error: str, description: str | None = None, *, status_code: int | None = None) -> None:
        self.error = error
        self.description = description
        self.status_code = status_code
        detail = f": {description}" if description else ""
        super().__init__(f"Login with Amazon refused the token request ({error}){detail}")


class MalformedResponseError(AmazonMusicError):
    """A success response whose body is not what the spec describes (not JSON, a missing field, a wrong type)."""

    def __init__(self, message: str, *, response: httpx.Response | None = None) -> None:
        self.response = response
        super().__init__(message)


class APIConnectionError(AmazonMusicError):
    """No response was received (after the retries): the connection or the read failed."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        self.request = request
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """No response was received in time (after the retries)."""


def connection_error(request: httpx.Request | None, exc: httpx.RequestError, what: str = "") -> APIConnectionError:
    """The error for a request that got no response, naming where it went (method, scheme, host, port, path)."""
    where = what.strip() or "request"
    if request is not None:
        url = request.url
        port = f":{url.port}" if url.port is not None else ""
        where = f"{what}{request.method} {url.scheme}://{url.host}{port}{url.path}"
    reason = str(exc).strip()
    detail = f"{type(exc).__name__}: {reason[:200]}" if reason else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"{where}: timed out ({detail})", request=request)
    return APIConnectionError(f"{where}: no response ({detail})", request=request)


class APIStatusError(AmazonMusicError):
    """The API answered with a non-2xx status. The subclass says which; this class is the fallback for the others."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        request_id: str | None,
        response: httpx.Response | None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.response = response
        super().__init__(message)

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        request_id = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.status}{code}: {self.message}{request_id}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class BadRequestError(APIStatusError):
    """400: the request is malformed; the message names the field."""


class AuthenticationError(APIStatusError):
    """401: the API key or the access token is missing, malformed, unknown or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the token lacks the operation's scope, the user has no Amazon Music account, or the list is private."""

    @property
    def missing_scope(self) -> str | None:
        """The scope the token lacks, when the API's message names one (``music::favorites``, ...)."""
        match = _SCOPE_IN_MESSAGE.search(self.message)
        return match.group(0) if match else None


class NotFoundError(APIStatusError):
    """404: the user or artist does not exist."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the wait the API asked for, in seconds, when it said."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None,
        request_id: str | None,
        response: httpx.Response | None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, request_id=request_id, response=response)
        self.retry_after = retry_after

    def __str__(self) -> str:
        base = super().__str__()
        return base if self.retry_after is None else f"{base}; retry after {self.retry_after:g} s"


class ServerError(APIStatusError):
    """5xx: the service failed (after the retries)."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_from_response(response: httpx.Response, *, retry_after: float | None = None) -> APIStatusError:
    """The error for a non-2xx response, read tolerantly: a body of any shape gives an error, never a KeyError."""
    status = response.status_code
    code, message = _read_error_body(response)
    request_id = next((response.headers[name] for name in _REQUEST_ID_HEADERS if name in response.headers), None)
    if status in _STATUS_ERRORS:
        cls = _STATUS_ERRORS[status]
    elif status >= 500:
        cls = ServerError
    else:
        cls = APIStatusError
    if cls is RateLimitError:
        return RateLimitError(
            message, status=status, code=code, request_id=request_id, response=response, retry_after=retry_after
        )
    return cls(message, status=status, code=code, request_id=request_id, response=response)


def _read_error_body(response: httpx.Response) -> tuple[str | None, str]:
    """(code, message) from ``{"error": {"code", "message"}}``; the reason phrase when the body has another shape."""
    fallback = response.reason_phrase or "HTTP error"
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        return None, fallback
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return (code if isinstance(code, str) else None), (message if isinstance(message, str) else fallback)
    if isinstance(error, str):  # an RFC 6749 style body: {"error": "invalid_grant", "error_description": "..."}
        description = body.get("error_description")
        return error, description if isinstance(description, str) else fallback
    return None, fallback
