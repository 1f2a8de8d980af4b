"""Round trips to the store per request (issue #17): authentication brings the principal's own user row, and another
user's listing reads its owner with the page; the answers, and the order of their failures, stay as they were."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from emulator_support import BACKENDS, assert_error, connection_of, walk

from amazon_music_emulator import DEMO_USER_ID, PRIVATE_USER_ID, EmulatorApp

STORE_BACKENDS = BACKENDS

JANE = "uj7wxenmftr26zlg7eo4maa744"  # PUBLIC, follows the demo user and the private user
ARTIST = "B000S2A8NE"  # followed by the demo user in the seed
LISTS = ("followers", "followed/users", "followed/artists", "followed/podcasts/shows")  # every /v1/users/{id} listing
BAD_CURSOR = "not-a-cursor"


class _CountingSession:
    """A store session that notes the SQL of each statement it runs."""

    def __init__(self, session: Any, sent: list[str]) -> None:
        self._session = session
        self._sent = sent

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        self._sent.append(sql)
        return self._session.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        self._sent.append(sql)
        return self._session.executemany(sql, parameters)


@dataclass
class Trips:
    """What the store sent from here on: its statements, and its explicit transactions (``Store._write``: BEGIN and
    COMMIT, two round trips more on PostgreSQL)."""

    is_postgres: bool
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def clear(self) -> None:
        self.statements.clear()
        self.transactions = 0

    @property
    def round_trips(self) -> int:
        return len(self.statements) + (2 * self.transactions if self.is_postgres else 0)


@pytest.fixture
def trips(app: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> Trips:
    """Every statement and transaction of the app's store (reads, writes, one-statement writes) from here on."""
    noted = Trips(app.store.is_postgres)
    for name in ("_read", "_write", "_write_one"):
        opened = getattr(app.store, name)

        @contextmanager
        def counting(*args: Any, _opened: Any = opened, _name: str = name, **kwargs: Any) -> Iterator[Any]:
            noted.transactions += _name == "_write"
            with _opened(*args, **kwargs) as session:
                # SQLite's one-statement write is a _write, whose session is counted already
                counted = isinstance(session, _CountingSession)
                yield session if counted else _CountingSession(session, noted.statements)

        monkeypatch.setattr(app.store, name, counting)
    return noted


def _bearer(app: EmulatorApp, user_id: str = DEMO_USER_ID, *scopes: str) -> dict[str, str]:
    grant = app.mint_token(user_id, scopes or None)
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


@pytest.mark.parametrize(
    ("method", "path", "round_trips"),
    [
        ("GET", "/v1/me", 1),  # authentication's statement brings the user's row
        ("GET", "/v1/me/followers", 2),  # ... and the page
        ("GET", f"/v1/users/{DEMO_USER_ID}/followed/artists", 2),  # one's own lists by the users route: the same
        ("GET", f"/v1/users/{DEMO_USER_ID}", 1),
        ("GET", f"/v1/users/{JANE}/followed/users", 2),  # another user's row comes with their page
        ("GET", f"/v1/users/{JANE}", 2),
        ("PUT", f"/v1/me/followed/users/{JANE}", 3),  # auth, the user, the follow: one statement, its own transaction
        ("DELETE", f"/v1/me/followed/artists/{ARTIST}", 3),
    ],
)
async def test_a_request_takes_this_many_round_trips(
    app: EmulatorApp, client: httpx.AsyncClient, trips: Trips, method: str, path: str, round_trips: int
) -> None:
    headers = _bearer(app)
    app.store.set_meta("unrelated", "write")  # nothing remembered (SQLite): credentials are looked up again
    trips.clear()
    response = await client.request(method, path, headers=headers)
    assert response.status_code == 200, response.text
    assert trips.round_trips == round_trips, trips


