"""Listings as declarations: an operation that pages through a relation the store holds is one line in ROUTES.

The rest comes from elsewhere: the relation's SQL from ``store.LISTINGS``, each edge's shape from its item kind
(``_common.RENDERERS``), where the page goes in the body from the operation's ``x-page-items`` in the spec, and whose
list it is from the path: a path ``id`` names the user (a PRIVATE user's lists refused to others), else it is the
current user's. A listing with a genuinely new behaviour gets a handler of its own instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amazon_music_emulator import specfile
from amazon_music_emulator.handlers._common import (
    RENDERERS,
    Handler,
    HandlerRequest,
    listing_of,
    user_ref,
)
from amazon_music_emulator.store import LISTINGS, Listing

__all__ = ["HANDLERS", "ROUTES", "ListingRoute"]

# Which of the owner's fields a listing's body carries beside the page (the docs' examples differ by listing).
FULL = ("id", "name", "url")
ID_ONLY = ("id",)
ID_AND_NAME = ("id", "name")


@dataclass(frozen=True, slots=True)
class ListingRoute:
    listing: Listing  # a key of store.LISTINGS
    ids: str | None = None  # the query parameter that keeps only the given items
    owner_fields: tuple[str, ...] = FULL
    follows: bool = True  # a list of follows: the one scope rule for a user's lists (access.py) holds on either route


ROUTES: dict[str, ListingRoute] = {
    "getCurrentUserLibraryTracks": ListingRoute("library_tracks", ids="trackIds", owner_fields=ID_ONLY, follows=False),
    "getCurrentUserFollowers": ListingRoute("followers"),
    "getCurrentUserFollowedUsers": ListingRoute("followed_users"),
    "getCurrentUserFollowedPlaylists": ListingRoute("followed_playlists", ids="playlistIds"),
    "getCurrentUserFollowedPodcastShows": ListingRoute("followed_podcast_shows", owner_fields=ID_AND_NAME),
    "getUserFollowers": ListingRoute("followers"),
    "getUserFollowedUsers": ListingRoute("followed_users"),
    "getUserFollowedArtists": ListingRoute("followed_artists", ids="artistIds"),
    "getUserFollowedPodcastShows": ListingRoute("followed_podcast_shows", owner_fields=ID_AND_NAME),
}


def _page_keys() -> dict[str, str]:
    """For each listing of the spec, the field of ``data.user`` that holds the page (x-page-items' connection)."""
    keys: dict[str, str] = {}
    for item in specfile.spec_dict()["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "x-page-items" not in operation:
                continue
            path = str(operation["x-page-items"]).split(".")
            connection = path[: next(i for i, segment in enumerate(path) if segment.endswith("[]"))]
            if connection[:-1] == ["data", "user"]:
                keys[operation["operationId"]] = connection[-1]
    return keys


def _handler(operation_id: str, route: ListingRoute, keys: dict[str, str]) -> Handler:
    if operation_id not in keys:
        raise ValueError(f"{operation_id}: not a listing of the spec under data.user; give it a handler of its own")
    key = keys[operation_id]
    render = RENDERERS[LISTINGS[route.listing].item_kind]
    listing, ids, fields, follows = route.listing, route.ids, route.owner_fields, route.follows

    async def handle(request: HandlerRequest) -> dict[str, Any]:
        owner_id, name, page = await listing_of(request, listing, render, lists=follows, ids_parameter=ids)
        owner = user_ref(owner_id, name)
        return {"data": {"user": {**{field: owner[field] for field in fields}, key: page}}}

    handle.__name__ = handle.__qualname__ = operation_id
    return handle


_KEYS = _page_keys()
HANDLERS: dict[str, Handler] = {
    operation_id: _handler(operation_id, route, _KEYS) for operation_id, route in ROUTES.items()
}
