"""Arguments are checked before any request; the error names the argument."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import respx
from overlay_support import DEMO_USER, connection

from amazon_music import AmazonMusic, AsyncAmazonMusic, ValidationError

ASIN = "B000QKGN8W"

CASES: list[tuple[str, Callable[[Any], Any], str]] = [
    ("empty user id", lambda m: m.user(""), "id"),
    ("user id with capitals", lambda m: m.user("ABC"), "id"),
    ("user id not a string", lambda m: m.user(42), "id"),
    ("user id too long", lambda m: m.user("a" * 65), "id"),
    ("follow user, empty id", lambda m: m.follow_user(""), "id"),
    ("unfollow user, bad id", lambda m: m.unfollow_user("no spaces"), "id"),
    ("follow artist, user id instead of ASIN", lambda m: m.follow_artist(DEMO_USER), "id"),
    ("unfollow artist, empty", lambda m: m.unfollow_artist(""), "id"),
    ("limit zero", lambda m: m.followers(limit=0), "limit"),
    ("limit 101", lambda m: m.followed_users(limit=101), "limit"),
    ("limit not an int", lambda m: m.followers(limit="10"), "limit"),
    ("limit a bool", lambda m: m.followers(limit=True), "limit"),
    ("podcast limit 37 on a user", lambda m: m.user_followed_podcast_shows(DEMO_USER, limit=37), "limit"),
    ("negative max_items", lambda m: m.followers(max_items=-1), "max_items"),
    ("cursor with spaces", lambda m: m.followers(cursor="not a token"), "cursor"),
    ("empty cursor", lambda m: m.followers(cursor=""), "cursor"),
    ("listing of a bad user", lambda m: m.user_followers("Bad!"), "id"),
    ("bad visibility", lambda m: m.update_me(name="n", visibility="ALL", playback_visibility="PUBLIC"), "visibility"),
    (
        "bad playback visibility",
        lambda m: m.update_me(name="n", visibility="PUBLIC", playback_visibility="public"),
        "playback_visibility",
    ),
    ("empty name", lambda m: m.update_me(name="", visibility="PUBLIC", playback_visibility="PUBLIC"), "name"),
    ("long name", lambda m: m.update_me(name="x" * 101, visibility="PUBLIC", playback_visibility="PUBLIC"), "name"),
    ("track ids not ASINs", lambda m: m.library_tracks(track_ids=["B07B62ZK5S", "nope"]), "track_ids[1]"),
    ("101 track ids", lambda m: m.library_tracks(track_ids=[ASIN] * 101), "track_ids"),
    ("no track ids", lambda m: m.library_tracks(track_ids=[]), "track_ids"),
    ("playlist ids not a list", lambda m: m.followed_playlists(playlist_ids=12), "playlist_ids"),
    ("artist ids lowercase", lambda m: m.user_followed_artists(DEMO_USER, artist_ids="b000qkgn8w"), "artist_ids[0]"),
    ("no user ids", lambda m: m.users([]), "ids"),
    ("a bad user id among many", lambda m: m.users([DEMO_USER] * 150 + ["BAD"]), "ids[150]"),
]


@pytest.mark.parametrize(("case", "call", "argument"), CASES, ids=[case[0] for case in CASES])
def test_bad_arguments_fail_before_any_request(
    client: AmazonMusic, api: respx.MockRouter, case: str, call: Callable[[Any], Any], argument: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call(client)
    assert caught.value.argument == argument
    assert str(caught.value).startswith(f"{argument}: ")
    assert isinstance(caught.value, ValueError)
    assert api.calls.call_count == 0


ASYNC_CASES: list[tuple[str, Callable[[Any], Any], str]] = [
    ("empty user id", lambda m: m.user(""), "id"),
    ("bad visibility", lambda m: m.update_me(name="n", visibility="X", playback_visibility="PUBLIC"), "visibility"),
    ("no user ids", lambda m: m.users([]), "ids"),
    ("follow artist", lambda m: m.follow_artist("x"), "id"),
]


@pytest.mark.parametrize(("case", "call", "argument"), ASYNC_CASES, ids=[case[0] for case in ASYNC_CASES])
async def test_async_bad_arguments_fail_before_any_request(
    async_client: AsyncAmazonMusic, api: respx.MockRouter, case: str, call: Callable[[Any], Any], argument: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        await call(async_client)
    assert caught.value.argument == argument
    assert api.calls.call_count == 0


async def test_async_listing_arguments_are_checked_when_the_listing_is_made(async_client: AsyncAmazonMusic) -> None:
    with pytest.raises(ValidationError, match="limit"):
        async_client.user_followed_podcast_shows(DEMO_USER, limit=100)


def test_good_id_lists_are_joined(client: AmazonMusic, api: respx.MockRouter) -> None:
    tracks = {"id": DEMO_USER, "libraryTracks": connection([], has_next=False)}
    route = api.get("/v1/me/library/tracks").respond(200, json={"data": {"user": tracks}})
    list(client.library_tracks(track_ids=["B07B62ZK5S", "B06VWVWDDH"]))
    list(client.library_tracks(track_ids="B07B62ZK5S,B06VWVWDDH"))
    assert [call.request.url.params["trackIds"] for call in route.calls] == ["B07B62ZK5S,B06VWVWDDH"] * 2


def test_the_visibility_enum_is_accepted(client: AmazonMusic, api: respx.MockRouter) -> None:
    from amazon_music_generated.models import Visibility

    route = api.put("/v1/me").respond(200, json={"data": {"updateUser": {"id": DEMO_USER}}})
    client.update_me(name="New Name", visibility=Visibility.PRIVATE, playback_visibility="PUBLIC")
    assert route.calls.last.request.read() == (
        b'{"name":"New Name","visibility":"PRIVATE","playbackVisibility":"PUBLIC"}'
    )