async def test_put_me_is_one_write_statement_after_authentication(
    app: EmulatorApp, client: httpx.AsyncClient, trips: Trips
) -> None:
    headers = _bearer(app)
    app.store.set_meta("unrelated", "write")
    trips.clear()
    update = {"name": "Tony Stark", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
    response = await client.put("/v1/me", headers=headers, json=update)
    assert response.status_code == 200, response.text
    assert trips.round_trips == 2 and trips.statements[-1].startswith("UPDATE users"), trips


async def test_the_current_user_is_read_with_the_token_and_every_write_is_seen(
    app: EmulatorApp, client: httpx.AsyncClient
) -> None:
    headers = _bearer(app)
    for name in ("Tony Stark", "Tony Starked"):
        update = {"name": name, "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
        assert (await client.put("/v1/me", headers=headers, json=update)).status_code == 200
        for path in ("/v1/me", f"/v1/users/{DEMO_USER_ID}"):
            assert (await client.get(path, headers=headers)).json()["data"]["user"]["name"] == name
        followers = (await client.get("/v1/me/followers", headers=headers)).json()
        assert followers["data"]["user"]["name"] == name
    # A write by another connection (here: the store directly, as another process would) is seen at once.
    app.store.update_user(DEMO_USER_ID, name="Elsewhere", visibility="PUBLIC", playback_visibility="PUBLIC")
    assert (await client.get("/v1/me", headers=headers)).json()["data"]["user"]["name"] == "Elsewhere"


async def test_a_token_whose_user_is_gone_finds_no_account(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    headers = _bearer(app, JANE)
    with app.store._write() as db:  # no API removes a user: as a tenant's data could be, directly
        db.execute("DELETE FROM user_follows WHERE tenant = 'default' AND (follower_id = ? OR followed_id = ?)",
                   (JANE, JANE))  # fmt: skip
        db.execute("DELETE FROM users WHERE tenant = 'default' AND id = ?", (JANE,))
    assert_error(await client.get("/v1/me", headers=headers), 403, "AUTH_NO_MUSIC_ACCOUNT_FOUND")
    assert_error(await client.get("/v1/me/followers", headers=headers), 403, "AUTH_NO_MUSIC_ACCOUNT_FOUND")
    assert_error(await client.get(f"/v1/users/{JANE}/followers", headers=headers), 404, "NOT_FOUND", names="id: ")


@pytest.mark.parametrize("listing", LISTS)
async def test_another_users_lists_page_alike_by_their_route_and_the_owners(
    app: EmulatorApp, client: httpx.AsyncClient, listing: str
) -> None:
    theirs = await walk(client, f"/v1/users/{DEMO_USER_ID}/{listing}", _bearer(app, JANE), limit=3)
    own = await walk(client, f"/v1/users/{DEMO_USER_ID}/{listing}", _bearer(app))
    assert theirs == own and len(theirs) > 3
    page = await client.get(f"/v1/users/{DEMO_USER_ID}/{listing}", headers=_bearer(app, JANE), params={"limit": 3})
    assert page.json()["data"]["user"]["id"] == DEMO_USER_ID


async def test_another_users_list_keeps_its_id_filter(app: EmulatorApp, client: httpx.AsyncClient) -> None:
    path = f"/v1/users/{DEMO_USER_ID}/followed/artists"
    followed = [edge["node"]["id"] for edge in await walk(client, path, _bearer(app))]
    asked = [followed[2], "B0ZZZZZZZZ", followed[0]]
    response = await client.get(path, headers=_bearer(app, JANE), params={"artistIds": ",".join(asked)})
    assert response.status_code == 200, response.text
    assert [edge["node"]["id"] for edge in connection_of(response.json())["edges"]] == [followed[0], followed[2]]


@pytest.mark.parametrize("listing", LISTS)
async def test_another_users_list_fails_first_for_the_user_then_the_rule_then_the_cursor(
    app: EmulatorApp, client: httpx.AsyncClient, listing: str
) -> None:
    jane = _bearer(app, JANE)
    bad = {"cursor": BAD_CURSOR}
    unknown = await client.get(f"/v1/users/nosuchuser/{listing}", headers=jane, params=bad)
    assert_error(unknown, 404, "NOT_FOUND", names="id: ")
    private = await client.get(f"/v1/users/{PRIVATE_USER_ID}/{listing}", headers=jane, params=bad)
    assert_error(private, 403, "PRIVATE_USER", names=PRIVATE_USER_ID)
    public = await client.get(f"/v1/users/{DEMO_USER_ID}/{listing}", headers=jane, params=bad)
    assert_error(public, 400, "BAD_REQUEST", names="cursor: ")


@pytest.mark.parametrize("route", ["/v1/me", f"/v1/users/{PRIVATE_USER_ID}"])
async def test_own_private_lists_fail_for_the_scope_before_the_cursor(
    app: EmulatorApp, client: httpx.AsyncClient, route: str
) -> None:
    catalog_only = _bearer(app, PRIVATE_USER_ID, "music::catalog")
    response = await client.get(f"{route}/followers", headers=catalog_only, params={"cursor": BAD_CURSOR})
    assert_error(response, 403, "INSUFFICIENT_SCOPE", names="music::favorites:read")
    granted = _bearer(app, PRIVATE_USER_ID, "music::catalog", "music::favorites:read")
    response = await client.get(f"{route}/followers", headers=granted, params={"cursor": BAD_CURSOR})
    assert_error(response, 400, "BAD_REQUEST", names="cursor: ")
