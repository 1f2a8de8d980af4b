"""Exit codes, and the one line each error becomes: no traceback, no token, and a hint where one helps."""

from __future__ import annotations

import contextvars
from enum import IntEnum

__all__ = ["CREDENTIALS_SOURCE", "EXIT_CODES_HELP", "CliError", "ExitCode", "describe_error"]

# Where this run's credentials came from ("env AMAZON_MUSIC_ACCESS_TOKEN", the token file, ...): a 401 names it.
CREDENTIALS_SOURCE: contextvars.ContextVar[str | None] = contextvars.ContextVar("credentials_source", default=None)


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # anything unexpected
    USAGE = 2  # a bad option or argument (ours, or the API's 400/422)
    AUTH = 3  # no credentials, a refused or expired login, 401
    PERMISSION = 4  # 403: a missing scope, a private user's lists
    NOT_FOUND = 5  # 404
    RATE_LIMITED = 6  # 429, after the retries
    UNAVAILABLE = 7  # 5xx, no connection, a timeout, a body that is not what the spec says


# \b keeps click from re-flowing the lines.
EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  unexpected error
  2  usage: a bad option or argument (also the API's 400 and 422)
  3  authentication: not logged in, no API key, a refused or expired login (401)
  4  permission: the token lacks a scope, or the user's lists are private (403)
  5  not found (404)
  6  rate limited (429, after the retries)
  7  server or network: 5xx, no connection, a timeout"""


class CliError(Exception):
    """An error the command reports as one line and an exit code."""

    def __init__(self, message: str, code: ExitCode) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


_LOGIN_HINT = "run `amazon-music login`"


def _refused_hint() -> str:
    """What to do about refused credentials, by where they came from."""
    source = CREDENTIALS_SOURCE.get()
    if source is None:
        return _LOGIN_HINT
    if source.startswith("env "):
        variable = source.removeprefix("env ")
        return f"the token came from {variable}: set a valid one, or unset it to use the saved login"
    if source.startswith("config ") or source == "argument":
        return f"the token came from {source}: replace it, or remove it to use the saved login"
    return f"the saved login in {source} was refused: {_LOGIN_HINT}"


def describe_error(exc: BaseException) -> tuple[ExitCode, str] | None:
    """The exit code and message for an error of this package; None for anything else (a bug)."""
    from amazon_music import (
        AmazonMusicError,
        APIConnectionError,
        APIStatusError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        MalformedResponseError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TokenError,
        UnprocessableEntityError,
        ValidationError,
    )

    if isinstance(exc, CliError):
        return exc.code, exc.message
    if not isinstance(exc, AmazonMusicError):
        return None
    message = str(exc)
    code: ExitCode
    if isinstance(exc, ValidationError | BadRequestError | UnprocessableEntityError):
        code = ExitCode.USAGE
    elif isinstance(exc, AuthenticationError | TokenError | ConfigurationError):
        code = ExitCode.AUTH
        message = f"{message} ({_refused_hint()})" if not isinstance(exc, ConfigurationError) else message
    elif isinstance(exc, PermissionDeniedError):
        code = ExitCode.PERMISSION
        scope = exc.missing_scope
        if scope:
            message = f"{message} (log in again with --scope {scope})"
    elif isinstance(exc, NotFoundError):
        code = ExitCode.NOT_FOUND
    elif isinstance(exc, RateLimitError):
        code = ExitCode.RATE_LIMITED
    elif isinstance(exc, ServerError | APIConnectionError | MalformedResponseError) or (
        isinstance(exc, APIStatusError) and exc.status >= 500
    ):
        code = ExitCode.UNAVAILABLE
    else:
        code = ExitCode.ERROR
    return code, message
