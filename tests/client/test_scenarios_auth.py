"""Login with Amazon and faults against the emulator: refresh (single-use refresh tokens), PKCE, retries, 429 cap."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from scenario_support import EMULATOR_URL, TOKEN_URL

from amazon_music import (
    AmazonMusic,
    AsyncAmazonMusic,
    AsyncRetryTransport,
    LWAAuth,
    MemoryTokenStore,
    RateLimitError,
    RetryPolicy,
    RetryTransport,
    ServerError,
    TokenError,
    async_exchange_code,
    build_authorize_url,
    exchange_code,
    generate_pkce,
)
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USER_ID

BOGUS_TOKEN = "Atza|never-issued-by-this-emulator"


def lwa(emulator: EmulatorApp, **kwargs: Any) -> LWAAuth:
    grant = emulator.mint_token()
    return LWAAuth(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, grant.refresh_token, token_url=TOKEN_URL, **kwargs)


def test_a_rejected_access_token_is_refreshed_through_the_emulator(emulator: EmulatorApp, bridge: Any) -> None:
    store = MemoryTokenStore()
    auth = lwa(emulator, access_token=BOGUS_TOKEN, store=store)
    first_refresh = auth.tokens.refresh_token
    with AmazonMusic(DEMO_API_KEY, auth=auth, base_url=EMULATOR_URL, transport=bridge) as client:
        assert client.me().id == DEMO_USER_ID
        assert client.me().id == DEMO_USER_ID
    saved = store.load()
    assert saved is not None
    assert saved.access_token not in (None, BOGUS_TOKEN)
    assert saved.refresh_token not in (None, first_refresh)  # the emulator's refresh tokens are single-use


def test_20_threads_share_one_refresh_of_a_single_use_refresh_token(emulator: EmulatorApp, bridge: Any) -> None:
    """Were two refreshes sent, the second would spend the already-used refresh token and fail with invalid_grant."""
    auth = lwa(emulator)
    results: list[Any] = []
    barrier = threading.Barrier(20)
    with AmazonMusic(DEMO_API_KEY, auth=auth, base_url=EMULATOR_URL, transport=bridge) as client:

        def worker() -> None:
            barrier.wait()
            try:
                results.append(client.me().id)
            except Exception as exc:  # collected, asserted below
                results.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert results == [DEMO_USER_ID] * 20


def test_20_tasks_share_one_refresh_of_a_single_use_refresh_token(emulator: EmulatorApp) -> None:
    auth = lwa(emulator, access_token=BOGUS_TOKEN)

    async def run() -> list[str]:
        transport = httpx.ASGITransport(app=emulator)
        async with AsyncAmazonMusic(DEMO_API_KEY, auth=auth, base_url=EMULATOR_URL, transport=transport) as client:
            return [user.id for user in await asyncio.gather(*(client.me() for _ in range(20)))]

    assert asyncio.run(run()) == [DEMO_USER_ID] * 20


def test_a_spent_refresh_token_is_a_token_error(emulator: EmulatorApp, bridge: Any) -> None:
    grant = emulator.mint_token()
    first = LWAAuth(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, grant.refresh_token, token_url=TOKEN_URL)
    second = LWAAuth(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, grant.refresh_token, token_url=TOKEN_URL)
    with AmazonMusic(DEMO_API_KEY, auth=first, base_url=EMULATOR_URL, transport=bridge) as client:
        client.me()
    client = AmazonMusic(DEMO_API_KEY, auth=second, base_url=EMULATOR_URL, transport=bridge)
    with client, pytest.raises(TokenError) as caught:
        client.me()
    assert caught.value.error == "invalid_grant"
    assert grant.refresh_token not in str(caught.value)


def authorize(bridge: Any, url: str) -> dict[str, str]:
    """Follow the authorize URL to the emulator's redirect and read the code and state from it."""
    with httpx.Client(transport=bridge) as browser:
        response = browser.get(url)
    assert response.status_code in (302, 303, 307), response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    return {key: values[0] for key, values in query.items()}


def test_pkce_authorization_code_flow(emulator: EmulatorApp, bridge: Any) -> None:
    pkce = generate_pkce()
    redirect = "http://127.0.0.1/callback"
    url = build_authorize_url(
        DEMO_CLIENT_ID,
        redirect,
        ["music::profile", "music::favorites"],
        state="state-123",
        pkce=pkce,
        authorize_url=f"{EMULATOR_URL}/ap/oa",
    )
    answer = authorize(bridge, url)
    assert answer["state"] == "state-123"
    with httpx.Client(transport=bridge) as http:
        tokens = exchange_code(
            answer["code"],
            client_id=DEMO_CLIENT_ID,
            redirect_uri=redirect,
            code_verifier=pkce.verifier,
            token_url=TOKEN_URL,
            http_client=http,
        )
    assert tokens.access_token and tokens.refresh_token is None  # PKCE without a secret: no refresh token
    with AmazonMusic(DEMO_API_KEY, token=tokens.access_token, base_url=EMULATOR_URL, transport=bridge) as client:
        assert client.me().id == DEMO_USER_ID


