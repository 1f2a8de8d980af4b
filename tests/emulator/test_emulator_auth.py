"""API keys, tokens and scopes: each failure with its documented status and code."""

from __future__ import annotations

import re

import httpx
import pytest
from emulator_support import SPEC, assert_error

from amazon_music_emulator import DEMO_USER_ID, OTHER_API_KEY, EmulatorApp, TokenGrant
from amazon_music_generated.operations import OPERATIONS as SPEC_OPERATIONS
from amazon_music_generated.operations import Operation

JANE = "uj7wxenmftr26zlg7eo4maa744"
ARTIST = "B000QKGN8W"


def _request(operation: Operation) -> tuple[str, str, dict[str, str] | None]:
    """A request the operation answers with 200: a sample ID for each path parameter (a user ID or an ASIN, as
    its pattern says), the demo user's ID for a required query list, a body with every field."""
    path, query = operation.path, ""
    for parameter in operation.parameters:
        if parameter.location == "path":
            sample = JANE if re.search(parameter.pattern or "", JANE) else ARTIST
            path = path.replace("{" + parameter.name + "}", sample)
        elif parameter.location == "query" and parameter.required:
            query = f"?{parameter.name}={DEMO_USER_ID}"
    body = {p.name: (p.enum[0] if p.enum else "N") for p in operation.parameters if p.location == "body"}
    return operation.http_method, path + query, body or None


# One request per operation of the spec (read from its operations table), and the scope the spec says it needs.
OPERATIONS = [_request(operation) for operation in SPEC_OPERATIONS]
SCOPES = {(op.http_method, _request(op)[1]): op.scopes[0] for op in SPEC_OPERATIONS}


def spec_scope(method: str, path: str) -> str:
    return SCOPES[(method, path)]


def bearer(grant: TokenGrant) -> dict[str, str]:
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


def test_the_table_covers_every_operation() -> None:
    assert len({(m, spec_scope(m, p), p.split("?")[0]) for m, p, _ in OPERATIONS}) == len(SPEC_OPERATIONS)
    (requirement,) = SPEC["paths"]["/v1/me"]["put"]["security"]  # the table's scopes are the spec's
    assert requirement["lwa"] == [spec_scope("PUT", "/v1/me")]


