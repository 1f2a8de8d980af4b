"""Generic OAuth 2.0 clients drive the emulated Login with Amazon end to end over a real socket: authlib's OAuth2Client
and requests-oauthlib's OAuth2Session, each with the authorization code, PKCE (S256), an API call with the bearer token
they hold, and a refresh with a narrower scope that the answer confirms."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from requests_oauthlib import OAuth2Session

from amazon_music.testing import emulate
from amazon_music_emulator import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USER_ID

REDIRECT = "http://127.0.0.1:53682/callback"  # registered loopback URL; any port (RFC 8252); nobody listens there
FULL_SCOPE = "music::profile music::favorites"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with emulate(seed=False) as emulator:
        yield emulator.serve()


def _redirected_to(authorization_url: str) -> str:
    """Where the emulated consent page sends the browser: the redirect URI with the code and state."""
    response = httpx.get(authorization_url, follow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return location


def test_authlib_code_pkce_and_a_narrower_refresh(base_url: str) -> None:
    with OAuth2Client(
        client_id=DEMO_CLIENT_ID,
        client_secret=DEMO_CLIENT_SECRET,  # sent as HTTP Basic (authlib's default, client_secret_basic)
        scope=FULL_SCOPE,
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        timeout=10,
    ) as oauth:
        verifier = generate_token(64)
        url, state = oauth.create_authorization_url(f"{base_url}/ap/oa", code_verifier=verifier)
        location = _redirected_to(url)
        token = oauth.fetch_token(
            f"{base_url}/auth/o2/token", authorization_response=location, state=state, code_verifier=verifier
        )
        assert token["scope"] == FULL_SCOPE and token["refresh_token"].startswith("Atzr|")

        me = oauth.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY})
        assert me.status_code == 200 and me.json()["data"]["user"]["id"] == DEMO_USER_ID

        narrower = oauth.refresh_token(f"{base_url}/auth/o2/token", scope="music::profile")
        assert narrower["scope"] == "music::profile"
        assert narrower["access_token"] != token["access_token"]
        assert oauth.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY}).status_code == 200
        refused = oauth.get(f"{base_url}/v1/me/followers", headers={"x-api-key": DEMO_API_KEY})
        assert refused.status_code == 403 and "insufficient_scope" in refused.headers["www-authenticate"]


def test_authlib_sees_a_replayed_code_refused(base_url: str) -> None:
    with OAuth2Client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, scope=FULL_SCOPE, redirect_uri=REDIRECT, timeout=10) as oauth:
        url, state = oauth.create_authorization_url(f"{base_url}/ap/oa")
        location = _redirected_to(url)
        oauth.fetch_token(f"{base_url}/auth/o2/token", authorization_response=location, state=state)
        assert oauth.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY}).status_code == 200
        with pytest.raises(Exception, match="invalid_grant"):
            oauth.fetch_token(f"{base_url}/auth/o2/token", authorization_response=location, state=state)
        # The code's first tokens went with it (RFC 6749 section 4.1.2).
        assert oauth.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY}).status_code == 401


def test_requests_oauthlib_code_pkce_and_a_narrower_refresh(base_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib wants https; the emulator is loopback http
    session = OAuth2Session(DEMO_CLIENT_ID, redirect_uri=REDIRECT, scope=FULL_SCOPE.split(), pkce="S256")
    url, _state = session.authorization_url(f"{base_url}/ap/oa")
    location = requests.get(url, allow_redirects=False, timeout=10).headers["location"]
    token = session.fetch_token(
        f"{base_url}/auth/o2/token",
        authorization_response=location,
        client_secret=DEMO_CLIENT_SECRET,  # in the form (client_secret_post)
        include_client_id=True,
        timeout=10,
    )
    assert token["scope"] == FULL_SCOPE.split()  # oauthlib hands scope back as a list
    me = session.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY}, timeout=10)
    assert me.status_code == 200 and me.json()["data"]["user"]["id"] == DEMO_USER_ID

    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")  # a narrower scope is the point here, not a surprise
    session.scope = ["music::profile"]  # requests-oauthlib asks a refresh for the session's scope
    narrower = session.refresh_token(f"{base_url}/auth/o2/token", auth=(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET), timeout=10)
    assert narrower["scope"] == ["music::profile"]
    followers = session.get(f"{base_url}/v1/me/followers", headers={"x-api-key": DEMO_API_KEY}, timeout=10)
    assert followers.status_code == 403
    assert session.get(f"{base_url}/v1/me", headers={"x-api-key": DEMO_API_KEY}, timeout=10).status_code == 200
