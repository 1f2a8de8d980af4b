"""Arrange helpers: what add_user, add_artist, ..., follow and like put in the store is what the API then answers."""

from __future__ import annotations

import re

import pytest

from amazon_music import AmazonMusic, NotFoundError, PermissionDeniedError
from amazon_music.testing import Emulator, emulate

pytestmark = pytest.mark.amazon_music(seed=False)

JANE_M = "uj7wxenmftr26zlg7eo4maa744"  # a user of the seed (the docs' examples)


def test_a_bare_store_holds_the_demo_user_only(
    amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic
) -> None:
    me = amazon_music_client.me()
    assert (me.id, me.name) == (amazon_music_emulator.demo_user, "Tony Starked")
    assert list(amazon_music_client.followers()) == []
    assert list(amazon_music_client.followed_users()) == []
    assert list(amazon_music_client.followed_playlists()) == []
    assert list(amazon_music_client.followed_podcast_shows()) == []
    assert list(amazon_music_client.library_tracks()) == []
    assert list(amazon_music_client.user_followed_artists(me.id)) == []
    with pytest.raises(NotFoundError):
        amazon_music_client.user(JANE_M)


@pytest.mark.amazon_music(seed=True)
def test_the_seed_is_there_by_default(amazon_music_client: AmazonMusic) -> None:
    assert amazon_music_client.user(JANE_M).name == "Jane M"
    assert len(list(amazon_music_client.followers())) >= 250


def test_add_user_is_visible_through_the_api(amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic) -> None:
    private = amazon_music_emulator.add_user("Jo", visibility="private")  # case does not matter
    profile = amazon_music_client.user(private)
    assert (profile.name, str(profile.visibility), str(profile.playback_visibility)) == ("Jo", "PRIVATE", "PRIVATE")
    with pytest.raises(PermissionDeniedError):
        list(amazon_music_client.user_followers(private))  # a PRIVATE user's lists are theirs only
    with amazon_music_emulator.client(user=private) as as_private:
        assert as_private.me().id == private
        assert list(as_private.user_followers(private)) == []

    public = amazon_music_emulator.add_user(visibility="PUBLIC", playback_visibility="PRIVATE", tier="FREE")
    profile = amazon_music_client.user(public)
    assert isinstance(profile.name, str) and profile.name.startswith("Test User")
    assert (profile.tier, str(profile.visibility), str(profile.playback_visibility)) == ("FREE", "PUBLIC", "PRIVATE")


def test_follow_takes_every_kind_of_target(amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic) -> None:
    emulator = amazon_music_emulator
    demo = emulator.demo_user
    fan, idol = emulator.add_user("Fan"), emulator.add_user("Idol")
    artist, playlist = emulator.add_artist("Coldplay"), emulator.add_playlist("ROAD TRIP")
    show = emulator.add_podcast_show("Crime Junkie")

    assert emulator.follow(fan, demo) is True
    assert emulator.follow(fan, demo) is False  # already following: nothing changes
    for target in (idol, artist, playlist, show):
        assert emulator.follow(demo, target) is True

    assert [(u.id, u.name) for u in amazon_music_client.followers()] == [(fan, "Fan")]
    assert [u.id for u in amazon_music_client.followed_users()] == [idol]
    assert [(a.id, a.name) for a in amazon_music_client.user_followed_artists(demo)] == [(artist, "Coldplay")]
    assert [(p.id, p.name) for p in amazon_music_client.followed_playlists()] == [(playlist, "ROAD TRIP")]
    assert [(s.id, s.title) for s in amazon_music_client.followed_podcast_shows()] == [(show, "Crime Junkie")]
    with emulator.client(user=fan) as as_fan:
        assert [u.id for u in as_fan.followed_users()] == [demo]


def test_like_saves_tracks_in_the_library_in_order(
    amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic
) -> None:
    demo = amazon_music_emulator.demo_user
    first, second = amazon_music_emulator.add_track("One"), amazon_music_emulator.add_track("Two")
    assert amazon_music_emulator.like(demo, second, purchased=True) is True
    assert amazon_music_emulator.like(demo, first, uploaded=True) is True
    assert amazon_music_emulator.like(demo, first) is False  # already there: kept as it was

    edges = list(amazon_music_client.library_tracks())
    assert [(e.node.id, e.uploaded, e.purchased) for e in edges] == [(second, False, True), (first, True, False)]


