"""Tolerant reading of the responses the documentation shows in two shapes (the spec's x-doc-errata).

The spec takes the stricter shape; the live API may send the other one. Each fix below is data: which responses it
applies to, the errata entry it answers, and a function that rewrites the other shape into the spec's. The fixes run
in a transport layer, before the generated code parses the body, so the generated models see one shape only.
Only successful responses of the three affected operations are touched; every other response passes through as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["RESPONSE_FIXES", "AsyncErrataTransport", "ErrataTransport", "ResponseFix", "apply_fixes"]


@dataclass(frozen=True)
class ResponseFix:
    """Rewrites one documented variant of a response body into the spec's shape; ``fix`` returns None if not needed."""

    errata: str
    method: str
    path: re.Pattern[str]
    reason: str
    fix: Callable[[Any], Any | None]


def _wrap_bare_user(body: Any) -> Any | None:
    if not isinstance(body, dict) or "data" in body:
        return None
    if isinstance(body.get("updateUser"), dict):  # the table's field without the envelope
        return {"data": {"updateUser": body["updateUser"]}}
    if "id" in body:  # the docs' example: a bare User
        return {"data": {"updateUser": body}}
    return None


def _rename_in_data(canonical: str, variant: str) -> Callable[[Any], Any | None]:
    def rename(body: Any) -> Any | None:
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict) or canonical in data or variant not in data:
            return None
        fixed = {key: value for key, value in data.items() if key != variant}
        fixed[canonical] = data[variant]
        return {**body, "data": fixed}

    return rename


RESPONSE_FIXES: tuple[ResponseFix, ...] = (
    ResponseFix(
        errata="me-put-envelope",
        method="PUT",
        path=re.compile(r"/v1/me$"),
        reason="the docs' example of PUT /v1/me is a bare User, without the data envelope and updateUser",
        fix=_wrap_bare_user,
    ),
    ResponseFix(
        errata="follow-artist-key",
        method="PUT",
        path=re.compile(r"/v1/me/followed/artists/[^/]+$"),
        reason="the docs' table names the follow-artist result followedArtist, the example followArtist",
        fix=_rename_in_data("followArtist", "followedArtist"),
    ),
    ResponseFix(
        errata="unfollow-artist-key",
        method="DELETE",
        path=re.compile(r"/v1/me/followed/artists/[^/]+$"),
        reason="the docs' example puts the unfollow-artist result under followArtist, the table under unfollowArtist",
        fix=_rename_in_data("unfollowArtist", "followArtist"),
    ),
)
_FIXED_METHODS = frozenset(fix.method for fix in RESPONSE_FIXES)


def _fixes_for(request: httpx.Request) -> list[ResponseFix]:
    if request.method not in _FIXED_METHODS:  # every GET leaves here at once
        return []
    path = request.url.path
    return [fix for fix in RESPONSE_FIXES if fix.method == request.method and fix.path.search(path)]


def apply_fixes(fixes: list[ResponseFix], content: bytes) -> bytes | None:
    """The rewritten body, or None when no fix applies (or the body is not JSON: the parser will say so)."""
    try:
        body = json.loads(content)
    except ValueError:
        return None
    changed = False
    for fix in fixes:
        fixed = fix.fix(body)
        if fixed is not None:
            body, changed = fixed, True
    return json.dumps(body).encode("utf-8") if changed else None


def _rebuilt(request: httpx.Request, response: httpx.Response, content: bytes) -> httpx.Response:
    # the body is decoded already, so the encoding and length headers of the original no longer describe it
    stale = ("content-encoding", "content-length")
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in stale]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=content,
        request=request,
        extensions=response.extensions,
    )


class ErrataTransport(httpx.BaseTransport):
    """Applies RESPONSE_FIXES to the successful responses of the inner transport."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self.transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.transport.handle_request(request)
        fixes = _fixes_for(request)
        if not fixes or not response.is_success:
            return response
        content = response.read()
        response.close()
        fixed = apply_fixes(fixes, content)
        return response if fixed is None else _rebuilt(request, response, fixed)

    def close(self) -> None:
        self.transport.close()


class AsyncErrataTransport(httpx.AsyncBaseTransport):
    """The async twin of ErrataTransport."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.transport.handle_async_request(request)
        fixes = _fixes_for(request)
        if not fixes or not response.is_success:
            return response
        content = await response.aread()
        await response.aclose()
        fixed = apply_fixes(fixes, content)
        return response if fixed is None else _rebuilt(request, response, fixed)

    async def aclose(self) -> None:
        await self.transport.aclose()
