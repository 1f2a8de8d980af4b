"""No access token, refresh token, client secret or code verifier in any repr, str, log record or error message;
and the DEBUG log says method, path, status, duration and the retry decisions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from overlay_support import API_KEY, error_body, no_jitter

import amazon_music
from amazon_music import (
    LWA_TOKEN_URLS,
    AmazonMusic,
    AsyncAmazonMusic,
    AsyncRetryTransport,
    AuthenticationError,
    FileTokenStore,
    LWAAuth,
    MemoryTokenStore,
    RetryDecision,
    RetryPolicy,
    RetryTransport,
    StaticToken,
    TokenError,
    TokenSet,
    generate_pkce,
)
from amazon_music._config import settings_from_env

ACCESS = "Atza|SECRET-access-token-1111"
NEW_ACCESS = "Atza|SECRET-access-token-2222"
REFRESH = "Atzr|SECRET-refresh-token-3333"
CLIENT_SECRET = "SECRET-client-secret-4444"
SECRETS = (ACCESS, NEW_ACCESS, REFRESH, CLIENT_SECRET, "SECRET")
CLIENT_ID = "amzn1.application-oa2-client.abc"


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {text!r}"


def public_objects(tmp_path: Path) -> list[Any]:
    tokens = TokenSet(access_token=ACCESS, refresh_token=REFRESH, expires_at=1.0, scope="music::profile")
    lwa = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH, access_token=ACCESS, expires_at=1e12)
    file_store = FileTokenStore(tmp_path / "tokens.json")
    file_store.save(tokens)
    env = {
        "AMAZON_MUSIC_API_KEY": API_KEY,
        "AMAZON_MUSIC_ACCESS_TOKEN": ACCESS,
        "AMAZON_MUSIC_CLIENT_ID": CLIENT_ID,
        "AMAZON_MUSIC_CLIENT_SECRET": CLIENT_SECRET,
        "AMAZON_MUSIC_REFRESH_TOKEN": REFRESH,
    }
    return [
        tokens,
        lwa,
        StaticToken(ACCESS),
        MemoryTokenStore(tokens),
        file_store,
        generate_pkce(),
        settings_from_env(env),
        AmazonMusic(API_KEY, token=ACCESS),
        AmazonMusic(API_KEY, auth=lwa),
        AmazonMusic.from_env(env),
        AsyncAmazonMusic(API_KEY, token=ACCESS),
        AsyncAmazonMusic.from_env(env),
        AmazonMusic(API_KEY, token=ACCESS).followers(),
        AsyncAmazonMusic(API_KEY, token=ACCESS).followers(),
        TokenError("invalid_grant", "The refresh token is invalid"),
        RetryPolicy(),
        RetryTransport(),
        AsyncRetryTransport(),
        RetryDecision(False, reason="429, no retries left (3 made)"),
    ]


def test_no_public_object_shows_a_secret(tmp_path: Path) -> None:
    objects = public_objects(tmp_path)
    for obj in objects:
        assert_clean(repr(obj))
        assert_clean(str(obj))
    assert "[secure]" in repr(objects[0]) and "[secure]" in repr(objects[1]) and "[secure]" in repr(objects[2])


def test_every_public_class_is_covered(tmp_path: Path) -> None:
    """A public class added later must be added to public_objects (or be an error, a protocol or a function)."""
    covered = {type(obj) for obj in public_objects(tmp_path)}
    for name in amazon_music.__all__:
        value = getattr(amazon_music, name)
        if isinstance(value, type) and not issubclass(value, Exception) and name != "TokenStore":  # a Protocol
            assert value in covered, name


def test_token_file_is_0600_and_its_repr_shows_only_the_path(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "nested" / "tokens.json")
    store.save(TokenSet(access_token=ACCESS, refresh_token=REFRESH))
    assert (store.path.stat().st_mode & 0o777) == 0o600
    assert_clean(repr(store))


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def record_texts(caplog: pytest.LogCaptureFixture) -> list[str]:
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.__dict__))
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    return texts


def test_logs_of_a_refresh_and_a_401_hold_no_secret(api: respx.MockRouter, debug_log: pytest.LogCaptureFixture) -> None:
    api.post(LWA_TOKEN_URLS["NA"]).respond(200, json={"access_token": NEW_ACCESS, "expires_in": 3600})

    def me(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == f"Bearer {NEW_ACCESS}":
            return httpx.Response(401, json=error_body(401, "INVALID_AUTH_TOKEN", "unknown token"))
        return httpx.Response(401, json=error_body(401, "INVALID_ACCESS_TOKEN", "expired"))

    api.get("/v1/me").mock(side_effect=me)
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH, access_token=ACCESS)
    with AmazonMusic(API_KEY, auth=auth) as client, pytest.raises(AuthenticationError) as caught:
        client.me()
    assert_clean(str(caught.value))
    assert_clean(repr(caught.value))
    assert caught.value.response is not None
    assert_clean(repr(caught.value.response.request.headers))
    assert all(not r.request.url.path.endswith("/auth/o2/token") for r in caught.value.response.history)
    texts = record_texts(debug_log)
    assert any("POST /auth/o2/token -> 200" in text for text in texts)
    for text in texts:
        assert_clean(text)


def test_request_headers_in_the_log_show_authorization_and_the_api_key_as_secure(
    api: respx.MockRouter, debug_log: pytest.LogCaptureFixture
) -> None:
    api.get("/v1/me").respond(200, json={"data": {"user": {"id": "abc"}}})
    with AmazonMusic(API_KEY, token=ACCESS) as client:
        client.me()
    records = [record for record in debug_log.records if record.name == "amazon_music"]
    assert records
    headers = records[0].request_headers
    assert headers["authorization"] == "[secure]"
    assert headers["x-api-key"] == "[secure]"
    for text in record_texts(debug_log):
        assert_clean(text)
        assert API_KEY not in text


def test_the_log_says_method_path_status_duration_and_retry_decisions(
    api: respx.MockRouter, debug_log: pytest.LogCaptureFixture
) -> None:
    api.get("/v1/me").mock(
        side_effect=[
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(429, headers={"Retry-After": "999"}),
        ]
    )
    transport = RetryTransport(policy=RetryPolicy(backoff=no_jitter), sleep=lambda seconds: None)
    with AmazonMusic(API_KEY, token=ACCESS, transport=transport) as client, pytest.raises(amazon_music.RateLimitError):
        client.me()
    messages = [record.getMessage() for record in debug_log.records if record.name == "amazon_music"]
    attempts = [message for message in messages if message.startswith("GET /v1/me ->")]
    assert [message.split(" in ")[0] for message in attempts] == [
        "GET /v1/me -> 503",
        "GET /v1/me -> 429",
        "GET /v1/me -> 429",
    ]
    assert all(message.endswith(f"ms (attempt {n})") for n, message in enumerate(attempts, start=1))
    assert "retrying GET /v1/me in 0.50 s (503, backoff; retry 1 of 3)" in messages
    assert "retrying GET /v1/me in 1.00 s (429, Retry-After 1 s; retry 2 of 3)" in messages
    assert "not retrying GET /v1/me: 429 with Retry-After 999 s, over the cap of 60 s" in messages
    record = next(record for record in debug_log.records if record.name == "amazon_music")
    assert (record.http_method, record.http_path, record.http_status) == ("GET", "/v1/me", 503)
    assert record.duration_ms >= 0


async def test_async_logs_hold_no_secret(api: respx.MockRouter, debug_log: pytest.LogCaptureFixture) -> None:
    api.post(LWA_TOKEN_URLS["NA"]).respond(400, json={"error": "invalid_grant", "error_description": "bad"})
    auth = LWAAuth(CLIENT_ID, CLIENT_SECRET, REFRESH)
    transport = AsyncRetryTransport()
    async with AsyncAmazonMusic(API_KEY, auth=auth, transport=transport) as client:
        with pytest.raises(TokenError) as caught:
            await client.me()
    assert_clean(str(caught.value))
    for text in record_texts(debug_log):
        assert_clean(text)
