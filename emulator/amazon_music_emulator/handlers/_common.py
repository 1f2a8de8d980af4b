"""What every handler shares: the request it gets, the serialisers of the spec's objects, and paging.

A handler is a coroutine function: it takes a ``HandlerRequest`` (already authenticated and validated against the
spec) and returns the success body; failures are raised as ``ApiError``. Its store calls are awaited (``.aio``): on
PostgreSQL served with its lifespan, the event loop serves other requests while the database answers (see
``store.Store.run_async``). URLs point at music.amazon.com, built from the IDs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from amazon_music_emulator.access import require_lists_access
from amazon_music_emulator.auth import Principal
from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.state import EmulatorState
from amazon_music_emulator.store import Edge, Listing, Page, TenantStore, UserRecord

__all__ = [
    "RENDERERS",
    "Handler",
    "HandlerRequest",
    "artist_edges",
    "artist_node",
    "current_user",
    "library_track_edges",
    "listing_of",
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


Handler = Callable[[HandlerRequest], Awaitable[dict[str, Any]]]


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
    """The user the token speaks for (their row as authentication read it: no round trip); with ``lists``, checked by
    the one rule for reading a user's lists."""
    user = request.principal.user
    if user is None:
        raise ApiError(403, "AUTH_NO_MUSIC_ACCOUNT_FOUND", "No Amazon Music account was found for this customer.")
    if lists:
        require_lists_access(request.principal, user.id, user.visibility)
    return user


async def target_user(request: HandlerRequest, *, lists: bool) -> UserRecord:
    """The user named by the path (the principal's own row when it is theirs); with ``lists``, checked by the one rule
    for reading a user's lists."""
    user_id = request.path["id"]
    user = _own_row(request, user_id) or await request.store.get_user.aio(user_id)
    if user is None:
        raise _no_user(user_id)
    if lists:
        require_lists_access(request.principal, user.id, user.visibility)
    return user


def _own_row(request: HandlerRequest, user_id: str) -> UserRecord | None:
    """The principal's own user row when ``user_id`` is theirs, else None."""
    user = request.principal.user
    return user if user is not None and user.id == user_id else None


def _no_user(user_id: str) -> ApiError:
    return ApiError.not_found("id", f"no user {user_id}")


async def listing_of(
    request: HandlerRequest, listing: Listing, render: Renderer, *, lists: bool, ids_parameter: str | None = None
) -> tuple[str, str | None, dict[str, Any]]:
    """The owner (ID, name) and one page of a listing: the current user's (no ``id`` in the path) or the path's user's.
    With ``lists``, the one rule for reading a user's lists. Failures in this order: 404 unknown user, 403 (the lists
    rule), 400 naming ``cursor``. One round trip: the principal's own row came with authentication, and another user's
    row is read in the page's statement."""
    user_id = request.path.get("id")
    limit = int(request.query["limit"])
    if user_id is None or _own_row(request, user_id) is not None:
        user = current_user(request, lists=lists) if user_id is None else await target_user(request, lists=lists)
        after, ids = _page_request(request, listing, user.id, ids_parameter)
        page = await request.store.page.aio(listing, user.id, after=after, limit=limit, ids=ids)
        return user.id, user.name, _connection(request, listing, user.id, page, render)
    try:
        after, ids = _page_request(request, listing, user_id, ids_parameter)
    except ApiError:
        await target_user(request, lists=lists)  # the owner's 404 and 403 come before the cursor's 400
        raise
    owner, page = await request.store.owner_and_page.aio(listing, user_id, after=after, limit=limit, ids=ids)
    if owner is None:
        raise _no_user(user_id)
    if lists:
        require_lists_access(request.principal, owner.id, owner.visibility)
    return owner.id, owner.name, _connection(request, listing, owner.id, page, render)


def _page_request(
    request: HandlerRequest, listing: Listing, owner_id: str, ids_parameter: str | None
) -> tuple[int, list[str] | None]:
    """Where a page starts (after the cursor's key; ApiError 400 naming ``cursor``) and the IDs it is limited to."""
    query = request.query
    cursor = query.get("cursor")
    after = request.cursors.decode(cursor, listing, owner_id) if cursor else 0
    ids = list(dict.fromkeys(query[ids_parameter].split(","))) if ids_parameter and ids_parameter in query else None
    return after, ids


def _connection(
    request: HandlerRequest, listing: Listing, owner_id: str, page: Page, render: Renderer
) -> dict[str, Any]:
    """A page as a connection: pageInfo (token exactly when there is a next page), edgeCount, edges."""
    page_info: dict[str, Any] = {"hasNextPage": page.has_next}
    if page.has_next:
        page_info["token"] = request.cursors.encode(listing, owner_id, page.edges[-1][0])
    return {"pageInfo": page_info, "edgeCount": len(page.edges), "edges": render(page.edges)}
