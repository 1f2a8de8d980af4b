"""Error responses in the documented shape, for every 4xx and 5xx the emulator sends.

Every error body is ``{"error": {"status": "<code as string>", "code": "<UPPER_SNAKE>", "message": "..."}}`` with
``Content-Type: application/json``; messages name the field at fault ("limit: 500 is greater than the maximum of
100"). ``ApiError`` is raised by handlers, the security handlers and the validators; ``install_error_handlers``
makes connexion render its own exceptions (unknown route, wrong method, unsupported media type, anything
unexpected) the same way, keeping their headers (``Allow`` on 405).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware
from starlette.exceptions import HTTPException

__all__ = ["DEFAULT_CODES", "ApiError", "error_body", "install_error_handlers"]

logger = logging.getLogger("amazon_music_emulator")

ErrorHandler = Callable[[ConnexionRequest, Exception], Awaitable[ConnexionResponse]]

DEFAULT_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "THROTTLED",
    500: "INTERNAL_SERVER_ERROR",
    501: "NOT_IMPLEMENTED",
    503: "SERVICE_UNAVAILABLE",
}
JSON_CONTENT_TYPE = "application/json"


def error_body(status: int, code: str, message: str) -> bytes:
    return json.dumps({"error": {"status": str(status), "code": code, "message": message}}).encode()


class ApiError(Exception):
    """An error answer: status, stable code, a message naming the field, and extra headers (Retry-After, Allow)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    @property
    def status_code(self) -> int:
        # connexion picks the most specific of several security failures by this attribute.
        return self.status

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.message!r})"

    @classmethod
    def bad_request(cls, field: str, problem: str) -> ApiError:
        return cls(400, "BAD_REQUEST", f"{field}: {problem}")

    @classmethod
    def not_found(cls, field: str, problem: str) -> ApiError:
        return cls(404, "NOT_FOUND", f"{field}: {problem}")

    def body(self) -> bytes:
        return error_body(self.status, self.code, self.message)

    def to_response(self) -> ConnexionResponse:
        return ConnexionResponse(
            status_code=self.status,
            mimetype=JSON_CONTENT_TYPE,
            content_type=JSON_CONTENT_TYPE,
            body=self.body(),
            headers=dict(self.headers),
        )


async def _api_error(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ApiError)
    return exc.to_response()


def _http_exception_handler(allowed_methods: Callable[[str], list[str]]) -> ErrorHandler:
    async def handle(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the methods of the first route matching the path; the spec knows them all.
            headers["Allow"] = ", ".join(allowed_methods(request.scope.get("path", ""))) or headers.get("Allow", "")
        return _render_http_exception(request, exc, headers)

    return handle


def _render_http_exception(request: ConnexionRequest, exc: HTTPException, headers: dict[str, str]) -> ConnexionResponse:
    status = exc.status_code
    method, path = request.scope.get("method", "GET"), request.scope.get("path", "")
    if status == 404:
        message = f"path: no operation at {method} {path}"
    elif status == 405:
        message = f"method: {method} is not allowed on {path} (allowed: {headers.get('Allow', 'none')})"
    elif isinstance(exc, ProblemException):
        message = _problem_message(exc)
    else:
        message = str(exc.detail)
    return ApiError(status, DEFAULT_CODES.get(status, _code_for(status)), message, headers).to_response()


async def _unexpected(_request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    # Bad input never lands here (validation and handlers raise ApiError); this is a bug in the emulator.
    logger.error("unexpected error: %s", type(exc).__name__, exc_info=exc)
    return ApiError(500, "INTERNAL_SERVER_ERROR", "Internal server error.").to_response()


def _problem_message(exc: ProblemException) -> str:
    detail: Any = exc.detail
    if exc.status == 415:
        return f"Content-Type: {detail}"
    return str(detail or exc.title or "error")


def _code_for(status: int) -> str:
    return "CLIENT_ERROR" if status < 500 else "SERVER_ERROR"


def install_error_handlers(middleware: ConnexionMiddleware, allowed_methods: Callable[[str], list[str]]) -> None:
    """Make connexion answer every error it raises in the documented error shape.

    ``allowed_methods(path)`` gives the methods the spec declares for a path, for the Allow header of a 405.
    """
    http_exception = _http_exception_handler(allowed_methods)
    middleware.add_error_handler(ApiError, _api_error)
    # connexion registers its own ProblemException handler; a handler for the exact class is needed to replace it.
    middleware.add_error_handler(ProblemException, http_exception)
    middleware.add_error_handler(HTTPException, http_exception)
    middleware.add_error_handler(Exception, _unexpected)
