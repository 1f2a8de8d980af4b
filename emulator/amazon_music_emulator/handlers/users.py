"""Operations tagged ``users``: any user's public profile and lists (a PRIVATE user's lists: that user only)."""

from __future__ import annotations

from typing import Any

from amazon_music_emulator.handlers._common import (
    Handler,
    HandlerRequest,
    artist_edges,
    listing_page,
    podcast_show_edges,
    profile,
    target_user,
    user_edges,
    user_ref,
)

__all__ = ["HANDLERS"]


def get_user(request: HandlerRequest) -> dict[str, Any]:
    return {"data": {"user": profile(target_user(request, lists=False))}}


def get_users(request: HandlerRequest) -> dict[str, Any]:
    # Request order kept, a repeated ID once, unknown IDs left out.
    ids = list(dict.fromkeys(request.query["ids"].split(",")))
    found = request.state.store.get_users(ids)
    return {"data": {"users": [profile(found[user_id]) for user_id in ids if user_id in found]}}


def get_user_followers(request: HandlerRequest) -> dict[str, Any]:
    user = target_user(request, lists=True)
    followers = listing_page(request, "followers", user.id, user_edges)
    return {"data": {"user": {**user_ref(user.id, user.name), "followers": followers}}}


def get_user_followed_users(request: HandlerRequest) -> dict[str, Any]:
    user = target_user(request, lists=True)
    followed = listing_page(request, "followed_users", user.id, user_edges)
    return {"data": {"user": {**user_ref(user.id, user.name), "followedUsers": followed}}}


def get_user_followed_artists(request: HandlerRequest) -> dict[str, Any]:
    user = target_user(request, lists=True)
    artists = listing_page(request, "followed_artists", user.id, artist_edges, ids_parameter="artistIds")
    return {"data": {"user": {**user_ref(user.id, user.name), "followedArtists": artists}}}


def get_user_followed_podcast_shows(request: HandlerRequest) -> dict[str, Any]:
    user = target_user(request, lists=True)
    shows = listing_page(request, "followed_podcast_shows", user.id, podcast_show_edges)
    return {"data": {"user": {"id": user.id, "name": user.name, "followedPodcastShows": shows}}}


HANDLERS: dict[str, Handler] = {
    "getUser": get_user,
    "getUsers": get_users,
    "getUserFollowers": get_user_followers,
    "getUserFollowedUsers": get_user_followed_users,
    "getUserFollowedArtists": get_user_followed_artists,
    "getUserFollowedPodcastShows": get_user_followed_podcast_shows,
}
