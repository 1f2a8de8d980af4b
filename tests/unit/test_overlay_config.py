"""Construction, from_env, context managers and the token stores."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import httpx
import pytest
import respx
from overlay_support import ACCESS_TOKEN, API_KEY, BASE_URL

from amazon_music import (
    AmazonMusic,
    AsyncAmazonMusic,
    ConfigurationError,
    FileTokenStore,
    LWAAuth,
    MemoryTokenStore,
    StaticToken,
    TokenSet,
    TokenStore,
)

ME = {"data": {"user": {"id": "abc"}}}
ENV = {
    "AMAZON_MUSIC_API_KEY": API_KEY,
    "AMAZON_MUSIC_CLIENT_ID": "amzn1.application-oa2-client.abc",
    "AMAZON_MUSIC_CLIENT_SECRET": "client-secret",
    "AMAZON_MUSIC_REFRESH_TOKEN": "Atzr|refresh",
}


def test_construction_needs_an_api_key_and_one_credential() -> None:
    with pytest.raises(ConfigurationError, match="api_key"):
        AmazonMusic(token=ACCESS_TOKEN)
    with pytest.raises(ConfigurationError, match="token"):
        AmazonMusic(API_KEY)
    with pytest.raises(ConfigurationError, match="not both"):
        AmazonMusic(API_KEY, token=ACCESS_TOKEN, auth=StaticToken(ACCESS_TOKEN))
    with pytest.raises(ConfigurationError, match="base_url"):
        AmazonMusic(API_KEY, token=ACCESS_TOKEN, base_url="ftp://example")
    with pytest.raises(ConfigurationError, match="api_key"):
        AsyncAmazonMusic("", token=ACCESS_TOKEN)


def test_base_url_and_api_key_are_used(api: respx.MockRouter) -> None:
    with respx.mock(base_url="http://127.0.0.1:8123/prefix") as local:
        route = local.get("/v1/me").respond(200, json=ME)
        with AmazonMusic("other-key", token=ACCESS_TOKEN, base_url="http://127.0.0.1:8123/prefix/") as client:
            client.me()
    assert route.calls.last.request.headers["x-api-key"] == "other-key"
    assert route.calls.last.request.headers["user-agent"].startswith("amazon-music-webapi")


def test_from_env_with_an_access_token(api: respx.MockRouter) -> None:
    route = api.get("/v1/me").respond(200, json=ME)
    env = {"AMAZON_MUSIC_API_KEY": API_KEY, "AMAZON_MUSIC_ACCESS_TOKEN": ACCESS_TOKEN}
    with AmazonMusic.from_env(env) as client:
        assert client.base_url == BASE_URL
        client.me()
    assert route.calls.last.request.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_from_env_with_a_refresh_token_builds_lwa(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**ENV, "AMAZON_MUSIC_BASE_URL": "http://127.0.0.1:9000"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AMAZON_MUSIC_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("AMAZON_MUSIC_TOKEN_URL", "http://127.0.0.1:9000/auth/o2/token")
    client = AmazonMusic.from_env(max_retries=0)
    assert client.base_url == "http://127.0.0.1:9000"
    assert isinstance(client._auth, LWAAuth)
    assert client._auth.token_url == "http://127.0.0.1:9000/auth/o2/token"
    client.close()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "AMAZON_MUSIC_API_KEY"),
        ({"AMAZON_MUSIC_API_KEY": API_KEY}, "AMAZON_MUSIC_ACCESS_TOKEN"),
        ({"AMAZON_MUSIC_API_KEY": "  "}, "AMAZON_MUSIC_API_KEY"),
        ({**ENV, "AMAZON_MUSIC_CLIENT_SECRET": ""}, "AMAZON_MUSIC_CLIENT_SECRET"),
        ({"AMAZON_MUSIC_API_KEY": API_KEY, "AMAZON_MUSIC_REFRESH_TOKEN": "x"}, "AMAZON_MUSIC_CLIENT_ID and"),
    ],
)
def test_from_env_names_what_is_missing(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named):
        AmazonMusic.from_env(env)


def test_the_sync_context_manager_closes_the_http_client() -> None:
    with AmazonMusic(API_KEY, token=ACCESS_TOKEN) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


async def test_the_async_context_manager_closes_the_http_client() -> None:
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN) as client:
        assert not client._http.is_closed
    assert client._http.is_closed


def test_a_custom_transport_is_wrapped_in_retries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500) if len(calls) == 1 else httpx.Response(200, json=ME)

    from amazon_music import RetryPolicy

    policy = RetryPolicy(backoff=lambda n: 0.0)
    transport = httpx.MockTransport(handler)
    with AmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport, retry_policy=policy) as client:
        assert client.me().id == "abc"
    assert len(calls) == 2


# -- token stores -------------------------------------------------------------------------------------------------


def test_memory_store_round_trip() -> None:
    store = MemoryTokenStore()
    assert store.load() is None
    tokens = TokenSet(access_token="a", refresh_token="r", expires_at=10.0)
    store.save(tokens)
    assert store.load() == tokens
    assert isinstance(store, TokenStore)


def test_file_store_round_trip_and_permissions(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "config" / "tokens.json")
    assert store.load() is None
    tokens = TokenSet(access_token="a", refresh_token="r", expires_at=10.5, scope="music::profile")
    store.save(tokens)
    assert FileTokenStore(store.path).load() == tokens
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    assert isinstance(store, TokenStore)


def test_file_store_is_0600_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        store = FileTokenStore(tmp_path / "tokens.json")
        store.save(TokenSet(access_token="a"))
    finally:
        os.umask(previous)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_file_store_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    store.save(TokenSet(access_token="first"))
    old = store.path.open(encoding="utf-8")  # a reader of the old file keeps the old content: replaced, not rewritten
    threads = [
        threading.Thread(target=store.save, args=(TokenSet(access_token=f"token-{index}"),)) for index in range(20)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["tokens.json"]
    assert json.loads(old.read())["access_token"] == "first"
    old.close()
    loaded = store.load()
    assert loaded is not None and (loaded.access_token or "").startswith("token-")


def test_file_store_rejects_a_foreign_file_without_showing_it(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"access_token": 5, "refresh_token": "Atzr|do-not-show"}))
    path.chmod(0o600)
    with pytest.raises(ValueError, match="access_token") as caught:
        FileTokenStore(path).load()
    assert "do-not-show" not in str(caught.value)


def test_file_store_default_path_is_per_user() -> None:
    store = FileTokenStore()
    assert store.path.name == "tokens.json"
    assert store.path.parent.name == "amazon-music"
