"""Operations tagged ``me``: the current user's profile (its lists are declared in listings.py)."""

from __future__ import annotations

from typing import Any

from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.handlers._common import (
    Handler,
    HandlerRequest,
    current_user,
    profile,
)

__all__ = ["HANDLERS"]


async def get_current_user(request: HandlerRequest) -> dict[str, Any]:
    return {"data": {"user": profile(current_user(request))}}


async def update_current_user(request: HandlerRequest) -> dict[str, Any]:
    body = request.body
    user = await request.store.update_user.aio(
        request.principal.user_id,
        name=body["name"],
        visibility=body["visibility"],
        playback_visibility=body["playbackVisibility"],
    )
    if user is None:
        raise ApiError(403, "AUTH_NO_MUSIC_ACCOUNT_FOUND", "No Amazon Music account was found for this customer.")
    return {"data": {"updateUser": profile(user)}}


HANDLERS: dict[str, Handler] = {
    "getCurrentUser": get_current_user,
    "updateCurrentUser": update_current_user,
}
