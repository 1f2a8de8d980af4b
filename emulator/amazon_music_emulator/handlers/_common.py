"""What every handler shares: the request it gets, the serialisers of the spec's objects, and paging.

A handler takes a ``HandlerRequest`` (already authenticated and validated against the spec) and returns the success
body; failures are raised as ``ApiError``. URLs point at music.amazon.com, built from the IDs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from amazon_music_emulator.access import require_lists_access
from amazon_music_emulator.auth import Principal
from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.state import EmulatorState
from amazon_music_emulator.store import Edge, Listing, TenantStore, UserRecord

__all__ = [
    "RENDERERS",
    "Handler",
    "HandlerRequest",
    "artist_edges",
    "artist_node",
    "current_user",
    "library_track_edges",
    "listing_page",
    "playlist_edges",
    "podcast_show_edges",
    "profile",
    "target_user",
    "user_edges",
    "user_ref",
]

MUSIC = "https://music.amazon.com"


@dataclass(slots=True)
class HandlerRequest:
    state: EmulatorState
    principal: Principal
    path: dict[str, str]
    query: dict[str, str]  # the spec's defaults filled in
    body: Any

    @property
    def store(self) -> TenantStore:
        """The store view of the principal's tenant: every handler reads and writes its tenant's world only."""
        return self.principal.tenant.store

    @property
    def cursors(self) -> CursorCodec:
        """The principal's tenant's cursor codec: a cursor of another tenant fails its signature."""
        return self.principal.tenant.cursors


Handler = Callable[[HandlerRequest], dict[str, Any]]


def profile_url(user_id: str) -> str:
    return f"{MUSIC}/profiles/{user_id}"


def profile(user: UserRecord) -> dict[str, Any]:
    """A full User, as GET /me, PUT /me and GET /users/{id} return it."""
    images = [{"height": 0, "width": 0, "url": user.image_url, "imageType": "PROFILE"}] if user.image_url else []
    return {
        "id": user.id,
        "name": user.name,
        "images": images,
        "tier": user.tier,
        "visibility": user.visibility,
        "playbackVisibility": user.playback_visibility,
        "url": profile_url(user.id),
    }


def user_ref(user_id: str, name: str | None) -> dict[str, Any]:
    """A User as listings show it: id, name and url."""
    return {"id": user_id, "name": name, "url": profile_url(user_id)}


# Renderers turn a page's edges into the spec's edge objects in one pass (this is the hot path of every listing).
Renderer = Callable[[list[Edge]], list[dict[str, Any]]]


def user_edges(edges: list[Edge]) -> list[dict[str, Any]]:
    prefix = f"{MUSIC}/profiles/"
    return [{"node": {"id": id_, "name": name, "url": prefix + id_}} for _, id_, name in edges]


def artist_node(artist_id: str, name: str | None) -> dict[str, Any]:
    return {"id": artist_id, "name": name, "url": f"{MUSIC}/artists/{artist_id}"}


def artist_edges(edges: list[Edge]) -> list[dict[str, Any]]:
    prefix = f"{MUSIC}/artists/"
    return [{"node": {"id": id_, "name": name, "url": prefix + id_}} for _, id_, name in edges]


def playlist_edges(edges: list[Edge]) -> list[dict[str, Any]]:
    prefix = f"{MUSIC}/playlists/"
    return [{"node": {"id": id_, "name": name, "url": prefix + id_}} for _, id_, name in edges]


def podcast_show_edges(edges: list[Edge]) -> list[dict[str, Any]]:
    prefix = f"{MUSIC}/podcasts/"
    return [
        {"node": {"id": e[1], "title": e[2], "url": f"{prefix}{e[1]}/{(e[2] or '').replace(' ', '-')}"}} for e in edges
    ]


def library_track_edges(edges: list[Edge]) -> list[dict[str, Any]]:
    # The docs' example shows a library track node with its id only.
    return [{"uploaded": bool(e[3]), "purchased": bool(e[4]), "node": {"id": e[1]}} for e in edges]


# How each kind of listed item renders (store.ListingQuery.item_kind).
RENDERERS: dict[str, Renderer] = {
    "user": user_edges,
    "artist": artist_edges,
    "playlist": playlist_edges,
    "podcast_show": podcast_show_edges,
    "library_track": library_track_edges,
}


def current_user(request: HandlerRequest, *, lists: bool = False) -> UserRecord:
    """The user the token speaks for; with ``lists``, checked by the one rule for reading a user's lists."""
    user = request.store.get_user(request.principal.user_id)
    if user is None:
        raise ApiError(403, "AUTH_NO_MUSIC_ACCOUNT_FOUND", "No Amazon Music account was found for this customer.")
    if lists:
        require_lists_access(request.principal, user.id, user.visibility)
    return user


def target_user(request: HandlerRequest, *, lists: bool) -> UserRecord:
    """The user named by the path; with ``lists``, checked by the one rule for reading a user's lists."""
    user_id = request.path["id"]
    user = request.store.get_user(user_id)
    if user is None:
        raise ApiError.not_found("id", f"no user {user_id}")
    if lists:
        require_lists_access(request.principal, user.id, user.visibility)
    return user


def listing_page(
    request: HandlerRequest,
    listing: Listing,
    owner_id: str,
    render: Renderer,
    *,
    ids_parameter: str | None = None,
) -> dict[str, Any]:
    """One page of a listing as a connection: pageInfo (token exactly when there is a next page), edgeCount, edges."""
    query = request.query
    cursors = request.cursors
    cursor = query.get("cursor")
    after = cursors.decode(cursor, listing, owner_id) if cursor else 0
    ids = list(dict.fromkeys(query[ids_parameter].split(","))) if ids_parameter and ids_parameter in query else None
    page = request.store.page(listing, owner_id, after=after, limit=int(query["limit"]), ids=ids)
    page_info: dict[str, Any] = {"hasNextPage": page.has_next}
    if page.has_next:
        page_info["token"] = cursors.encode(listing, owner_id, page.edges[-1][0])
    return {"pageInfo": page_info, "edgeCount": len(page.edges), "edges": render(page.edges)}
