"""Static and refreshing auth: the bearer header, refresh before expiry and on 401, single-flight, PKCE, regions."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from overlay_support import API_KEY, error_body

from amazon_music import (
    LWA_TOKEN_URLS,
    AmazonMusic,
    AsyncAmazonMusic,
    AuthenticationError,
    ConfigurationError,
    LWAAuth,
    MemoryTokenStore,
    StaticToken,
    TokenError,
    TokenSet,
    async_exchange_code,
    build_authorize_url,
    exchange_code,
    generate_pkce,
)

TOKEN_URL = LWA_TOKEN_URLS["NA"]
CLIENT_ID = "amzn1.application-oa2-client.0123456789abcdef"
CLIENT_SECRET = "client-secret-value-0123456789"
REFRESH_TOKEN = "Atzr|refresh-token-value"
OLD_TOKEN = "Atza|old-access-token"
NEW_TOKEN = "Atza|new-access-token"
ME = {"data": {"user": {"id": "zqll6htnhyb2welrqsrtrhdvaa"}}}
EXPIRED = error_body(401, "INVALID_ACCESS_TOKEN", "The access token has expired; refresh it and retry.")


def token_response(access_token: str = NEW_TOKEN, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"access_token": access_token, "token_type": "bearer", "expires_in": 3600, **extra})


def accept_only(token: str) -> Any:
    """An API that answers 200 to ``token`` and 401 INVALID_ACCESS_TOKEN to any other."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") == f"Bearer {token}":
            return httpx.Response(200, json=ME)
        return httpx.Response(401, json=EXPIRED)

    return handler


def form(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.content.decode()).items()}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def token_api() -> Any:
    with respx.mock(assert_all_called=False) as router:
        yield router


def test_static_token_sends_the_bearer_header_and_the_api_key(api: respx.MockRouter) -> None:
    route = api.get("/v1/me").respond(200, json=ME)
    with AmazonMusic(API_KEY, auth=StaticToken("Atza|abc")) as client:
        client.me()
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer Atza|abc"
    assert request.headers["x-api-key"] == API_KEY


def test_static_token_needs_a_token() -> None:
    with pytest.raises(ConfigurationError, match="token"):
        StaticToken("")


def test_a_stale_token_is_refreshed_before_the_call(api: respx.MockRouter) -> None:
    clock = Clock()
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    me = api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    auth = LWAAuth(
        CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN, expires_at=clock.now + 30, clock=clock
    )
    with AmazonMusic(API_KEY, auth=auth) as client:
        client.me()
    assert token.call_count == 1
    assert me.call_count == 1  # refreshed first (30 s left is inside the 60 s margin), so no 401 round trip
    assert form(token.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    assert auth.tokens.access_token == NEW_TOKEN
    assert auth.tokens.expires_at == clock.now + 3600


def test_a_fresh_token_is_not_refreshed(api: respx.MockRouter) -> None:
    clock = Clock()
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    api.get("/v1/me").mock(side_effect=accept_only(OLD_TOKEN))
    auth = LWAAuth(
        CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN, expires_at=clock.now + 3000, clock=clock
    )
    with AmazonMusic(API_KEY, auth=auth) as client:
        client.me()
        clock.now += 2000  # still 1000 s left
        client.me()
        assert token.call_count == 0
        clock.now += 950  # 50 s left: inside the margin
        api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
        client.me()
    assert token.call_count == 1


def test_without_an_access_token_the_first_call_refreshes(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    with AmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)) as client:
        client.me()
    assert token.call_count == 1


def test_401_invalid_access_token_refreshes_once_and_retries(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    me = api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN)  # expiry unknown
    with AmazonMusic(API_KEY, auth=auth) as client:
        assert client.me().id == "zqll6htnhyb2welrqsrtrhdvaa"
    assert token.call_count == 1
    sent = [call.request.headers["authorization"] for call in me.calls]
    assert sent == [f"Bearer {OLD_TOKEN}", f"Bearer {NEW_TOKEN}"]


def test_a_second_401_after_the_refresh_is_an_authentication_error(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    me = api.get("/v1/me").respond(401, json=EXPIRED)
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(AuthenticationError) as caught:
        client.me()
    assert caught.value.code == "INVALID_ACCESS_TOKEN"
    assert token.call_count == 1
    assert me.call_count == 2


def test_other_401_codes_do_not_refresh(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    api.get("/v1/me").respond(401, json=error_body(401, "INVALID_AUTH_TYPE", "Bearer expected"))
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(AuthenticationError):
        client.me()
    assert token.call_count == 0


def test_refused_refresh_is_a_token_error_without_secrets(api: respx.MockRouter) -> None:
    api.post(TOKEN_URL).respond(400, json={"error": "invalid_grant", "error_description": "The refresh token is bad"})
    me = api.get("/v1/me").respond(200, json=ME)
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(TokenError) as caught:
        client.me()
    assert caught.value.error == "invalid_grant"
    assert caught.value.status_code == 400
    assert "The refresh token is bad" in str(caught.value)
    for secret in (REFRESH_TOKEN, CLIENT_SECRET):
        assert secret not in str(caught.value) and secret not in repr(caught.value)
    assert me.call_count == 0


def test_a_token_response_without_access_token_is_a_token_error(api: respx.MockRouter) -> None:
    api.post(TOKEN_URL).respond(200, json={"token_type": "bearer"})
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(TokenError, match="invalid_response"):
        client.me()


def test_refreshes_are_saved_to_the_store_and_a_rotated_refresh_token_is_kept(api: respx.MockRouter) -> None:
    store = MemoryTokenStore()
    api.post(TOKEN_URL).mock(return_value=token_response(refresh_token="Atzr|rotated", scope="music::profile"))
    api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    with AmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, store=store)) as client:
        client.me()
    saved = store.load()
    assert saved is not None
    assert (saved.access_token, saved.refresh_token, saved.scope) == (NEW_TOKEN, "Atzr|rotated", "music::profile")


