"""Two `serve` processes on one PostgreSQL database behave as one server: a write on one is read on the other, a
cursor of one continues on the other, an authorization code or a refresh token raced from both wins once, and
concurrent follow/unfollow pairs spread over both end consistent; and kill -9 of one loses no write it acknowledged."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from emulator_support import connection_of, walk
from live_server import running_serve
from postgres_cluster import PostgresCluster

from amazon_music_emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USER_ID, Store

REDIRECT = "http://127.0.0.1:53682/callback"  # a registered loopback URL, on any port
JANE = "uj7wxenmftr26zlg7eo4maa744"
PAIRS = 50
FOLLOWED_USERS = "/v1/me/followed/users"


def api_headers(banner: dict[str, str]) -> dict[str, str]:
    """The API credentials a `serve` banner printed."""
    return {"x-api-key": banner["x-api-key"], "Authorization": f"Bearer {banner['Authorization']}"}


@pytest.fixture(scope="module")
def shared_db(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A new PostgreSQL database for the module's two emulators."""
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(scope="module")
def two_servers(shared_db: str) -> Iterator[list[dict[str, str]]]:
    """Two emulators on one PostgreSQL database (the first seeds it); their banners."""
    with running_serve(shared_db) as first, running_serve(shared_db) as second:
        yield [first, second]


@pytest.fixture
async def clients(two_servers: list[dict[str, str]]) -> AsyncIterator[list[httpx.AsyncClient]]:
    """A client per process, each with the credentials its banner printed."""
    first_banner, second_banner = two_servers
    async with (
        httpx.AsyncClient(base_url=first_banner["base URL"], headers=api_headers(first_banner), timeout=30) as first,
        httpx.AsyncClient(base_url=second_banner["base URL"], headers=api_headers(second_banner), timeout=30) as second,
    ):
        yield [first, second]


def test_the_two_processes_are_two(two_servers: list[dict[str, str]]) -> None:
    assert two_servers[0]["pid"] != two_servers[1]["pid"]
    assert two_servers[0]["base URL"] != two_servers[1]["base URL"]


async def test_a_token_minted_by_one_process_works_on_the_other(clients: list[httpx.AsyncClient]) -> None:
    first, second = clients
    assert (await second.get("/v1/me", headers=dict(first.headers))).status_code == 200
    assert (await first.get("/v1/me", headers=dict(second.headers))).status_code == 200


async def test_writes_on_one_process_are_read_on_the_other(clients: list[httpx.AsyncClient]) -> None:
    first, second = clients
    assert (await first.put(f"/v1/me/followed/users/{JANE}")).status_code == 200
    following = {edge["node"]["id"] for edge in await walk(second, "/v1/me/followed/users", {})}
    assert JANE in following
    assert (await second.delete(f"/v1/me/followed/users/{JANE}")).status_code == 200
    following = {edge["node"]["id"] for edge in await walk(first, "/v1/me/followed/users", {})}
    assert JANE not in following


async def test_a_cursor_of_one_process_continues_on_the_other(clients: list[httpx.AsyncClient]) -> None:
    first, second = clients
    whole = [edge["node"]["id"] for edge in await walk(first, "/v1/me/library/tracks", {})]
    page = connection_of((await first.get("/v1/me/library/tracks", params={"limit": 10})).json())
    assert page["pageInfo"]["hasNextPage"]
    rest = await second.get("/v1/me/library/tracks", params={"limit": 10, "cursor": page["pageInfo"]["token"]})
    assert rest.status_code == 200, rest.text
    ids = [edge["node"]["id"] for edge in [*page["edges"], *connection_of(rest.json())["edges"]]]
    assert ids == whole[:20]


async def authorization_code(client: httpx.AsyncClient) -> str:
    query = {"client_id": DEMO_CLIENT_ID, "scope": "music::profile", "response_type": "code"}
    response = await client.get("/ap/oa", params={**query, "redirect_uri": REDIRECT, "user_id": JANE})
    assert response.status_code == 302, response.text
    return str(httpx.URL(response.headers["location"]).params["code"])


async def exchange(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    """A token request as a confidential client (its credentials in the form, no API headers)."""
    credentials = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}
    async with httpx.AsyncClient(base_url=client.base_url, timeout=30) as bare:
        return await bare.post("/auth/o2/token", data={**form, **credentials})


