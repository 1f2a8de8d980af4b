"""Credentials never go over plain http to another machine unless the caller opts in: the bearer token (StaticToken,
LWAAuth), and the client secret and refresh token (LWAAuth's token_url, exchange_code). Loopback stays allowed."""

from __future__ import annotations

import httpx
import pytest
import respx
from overlay_support import ACCESS_TOKEN, API_KEY

from amazon_music import AmazonMusic, AsyncAmazonMusic, ConfigurationError, LWAAuth, StaticToken, exchange_code
from amazon_music._plain_http import ALLOW_INSECURE_HTTP_ENV

CLIENT_ID = "amzn1.application-oa2-client.test"
ME = {"data": {"user": {"id": "abc"}}}


@pytest.fixture(autouse=True)
def no_opt_in_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_INSECURE_HTTP_ENV, raising=False)


def test_the_bearer_token_is_not_sent_over_plain_http_to_another_host() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.get("http://api.example.com/v1/me").respond(200, json=ME)
        with (
            AmazonMusic(API_KEY, token=ACCESS_TOKEN, base_url="http://api.example.com") as music,
            pytest.raises(ConfigurationError, match=r"base_url: refusing .* plain http to api\.example\.com") as raised,
        ):
            music.me()
    assert not route.called  # nothing left the process: neither the token nor the API key
    assert ACCESS_TOKEN not in str(raised.value)


async def test_the_async_client_refuses_it_too() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.get("http://api.example.com/v1/me").respond(200, json=ME)
        async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, base_url="http://api.example.com") as music:
            with pytest.raises(ConfigurationError, match="plain http"):
                await music.me()
    assert not route.called


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://127.5.6.7", "http://x.localhost"],
)
def test_loopback_stays_allowed(base_url: str) -> None:
    with respx.mock() as router:
        router.get(f"{base_url}/v1/me").respond(200, json=ME)
        with AmazonMusic(API_KEY, token=ACCESS_TOKEN, base_url=base_url) as music:
            assert music.me().id == "abc"


def test_https_anywhere_is_fine_and_opting_in_allows_http() -> None:
    with respx.mock() as router:
        router.get("http://api.example.com/v1/me").respond(200, json=ME)
        auth = StaticToken(ACCESS_TOKEN, allow_insecure_http=True)
        with AmazonMusic(API_KEY, auth=auth, base_url="http://api.example.com") as music:
            assert music.me().id == "abc"


def test_the_environment_can_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_INSECURE_HTTP_ENV, "1")
    with respx.mock() as router:
        router.get("http://api.example.com/v1/me").respond(200, json=ME)
        with AmazonMusic(API_KEY, token=ACCESS_TOKEN, base_url="http://api.example.com") as music:
            assert music.me().id == "abc"
    # An explicit False wins over the environment.
    with (
        AmazonMusic(
            API_KEY, auth=StaticToken(ACCESS_TOKEN, allow_insecure_http=False), base_url="http://api.example.com"
        ) as music,
        pytest.raises(ConfigurationError),
    ):
        music.me()


def test_lwa_auth_refuses_a_plain_http_token_url_at_once() -> None:
    with pytest.raises(ConfigurationError, match=r"token_url: refusing .* lwa\.example\.com"):
        LWAAuth(CLIENT_ID, "secret", "Atzr|refresh", token_url="http://lwa.example.com/auth/o2/token")
    # Loopback (an emulator) is fine, and so is an explicit opt-in.
    LWAAuth(CLIENT_ID, "secret", "Atzr|refresh", token_url="http://127.0.0.1:8080/auth/o2/token")
    LWAAuth(
        CLIENT_ID,
        "secret",
        "Atzr|refresh",
        token_url="http://lwa.example.com/auth/o2/token",
        allow_insecure_http=True,
    )


def test_lwa_auth_does_not_send_its_access_token_over_plain_http() -> None:
    auth = LWAAuth(CLIENT_ID, access_token=ACCESS_TOKEN, expires_at=4e9)
    with respx.mock(assert_all_called=False) as router:
        route = router.get("http://api.example.com/v1/me").respond(200, json=ME)
        with (
            AmazonMusic(API_KEY, auth=auth, base_url="http://api.example.com") as music,
            pytest.raises(ConfigurationError, match="base_url"),
        ):
            music.me()
    assert not route.called


def test_exchange_code_refuses_a_plain_http_token_url() -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.post("http://lwa.example.com/auth/o2/token").respond(200, json={"access_token": "Atza|x"})
        with pytest.raises(ConfigurationError, match="token_url"):
            exchange_code(
                "code",
                client_id=CLIENT_ID,
                redirect_uri="http://127.0.0.1/callback",
                client_secret="secret",
                token_url="http://lwa.example.com/auth/o2/token",
                http_client=httpx.Client(),
            )
    assert not route.called
