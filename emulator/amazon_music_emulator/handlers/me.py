"""Operations tagged ``me``: the current user's profile and lists."""

from __future__ import annotations

from typing import Any

from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.handlers._common import (
    Handler,
    HandlerRequest,
    current_user,
    library_track_edges,
    listing_page,
    playlist_edges,
    podcast_show_edges,
    profile,
    user_edges,
    user_ref,
)

__all__ = ["HANDLERS"]


def get_current_user(request: HandlerRequest) -> dict[str, Any]:
    return {"data": {"user": profile(current_user(request))}}


def update_current_user(request: HandlerRequest) -> dict[str, Any]:
    body = request.body
    user = request.state.store.update_user(
        request.principal.user_id,
        name=body["name"],
        visibility=body["visibility"],
        playback_visibility=body["playbackVisibility"],
    )
    if user is None:
        raise ApiError(403, "AUTH_NO_MUSIC_ACCOUNT_FOUND", "No Amazon Music account was found for this customer.")
    return {"data": {"updateUser": profile(user)}}


def get_current_user_library_tracks(request: HandlerRequest) -> dict[str, Any]:
    user = current_user(request)
    tracks = listing_page(request, "library_tracks", user.id, library_track_edges, ids_parameter="trackIds")
    # The docs' example identifies the user by id only here.
    return {"data": {"user": {"id": user.id, "libraryTracks": tracks}}}


def get_current_user_followers(request: HandlerRequest) -> dict[str, Any]:
    user = current_user(request, lists=True)
    followers = listing_page(request, "followers", user.id, user_edges)
    return {"data": {"user": {**user_ref(user.id, user.name), "followers": followers}}}


def get_current_user_followed_users(request: HandlerRequest) -> dict[str, Any]:
    user = current_user(request, lists=True)
    followed = listing_page(request, "followed_users", user.id, user_edges)
    return {"data": {"user": {**user_ref(user.id, user.name), "followedUsers": followed}}}


def get_current_user_followed_playlists(request: HandlerRequest) -> dict[str, Any]:
    user = current_user(request, lists=True)
    playlists = listing_page(request, "followed_playlists", user.id, playlist_edges, ids_parameter="playlistIds")
    return {"data": {"user": {**user_ref(user.id, user.name), "followedPlaylists": playlists}}}


def get_current_user_followed_podcast_shows(request: HandlerRequest) -> dict[str, Any]:
    user = current_user(request, lists=True)
    shows = listing_page(request, "followed_podcast_shows", user.id, podcast_show_edges)
    # The docs' example carries the user's id and name, no url, on this listing.
    return {"data": {"user": {"id": user.id, "name": user.name, "followedPodcastShows": shows}}}


HANDLERS: dict[str, Handler] = {
    "getCurrentUser": get_current_user,
    "updateCurrentUser": update_current_user,
    "getCurrentUserLibraryTracks": get_current_user_library_tracks,
    "getCurrentUserFollowers": get_current_user_followers,
    "getCurrentUserFollowedUsers": get_current_user_followed_users,
    "getCurrentUserFollowedPlaylists": get_current_user_followed_playlists,
    "getCurrentUserFollowedPodcastShows": get_current_user_followed_podcast_shows,
}
