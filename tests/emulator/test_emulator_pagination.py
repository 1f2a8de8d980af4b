"""Keyset pagination with signed cursors: the token rule, tampering, walks under concurrent inserts, the order."""

from __future__ import annotations

import base64
import re

import httpx
import pytest
from emulator_support import BACKENDS, SPEC, assert_error, connection_of, walk

from amazon_music_emulator import DEMO_USER_ID, EmulatorApp, create_app

# Every test that uses the emulator runs on SQLite and on PostgreSQL.
STORE_BACKENDS = BACKENDS

CURSOR_PATTERN = re.compile(SPEC["components"]["parameters"]["Cursor"]["schema"]["pattern"])
CURSOR_MAX = SPEC["components"]["parameters"]["Cursor"]["schema"]["maxLength"]


async def first_page(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: object
) -> dict[str, object]:
    response = await client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return connection_of(response.json())


async def test_token_is_present_exactly_when_there_is_a_next_page(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    shows = await first_page(client, headers, "/v1/me/followed/podcasts/shows")  # 40 shows, default limit 100
    assert shows["pageInfo"] == {"hasNextPage": False}
    assert shows["edgeCount"] == len(shows["edges"]) == 40
    page = await first_page(client, headers, "/v1/me/followed/podcasts/shows", limit=39)
    assert page["pageInfo"]["hasNextPage"] is True and "token" in page["pageInfo"]
    assert page["edgeCount"] == 39
    last = await first_page(
        client, headers, "/v1/me/followed/podcasts/shows", limit=39, cursor=page["pageInfo"]["token"]
    )
    assert last["pageInfo"] == {"hasNextPage": False}
    assert last["edgeCount"] == 1
    exact = await first_page(client, headers, "/v1/me/followed/podcasts/shows", limit=40)
    assert exact["pageInfo"] == {"hasNextPage": False}  # a full last page has no next page


async def test_cursors_match_the_spec_pattern_and_length(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for path in ("/v1/me/followers", "/v1/me/library/tracks", f"/v1/users/{DEMO_USER_ID}/followed/artists"):
        token = (await first_page(client, headers, path, limit=1))["pageInfo"]["token"]
        assert isinstance(token, str) and CURSOR_PATTERN.match(token) and len(token) <= CURSOR_MAX


async def test_walk_returns_each_item_once_in_a_stable_order(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    by_7 = [e["node"]["id"] for e in await walk(client, "/v1/me/followers", headers, limit=7)]
    by_100 = [e["node"]["id"] for e in await walk(client, "/v1/me/followers", headers)]
    assert by_7 == by_100
    assert len(set(by_7)) == len(by_7)
    # Oldest follow first: the docs' followers (Jane M, Amit) were the first to follow.
    assert by_7[:2] == ["uj7wxenmftr26zlg7eo4maa744", "zz2hu7x4v2u2bhzyh5bsb4xvje"]


async def test_walk_while_items_are_added_returns_every_original_item_once(
    client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp
) -> None:
    original = [e["node"]["id"] for e in await walk(client, "/v1/me/library/tracks", headers)]
    seen: list[str] = []
    cursor = None
    added = 0
    while True:
        params: dict[str, object] = {"limit": 13}
        if cursor:
            params["cursor"] = cursor
        connection = await first_page(client, headers, "/v1/me/library/tracks", **params)
        seen += [edge["node"]["id"] for edge in connection["edges"]]
        for _ in range(3):  # others add to the library between our pages
            app.store.add_library_track(DEMO_USER_ID, f"B9{added:08d}", f"New {added}")
            added += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        cursor = connection["pageInfo"]["token"]
    assert [item for item in seen if item in set(original)] == original
    assert len(seen) == len(set(seen))


async def test_a_tampered_cursor_is_400_naming_cursor(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    token = (await first_page(client, headers, "/v1/me/followers", limit=5))["pageInfo"]["token"]
    payload, signature = token.rsplit(".", 1)
    forged_payload = base64.urlsafe_b64encode(b'["followers","zqll6htnhyb2welrqsrtrhdvaa",0]').rstrip(b"=").decode()
    for tampered in (
        f"{forged_payload}.{signature}",
        f"{payload}.{signature[:-2]}AA",
        payload,
        "garbage",
        token + "x",
    ):
        response = await client.get("/v1/me/followers", headers=headers, params={"cursor": tampered})
        assert_error(response, 400, "BAD_REQUEST", names="cursor: ")


async def test_a_cursor_from_another_listing_or_user_is_400(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    followers = (await first_page(client, headers, "/v1/me/followers", limit=5))["pageInfo"]["token"]
    other_user = "zqll6htnhy34fqsrtrhdvaa"
    theirs = (await first_page(client, headers, f"/v1/users/{other_user}/followers", limit=2))["pageInfo"]["token"]
    # Another listing of the same user:
    response = await client.get("/v1/me/followed/users", headers=headers, params={"cursor": followers})
    assert_error(response, 400, "BAD_REQUEST", names="cursor: ")
    # The same listing of another user:
    response = await client.get("/v1/me/followers", headers=headers, params={"cursor": theirs})
    assert_error(response, 400, "BAD_REQUEST", names="cursor: ")
    # The same listing and user by its other path works:
    response = await client.get(f"/v1/users/{DEMO_USER_ID}/followers", headers=headers, params={"cursor": followers})
    assert response.status_code == 200


async def test_a_cursor_from_another_emulator_is_400(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    other = create_app(":memory:")
    try:
        grant = other.mint_token()
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://other.test") as them:
            other_headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
            token = (await first_page(them, other_headers, "/v1/me/followers", limit=5))["pageInfo"]["token"]
    finally:
        other.close()
    response = await client.get("/v1/me/followers", headers=headers, params={"cursor": token})
    assert_error(response, 400, "BAD_REQUEST", names="cursor: ")


@pytest.mark.parametrize("limit", [1, 2, 36])
async def test_edge_count_counts_this_pages_edges(
    client: httpx.AsyncClient, headers: dict[str, str], limit: int
) -> None:
    page = await first_page(client, headers, f"/v1/users/{DEMO_USER_ID}/followed/podcasts/shows", limit=limit)
    assert page["edgeCount"] == len(page["edges"]) == limit
