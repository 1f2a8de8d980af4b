"""Two `serve` processes on one PostgreSQL database behave as one server: a write on one is read on the other, a
cursor of one continues on the other, the acceptance walk with requests alternating between them answers what one
process answers, an authorization code or a refresh token raced from both wins once with the answers one process gives,
follows and unfollows of one user raced from both leave one edge or none, and concurrent follow/unfollow pairs spread
over both end consistent; and kill -9 of one loses no write it acknowledged.

"What one process answers" is measured, not assumed: each comparison runs the same requests against one `serve`
process on a database of its own, seeded alike. Only what must differ between two databases is left out of the
comparison: the tokens (cursors signed with each database's key, access and refresh tokens, codes)."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack
from typing import Any

import httpx
import pytest
from emulator_support import SPEC, connection_of, walk
from live_server import running_serve
from postgres_cluster import PostgresCluster
from store_backends import seeded_postgres_database
from test_emulator_docs_walk import DOCS, request_of

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


@pytest.mark.long_running
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


# -- the same requests against two processes and against one -------------------------------------------------------

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def parameter_names(*parameters: dict[str, Any]) -> set[str]:
    """The names of an operation's parameters, references to the spec's components resolved."""
    resolved = [
        SPEC["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p for p in parameters
    ]
    return {parameter["name"] for parameter in resolved}


# The operations that page (a cursor parameter): the walk also reads every page of these.
LISTINGS = {
    f"{method.upper()} {path}"
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in HTTP_METHODS
    and "cursor" in parameter_names(*item.get("parameters", []), *operation.get("parameters", []))
}
RACERS = 8
# The parts of an answer that name a token: they must differ between two databases (each signs its own cursors and
# mints its own tokens), so the comparisons leave them out, and nothing else.
TOKEN_KEYS = {"token", "access_token", "refresh_token"}


class AlternatingTransport(httpx.AsyncBaseTransport):
    """Sends each request to the next of the processes in turn (their base URLs); counts what each was sent."""

    def __init__(self, base_urls: list[str]) -> None:
        self._targets = itertools.cycle([httpx.URL(url) for url in base_urls])
        self._transport = httpx.AsyncHTTPTransport()
        self.sent: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = next(self._targets)
        request.url = request.url.copy_with(scheme=target.scheme, host=target.host, port=target.port)
        self.sent[str(target)] += 1
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._transport.aclose()


def without_tokens(value: Any) -> Any:
    """``value`` with every token-valued key left out (TOKEN_KEYS), at any depth."""
    if isinstance(value, dict):
        return {key: without_tokens(item) for key, item in value.items() if key not in TOKEN_KEYS}
    if isinstance(value, list):
        return [without_tokens(item) for item in value]
    return value


@pytest.fixture(scope="module")
def fresh_deployments(request: pytest.FixtureRequest) -> Iterator[dict[str, list[dict[str, str]]]]:
    """Two deployments on seeded databases of their own, untouched by the module's other tests: ``pair``, two
    processes on one database, and ``single``, one process on another; their banners."""
    with ExitStack() as stack:
        pair_db = stack.enter_context(seeded_postgres_database(request))
        single_db = stack.enter_context(seeded_postgres_database(request))
        pair = [stack.enter_context(running_serve(pair_db)), stack.enter_context(running_serve(pair_db))]
        yield {"pair": pair, "single": [stack.enter_context(running_serve(single_db))]}


Scenario = Callable[[list[httpx.AsyncClient]], Awaitable[list[Any]]]


async def on_both_deployments(deployments: dict[str, list[dict[str, str]]], scenario: Scenario) -> list[list[Any]]:
    """What ``scenario`` records against the pair of processes and against the single one (in that order); its
    clients: one per process, and first an alternating one that sends request after request to each in turn."""
    records = []
    for banners in (deployments["pair"], deployments["single"]):
        urls = [banner["base URL"] for banner in banners]
        alternating = AlternatingTransport(urls)
        async with AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(
                    httpx.AsyncClient(base_url=url, headers=api_headers(banners[0]), timeout=30, transport=transport)
                )
                for url, transport in [(urls[0], alternating), *[(url, None) for url in urls]]
            ]
            records.append(await scenario(clients))
        if len(urls) > 1 and alternating.sent:  # the control: it reached each process, as often as the other
            assert set(alternating.sent) == set(urls), alternating.sent
            assert max(alternating.sent.values()) - min(alternating.sent.values()) <= 1, alternating.sent
    return records


async def acceptance_walk(clients: list[httpx.AsyncClient]) -> list[Any]:
    """The docs' request of every operation in the docs' order (state carries over), then every page of each listing
    among them; each answer's status and body, tokens left out."""
    alternating = clients[0]
    assert {operation.endpoint for operation in DOCS.operations} == {
        f"{method.upper()} {path}" for path, item in SPEC["paths"].items() for method in item if method in HTTP_METHODS
    }  # every operation of the spec is walked
    records: list[Any] = []
    for operation in DOCS.operations:
        method, path, query, body = request_of(operation)
        response = await alternating.request(method, path, params=query, json=body)
        records.append((operation.endpoint, response.status_code, without_tokens(response.json())))
    for operation in DOCS.operations:
        if operation.endpoint in LISTINGS:
            _, path, query, _ = request_of(operation)
            edges = await walk(alternating, path, {}, **query)
            records.append((f"{operation.endpoint}, every page", len(edges), without_tokens(edges)))
    return records