def test_tokens_in_the_store_win_over_the_arguments(api: respx.MockRouter) -> None:
    store = MemoryTokenStore(TokenSet(access_token=NEW_TOKEN, refresh_token="Atzr|stored", expires_at=None))
    token = api.post(TOKEN_URL).mock(return_value=token_response())
    me = api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    with AmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, store=store)) as client:
        client.me()
    assert token.call_count == 0
    assert me.call_count == 1


def test_regional_token_hosts() -> None:
    assert LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN).token_url == "https://api.amazon.com/auth/o2/token"
    assert LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, region="EU").token_url == (
        "https://api.amazon.co.uk/auth/o2/token"
    )
    assert LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, region="fe").token_url == (
        "https://api.amazon.co.jp/auth/o2/token"
    )
    custom = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, token_url="http://127.0.0.1:9/auth/o2/token")
    assert custom.token_url == "http://127.0.0.1:9/auth/o2/token"
    with pytest.raises(ConfigurationError, match="region"):
        LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, region="MARS")


def test_refresh_goes_to_the_regional_host(api: respx.MockRouter) -> None:
    eu = api.post("https://api.amazon.co.uk/auth/o2/token").mock(return_value=token_response())
    api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    with AmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, region="EU")) as client:
        client.me()
    assert eu.call_count == 1


def test_lwa_auth_needs_a_client_id_and_a_token() -> None:
    with pytest.raises(ConfigurationError, match="client_id"):
        LWAAuth("", CLIENT_SECRET, REFRESH_TOKEN)
    with pytest.raises(ConfigurationError, match="refresh_token"):
        LWAAuth(CLIENT_ID, CLIENT_SECRET)


def test_an_expired_static_lwa_token_without_refresh_token_is_a_configuration_error(api: respx.MockRouter) -> None:
    clock = Clock()
    auth = LWAAuth(CLIENT_ID, access_token=OLD_TOKEN, expires_at=clock.now - 1, clock=clock)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(ConfigurationError, match="no refresh token"):
        client.me()


# -- single flight ------------------------------------------------------------------------------------------------

THREADS = 20


def run_in_threads(work: Any, count: int = THREADS) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except Exception as exc:  # collected, asserted below
            results[index] = exc

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def slow_token_endpoint(delay: float) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        time.sleep(delay)  # keeps the refresh in flight while the other threads arrive
        return token_response()

    return handler


def test_stale_token_under_20_threads_refreshes_exactly_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(0.05))
    me = api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    with AmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)) as client:
        results = run_in_threads(lambda: client.me().id)
    assert results == ["zqll6htnhyb2welrqsrtrhdvaa"] * THREADS
    assert token.call_count == 1
    assert me.call_count == THREADS


def test_401_storm_under_20_threads_refreshes_exactly_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(0.05))
    api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN)
    with AmazonMusic(API_KEY, auth=auth) as client:
        results = run_in_threads(lambda: client.me().id)
    assert results == ["zqll6htnhyb2welrqsrtrhdvaa"] * THREADS
    assert token.call_count == 1


def async_slow_token_endpoint(delay: float) -> Any:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(delay)  # the other tasks run while the refresh is in flight
        return token_response()

    return handler


async def test_stale_token_under_20_tasks_refreshes_exactly_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=async_slow_token_endpoint(0.05))
    me = api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    async with AsyncAmazonMusic(API_KEY, auth=LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)) as client:
        users = await asyncio.gather(*(client.me() for _ in range(20)))
    assert [user.id for user in users] == ["zqll6htnhyb2welrqsrtrhdvaa"] * 20
    assert token.call_count == 1
    assert me.call_count == 20


async def test_401_storm_under_20_tasks_refreshes_exactly_once(api: respx.MockRouter) -> None:
    token = api.post(TOKEN_URL).mock(side_effect=async_slow_token_endpoint(0.05))

    async def api_handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)  # every task sends with the old token before any 401 comes back
        return accept_only(NEW_TOKEN)(request)  # type: ignore[no-any-return]

    api.get("/v1/me").mock(side_effect=api_handler)
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, access_token=OLD_TOKEN)
    async with AsyncAmazonMusic(API_KEY, auth=auth) as client:
        users = await asyncio.gather(*(client.me() for _ in range(20)))
    assert len(users) == 20
    assert token.call_count == 1