def test_explicit_ids_are_checked(amazon_music_emulator: Emulator) -> None:
    emulator = amazon_music_emulator
    assert emulator.add_artist("Coldplay", id="B000QKGN8W") == "B000QKGN8W"
    assert emulator.add_user("Named", id="abc123") == "abc123"
    with pytest.raises(ValueError, match="id: 'B000QKGN8W' is already an artist"):
        emulator.add_playlist(id="B000QKGN8W")
    with pytest.raises(ValueError, match="id: 'abc123' is already a user"):
        emulator.add_user(id="abc123")
    for make, bad in (
        (emulator.add_user, "Has Caps"),
        (emulator.add_artist, "B0SHORT"),
        (emulator.add_track, "b07b62zk5s"),
        (emulator.add_podcast_show, "a/b"),
    ):
        with pytest.raises(ValueError, match=r"^id: expected a"):
            make(id=bad)


def test_bad_arrange_arguments_name_the_argument(amazon_music_emulator: Emulator) -> None:
    emulator = amazon_music_emulator
    demo = emulator.demo_user
    track = emulator.add_track()
    with pytest.raises(ValueError, match=r"^visibility: expected PUBLIC or PRIVATE"):
        emulator.add_user(visibility="FRIENDS")
    with pytest.raises(ValueError, match=r"^playback_visibility: "):
        emulator.add_user(playback_visibility="nobody")
    with pytest.raises(ValueError, match=r"^name: expected a non-empty string"):
        emulator.add_artist("  ")
    with pytest.raises(ValueError, match=r"^who: no user 'nobody'"):
        emulator.follow("nobody", demo)
    with pytest.raises(ValueError, match=r"^target: no user, artist, playlist or podcast show 'B0NOTHING0'"):
        emulator.follow(demo, "B0NOTHING0")
    with pytest.raises(ValueError, match="cannot follow themselves"):
        emulator.follow(demo, demo)
    with pytest.raises(ValueError, match=r"is a track; like\(user, track\)"):
        emulator.follow(demo, track)
    with pytest.raises(ValueError, match=r"^track: no track"):
        emulator.like(demo, emulator.add_artist())
    with pytest.raises(ValueError, match=r"^user: no user"):
        emulator.like("nobody", track)


def test_arranged_ids_have_the_documented_shapes_and_repeat_from_run_to_run() -> None:
    def arrange(emulator: Emulator) -> list[str]:
        return [
            emulator.add_user(),
            emulator.add_artist(),
            emulator.add_playlist(),
            emulator.add_track(),
            emulator.add_podcast_show(),
        ]

    with emulate(seed=False) as first, emulate(seed=False) as second:
        ids = arrange(first)
        assert arrange(second) == ids
    user, artist, playlist, track, show = ids
    assert re.fullmatch(r"[a-z0-9]{26}", user)
    assert all(re.fullmatch(r"[A-Z0-9]{10}", asin) for asin in (artist, playlist, track))
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", show)


def test_arranged_ids_never_take_a_seeded_one() -> None:
    with emulate() as emulator:
        users_before = emulator.store.user_ids(100_000)
        made = [emulator.add_user() for _ in range(30)]
        assert len(set(made)) == 30
        assert not set(made) & set(users_before)


def test_seed_sizes_set_the_demo_users_lists() -> None:
    with emulate(followers=5, library_tracks=4) as small, emulate(followers=9, library_tracks=4) as larger:
        with small.client() as music:
            assert len(list(music.library_tracks())) == 4
            small_followers = len(list(music.followers()))
        with larger.client() as music:
            assert len(list(music.followers())) - small_followers == 4
    with pytest.raises(ValueError, match=r"^followers: a seed size needs seed=True"), emulate(seed=False, followers=3):
        pass
    with pytest.raises(ValueError, match="followers must be at least 2"), emulate(followers=1):
        pass
