"""Tenants: isolated worlds in one database. Every operation of the spec, run with one tenant's credentials, neither
sees nor changes another's world; cursors, codes, refresh and access tokens of one tenant are refused by another; the
documentation's walk answers the same in every tenant; migration 3 keeps a schema-2 database's rows, order, tokens
and cursors; the tenant commands; and rate limits per API key."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from emulator_support import BACKENDS, SPEC, assert_error, connection_of, walk
from store_backends import empty_location
from test_emulator_docs_walk import DOCS, request_of

from amazon_music_emulator import (
    DEMO_API_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_USER_ID,
    EmulatorApp,
    create_app,
)
from amazon_music_emulator.__main__ import main
from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.seed import hash_secret
from amazon_music_emulator.store import SCHEMA_VERSION, Store
from amazon_music_emulator.tenants import TenantCredentials

STORE_BACKENDS = BACKENDS

REDIRECT = "http://127.0.0.1:53682/callback"
JANE, AMIT = "uj7wxenmftr26zlg7eo4maa744", "zz2hu7x4ert4gferzyh5bsb4xvje"
COLDPLAY = "B000QKGN8W"


def spec_operations() -> dict[tuple[str, str], str]:
    """(METHOD, path template) -> operationId, for every operation of the spec."""
    return {
        (method.upper(), path): operation["operationId"]
        for path, item in SPEC["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


# Every documented request, in the docs' order; the test below checks they reach every operation of the spec.
REQUESTS = [(operation.path, *request_of(operation)) for operation in DOCS.operations]
LISTING_PATHS = {
    path
    for path, item in SPEC["paths"].items()
    for operation in item.values()
    if isinstance(operation, dict) and "x-page-items" in operation
}


def headers_of(app: EmulatorApp, tenant: str) -> dict[str, str]:
    grant = app.mint_token(tenant=tenant)
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


def without_tokens(value: Any) -> Any:
    """A body with its cursors left out: each tenant signs with its own key, so only they may differ."""
    if isinstance(value, dict):
        return {key: without_tokens(item) for key, item in value.items() if key != "token"}
    if isinstance(value, list):
        return [without_tokens(item) for item in value]
    return value


async def run_walk(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[int, Any]]:
    """Every documented request (writes included), in order: status and body."""
    answers = []
    for _, method, path, query, body in REQUESTS:
        response = await client.request(method, path, params=query, json=body, headers=headers)
        answers.append((response.status_code, without_tokens(response.json())))
    return answers


async def world_seen(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """What a tenant's reads show: every documented read's answer, and every listing walked to its end."""
    seen: dict[str, Any] = {}
    for template, method, path, query, _ in REQUESTS:
        if method != "GET":
            continue
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        seen[f"{path}?{sorted(query.items())}"] = without_tokens(response.json())
        if template in LISTING_PATHS:
            seen[f"{path} walked"] = await walk(client, path, headers)
    return seen


@pytest.fixture
def tenants(app: EmulatorApp) -> tuple[TenantCredentials, TenantCredentials]:
    return app.create_tenant("tenant-a"), app.create_tenant("tenant-b")


def test_the_documented_requests_reach_every_operation_of_the_spec() -> None:
    reached = {(method, template) for template, method, *_ in REQUESTS}
    assert set(spec_operations()) <= reached, set(spec_operations()) - reached
    assert LISTING_PATHS and any(method != "GET" for _, method, *_ in REQUESTS)


async def test_every_operation_in_one_tenant_leaves_the_other_unchanged(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    a, b = headers_of(app, "tenant-a"), headers_of(app, "tenant-b")
    seeded = await world_seen(client, a)
    assert await world_seen(client, b) == seeded  # the same seed: the same world

    walked_in_a = await run_walk(client, a)
    assert {status for status, _ in walked_in_a} == {200}
    assert await world_seen(client, a) != seeded  # the walk wrote in A
    assert await world_seen(client, b) == seeded  # and nothing of it shows in B

    # The reverse, with writes of B's own that the walk does not make.
    before_in_a = await world_seen(client, a)
    body = {"name": "Only in B", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
    assert (await client.put("/v1/me", json=body, headers=b)).status_code == 200
    assert (await client.put(f"/v1/me/followed/users/{AMIT}", headers=b)).status_code == 200
    assert (await client.delete(f"/v1/me/followed/artists/{COLDPLAY}", headers=b)).status_code == 200
    assert (await client.get("/v1/me", headers=b)).json()["data"]["user"]["name"] == "Only in B"
    assert await world_seen(client, a) == before_in_a
    assert (await client.get("/v1/me", headers=headers_of(app, "default"))).json()["data"]["user"]["name"] == (
        "Tony Starked"
    )


async def test_the_walk_answers_the_same_in_each_tenant_as_in_the_default_one(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    in_a = await run_walk(client, headers_of(app, "tenant-a"))
    in_b = await run_walk(client, headers_of(app, "tenant-b"))
    in_default = await run_walk(client, headers_of(app, "default"))
    assert in_a == in_b == in_default


async def test_a_cursor_of_one_tenant_is_refused_by_another(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    a, b = headers_of(app, "tenant-a"), headers_of(app, "tenant-b")
    first = await client.get("/v1/me/followers", params={"limit": 5}, headers=a)
    cursor = connection_of(first.json())["pageInfo"]["token"]
    assert (await client.get("/v1/me/followers", params={"limit": 5, "cursor": cursor}, headers=a)).status_code == 200
    refused = await client.get("/v1/me/followers", params={"limit": 5, "cursor": cursor}, headers=b)
    assert_error(refused, 400, "BAD_REQUEST", names="cursor")
    default = await client.get(
        "/v1/me/followers", params={"limit": 5, "cursor": cursor}, headers=headers_of(app, "default")
    )
    assert_error(default, 400, "BAD_REQUEST", names="cursor")


async def test_an_access_token_of_one_tenant_is_refused_with_another_tenants_api_key(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    a, b = tenants
    grant = app.mint_token(tenant="tenant-a")
    for api_key in (b.api_key, DEMO_API_KEY):
        refused = await client.get(
            "/v1/me", headers={"x-api-key": api_key, "Authorization": f"Bearer {grant.access_token}"}
        )
        assert_error(refused, 401, "INVALID_ACCESS_TOKEN")
    default_grant = app.mint_token()
    refused = await client.get(
        "/v1/me", headers={"x-api-key": a.api_key, "Authorization": f"Bearer {default_grant.access_token}"}
    )
    assert_error(refused, 401, "INVALID_ACCESS_TOKEN")
    accepted = await client.get(
        "/v1/me", headers={"x-api-key": a.api_key, "Authorization": f"Bearer {grant.access_token}"}
    )
    assert accepted.status_code == 200


async def authorize_code(client: httpx.AsyncClient, client_id: str) -> str:
    query = {"client_id": client_id, "scope": "music::profile", "response_type": "code", "redirect_uri": REDIRECT}
    response = await client.get("/ap/oa", params=query)
    assert response.status_code == 302, response.text
    (code,) = parse_qs(urlsplit(response.headers["location"]).query)["code"]
    return code


def oauth_error(response: httpx.Response, error: str, names: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"} and body["error"] == error
    assert names in body["error_description"]


async def test_codes_and_refresh_tokens_of_one_tenant_are_refused_by_anothers_client(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    a, b = tenants
    code = await authorize_code(client, a.client_id)
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    as_b = await client.post(
        "/auth/o2/token", data={**exchange, "client_id": b.client_id, "client_secret": b.client_secret}
    )
    oauth_error(as_b, "invalid_grant", "code")
    # B's refusal left A's code unused: A's client exchanges it, and its token works with A's key only.
    as_a = await client.post(
        "/auth/o2/token", data={**exchange, "client_id": a.client_id, "client_secret": a.client_secret}
    )
    assert as_a.status_code == 200, as_a.text
    grant = as_a.json()
    me = await client.get(
        "/v1/me", headers={"x-api-key": a.api_key, "Authorization": f"Bearer {grant['access_token']}"}
    )
    assert me.status_code == 200

    refresh = {"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]}
    for other_id, other_secret in ((b.client_id, b.client_secret), (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)):
        form = {**refresh, "client_id": other_id, "client_secret": other_secret}
        oauth_error(await client.post("/auth/o2/token", data=form), "invalid_grant", "refresh_token")
    rotated = await client.post(
        "/auth/o2/token", data={**refresh, "client_id": a.client_id, "client_secret": a.client_secret}
    )
    assert rotated.status_code == 200, rotated.text  # refused elsewhere, still live at home

    default_code = await authorize_code(client, DEMO_CLIENT_ID)
    as_a = await client.post(
        "/auth/o2/token",
        data={**exchange, "code": default_code, "client_id": a.client_id, "client_secret": a.client_secret},
    )
    oauth_error(as_a, "invalid_grant", "code")


async def test_a_tenant_reset_brings_back_its_seed_and_refuses_its_old_cursors_and_tokens(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    from amazon_music_emulator.tenants import reset_tenant

    a = headers_of(app, "tenant-a")
    seeded = await world_seen(client, a)
    page = await client.get("/v1/me/followers", params={"limit": 5}, headers=a)
    cursor = connection_of(page.json())["pageInfo"]["token"]
    assert (await client.put(f"/v1/me/followed/users/{AMIT}", headers=a)).status_code == 200
    reset_tenant(app.store, "tenant-a")
    assert_error(await client.get("/v1/me", headers=a), 401, "INVALID_ACCESS_TOKEN")
    a = headers_of(app, "tenant-a")  # the same API key: a reset keeps the tenant's credentials
    assert a["x-api-key"] == tenants[0].api_key
    assert await world_seen(client, a) == seeded
    stale = await client.get("/v1/me/followers", params={"limit": 5, "cursor": cursor}, headers=a)
    assert_error(stale, 400, "BAD_REQUEST", names="cursor")


def test_deleting_a_tenant_removes_its_world_and_leaves_the_others(
    app: EmulatorApp, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    from amazon_music_emulator.tenants import UnknownTenant, delete_tenant

    app.mint_token(tenant="tenant-a")
    before_b = [(t.name, t.counts) for t in app.store.tenants() if t.name != "tenant-a"]
    delete_tenant(app.store, "tenant-a")
    assert [(t.name, t.counts) for t in app.store.tenants()] == before_b
    assert app.store.tenant("tenant-a").get_user(DEMO_USER_ID) is None
    assert app.store.get_security_profile(api_key=tenants[0].api_key) is None
    with pytest.raises(UnknownTenant, match="tenant-a"):
        delete_tenant(app.store, "tenant-a")
    with pytest.raises(ValueError, match="default"):
        delete_tenant(app.store, "default")


def test_tenant_names_seeds_and_credentials(app: EmulatorApp) -> None:
    for name in ("", "Acme", "a_b", "a" * 64, "a b", "é"):
        with pytest.raises(ValueError, match="tenant"):
            app.create_tenant(name)
    with pytest.raises(ValueError, match="seed"):
        app.create_tenant("acme", seed="huge")
    credentials = app.create_tenant("a" * 63, seed="empty")
    assert credentials.client_secret not in repr(credentials)
    assert app.store.get_security_profile(client_id=credentials.client_id).client_secret_hash == hash_secret(  # type: ignore[union-attr]
        credentials.client_secret
    )
    assert app.store.tenant("a" * 63).user_ids(10) == [DEMO_USER_ID]  # empty: the demo user alone
    with pytest.raises(ValueError, match="exists"):
        app.create_tenant("a" * 63)


async def test_rate_limits_are_per_api_key_so_each_tenant_has_its_own_budget(
    app: EmulatorApp, client: httpx.AsyncClient, tenants: tuple[TenantCredentials, TenantCredentials]
) -> None:
    now = [1000.0]
    app.faults.clock = lambda: now[0]
    app.faults.rate_limit = 3
    a, b = headers_of(app, "tenant-a"), headers_of(app, "tenant-b")
    for _ in range(3):
        assert (await client.get("/v1/me", headers=a)).status_code == 200
    assert_error(await client.get("/v1/me", headers=a), 429, "THROTTLED")
    for _ in range(3):
        assert (await client.get("/v1/me", headers=b)).status_code == 200
    assert_error(await client.get("/v1/me", headers=b), 429, "THROTTLED")
    assert (await client.get("/v1/me", headers=headers_of(app, "default"))).status_code == 200


# -- migration 3 on a database of schema 2 -------------------------------------------------------------------------

OLD_SECRET = "a cursor key of schema 2"
OLD_ACCESS_TOKEN = "Atza|made-at-schema-2"


@pytest.fixture(name="empty_location")
def empty_location_fixture(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    with empty_location(store_backend, tmp_path, request) as location:
        yield location


def build_schema_2(location: str) -> None:
    """A database as release 1.2 left it: schema 2, with users, follows (keys with gaps: unfollows happened), a
    library, a security profile, a live token and its family, and its cursor key in meta."""
    with Store(location, upgrade=False) as store:
        assert store.upgrade(target=2) == [1, 2]
        with store._write() as db:
            for user_id, name in ((DEMO_USER_ID, "Tony Starked"), (JANE, "Jane M"), (AMIT, "Amit")):
                db.execute("INSERT INTO users VALUES (?, ?, 'UNLIMITED', 'PUBLIC', 'PUBLIC', NULL)", (user_id, name))
            db.execute("INSERT INTO artists VALUES (?, 'Coldplay')", (COLDPLAY,))
            db.execute("INSERT INTO tracks VALUES ('B0TRACK001', 'Yellow')")
            # Keys 1 to 4 in this order; 2 and 4 unfollowed since, so the key counter (4) is above the last key (3).
            for follower, followed in (
                (JANE, DEMO_USER_ID),
                (DEMO_USER_ID, JANE),
                (AMIT, DEMO_USER_ID),
                (DEMO_USER_ID, AMIT),
            ):
                db.execute("INSERT INTO user_follows (follower_id, followed_id) VALUES (?, ?)", (follower, followed))
            db.execute("DELETE FROM user_follows WHERE follower_id = ?", (DEMO_USER_ID,))
            db.execute("INSERT INTO artist_follows (user_id, item_id) VALUES (?, ?)", (DEMO_USER_ID, COLDPLAY))
            db.execute(
                "INSERT INTO library_tracks (user_id, item_id, uploaded, purchased) VALUES (?, 'B0TRACK001', 1, 0)",
                (DEMO_USER_ID,),
            )
            db.execute(
                "INSERT INTO security_profiles VALUES (?, ?, ?, 'Demo app', ?)",
                (DEMO_API_KEY, DEMO_CLIENT_ID, hash_secret("secret"), REDIRECT),
            )
            db.execute(
                "INSERT INTO tokens VALUES (?, 'access', ?, ?, ?, 'music::profile music::favorites', NULL, 0)",
                (hash_secret(OLD_ACCESS_TOKEN), DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_USER_ID),
            )
            db.execute("INSERT INTO token_families VALUES (?, 'family-1')", (hash_secret(OLD_ACCESS_TOKEN),))
            for key, value in (("cursor_secret", OLD_SECRET), ("seeded", "1"), ("seed_config", "bare")):
                db.execute("INSERT INTO meta VALUES (?, ?)", (key, value))


async def test_migration_3_keeps_a_schema_2_database_its_rows_order_tokens_and_cursors(empty_location: str) -> None:
    build_schema_2(empty_location)
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", empty_location])
    assert result.exit_code == 0, result.output
    applied = ", ".join(map(str, range(3, SCHEMA_VERSION + 1)))
    assert f"schema version {SCHEMA_VERSION} (applied migration {applied})" in result.output

    app = create_app(empty_location)
    try:
        headers = {"x-api-key": DEMO_API_KEY, "Authorization": f"Bearer {OLD_ACCESS_TOKEN}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as client:
            me = await client.get("/v1/me", headers=headers)  # the token of schema 2 still works
            assert me.status_code == 200 and me.json()["data"]["user"]["name"] == "Tony Starked"
            followers = await walk(client, "/v1/me/followers", headers, limit=1)
            assert [edge["node"]["id"] for edge in followers] == [JANE, AMIT]  # the order (seq) kept
            old_cursor = CursorCodec(OLD_SECRET).encode("followers", DEMO_USER_ID, 1)  # issued before the upgrade
            page = await client.get("/v1/me/followers", params={"cursor": old_cursor}, headers=headers)
            assert page.status_code == 200, page.text
            assert [edge["node"]["id"] for edge in connection_of(page.json())["edges"]] == [AMIT]
            library = connection_of((await client.get("/v1/me/library/tracks", headers=headers)).json())
            assert library["edges"] == [{"uploaded": True, "purchased": False, "node": {"id": "B0TRACK001"}}]
        assert app.store.token_family(hash_secret(OLD_ACCESS_TOKEN)) == "family-1"
        assert app.store.follow_user(DEMO_USER_ID, AMIT)
        keys = [edge[0] for edge in app.store.page("followed_users", DEMO_USER_ID, after=0, limit=10).edges]
        assert keys == [5]  # the key counter carried over: a key is never reused
        assert [(t.name, t.seed) for t in app.store.tenants()] == [("default", "empty")]
        assert app.store.get_meta("cursor_secret") is None  # moved into the tenant's row
        assert app.create_tenant("after-upgrade").user_id == DEMO_USER_ID
    finally:
        app.close()


# -- the tenant commands ---------------------------------------------------------------------------------------------


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    path = tmp_path / "sandbox.db"
    create_app(str(path)).close()
    return str(path)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_tenant_create_prints_credentials_once_and_json_in_its_exact_shape(db_file: str) -> None:
    plain = invoke("tenant", "create", "acme", "--db", db_file)
    assert plain.exit_code == 0, plain.output
    assert "acme" in plain.output and "x-api-key" in plain.output and "client_secret" in plain.output
    made = invoke("tenant", "create", "beta", "--seed", "empty", "--json", "--db", db_file)
    assert made.exit_code == 0, made.output
    credentials = json.loads(made.output)
    assert list(credentials) == ["tenant", "api_key", "client_id", "client_secret", "user_id"]
    assert credentials["tenant"] == "beta" and credentials["user_id"] == DEMO_USER_ID
    listed = invoke("tenant", "list", "--db", db_file)
    assert listed.exit_code == 0 and credentials["client_secret"] not in listed.output
    assert [line.split()[0] for line in listed.output.splitlines()] == ["tenant", "acme", "beta", "default"]
    as_json = json.loads(invoke("tenant", "list", "--json", "--db", db_file).output)
    assert [(t["tenant"], t["seed"]) for t in as_json] == [("acme", "demo"), ("beta", "empty"), ("default", "demo")]
    assert set(as_json[0]) == {"tenant", "seed", "created", "counts"} and as_json[1]["counts"]["users"] == 1
    assert credentials["client_secret"] not in json.dumps(as_json)
    assert stat.S_IMODE(Path(db_file).stat().st_mode) == 0o600


async def test_token_tenant_mints_a_token_a_running_emulator_accepts_for_that_tenant(db_file: str) -> None:
    credentials = json.loads(invoke("tenant", "create", "acme", "--json", "--db", db_file).output)
    minted = invoke("token", "--tenant", "acme", "--json", "--db", db_file)
    assert minted.exit_code == 0, minted.output
    grant = json.loads(minted.output)
    assert grant["api_key"] == credentials["api_key"] and grant["user_id"] == DEMO_USER_ID
    default = invoke("token", "--db", db_file).output.strip()
    app = create_app(db_file)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as client:
            acme = {"x-api-key": grant["api_key"], "Authorization": f"Bearer {grant['access_token']}"}
            assert (await client.get("/v1/me", headers=acme)).status_code == 200
            demo = {"x-api-key": DEMO_API_KEY, "Authorization": f"Bearer {default}"}
            assert (await client.get("/v1/me", headers=demo)).status_code == 200
            crossed = {"x-api-key": DEMO_API_KEY, "Authorization": f"Bearer {grant['access_token']}"}
            assert_error(await client.get("/v1/me", headers=crossed), 401, "INVALID_ACCESS_TOKEN")
    finally:
        app.close()


def test_tenant_reset_and_delete_from_the_command_line(db_file: str) -> None:
    invoke("tenant", "create", "acme", "--db", db_file)
    with Store(db_file) as store:
        view = store.tenant("acme")
        seeded = view.count("followed_users", DEMO_USER_ID)
        assert view.follow_user(DEMO_USER_ID, AMIT)
    reset = invoke("tenant", "reset", "acme", "--db", db_file)
    assert reset.exit_code == 0, reset.output
    with Store(db_file) as store:
        assert store.tenant("acme").count("followed_users", DEMO_USER_ID) == seeded
    deleted = invoke("tenant", "delete", "acme", "--db", db_file)
    assert deleted.exit_code == 0, deleted.output
    assert [t["tenant"] for t in json.loads(invoke("tenant", "list", "--json", "--db", db_file).output)] == ["default"]


@pytest.mark.parametrize(
    ("args", "names", "says"),
    [
        (("tenant", "create", "Bad_Name"), "NAME", "not a tenant name"),
        (("tenant", "create", "x" * 64), "NAME", "not a tenant name"),
        (("tenant", "create", "acme", "--seed", "huge"), "--seed", "huge"),
        (("tenant", "delete", "default"), "NAME", "cannot be deleted"),
        (("tenant", "delete", "nobody"), "NAME", "no tenant 'nobody'"),
        (("tenant", "reset", "nobody"), "NAME", "no tenant 'nobody'"),
        (("tenant", "reset", "-"), "NAME", "no tenant '-'"),
        (("tenant", "delete", "UPPER"), "NAME", "not a tenant name"),
        (("token", "--tenant", "nobody"), "--tenant", "no tenant 'nobody'"),
        (("token", "--tenant", "No!"), "--tenant", "not a tenant name"),
        (("token", "--tenant", "default", "--user", "nobody"), "--user", "nobody"),
    ],
)
def test_tenant_commands_name_the_bad_parameter_without_a_traceback(
    db_file: str, args: tuple[str, ...], names: str, says: str
) -> None:
    result = invoke(*args, "--db", db_file)
    assert result.exit_code == 2, result.output
    assert names in result.output and says in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_token_refuses_an_api_key_of_another_tenant(db_file: str) -> None:
    credentials = json.loads(invoke("tenant", "create", "acme", "--json", "--db", db_file).output)
    result = invoke("token", "--tenant", "default", "--api-key", credentials["api_key"], "--db", db_file)
    assert result.exit_code == 2 and "--api-key" in result.output and "another tenant" in result.output


def test_tenant_list_refuses_a_database_that_does_not_exist(tmp_path: Path) -> None:
    result = invoke("tenant", "list", "--db", str(tmp_path / "nowhere.db"))
    assert result.exit_code == 2 and "does not exist" in result.output and "--create" not in result.output
    assert not (tmp_path / "nowhere.db").exists()