async def test_a_code_and_a_refresh_token_raced_from_both_processes_win_once(clients: list[httpx.AsyncClient]) -> None:
    code = await authorization_code(clients[0])
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    answers = await asyncio.gather(*(exchange(clients[n % 2], **form) for n in range(8)))
    assert sorted(answer.status_code for answer in answers) == [200] + [400] * 7, [a.text for a in answers]
    # The replays above revoked that grant (RFC 9700): the refresh race needs a grant of its own.
    fresh = {"grant_type": "authorization_code", "code": await authorization_code(clients[1]), "redirect_uri": REDIRECT}
    granted = await exchange(clients[1], **fresh)
    assert granted.status_code == 200, granted.text
    form = {"grant_type": "refresh_token", "refresh_token": granted.json()["refresh_token"]}
    answers = await asyncio.gather(*(exchange(clients[n % 2], **form) for n in range(8)))
    assert sorted(answer.status_code for answer in answers) == [200] + [400] * 7, [a.text for a in answers]


async def test_concurrent_follow_unfollow_pairs_over_both_processes_end_consistent(
    clients: list[httpx.AsyncClient], shared_db: str
) -> None:
    first, second = clients
    before = {edge["node"]["id"] for edge in await walk(first, FOLLOWED_USERS, {})}
    with Store(shared_db) as store:
        candidates = [user for user in store.user_ids(10_000) if user != DEMO_USER_ID]
    fresh = [user for user in candidates if user not in before]
    paired, kept = fresh[:PAIRS], fresh[PAIRS : PAIRS + 10]
    assert len(kept) == 10  # the control: there are enough users the demo user does not follow

    async def pair(n: int) -> None:
        """Follow on one process, then unfollow on the other: the user ends unfollowed."""
        follow, unfollow = (first, second) if n % 2 else (second, first)
        assert (await follow.put(f"/v1/me/followed/users/{paired[n]}")).status_code == 200
        assert (await unfollow.delete(f"/v1/me/followed/users/{paired[n]}")).status_code == 200

    async def keep(n: int) -> None:
        assert (await clients[n % 2].put(f"/v1/me/followed/users/{kept[n]}")).status_code == 200

    await asyncio.gather(*(pair(n) for n in range(PAIRS)), *(keep(n) for n in range(len(kept))))
    on_first = {edge["node"]["id"] for edge in await walk(first, FOLLOWED_USERS, {})}
    on_second = {edge["node"]["id"] for edge in await walk(second, FOLLOWED_USERS, {})}
    assert on_first == on_second == before | set(kept)


async def test_kill_9_of_one_process_mid_writes_loses_no_acknowledged_write(postgres_cluster: PostgresCluster) -> None:
    """A pair of its own (this test kills one): follows sent to the victim until it is killed; every follow it
    acknowledged is on the survivor, which keeps serving."""
    url = postgres_cluster.new_database()
    try:
        with running_serve(url) as victim, running_serve(url) as survivor:
            with Store(url) as store:
                targets = [user for user in store.user_ids(10_000) if user != DEMO_USER_ID]
            acknowledged: list[str] = []
            async with httpx.AsyncClient(base_url=victim["base URL"], headers=api_headers(victim), timeout=5) as client:

                async def follow(user: str) -> None:
                    try:
                        response = await client.put(f"/v1/me/followed/users/{user}")
                    except httpx.TransportError:
                        return  # sent when the victim died: no answer, no promise
                    if response.status_code == 200:
                        acknowledged.append(user)

                writes = [asyncio.create_task(follow(user)) for user in targets[:200]]
                while len(acknowledged) < 20 and not all(write.done() for write in writes):
                    await asyncio.sleep(0.01)
                os.kill(int(victim["pid"]), signal.SIGKILL)
                await asyncio.gather(*writes)
            assert 20 <= len(acknowledged) < len(writes)  # the control: killed mid-writes
            async with httpx.AsyncClient(
                base_url=survivor["base URL"], headers=api_headers(survivor), timeout=30
            ) as client:
                following = {edge["node"]["id"] for edge in await walk(client, FOLLOWED_USERS, {})}
                assert set(acknowledged) <= following
                assert (await client.put(f"/v1/me/followed/users/{targets[-1]}")).status_code == 200
    finally:
        postgres_cluster.drop_database(url)
