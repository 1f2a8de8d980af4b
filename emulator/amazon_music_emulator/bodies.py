"""Request bodies: bounded in size, decoded once, and refused where the spec declares none.

Every request body is bounded (``DEFAULT_MAX_BODY_BYTES``, 1 MiB, ``create_app(max_body_bytes=...)`` or ``serve
--max-body-bytes``): a declared ``Content-Length`` above the bound is answered 413 before a byte of the body is read,
and a body without one (chunked) is counted as it arrives and cut off at the bound, so memory stays bounded whatever
is sent. JSON is decoded with orjson (which refuses lone surrogates and invalid UTF-8), and a decoded body nested
deeper than ``MAX_JSON_DEPTH`` is refused: no input reaches a decoder or a validator that could fail on it with a 500.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import Message, Receive, Scope

from amazon_music_emulator.errors import ApiError

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "PARSED_BODY_KEY",
    "BodyTooLarge",
    "bounded_receive",
    "declared_length",
    "decode_json",
    "read_body",
]

DEFAULT_MAX_BODY_BYTES = 1 << 20
MAX_JSON_DEPTH = 32  # the spec's deepest request body is 1 level; 32 leaves room and stays far from any recursion limit
PARSED_BODY_KEY = "amazon_music_emulator.body"  # the scope key where the body validator leaves the decoded body


class BodyTooLarge(ApiError):
    """413 PAYLOAD_TOO_LARGE, naming the bound."""

    def __init__(self, limit: int) -> None:
        message = f"body: larger than {limit} bytes, the most this server accepts"
        # The rest of the body is never read: the connection closes after the answer.
        super().__init__(413, "PAYLOAD_TOO_LARGE", message, {"connection": "close"})
        self.limit = limit


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length; None when absent; ApiError 400 when it is not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            if not text.isdigit():
                raise ApiError.bad_request("Content-Length", f"{text[:40]!r} is not a number of bytes")
            return int(text)
    return None


def bounded_receive(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge as soon as the body's bytes so far pass ``limit``."""
    received = 0

    async def receive_bounded() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise BodyTooLarge(limit)
        return message

    return receive_bounded


async def read_body(receive: Receive) -> bytes:
    """The whole request body (``receive`` is bounded by the app, see ``EmulatorApp``)."""
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def decode_json(raw: bytes) -> Any:
    """The JSON value of a body; ApiError 400 naming ``body`` when it is not UTF-8 JSON or is nested too deeply."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ApiError.bad_request(
            "body", f"is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise ApiError.bad_request("body", f"is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _depth_exceeds(value: Any, limit: int) -> bool:
    # Iterative, so that the check itself cannot hit the recursion limit.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
