"""What the testing kit builds on: the bare seed, the store's arrange methods, and the choice of fault statuses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from emulator_support import assert_error

from amazon_music_emulator import DEMO_API_KEY, DEMO_USER_ID, EmulatorApp, FaultSettings, create_app
from amazon_music_emulator.seed import DOCS_ARTISTS, open_store


def test_a_bare_store_holds_the_demo_user_and_keys_only(tmp_path: Path) -> None:
    for db in (":memory:", tmp_path / "bare.db"):
        store = open_store(db, False)
        try:
            assert store.user_ids(100) == [DEMO_USER_ID]
            assert store.artist_ids(100) == []
            assert store.get_security_profile(api_key=DEMO_API_KEY) is not None
            assert store.count("followers", DEMO_USER_ID) == 0
            assert store.count("library_tracks", DEMO_USER_ID) == 0
            assert store.is_seeded()
        finally:
            store.close()


async def test_create_app_seed_false_serves_the_demo_user() -> None:
    app = create_app(seed=False, validate_responses=True)
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.test") as http:
            me = await http.get("/v1/me", headers=headers)
            assert me.json()["data"]["user"]["name"] == "Tony Starked"
            followers = await http.get("/v1/me/followers", headers=headers)
            assert followers.json()["data"]["user"]["followers"]["edges"] == []
    finally:
        app.close()


def test_arrange_methods_and_kind_of() -> None:
    store = open_store(":memory:", False)
    try:
        store.add_playlist("B0PLAYLIST", "MIX")
        store.add_track("B0TRACK001", "Song")
        store.add_podcast_show("show-1", "Talk")
        store.add_artist(*DOCS_ARTISTS[0])
        kinds = [store.kind_of(i) for i in (DEMO_USER_ID, DOCS_ARTISTS[0][0], "B0PLAYLIST", "B0TRACK001", "show-1")]
        assert kinds == ["user", "artist", "playlist", "track", "podcast_show"]
        assert store.kind_of("nothing") is None

        assert store.follow_playlist(DEMO_USER_ID, "B0PLAYLIST") is True
        assert store.follow_playlist(DEMO_USER_ID, "B0PLAYLIST") is False
        assert store.follow_podcast_show(DEMO_USER_ID, "show-1") is True
        assert store.save_library_track(DEMO_USER_ID, "B0TRACK001", purchased=True) is True
        assert store.save_library_track(DEMO_USER_ID, "B0TRACK001", uploaded=True) is False  # kept as first saved
        assert store.page("followed_playlists", DEMO_USER_ID, after=0, limit=10).edges[0][1:3] == ("B0PLAYLIST", "MIX")
        assert store.page("followed_podcast_shows", DEMO_USER_ID, after=0, limit=10).edges[0][1] == "show-1"
        assert store.page("library_tracks", DEMO_USER_ID, after=0, limit=10).edges[0][1:] == (
            "B0TRACK001",
            "Song",
            0,
            1,
        )
    finally:
        store.close()


def test_fault_statuses_are_checked_and_drawn_evenly() -> None:
    settings = FaultSettings(fault_rate=1.0, seed=5, fault_statuses=(500, 502, 504))
    drawn = [settings.draw_fault() for _ in range(300)]
    assert set(drawn) == {500, 502, 504}
    assert all(60 <= drawn.count(status) <= 140 for status in (500, 502, 504))
    for bad in ((), (418,), (503, 200)):
        with pytest.raises(ValueError, match=r"^fault_statuses: expected one or more of 429, 500, 502, 503, 504"):
            settings.fault_statuses = bad
    assert settings.fault_statuses == (500, 502, 504)


@pytest.mark.parametrize(
    ("status", "code"), [(500, "INTERNAL_SERVER_ERROR"), (502, "BAD_GATEWAY"), (504, "GATEWAY_TIMEOUT")]
)
async def test_each_fault_status_answers_in_the_documented_error_shape(
    app: EmulatorApp, client: httpx.AsyncClient, headers: dict[str, str], status: int, code: str
) -> None:
    app.faults.fault_statuses = [status]
    app.faults.fault_rate = 1.0
    response = await client.get("/v1/me", headers=headers)
    assert_error(response, status, code)
    assert "retry-after" not in response.headers
