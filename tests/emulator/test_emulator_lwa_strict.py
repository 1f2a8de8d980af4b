"""Emulated Login with Amazon, as strict as RFC 6749, 7636 and 9700 ask: replays revoke, refresh honours scope,
client authentication is required, the request format is checked, HEAD mints nothing, loopback redirects match."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import httpx
import pytest
from test_emulator_lwa import REDIRECT, authorize, me, oauth_error, s256, token

from amazon_music_emulator import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorApp

CONFIDENTIAL = {"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET}


async def exchange(client: httpx.AsyncClient, code: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **CONFIDENTIAL, **extra}
    return await token(client, **form)


async def refresh(client: httpx.AsyncClient, refresh_token: str, **extra: str) -> httpx.Response:
    return await token(client, grant_type="refresh_token", refresh_token=refresh_token, **CONFIDENTIAL, **extra)


async def signed_in(client: httpx.AsyncClient, scope: str = "music::profile music::favorites") -> dict[str, str]:
    (code,) = (await authorize(client, scope=scope))["code"]
    response = await exchange(client, code)
    assert response.status_code == 200, response.text
    grant: dict[str, str] = response.json()
    return grant


async def works(client: httpx.AsyncClient, access_token: str) -> bool:
    return (await me(client, access_token, DEMO_API_KEY)).status_code == 200


# -- replays -------------------------------------------------------------------------------------------------------


async def test_a_reused_code_revokes_the_tokens_of_its_first_exchange(client: httpx.AsyncClient) -> None:
    (code,) = (await authorize(client))["code"]
    first = (await exchange(client, code)).json()
    assert await works(client, first["access_token"])
    oauth_error(await exchange(client, code), 400, "invalid_grant", names="revoked")
    assert not await works(client, first["access_token"])
    oauth_error(await refresh(client, first["refresh_token"]), 400, "invalid_grant")


async def test_a_replayed_refresh_token_revokes_its_whole_grant(client: httpx.AsyncClient) -> None:
    grant = await signed_in(client)
    rotated = (await refresh(client, grant["refresh_token"])).json()
    newest = (await refresh(client, rotated["refresh_token"])).json()
    assert await works(client, newest["access_token"])
    other = await signed_in(client)  # another grant of the same user and client: untouched by the replay
    # The first refresh token, spent long ago, comes back: someone holds a copy. Every token of the grant goes.
    oauth_error(await refresh(client, grant["refresh_token"]), 400, "invalid_grant", names="revoked")
    assert not await works(client, newest["access_token"])
    oauth_error(await refresh(client, newest["refresh_token"]), 400, "invalid_grant")
    assert await works(client, other["access_token"])
    assert (await refresh(client, other["refresh_token"])).status_code == 200


# -- refresh and scope ---------------------------------------------------------------------------------------------


async def test_refresh_honours_a_narrower_scope_and_says_which_it_carries(
    client: httpx.AsyncClient, app: EmulatorApp
) -> None:
    grant = await signed_in(client)
    assert grant["scope"] == "music::profile music::favorites"
    narrower = await refresh(client, grant["refresh_token"], scope="music::profile")
    assert narrower.status_code == 200, narrower.text
    assert narrower.json()["scope"] == "music::profile"
    headers = {"x-api-key": DEMO_API_KEY, "Authorization": f"Bearer {narrower.json()['access_token']}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200
    refused = await client.get("/v1/me/followers", headers=headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "INSUFFICIENT_SCOPE"
    # The grant keeps its scope: the next refresh may ask for all of it again, or for a read scope within it.
    full = await refresh(client, narrower.json()["refresh_token"])
    assert full.json()["scope"] == "music::profile music::favorites"
    read_only = await refresh(client, full.json()["refresh_token"], scope="music::favorites:read")
    assert read_only.status_code == 200 and read_only.json()["scope"] == "music::favorites:read"


@pytest.mark.parametrize("scope", ["music::catalog", "music::profile music::catalog", "music::nope", ""])
async def test_refresh_refuses_a_scope_never_granted(client: httpx.AsyncClient, scope: str) -> None:
    grant = await signed_in(client)
    oauth_error(await refresh(client, grant["refresh_token"], scope=scope), 400, "invalid_scope", names="scope")
    # A refused refresh spends nothing.
    assert (await refresh(client, grant["refresh_token"])).status_code == 200


# -- client authentication and the request format ------------------------------------------------------------------


async def test_no_client_credentials_at_all_is_401_invalid_client(client: httpx.AsyncClient) -> None:
    (code,) = (await authorize(client))["code"]
    response = await token(client, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    oauth_error(response, 401, "invalid_client", names="client_id")
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_a_code_verifier_for_a_code_issued_without_a_challenge_is_refused(client: httpx.AsyncClient) -> None:
    (code,) = (await authorize(client))["code"]
    response = await exchange(client, code, code_verifier=secrets.token_urlsafe(48))
    oauth_error(response, 400, "invalid_grant", names="code_verifier")


@pytest.mark.parametrize("repeated", ["grant_type", "code", "client_id", "redirect_uri"])
async def test_a_repeated_form_parameter_is_refused(client: httpx.AsyncClient, repeated: str) -> None:
    (code,) = (await authorize(client))["code"]
    pairs = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT), *CONFIDENTIAL.items()]
    value = dict(pairs)[repeated]
    body = urlencode([*pairs, (repeated, value)])
    response = await client.post(
        "/auth/o2/token", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    oauth_error(response, 400, "invalid_request", names=repeated)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=x", None])
async def test_a_token_request_that_is_not_form_encoded_is_refused(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    (code,) = (await authorize(client))["code"]
    body = urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **CONFIDENTIAL})
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/auth/o2/token", content=body, headers=headers)
    oauth_error(response, 400, "invalid_request", names="Content-Type")
    # The charset parameter of the right type is fine.
    (code,) = (await authorize(client))["code"]
    body = urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **CONFIDENTIAL})
    form_type = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8"}
    assert (await client.post("/auth/o2/token", content=body, headers=form_type)).status_code == 200


# -- the authorization endpoint ------------------------------------------------------------------------------------


async def test_head_on_the_authorization_endpoint_mints_nothing(client: httpx.AsyncClient, app: EmulatorApp) -> None:
    verifier = secrets.token_urlsafe(48)
    query = {
        "client_id": DEMO_CLIENT_ID,
        "scope": "music::profile",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
    }
    codes_before = app.store._conn.execute("SELECT count(*) FROM auth_codes").fetchone()[0]
    response = await client.head("/ap/oa", params=query)
    assert response.status_code == 405 and response.headers["allow"] == "GET"
    assert "location" not in response.headers
    assert app.store._conn.execute("SELECT count(*) FROM auth_codes").fetchone()[0] == codes_before


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:53682/callback?next=https://evil.example",
        "http://127.0.0.1:53682/callback?",
        "http://user@127.0.0.1:53682/callback",
        "http://user:pw@localhost:53682/callback",
        "http://127.0.0.1:53682/callback#fragment",
        "http://127.0.0.1:53682/callback/",
        "http://[::1:53682/callback",
    ],
)
async def test_a_loopback_redirect_uri_with_anything_added_is_refused(
    client: httpx.AsyncClient, redirect_uri: str
) -> None:
    query = {"client_id": DEMO_CLIENT_ID, "scope": "music::profile", "response_type": "code"}
    response = await client.get("/ap/oa", params={**query, "redirect_uri": redirect_uri})
    oauth_error(response, 400, "invalid_request", names="redirect_uri")
    assert "location" not in response.headers


@pytest.mark.parametrize("host", ["127.0.0.1:9", "localhost:65000", "127.0.0.1"])
async def test_a_loopback_redirect_uri_matches_on_any_port(client: httpx.AsyncClient, host: str) -> None:
    redirect = await authorize(client, redirect_uri=f"http://{host}/callback")
    assert redirect["code"]