@pytest.mark.parametrize(("method", "path", "body"), OPERATIONS)
async def test_each_operation_needs_its_scope_and_nothing_else(
    client: httpx.AsyncClient, app: EmulatorApp, method: str, path: str, body: object
) -> None:
    needed = spec_scope(method, path)
    others = [s for s in app.auth.known_scopes if s != needed and not s.startswith(needed.removesuffix(":read"))]
    without = app.mint_token(scopes=others)
    response = await client.request(method, path, headers=bearer(without), json=body)
    assert_error(response, 403, "INSUFFICIENT_SCOPE", names=needed)
    only = app.mint_token(scopes=[needed])
    response = await client.request(method, path, headers=bearer(only), json=body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("write", "read", "path"),
    [
        ("music::profile", "music::profile:read", "/v1/me/library/tracks"),
        ("music::favorites", "music::favorites:read", "/v1/me/followers"),
    ],
)
async def test_a_write_scope_includes_its_read_scope(
    client: httpx.AsyncClient, app: EmulatorApp, write: str, read: str, path: str
) -> None:
    response = await client.get(path, headers=bearer(app.mint_token(scopes=[write])))
    assert response.status_code == 200, response.text
    # ...but not the other way round: a read scope does not allow the write.
    read_only = app.mint_token(scopes=[read])
    target = "/v1/me" if write == "music::profile" else "/v1/me/followed/artists/B000QKGN8W"
    body = {"name": "N", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"} if target == "/v1/me" else None
    assert_error(await client.put(target, headers=bearer(read_only), json=body), 403, "INSUFFICIENT_SCOPE", names=write)


async def test_missing_or_unknown_api_key_is_401(client: httpx.AsyncClient, grant: TokenGrant) -> None:
    authorization = {"Authorization": f"Bearer {grant.access_token}"}
    assert_error(await client.get("/v1/me", headers=authorization), 401, "INVALID_API_KEY", names="x-api-key")
    unknown = {**authorization, "x-api-key": "amzn1.application.unknown"}
    assert_error(await client.get("/v1/me", headers=unknown), 401, "INVALID_API_KEY", names="x-api-key")
    assert_error(await client.get("/v1/me"), 401)


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNz", "Token Atza|abc", "Atza|abc"])
async def test_missing_or_non_bearer_authorization_is_invalid_auth_type(
    client: httpx.AsyncClient, grant: TokenGrant, authorization: str | None
) -> None:
    headers = {"x-api-key": grant.api_key}
    if authorization is not None:
        headers["Authorization"] = authorization
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_AUTH_TYPE", names="Authorization")


@pytest.mark.parametrize(
    "token", ["", "abc", "Atza|", "Atzr|abcdef", "Atza|has space", "Atza|" + "a" * 2048, "atza|lowercase", "Atza|ä"]
)
async def test_malformed_token_is_invalid_auth_token(client: httpx.AsyncClient, grant: TokenGrant, token: str) -> None:
    headers = {"x-api-key": grant.api_key.encode(), "Authorization": f"Bearer {token}".encode()}
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_AUTH_TOKEN")


async def test_unknown_token_is_invalid_access_token(client: httpx.AsyncClient, grant: TokenGrant) -> None:
    headers = {"x-api-key": grant.api_key, "Authorization": "Bearer Atza|" + "x" * 100}
    assert_error(await client.get("/v1/me", headers=headers), 401, "INVALID_ACCESS_TOKEN")


async def test_expired_token_is_invalid_access_token(client: httpx.AsyncClient, app: EmulatorApp) -> None:
    grant = app.mint_token(ttl=60)
    assert (await client.get("/v1/me", headers=bearer(grant))).status_code == 200
    real_clock = app.auth.clock
    app.auth.clock = lambda: real_clock() + 61
    message = assert_error(await client.get("/v1/me", headers=bearer(grant)), 401, "INVALID_ACCESS_TOKEN")
    assert "expired" in message


async def test_tokens_live_3600_seconds_by_default(client: httpx.AsyncClient, app: EmulatorApp) -> None:
    grant = app.mint_token()
    assert grant.expires_in == 3600
    real_clock = app.auth.clock
    app.auth.clock = lambda: real_clock() + 3599
    assert (await client.get("/v1/me", headers=bearer(grant))).status_code == 200
    app.auth.clock = lambda: real_clock() + 3601
    assert_error(await client.get("/v1/me", headers=bearer(grant)), 401, "INVALID_ACCESS_TOKEN")


async def test_a_token_minted_for_one_api_key_is_refused_with_another(
    client: httpx.AsyncClient, app: EmulatorApp
) -> None:
    other = app.mint_token(api_key=OTHER_API_KEY)
    assert (await client.get("/v1/me", headers=bearer(other))).status_code == 200
    demo = app.mint_token()
    swapped = {"x-api-key": OTHER_API_KEY, "Authorization": f"Bearer {demo.access_token}"}
    assert_error(await client.get("/v1/me", headers=swapped), 401, "INVALID_ACCESS_TOKEN", names="x-api-key")


def test_minting_refuses_bad_arguments_naming_them(app: EmulatorApp) -> None:
    with pytest.raises(ValueError, match=r"^user: "):
        app.mint_token("nosuchuser")
    with pytest.raises(ValueError, match=r"^scope: "):
        app.mint_token(scopes=["music::nope"])
    with pytest.raises(ValueError, match=r"^scope: "):
        app.mint_token(scopes=[])
    with pytest.raises(ValueError, match=r"^ttl: "):
        app.mint_token(ttl=0)
    with pytest.raises(ValueError, match=r"^api_key: "):
        app.mint_token(api_key="amzn1.application.nope")


def test_tokens_are_kept_as_hashes_and_never_shown_in_reprs(app: EmulatorApp) -> None:
    grant = app.mint_token()
    assert grant.access_token not in repr(grant)
    assert grant.refresh_token is not None and grant.refresh_token not in repr(grant)
    assert grant.access_token.startswith("Atza|") and grant.refresh_token.startswith("Atzr|")
    assert len(grant.access_token) <= 2048
    dump = "\n".join(app.store._conn.iterdump())
    assert grant.access_token not in dump and grant.access_token[5:] not in dump
    assert grant.refresh_token[5:] not in dump
    assert "Atza|" not in repr(app) and "Atza|" not in repr(app.auth)