def test_threads_and_tasks_together_refresh_once(api: respx.MockRouter) -> None:
    """One LWAAuth shared by a sync client (10 threads) and an async client (10 tasks on another thread)."""
    token = api.post(TOKEN_URL).mock(side_effect=slow_token_endpoint(0.1))
    api.get("/v1/me").mock(side_effect=accept_only(NEW_TOKEN))
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)

    async def tasks() -> list[str]:
        async with AsyncAmazonMusic(API_KEY, auth=auth) as client:
            return [user.id for user in await asyncio.gather(*(client.me() for _ in range(10)))]

    with AmazonMusic(API_KEY, auth=auth) as client:
        barrier = threading.Barrier(11)
        outcomes: list[Any] = []

        def sync_worker() -> None:
            barrier.wait()
            outcomes.append(client.me().id)

        def async_worker() -> None:
            barrier.wait()
            outcomes.extend(asyncio.run(tasks()))

        threads = [threading.Thread(target=sync_worker) for _ in range(10)] + [threading.Thread(target=async_worker)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert outcomes == ["zqll6htnhyb2welrqsrtrhdvaa"] * 20
    assert token.call_count == 1


# -- PKCE and the code exchange -----------------------------------------------------------------------------------


def test_pkce_challenge_is_the_s256_of_the_verifier() -> None:
    pkce = generate_pkce()
    assert 43 <= len(pkce.verifier) <= 128
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert pkce.method == "S256"
    assert generate_pkce().verifier != pkce.verifier
    assert pkce.verifier not in repr(pkce) and pkce.verifier not in str(pkce)


def test_authorize_url_carries_the_flow_parameters() -> None:
    pkce = generate_pkce()
    url = build_authorize_url(
        CLIENT_ID, "http://localhost:8080/callback", ["music::profile", "music::catalog"], state="xyz", pkce=pkce
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.amazon.com/ap/oa"
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {
        "client_id": CLIENT_ID,
        "scope": "music::profile music::catalog",
        "response_type": "code",
        "redirect_uri": "http://localhost:8080/callback",
        "state": "xyz",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    assert pkce.verifier not in url


def test_authorize_url_regions_and_checks() -> None:
    assert build_authorize_url(CLIENT_ID, "http://x/cb", ["music::profile"], state="s", region="EU").startswith(
        "https://www.amazon.co.uk/ap/oa?"
    )
    assert build_authorize_url(CLIENT_ID, "http://x/cb", ["music::profile"], state="s", region="FE").startswith(
        "https://www.amazon.co.jp/ap/oa?"
    )
    with pytest.raises(ConfigurationError, match="state"):
        build_authorize_url(CLIENT_ID, "http://x/cb", ["music::profile"], state="")
    with pytest.raises(ConfigurationError, match="scopes"):
        build_authorize_url(CLIENT_ID, "http://x/cb", [], state="s")


def test_exchange_code_with_pkce(token_api: respx.MockRouter) -> None:
    route = token_api.post(TOKEN_URL).mock(return_value=token_response(refresh_token=None))
    pkce = generate_pkce()
    redirect = "http://localhost/cb"
    tokens = exchange_code(
        "ANcode", client_id=CLIENT_ID, redirect_uri=redirect, code_verifier=pkce.verifier, clock=lambda: 5.0
    )
    assert tokens.access_token == NEW_TOKEN
    assert tokens.refresh_token is None
    assert tokens.expires_at == 3605.0
    assert form(route.calls.last.request) == {
        "grant_type": "authorization_code",
        "code": "ANcode",
        "redirect_uri": "http://localhost/cb",
        "client_id": CLIENT_ID,
        "code_verifier": pkce.verifier,
    }


def test_exchange_code_refused(token_api: respx.MockRouter) -> None:
    token_api.post(TOKEN_URL).respond(400, json={"error": "invalid_grant", "error_description": "code expired"})
    with pytest.raises(TokenError, match="invalid_grant"):
        exchange_code("ANcode", client_id=CLIENT_ID, redirect_uri="http://x/cb", client_secret=CLIENT_SECRET)


def test_exchange_code_needs_a_verifier_or_a_secret() -> None:
    with pytest.raises(ConfigurationError, match="code_verifier"):
        exchange_code("ANcode", client_id=CLIENT_ID, redirect_uri="http://x/cb")


async def test_async_exchange_code_with_a_secret(token_api: respx.MockRouter) -> None:
    route = token_api.post("https://api.amazon.co.jp/auth/o2/token").mock(
        return_value=token_response(refresh_token=REFRESH_TOKEN)
    )
    tokens = await async_exchange_code(
        "ANcode", client_id=CLIENT_ID, redirect_uri="http://x/cb", client_secret=CLIENT_SECRET, region="FE"
    )
    assert tokens.refresh_token == REFRESH_TOKEN
    assert form(route.calls.last.request)["client_secret"] == CLIENT_SECRET