def test_a_wrong_verifier_is_refused(emulator: EmulatorApp, bridge: Any) -> None:
    pkce = generate_pkce()
    redirect = "http://127.0.0.1/callback"
    url = build_authorize_url(
        DEMO_CLIENT_ID, redirect, ["music::profile"], state="s", pkce=pkce, authorize_url=f"{EMULATOR_URL}/ap/oa"
    )
    code = authorize(bridge, url)["code"]
    with httpx.Client(transport=bridge) as http, pytest.raises(TokenError, match="invalid_grant"):
        exchange_code(
            code,
            client_id=DEMO_CLIENT_ID,
            redirect_uri=redirect,
            code_verifier=generate_pkce().verifier,
            token_url=TOKEN_URL,
            http_client=http,
        )


def test_async_code_exchange_with_the_client_secret(emulator: EmulatorApp, bridge: Any) -> None:
    redirect = "http://127.0.0.1/callback"
    url = build_authorize_url(
        DEMO_CLIENT_ID, redirect, ["music::profile"], state="s", authorize_url=f"{EMULATOR_URL}/ap/oa"
    )
    code = authorize(bridge, url)["code"]

    async def run() -> Any:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator)) as http:
            return await async_exchange_code(
                code,
                client_id=DEMO_CLIENT_ID,
                redirect_uri=redirect,
                client_secret=DEMO_CLIENT_SECRET,
                token_url=TOKEN_URL,
                http_client=http,
            )

    tokens = asyncio.run(run())
    assert tokens.refresh_token  # a confidential client gets one


# -- faults -------------------------------------------------------------------------------------------------------


def test_random_faults_are_retried_away(emulator: EmulatorApp, bridge: Any) -> None:
    emulator.faults.fault_rate = 0.3
    emulator.faults.reseed(7)
    waits: list[float] = []
    transport = RetryTransport(bridge, policy=RetryPolicy(max_retries=8), sleep=waits.append)
    token = emulator.mint_token().access_token
    with AmazonMusic(DEMO_API_KEY, token=token, base_url=EMULATOR_URL, transport=transport) as client:
        walked = [user.id for user in client.followers(limit=10)]
    edges = emulator.store.page("followers", DEMO_USER_ID, after=0, limit=1_000_000).edges
    assert walked == [edge[1] for edge in edges]
    assert waits  # some faults were met, and waited out on the fake clock


def test_the_rate_limit_retry_after_is_honoured(emulator: EmulatorApp) -> None:
    emulator.faults.rate_limit = 2
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    async def run() -> list[str]:
        transport = AsyncRetryTransport(httpx.ASGITransport(app=emulator), sleep=fake_sleep)
        token = emulator.mint_token().access_token
        async with AsyncAmazonMusic(DEMO_API_KEY, token=token, base_url=EMULATOR_URL, transport=transport) as client:
            return [(await client.me()).id for _ in range(2)]

    assert asyncio.run(run()) == [DEMO_USER_ID] * 2
    emulator.faults.retry_after = 1
    emulator.faults.rate_limit = 1

    async def throttled() -> None:
        transport = AsyncRetryTransport(
            httpx.ASGITransport(app=emulator), policy=RetryPolicy(max_retries=0), sleep=fake_sleep
        )
        token = emulator.mint_token().access_token
        async with AsyncAmazonMusic(DEMO_API_KEY, token=token, base_url=EMULATOR_URL, transport=transport) as client:
            await client.me()
            await client.me()

    with pytest.raises(RateLimitError) as caught:
        asyncio.run(throttled())
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


def test_a_retry_after_over_the_cap_is_raised_without_waiting(emulator: EmulatorApp, bridge: Any) -> None:
    emulator.faults.fault_rate = 1.0
    emulator.faults.retry_after = 3600
    emulator.faults.reseed(1)
    waits: list[float] = []
    transport = RetryTransport(bridge, policy=RetryPolicy(max_retry_after=30), sleep=waits.append)
    token = emulator.mint_token().access_token
    with AmazonMusic(DEMO_API_KEY, token=token, base_url=EMULATOR_URL, transport=transport) as client:
        for _ in range(10):  # every answer is a fault: a 429 (raised at once) or a 503 (retried, then raised)
            try:
                client.me()
            except RateLimitError as exc:
                assert exc.retry_after == 3600
                break
            except ServerError:  # a 503 after its retries: draw again
                continue
        else:
            pytest.fail("no 429 in ten faulted calls")
    assert all(wait < 30 for wait in waits)
