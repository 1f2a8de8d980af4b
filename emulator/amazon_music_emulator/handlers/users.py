"""Operations tagged ``users``: any user's public profile (their lists are declared in listings.py)."""

from __future__ import annotations

from typing import Any

from amazon_music_emulator.handlers._common import (
    Handler,
    HandlerRequest,
    profile,
    target_user,
)

__all__ = ["HANDLERS"]


async def get_user(request: HandlerRequest) -> dict[str, Any]:
    return {"data": {"user": profile(await target_user(request, lists=False))}}


async def get_users(request: HandlerRequest) -> dict[str, Any]:
    # Request order kept, a repeated ID once, unknown IDs left out.
    ids = list(dict.fromkeys(request.query["ids"].split(",")))
    found = await request.store.get_users.aio(ids)
    return {"data": {"users": [profile(found[user_id]) for user_id in ids if user_id in found]}}


HANDLERS: dict[str, Handler] = {
    "getUser": get_user,
    "getUsers": get_users,
}
