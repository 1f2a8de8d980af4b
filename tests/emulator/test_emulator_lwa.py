"""Emulated Login with Amazon: authorization codes with PKCE, the token endpoint, refresh rotation, RFC 6749 errors."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from emulator_support import BACKENDS

from amazon_music_emulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_USER_ID,
    OTHER_API_KEY,
    EmulatorApp,
    create_app,
)
from amazon_music_emulator.seed import OTHER_CLIENT_ID, OTHER_CLIENT_SECRET

# Every test that uses the emulator runs on SQLite and on PostgreSQL.
STORE_BACKENDS = BACKENDS

REDIRECT = "http://127.0.0.1:53682/callback"  # a registered loopback URL, on any port
JANE = "uj7wxenmftr26zlg7eo4maa744"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def authorize(client: httpx.AsyncClient, **params: str) -> dict[str, list[str]]:
    query = {
        "client_id": DEMO_CLIENT_ID,
        "scope": "music::profile music::favorites",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz",
        **params,
    }
    response = await client.get("/ap/oa", params={k: v for k, v in query.items() if v != ""})
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == query["redirect_uri"]
    return parse_qs(location.query)


async def token(client: httpx.AsyncClient, **form: str) -> httpx.Response:
    response = await client.post("/auth/o2/token", data=form)
    assert response.headers["cache-control"] == "no-store"
    return response


def oauth_error(response: httpx.Response, status: int, error: str, names: str | None = None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    if names is not None:
        assert names in body["error_description"]


async def me(client: httpx.AsyncClient, access_token: str, api_key: str) -> httpx.Response:
    return await client.get("/v1/me", headers={"x-api-key": api_key, "Authorization": f"Bearer {access_token}"})


@pytest.mark.parametrize("method", ["S256", "plain", None])
async def test_authorization_code_with_pkce(client: httpx.AsyncClient, app: EmulatorApp, method: str | None) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = s256(verifier) if method == "S256" else verifier
    params = {"code_challenge": challenge, **({"code_challenge_method": method} if method else {})}
    redirect = await authorize(client, **params)
    assert redirect["state"] == ["xyz"]
    (code,) = redirect["code"]
    response = await token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=DEMO_CLIENT_ID,
        code_verifier=verifier,
    )
    assert response.status_code == 200, response.text
    grant = response.json()
    assert grant["token_type"] == "bearer" and grant["expires_in"] == 3600
    assert grant["access_token"].startswith("Atza|")
    assert "refresh_token" not in grant  # PKCE without a client secret: no refresh token
    answer = await me(client, grant["access_token"], app.store.get_security_profile(client_id=DEMO_CLIENT_ID).api_key)  # type: ignore[union-attr]
    assert answer.status_code == 200
    assert answer.json()["data"]["user"]["id"] == DEMO_USER_ID


async def test_confidential_client_gets_a_refresh_token_that_rotates(
    client: httpx.AsyncClient, app: EmulatorApp
) -> None:
    (code,) = (await authorize(client, user_id=JANE))["code"]
    first = await token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    assert first.status_code == 200, first.text
    refresh = first.json()["refresh_token"]
    assert refresh.startswith("Atzr|")
    api_key = app.store.get_security_profile(client_id=DEMO_CLIENT_ID).api_key  # type: ignore[union-attr]
    assert (await me(client, first.json()["access_token"], api_key)).json()["data"]["user"]["id"] == JANE
    second = await token(
        client,
        grant_type="refresh_token",
        refresh_token=refresh,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    assert second.status_code == 200, second.text
    rotated = second.json()["refresh_token"]
    assert rotated != refresh and second.json()["access_token"] != first.json()["access_token"]
    assert (await me(client, second.json()["access_token"], api_key)).status_code == 200
    # The new refresh token works once more; the old one is spent (its replay is tested in test_emulator_lwa_strict).
    third = await token(
        client,
        grant_type="refresh_token",
        refresh_token=rotated,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    assert third.status_code == 200


async def test_client_secret_by_http_basic(client: httpx.AsyncClient) -> None:
    (code,) = (await authorize(client))["code"]
    response = await client.post(
        "/auth/o2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
    )
    assert response.status_code == 200, response.text
    assert "refresh_token" in response.json()


async def test_access_token_ttl_is_configurable() -> None:
    app = create_app(token_ttl=120)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test") as client:
            (code,) = (await authorize(client))["code"]
            response = await token(
                client,
                grant_type="authorization_code",
                code=code,
                redirect_uri=REDIRECT,
                client_id=DEMO_CLIENT_ID,
                client_secret=DEMO_CLIENT_SECRET,
            )
            assert response.json()["expires_in"] == 120
            real = app.auth.clock
            app.auth.clock = lambda: real() + 121
            answer = await me(client, response.json()["access_token"], app.mint_token().api_key)
            assert answer.status_code == 401 and answer.json()["error"]["code"] == "INVALID_ACCESS_TOKEN"
    finally:
        app.close()


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"client_id": ""}, "client_id"),
        ({"client_id": "amzn1.application-oa2-client.unknown"}, "client_id"),
        ({"redirect_uri": ""}, "redirect_uri"),
        ({"redirect_uri": "https://evil.example/callback"}, "redirect_uri"),
        ({"redirect_uri": "http://127.0.0.1:5000/other-path"}, "redirect_uri"),
    ],
)
async def test_bad_client_or_redirect_uri_is_an_error_page_not_a_redirect(
    client: httpx.AsyncClient, params: dict[str, str], names: str
) -> None:
    query = {"client_id": DEMO_CLIENT_ID, "scope": "music::profile", "response_type": "code", "redirect_uri": REDIRECT}
    query.update(params)
    response = await client.get("/ap/oa", params={k: v for k, v in query.items() if v})
    oauth_error(response, 400, "invalid_request", names=names)
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"scope": "music::nope"}, "invalid_scope"),
        ({"scope": ""}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "S512"}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
        ({"user_id": "nosuchuser"}, "access_denied"),
    ],
)
async def test_other_authorization_errors_are_redirected(
    client: httpx.AsyncClient, params: dict[str, str], error: str
) -> None:
    redirect = await authorize(client, **params)
    assert redirect["error"] == [error]
    assert redirect["error_description"]
    assert redirect["state"] == ["xyz"]
    assert "code" not in redirect


async def test_token_endpoint_errors_follow_rfc_6749(client: httpx.AsyncClient) -> None:
    oauth_error(await token(client), 400, "invalid_request", names="grant_type")
    oauth_error(await token(client, grant_type="password"), 400, "unsupported_grant_type")
    oauth_error(
        await token(client, grant_type="authorization_code", code="x", redirect_uri=REDIRECT), 401, "invalid_client"
    )
    unknown_client = await token(
        client, grant_type="authorization_code", code="x", redirect_uri=REDIRECT, client_id="nope"
    )
    oauth_error(unknown_client, 401, "invalid_client")
    wrong_secret = await token(
        client, grant_type="refresh_token", refresh_token="Atzr|x", client_id=DEMO_CLIENT_ID, client_secret="wrong"
    )
    oauth_error(wrong_secret, 401, "invalid_client")
    bad_refresh = await token(
        client,
        grant_type="refresh_token",
        refresh_token="Atzr|x",
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    oauth_error(bad_refresh, 400, "invalid_grant")
    no_secret = await token(client, grant_type="refresh_token", refresh_token="Atzr|x", client_id=DEMO_CLIENT_ID)
    oauth_error(no_secret, 401, "invalid_client", names="client_secret")
    assert (await client.get("/auth/o2/token")).status_code == 405


async def test_codes_are_single_use_and_bound_to_client_redirect_and_verifier(client: httpx.AsyncClient) -> None:
    verifier = secrets.token_urlsafe(48)
    (code,) = (await authorize(client, code_challenge=s256(verifier), code_challenge_method="S256"))["code"]
    base = {"grant_type": "authorization_code", "client_id": DEMO_CLIENT_ID, "redirect_uri": REDIRECT}
    oauth_error(
        await token(client, **base, code=code, code_verifier="w" * 43), 400, "invalid_grant", names="code_verifier"
    )
    # The failed attempt spent the code (single use):
    oauth_error(await token(client, **base, code=code, code_verifier=verifier), 400, "invalid_grant", names="code")
    (code,) = (await authorize(client, code_challenge=s256(verifier), code_challenge_method="S256"))["code"]
    other_redirect = {**base, "redirect_uri": "http://localhost/callback"}
    oauth_error(await token(client, **other_redirect, code=code, code_verifier=verifier), 400, "invalid_grant")
    (code,) = (await authorize(client))["code"]
    other_client = {**base, "client_id": OTHER_CLIENT_ID, "client_secret": OTHER_CLIENT_SECRET}
    oauth_error(await token(client, **other_client, code=code), 400, "invalid_grant", names="another client")
    (code,) = (await authorize(client))["code"]
    oauth_error(await token(client, **base, code=code), 401, "invalid_client", names="client_secret")


async def test_tokens_from_one_client_are_bound_to_its_api_key(client: httpx.AsyncClient) -> None:
    (code,) = (await authorize(client))["code"]
    response = await token(
        client,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,
    )
    answer = await me(client, response.json()["access_token"], OTHER_API_KEY)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "INVALID_ACCESS_TOKEN"
