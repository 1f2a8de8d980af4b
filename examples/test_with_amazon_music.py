"""Testing your own code against the Amazon Music emulator: a complete pytest file to copy.

Needs: pip install "amazon-music-webapi[emulator]" pytest pytest-asyncio
No API key, no network: the emulator runs in the test's process, with a fresh store for every test.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from amazon_music import AmazonMusic, AsyncAmazonMusic, RetryPolicy, ServerError
from amazon_music.testing import Emulator, emulate

# -- the code under test (yours) ------------------------------------------------------------------------------------


def fan_names(music: AmazonMusic) -> list[str]:
    """The names of the current user's followers, sorted."""
    return sorted(follower.name or "?" for follower in music.followers())


def follow_all(music: AmazonMusic, artist_ids: list[str]) -> int:
    """Follow every artist; how many were followed."""
    for artist_id in artist_ids:
        music.follow_artist(artist_id)
    return len(artist_ids)


async def library_size(music: AsyncAmazonMusic) -> int:
    return sum([1 async for _ in music.library_tracks()])


def profile_name(base_url: str, headers: dict[str, str]) -> str:
    """Code that does not use httpx at all."""
    request = urllib.request.Request(f"{base_url}/v1/me", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["data"]["user"]["name"])


# -- the tests ------------------------------------------------------------------------------------------------------


@pytest.mark.amazon_music(seed=False)  # start from the demo user alone, and arrange what the test needs
def test_fan_names(amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic) -> None:
    emulator = amazon_music_emulator
    for name in ("Zoe", "Ada"):
        fan = emulator.add_user(name)
        emulator.follow(fan, emulator.demo_user)
    emulator.add_user("Not a fan")

    assert fan_names(amazon_music_client) == ["Ada", "Zoe"]


def test_follow_all_on_the_seeded_data(amazon_music_emulator: Emulator, amazon_music_client: AmazonMusic) -> None:
    before = len(list(amazon_music_client.followed_playlists()))  # the seed: 120 followed playlists
    artists = [amazon_music_emulator.add_artist(f"Band {n}") for n in range(3)]

    assert follow_all(amazon_music_client, artists) == 3
    followed = {artist.id for artist in amazon_music_client.user_followed_artists(amazon_music_emulator.demo_user)}
    assert set(artists) <= followed
    assert len(list(amazon_music_client.followed_playlists())) == before


def test_another_user_and_a_fresh_store_per_test(amazon_music_emulator: Emulator) -> None:
    private = amazon_music_emulator.add_user("Private person", visibility="PRIVATE")
    with amazon_music_emulator.client(user=private) as music:
        assert music.me().name == "Private person"
        assert fan_names(music) == []


def test_faults_change_mid_test(amazon_music_emulator: Emulator) -> None:
    no_retries = amazon_music_emulator.client(max_retries=0)
    amazon_music_emulator.faults(1.0, status=503)  # every API request fails from here on
    with pytest.raises(ServerError):
        no_retries.me()

    amazon_music_emulator.faults(0.3, status=[429, 503], retry_after=0)  # some fail; retrying gets through
    patient = amazon_music_emulator.client(retry_policy=RetryPolicy(max_retries=8, backoff=lambda retry: 0.0))
    assert "Jane M" in fan_names(patient)  # every page of the seeded followers, despite the faults

    with amazon_music_emulator.latency(20):  # 20 ms before each answer, inside this block only
        assert patient.me().name == "Tony Starked"


@pytest.mark.asyncio
@pytest.mark.amazon_music(seed=False)
async def test_async_code(amazon_music_emulator: Emulator, amazon_music_async_client: AsyncAmazonMusic) -> None:
    for title in ("Yellow", "Clocks", "Fix You"):
        amazon_music_emulator.like(amazon_music_emulator.demo_user, amazon_music_emulator.add_track(title))

    assert await library_size(amazon_music_async_client) == 3


def test_code_without_httpx_gets_a_real_server(amazon_music_emulator: Emulator) -> None:
    base_url = amazon_music_emulator.serve()  # http://127.0.0.1:<free port>, stopped after the test
    assert profile_name(base_url, amazon_music_emulator.headers()) == "Tony Starked"


def test_without_the_fixtures() -> None:
    with emulate(seed=False) as emulator, emulator.client() as music:
        artist = emulator.add_artist("Coldplay")
        music.follow_artist(artist)
        assert [a.name for a in music.user_followed_artists(emulator.demo_user)] == ["Coldplay"]


@emulate(seed=False)
def test_as_a_decorator(emulator: Emulator) -> None:
    assert fan_names(emulator.client()) == []
