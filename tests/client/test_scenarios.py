"""Every operation through the sync and the async client against the in-process emulator, checked against its store.

Each test runs twice (the ``music`` fixture is parametrized over AmazonMusic and AsyncAmazonMusic).
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario_support import make_driver

from amazon_music import BadRequestError, NotFoundError, PermissionDeniedError
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.handlers.listings import ROUTES
from amazon_music_emulator.seed import DEMO_USER_ID, PRIVATE_USER_ID
from amazon_music_generated.operations import OPERATIONS

BIG = 1_000_000  # a page size that reads a whole listing from the store in one query

# Every listing of the spec: method name, the store's listing it pages (the emulator's declaration), whether it
# takes the user ID.
LISTINGS: list[tuple[str, str, bool]] = [
    (op.method, ROUTES[op.operation_id].listing, any(p.location == "path" for p in op.parameters))
    for op in OPERATIONS
    if op.paged
]


def stored_ids(emulator: EmulatorApp, listing: str, owner: str = DEMO_USER_ID) -> list[str]:
    return [edge[1] for edge in emulator.store.page(listing, owner, after=0, limit=BIG).edges]  # type: ignore[arg-type]


def item_id(item: Any) -> str:
    node = getattr(item, "node", item)  # library tracks are edges (node, uploaded, purchased)
    return str(node.id)


def listing_args(takes_user: bool) -> tuple[Any, ...]:
    return (DEMO_USER_ID,) if takes_user else ()


# -- me -----------------------------------------------------------------------------------------------------------


def test_me_is_the_stored_demo_user(music: Any, emulator: EmulatorApp) -> None:
    user = music.call("me")
    stored = emulator.store.get_user(DEMO_USER_ID)
    assert stored is not None
    assert (user.id, user.name, user.tier) == (stored.id, stored.name, stored.tier)
    assert user.visibility.value == stored.visibility


def test_update_me_round_trip(music: Any, emulator: EmulatorApp) -> None:
    updated = music.call("update_me", name="Renamed Stark", visibility="PRIVATE", playback_visibility="PUBLIC")
    assert (updated.name, updated.visibility.value, updated.playback_visibility.value) == (
        "Renamed Stark",
        "PRIVATE",
        "PUBLIC",
    )
    assert music.call("me").name == "Renamed Stark"
    stored = emulator.store.get_user(DEMO_USER_ID)
    assert stored is not None and (stored.name, stored.visibility) == ("Renamed Stark", "PRIVATE")


# -- full walks ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [None, 7])
@pytest.mark.parametrize(("method", "listing", "takes_user"), LISTINGS, ids=[row[0] for row in LISTINGS])
def test_full_walk_matches_the_store(
    music: Any, emulator: EmulatorApp, method: str, listing: str, takes_user: bool, limit: int | None
) -> None:
    walked = [item_id(item) for item in music.walk(method, *listing_args(takes_user), limit=limit)]
    expected = stored_ids(emulator, listing)
    assert len(expected) > 7  # with limit=7 the walk crosses pages
    assert len(walked) == len(set(walked))  # no duplicate
    assert walked == expected  # nothing missing, the store's order


@pytest.mark.parametrize(("method", "listing", "takes_user"), LISTINGS, ids=[row[0] for row in LISTINGS])
def test_pages_add_up(music: Any, emulator: EmulatorApp, method: str, listing: str, takes_user: bool) -> None:
    pages = music.pages(method, *listing_args(takes_user), limit=30)
    assert sum(page.edge_count for page in pages) == len(stored_ids(emulator, listing))
    assert all(page.edge_count == len(page.edges) for page in pages)
    assert [page.page_info.has_next_page for page in pages] == [True] * (len(pages) - 1) + [False]


def test_resume_from_a_saved_cursor(music: Any, emulator: EmulatorApp) -> None:
    paginator = music.client.followers(limit=50, max_items=50)
    first = [user.id for user in music.walk_paginator(paginator)]
    assert paginator.next_cursor
    rest = [user.id for user in music.walk("followers", limit=50, cursor=paginator.next_cursor)]
    assert first + rest == stored_ids(emulator, "followers")


def test_max_items_stops_early(music: Any, emulator: EmulatorApp) -> None:
    walked = [user.id for user in music.walk("followed_users", max_items=13)]
    assert walked == stored_ids(emulator, "followed_users")[:13]


def test_max_items_above_the_page_maximum_pages_at_the_maximum(music: Any, emulator: EmulatorApp) -> None:
    walked = [user.id for user in music.walk("followers", max_items=150)]
    assert walked == stored_ids(emulator, "followers")[:150]
    shows = [show.id for show in music.walk("user_followed_podcast_shows", DEMO_USER_ID, max_items=40)]
    assert shows == stored_ids(emulator, "followed_podcast_shows")[:40]


def test_filters_return_only_the_asked_items(music: Any, emulator: EmulatorApp) -> None:
    tracks = stored_ids(emulator, "library_tracks")
    playlists = stored_ids(emulator, "followed_playlists")
    artists = stored_ids(emulator, "followed_artists")
    not_in_library = "B000000000"
    checked = [edge.node.id for edge in music.walk("library_tracks", track_ids=[tracks[5], not_in_library, tracks[0]])]
    assert checked == [tracks[0], tracks[5]]  # the library's order, the unknown one left out
    assert [p.id for p in music.walk("followed_playlists", playlist_ids=[playlists[3]])] == [playlists[3]]
    assert [a.id for a in music.walk("user_followed_artists", DEMO_USER_ID, artist_ids=artists[:2])] == artists[:2]


def test_library_tracks_carry_their_edge_flags(music: Any, emulator: EmulatorApp) -> None:
    edges = emulator.store.page("library_tracks", DEMO_USER_ID, after=0, limit=BIG).edges
    stored = {edge[1]: (bool(edge[3]), bool(edge[4])) for edge in edges}
    walked = {edge.node.id: (edge.uploaded, edge.purchased) for edge in music.walk("library_tracks")}
    assert walked == stored


# -- follows ------------------------------------------------------------------------------------------------------


def test_follow_and_unfollow_an_artist(music: Any, emulator: EmulatorApp) -> None:
    followed = set(stored_ids(emulator, "followed_artists"))
    artist = next(a for a in emulator.store.artist_ids(BIG) if a not in followed)

    result = music.call("follow_artist", artist)
    assert (result.artist.id, result.follow_state.value) == (artist, "FOLLOW")
    assert music.call("follow_artist", artist).follow_state.value == "FOLLOW"  # idempotent
    walked = [a.id for a in music.walk("user_followed_artists", DEMO_USER_ID)]
    assert walked.count(artist) == 1 and walked == stored_ids(emulator, "followed_artists")

    result = music.call("unfollow_artist", artist)
    assert (result.artist.id, result.follow_state.value) == (artist, "UNFOLLOW")
    assert music.call("unfollow_artist", artist).follow_state.value == "UNFOLLOW"  # idempotent
    assert artist not in [a.id for a in music.walk("user_followed_artists", DEMO_USER_ID)]
    assert set(stored_ids(emulator, "followed_artists")) == followed


def test_follow_and_unfollow_a_user(music: Any, emulator: EmulatorApp) -> None:
    followed = set(stored_ids(emulator, "followed_users"))
    candidates = (u for u in emulator.store.user_ids(BIG) if u not in followed and u != DEMO_USER_ID)
    other = next(u for u in candidates if getattr(emulator.store.get_user(u), "visibility", None) == "PUBLIC")
    before = stored_ids(emulator, "followers", other)

    result = music.call("follow_user", other)
    assert (result.user.id, result.follow_state.value) == (other, "FOLLOW")
    assert other in [u.id for u in music.walk("followed_users")]
    assert [u.id for u in music.walk("user_followers", other)] == [*before, DEMO_USER_ID]
    assert stored_ids(emulator, "followers", other) == [*before, DEMO_USER_ID]

    result = music.call("unfollow_user", other)
    assert (result.user.id, result.follow_state.value) == (other, "UNFOLLOW")
    assert other not in [u.id for u in music.walk("followed_users")]
    assert stored_ids(emulator, "followers", other) == before


def test_following_yourself_is_a_bad_request(music: Any) -> None:
    with pytest.raises(BadRequestError) as caught:
        music.call("follow_user", DEMO_USER_ID)
    assert caught.value.code == "BAD_REQUEST"


def test_unknown_targets_are_not_found(music: Any) -> None:
    with pytest.raises(NotFoundError):
        music.call("follow_artist", "B0ZZZZZZZZ")
    with pytest.raises(NotFoundError):
        music.call("user", "nosuchuser0000000000000000")


# -- users --------------------------------------------------------------------------------------------------------


def test_user_reads_any_profile(music: Any, emulator: EmulatorApp) -> None:
    for user_id in (DEMO_USER_ID, PRIVATE_USER_ID):
        user = music.call("user", user_id)
        stored = emulator.store.get_user(user_id)
        assert stored is not None and (user.id, user.name, user.visibility.value) == (
            stored.id,
            stored.name,
            stored.visibility,
        )


def test_users_takes_any_number_of_ids_in_order(music: Any, emulator: EmulatorApp) -> None:
    known = emulator.store.user_ids(250)
    assert len(known) == 250
    asked = [*reversed(known), "unknownuser0000000000000000", known[0], known[10]]
    found = [user.id for user in music.call("users", asked)]
    assert found == list(reversed(known))


def test_a_private_users_lists_are_refused(music: Any) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        music.walk("user_followers", PRIVATE_USER_ID)
    assert caught.value.code == "PRIVATE_USER"
    assert caught.value.missing_scope is None


def test_a_missing_scope_is_named(emulator: EmulatorApp, bridge: Any, music: Any) -> None:
    token = emulator.mint_token(scopes=["music::profile"]).access_token
    for driver in make_driver(music.kind, emulator, bridge, token=token):
        assert driver.call("me").id == DEMO_USER_ID
        with pytest.raises(PermissionDeniedError) as caught:
            driver.walk("followers")
        assert caught.value.missing_scope == "music::favorites:read"
