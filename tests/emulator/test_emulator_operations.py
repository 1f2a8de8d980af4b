"""Every operation with real state: what one call changes, the next call shows."""

from __future__ import annotations

import httpx
import pytest
from emulator_support import BACKENDS, assert_error, connection_of, walk

from amazon_music_emulator import DEMO_USER_ID, PRIVATE_USER_ID, EmulatorApp

# Every test that uses the emulator runs on SQLite and on PostgreSQL.
STORE_BACKENDS = BACKENDS

COLDPLAY = "B000QKGN8W"
AMIT = "zz2hu7x4ert4gferzyh5bsb4xvje"  # not followed by the demo user in the seed
JANE = "uj7wxenmftr26zlg7eo4maa744"


async def followed_artist_ids(
    client: httpx.AsyncClient, headers: dict[str, str], user_id: str = DEMO_USER_ID
) -> list[str]:
    return [edge["node"]["id"] for edge in await walk(client, f"/v1/users/{user_id}/followed/artists", headers)]


async def test_get_current_user_is_the_tokens_user(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/v1/me", headers=headers)
    assert response.status_code == 200
    user = response.json()["data"]["user"]
    assert user["id"] == DEMO_USER_ID
    assert user["name"] == "Tony Starked"
    assert user["tier"] == "UNLIMITED"


async def test_put_me_changes_get_me_and_get_user(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    update = {"name": "Tony Stark", "visibility": "PRIVATE", "playbackVisibility": "PRIVATE"}
    response = await client.put("/v1/me", headers=headers, json=update)
    assert response.status_code == 200
    updated = response.json()["data"]["updateUser"]
    assert (updated["name"], updated["visibility"], updated["playbackVisibility"]) == (
        "Tony Stark",
        "PRIVATE",
        "PRIVATE",
    )
    me = (await client.get("/v1/me", headers=headers)).json()["data"]["user"]
    other_view = (await client.get(f"/v1/users/{DEMO_USER_ID}", headers=headers)).json()["data"]["user"]
    for user in (me, other_view):
        assert (user["name"], user["visibility"], user["playbackVisibility"]) == ("Tony Stark", "PRIVATE", "PRIVATE")


async def test_follow_artist_shows_in_followed_artists_and_unfollow_removes(
    client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp
) -> None:
    already = await followed_artist_ids(client, headers)
    artist = next(a for a in app.store.artist_ids(500) if a not in already)
    response = await client.put(f"/v1/me/followed/artists/{artist}", headers=headers)
    assert response.status_code == 200
    result = response.json()["data"]["followArtist"]
    assert (result["artist"]["id"], result["followState"]) == (artist, "FOLLOW")
    followed = await followed_artist_ids(client, headers)
    assert followed[-1] == artist  # oldest first: a new follow comes last
    response = await client.delete(f"/v1/me/followed/artists/{artist}", headers=headers)
    assert response.status_code == 200
    assert response.json()["data"]["unfollowArtist"]["followState"] == "UNFOLLOW"
    assert artist not in await followed_artist_ids(client, headers)


async def test_follow_and_unfollow_artist_are_idempotent(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    before = await followed_artist_ids(client, headers)
    assert COLDPLAY in before
    for _ in range(2):
        response = await client.put(f"/v1/me/followed/artists/{COLDPLAY}", headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["followArtist"]["followState"] == "FOLLOW"
    assert await followed_artist_ids(client, headers) == before  # no duplicate, no move
    for _ in range(2):
        response = await client.delete(f"/v1/me/followed/artists/{COLDPLAY}", headers=headers)
        assert response.status_code == 200
    after = await followed_artist_ids(client, headers)
    assert COLDPLAY not in after
    assert len(after) == len(before) - 1


async def test_follow_user_updates_both_sides_and_unfollow_undoes_both(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async def followed_by_me() -> list[str]:
        return [e["node"]["id"] for e in await walk(client, "/v1/me/followed/users", headers)]

    async def followers_of_amit() -> list[str]:
        return [e["node"]["id"] for e in await walk(client, f"/v1/users/{AMIT}/followers", headers)]

    assert AMIT not in await followed_by_me()
    assert DEMO_USER_ID not in await followers_of_amit()
    for _ in range(2):  # idempotent
        response = await client.put(f"/v1/me/followed/users/{AMIT}", headers=headers)
        assert response.status_code == 200
        result = response.json()["data"]["followUser"]
        assert (result["user"]["id"], result["followState"]) == (AMIT, "FOLLOW")
    assert (await followed_by_me()).count(AMIT) == 1
    assert (await followers_of_amit()).count(DEMO_USER_ID) == 1
    for _ in range(2):
        response = await client.delete(f"/v1/me/followed/users/{AMIT}", headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["unfollowUser"]["followState"] == "UNFOLLOW"
    assert AMIT not in await followed_by_me()
    assert DEMO_USER_ID not in await followers_of_amit()


async def test_following_yourself_is_400(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.put(f"/v1/me/followed/users/{DEMO_USER_ID}", headers=headers)
    assert_error(response, 400, "BAD_REQUEST", names="id")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/me/followed/artists/B000ZZZZZZ"),
        ("DELETE", "/v1/me/followed/artists/B000ZZZZZZ"),
        ("PUT", "/v1/me/followed/users/nosuchuser"),
        ("DELETE", "/v1/me/followed/users/nosuchuser"),
        ("GET", "/v1/users/nosuchuser"),
        ("GET", "/v1/users/nosuchuser/followers"),
        ("GET", "/v1/users/nosuchuser/followed/users"),
        ("GET", "/v1/users/nosuchuser/followed/artists"),
        ("GET", "/v1/users/nosuchuser/followed/podcasts/shows"),
    ],
)
async def test_unknown_artist_or_user_is_404(
    client: httpx.AsyncClient, headers: dict[str, str], method: str, path: str
) -> None:
    response = await client.request(method, path, headers=headers)
    message = assert_error(response, 404, "NOT_FOUND", names="id: ")
    assert path.rsplit("/", 1)[-1] in message or "nosuchuser" in message


async def test_get_users_keeps_order_drops_unknown_and_repeats(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    ids = ["q4rno6sdfhqers7dnoiq", "nosuchuser", JANE, "q4rno6sdfhqers7dnoiq", DEMO_USER_ID]
    response = await client.get("/v1/users", headers=headers, params={"ids": ",".join(ids)})
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["data"]["users"]] == ["q4rno6sdfhqers7dnoiq", JANE, DEMO_USER_ID]


async def test_get_users_takes_1_to_100_ids(
    client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp
) -> None:
    hundred = app.store.user_ids(100)
    response = await client.get("/v1/users", headers=headers, params={"ids": ",".join(hundred)})
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["data"]["users"]] == hundred
    too_many = app.store.user_ids(101)
    assert_error(await client.get("/v1/users", headers=headers, params={"ids": ",".join(too_many)}), 400, names="ids")
    assert_error(await client.get("/v1/users", headers=headers, params={"ids": ""}), 400, names="ids")
    assert_error(await client.get("/v1/users", headers=headers), 400, names="ids")


async def test_private_users_lists_are_403_to_others_and_visible_to_themselves(
    client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp
) -> None:
    lists = ("followers", "followed/users", "followed/artists", "followed/podcasts/shows")
    for name in lists:
        response = await client.get(f"/v1/users/{PRIVATE_USER_ID}/{name}", headers=headers)
        assert_error(response, 403, "PRIVATE_USER", names=PRIVATE_USER_ID)
    profile = await client.get(f"/v1/users/{PRIVATE_USER_ID}", headers=headers)
    assert profile.status_code == 200  # the profile itself stays visible
    assert profile.json()["data"]["user"]["visibility"] == "PRIVATE"
    own = app.mint_token(PRIVATE_USER_ID)
    own_headers = {"x-api-key": own.api_key, "Authorization": f"Bearer {own.access_token}"}
    for name in lists:
        response = await client.get(f"/v1/users/{PRIVATE_USER_ID}/{name}", headers=own_headers)
        assert response.status_code == 200, response.text
        assert connection_of(response.json())["edgeCount"] >= 1


async def test_going_private_hides_your_lists_from_others(
    client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp
) -> None:
    jane = app.mint_token(JANE)
    jane_headers = {"x-api-key": jane.api_key, "Authorization": f"Bearer {jane.access_token}"}
    assert (await client.get(f"/v1/users/{DEMO_USER_ID}/followers", headers=jane_headers)).status_code == 200
    update = {"name": "Tony Starked", "visibility": "PRIVATE", "playbackVisibility": "PUBLIC"}
    assert (await client.put("/v1/me", headers=headers, json=update)).status_code == 200
    assert_error(await client.get(f"/v1/users/{DEMO_USER_ID}/followers", headers=jane_headers), 403, "PRIVATE_USER")
    assert (await client.get(f"/v1/users/{DEMO_USER_ID}/followers", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("path", "parameter", "known"),
    [
        ("/v1/me/library/tracks", "trackIds", ["B07B62ZK5S", "B06VWVWDDH"]),
        ("/v1/me/followed/playlists", "playlistIds", ["B01LS62KK2", "B01LOXC1UI"]),
        (f"/v1/users/{DEMO_USER_ID}/followed/artists", "artistIds", ["B000QKGN8W", "B000S2A8NE"]),
    ],
)
async def test_id_filters_restrict_a_listing_to_the_given_ids(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, parameter: str, known: list[str]
) -> None:
    # Listed in reverse, with one ID the user does not have: the result keeps the listing's order and leaves it out.
    asked = [known[1], "B0ZZZZZZZZ", known[0]]
    edges = await walk(client, path, headers, **{parameter: ",".join(asked)})
    assert [edge["node"]["id"] for edge in edges] == known
    edges = await walk(client, path, headers, **{parameter: ",".join(asked)}, limit=1)
    assert [edge["node"]["id"] for edge in edges] == known  # the filter holds across pages


async def test_library_tracks_edges_carry_uploaded_and_purchased(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    edges = await walk(client, "/v1/me/library/tracks", headers)
    assert len(edges) >= 300
    assert all(isinstance(e["uploaded"], bool) and isinstance(e["purchased"], bool) for e in edges)
    assert any(e["purchased"] for e in edges) and not all(e["purchased"] for e in edges)


@pytest.mark.parametrize(
    ("path", "minimum"),
    [
        ("/v1/me/followers", 250),
        ("/v1/me/followed/users", 150),
        (f"/v1/users/{DEMO_USER_ID}/followed/artists", 120),
        ("/v1/me/followed/playlists", 120),
        ("/v1/me/followed/podcasts/shows", 40),
        ("/v1/me/library/tracks", 300),
    ],
)
async def test_demo_user_lists_have_the_seeded_sizes(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, minimum: int
) -> None:
    edges = await walk(client, path, headers)
    ids = [edge["node"]["id"] for edge in edges]
    assert len(ids) >= minimum
    assert len(set(ids)) == len(ids)


async def test_user_podcast_shows_page_at_most_36(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get(f"/v1/users/{DEMO_USER_ID}/followed/podcasts/shows", headers=headers)
    assert response.status_code == 200
    assert connection_of(response.json())["edgeCount"] == 36  # the default and maximum here
    assert_error(
        await client.get(f"/v1/users/{DEMO_USER_ID}/followed/podcasts/shows?limit=37", headers=headers),
        400,
        names="limit",
    )
