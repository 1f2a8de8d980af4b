"""Operations tagged ``follows``: following and unfollowing artists and users. All idempotent."""

from __future__ import annotations

from typing import Any

from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.handlers._common import Handler, HandlerRequest, artist_node, target_user, user_ref

__all__ = ["HANDLERS"]


async def _artist(request: HandlerRequest) -> dict[str, Any]:
    artist_id = request.path["id"]
    artist = await request.store.get_artist.aio(artist_id)
    if artist is None:
        raise ApiError.not_found("id", f"no artist {artist_id}")
    return artist_node(*artist)


async def follow_artist(request: HandlerRequest) -> dict[str, Any]:
    artist = await _artist(request)
    await request.store.follow_artist.aio(request.principal.user_id, artist["id"])
    return {"data": {"followArtist": {"artist": artist, "followState": "FOLLOW"}}}


async def unfollow_artist(request: HandlerRequest) -> dict[str, Any]:
    artist = await _artist(request)
    await request.store.unfollow_artist.aio(request.principal.user_id, artist["id"])
    return {"data": {"unfollowArtist": {"artist": artist, "followState": "UNFOLLOW"}}}


async def follow_user(request: HandlerRequest) -> dict[str, Any]:
    if request.path["id"] == request.principal.user_id:
        raise ApiError.bad_request("id", "you cannot follow yourself")
    user = await target_user(request, lists=False)
    await request.store.follow_user.aio(request.principal.user_id, user.id)
    return {"data": {"followUser": {"user": user_ref(user.id, user.name), "followState": "FOLLOW"}}}


async def unfollow_user(request: HandlerRequest) -> dict[str, Any]:
    user = await target_user(request, lists=False)
    await request.store.unfollow_user.aio(request.principal.user_id, user.id)
    return {"data": {"unfollowUser": {"user": user_ref(user.id, user.name), "followState": "UNFOLLOW"}}}


HANDLERS: dict[str, Handler] = {
    "followArtist": follow_artist,
    "unfollowArtist": unfollow_artist,
    "followUser": follow_user,
    "unfollowUser": unfollow_user,
}