async def test_the_acceptance_walk_alternating_between_processes_answers_what_one_process_does(
    fresh_deployments: dict[str, list[dict[str, str]]],
) -> None:
    on_the_pair, on_one = await on_both_deployments(fresh_deployments, acceptance_walk)
    assert [status for _, status, _ in on_one[: len(DOCS.operations)]] == [200] * len(DOCS.operations)
    assert len(on_one) > len(DOCS.operations)  # the listings were walked page after page too
    for there, here in zip(on_the_pair, on_one, strict=True):
        assert there == here, (there[0], there[1], here[1])


async def raced(clients: list[httpx.AsyncClient], **form: str) -> tuple[list[Any], httpx.Response]:
    """``form`` sent RACERS times at once, spread over the processes; the answers (status and body, tokens left out,
    sorted) and the one that won."""
    answers = await asyncio.gather(*(exchange(clients[n % len(clients)], **form) for n in range(RACERS)))
    winners = [answer for answer in answers if answer.status_code == 200]
    assert len(winners) == 1, [answer.text for answer in answers]
    return sorted(([a.status_code, without_tokens(a.json())] for a in answers), key=repr), winners[0]


async def login_with_amazon_races(clients: list[httpx.AsyncClient]) -> list[Any]:
    """A code raced, then what the winner's access token gets; a refresh token raced, then what the refreshed access
    token gets and what two uses of the rotated refresh token get. Each "then" is two requests, one to each process
    of the pair (both to the one process). Last, a rotation without races, each step on the other process: two
    refreshes, a read with the newest access token, and a reuse of the first refresh token."""
    processes = clients[1:]
    twice = [processes[n % len(processes)] for n in range(2)]
    reads: list[Any] = []

    async def read_everywhere(access_token: str) -> None:
        for process in twice:
            response = await process.get("/v1/me", headers={"Authorization": f"Bearer {access_token}"})
            reads.append((response.status_code, without_tokens(response.json())))

    code = await authorization_code(processes[0])
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    code_race, granted = await raced(processes, **form)
    await read_everywhere(granted.json()["access_token"])  # the replays revoked the grant (RFC 9700), or did not

    fresh = {
        "grant_type": "authorization_code",
        "code": await authorization_code(processes[-1]),
        "redirect_uri": REDIRECT,
    }
    second = await exchange(processes[-1], **fresh)
    assert second.status_code == 200, second.text
    refresh_race, refreshed = await raced(
        processes, grant_type="refresh_token", refresh_token=second.json()["refresh_token"]
    )
    await read_everywhere(refreshed.json()["access_token"])
    rotated = [
        await exchange(process, grant_type="refresh_token", refresh_token=refreshed.json()["refresh_token"])
        for process in twice
    ]

    third = {"grant_type": "authorization_code", "code": await authorization_code(twice[0]), "redirect_uri": REDIRECT}
    first_refresh = (await exchange(twice[0], **third)).json()["refresh_token"]
    rotation = [await exchange(twice[1], grant_type="refresh_token", refresh_token=first_refresh)]
    rotation.append(
        await exchange(twice[0], grant_type="refresh_token", refresh_token=rotation[0].json()["refresh_token"])
    )
    rotation.append(
        await twice[1].get("/v1/me", headers={"Authorization": f"Bearer {rotation[1].json()['access_token']}"})
    )
    rotation.append(await exchange(twice[0], grant_type="refresh_token", refresh_token=first_refresh))
    steps = [(r.status_code, without_tokens(r.json())) for r in rotation]
    return [code_race, refresh_race, reads, [(r.status_code, without_tokens(r.json())) for r in rotated], steps]


async def test_codes_and_refresh_tokens_raced_from_both_processes_win_once_as_on_one_process(
    fresh_deployments: dict[str, list[dict[str, str]]],
) -> None:
    on_the_pair, on_one = await on_both_deployments(fresh_deployments, login_with_amazon_races)
    code_race, refresh_race, reads, rotated, steps = on_one
    for race in (code_race, refresh_race):
        assert sorted(status for status, _ in race) == [200] + [400] * (RACERS - 1)
    # The losers of each race replayed a code or a refresh token: the grant is revoked (RFC 9700), winner's too.
    assert [status for status, _ in reads] == [401] * 4 and [status for status, _ in rotated] == [400] * 2
    assert [status for status, _ in steps] == [200, 200, 200, 400]
    assert on_the_pair == on_one


async def same_user_followed_and_unfollowed_at_once(clients: list[httpx.AsyncClient]) -> list[Any]:
    """One user followed RACERS times at once over the processes, then unfollowed so; after each, what every
    process shows of the edge (the demo user's followed users, the user's followers)."""
    processes = clients[1:]
    records: list[Any] = []
    for method in ("PUT", "DELETE"):
        answers = await asyncio.gather(
            *(processes[n % len(processes)].request(method, f"{FOLLOWED_USERS}/{JANE}") for n in range(RACERS))
        )
        records.append(sorted(answer.status_code for answer in answers))
        for process in processes:
            following = [edge["node"]["id"] for edge in await walk(process, FOLLOWED_USERS, {})]
            followers = [edge["node"]["id"] for edge in await walk(process, f"/v1/users/{JANE}/followers", {})]
            records.append((following.count(JANE), followers.count(DEMO_USER_ID)))
    return records


async def test_one_user_followed_and_unfollowed_from_both_processes_at_once_ends_as_on_one_process(
    fresh_deployments: dict[str, list[dict[str, str]]],
) -> None:
    on_the_pair, on_one = await on_both_deployments(fresh_deployments, same_user_followed_and_unfollowed_at_once)
    assert on_one == [[200] * RACERS, (1, 1), [200] * RACERS, (0, 0)]
    assert on_the_pair == [[200] * RACERS, (1, 1), (1, 1), [200] * RACERS, (0, 0), (0, 0)]
