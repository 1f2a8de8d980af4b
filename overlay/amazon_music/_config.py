"""Settings from the environment: the API key, the base URL, and the credentials that pick the auth.

    AMAZON_MUSIC_API_KEY          the security profile ID, sent as x-api-key (required)
    AMAZON_MUSIC_BASE_URL         default https://api.music.amazon.dev
    AMAZON_MUSIC_ACCESS_TOKEN     an LWA access token; alone, it is used as is until it expires
    AMAZON_MUSIC_CLIENT_ID        with AMAZON_MUSIC_CLIENT_SECRET and AMAZON_MUSIC_REFRESH_TOKEN: a refreshing token
    AMAZON_MUSIC_CLIENT_SECRET
    AMAZON_MUSIC_REFRESH_TOKEN
    AMAZON_MUSIC_TOKEN_URL        the LWA token endpoint (default: North America's), e.g. an emulator's

Errors name the missing variable, never a value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from ._auth import LWAAuth, StaticToken
from ._errors import ConfigurationError
from ._tokens import TokenStore

__all__ = ["DEFAULT_BASE_URL", "EnvSettings", "settings_from_env"]

DEFAULT_BASE_URL = "https://api.music.amazon.dev"


@dataclass(frozen=True, repr=False)
class EnvSettings:
    """What the environment says: the API key, the base URL and an auth built from the credentials found."""

    api_key: str
    base_url: str
    auth: httpx.Auth

    def __repr__(self) -> str:
        return f"EnvSettings(base_url={self.base_url!r}, auth={self.auth!r})"


def settings_from_env(environ: Mapping[str, str] | None = None, *, store: TokenStore | None = None) -> EnvSettings:
    """Read the AMAZON_MUSIC_* variables; ConfigurationError names what is missing."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    api_key = get("AMAZON_MUSIC_API_KEY")
    if api_key is None:
        raise ConfigurationError("AMAZON_MUSIC_API_KEY is not set (the security profile ID, sent as x-api-key)")
    base_url = get("AMAZON_MUSIC_BASE_URL") or DEFAULT_BASE_URL
    access_token = get("AMAZON_MUSIC_ACCESS_TOKEN")
    client_id = get("AMAZON_MUSIC_CLIENT_ID")
    client_secret = get("AMAZON_MUSIC_CLIENT_SECRET")
    refresh_token = get("AMAZON_MUSIC_REFRESH_TOKEN")

    auth: httpx.Auth
    if refresh_token is not None:
        missing = [
            name
            for name, value in (("AMAZON_MUSIC_CLIENT_ID", client_id), ("AMAZON_MUSIC_CLIENT_SECRET", client_secret))
            if value is None
        ]
        if missing:
            raise ConfigurationError(f"AMAZON_MUSIC_REFRESH_TOKEN is set but {' and '.join(missing)} is not")
        assert client_id is not None
        auth = LWAAuth(
            client_id,
            client_secret,
            refresh_token,
            access_token=access_token,
            token_url=get("AMAZON_MUSIC_TOKEN_URL"),
            store=store,
        )
    elif access_token is not None:
        auth = StaticToken(access_token)
    else:
        raise ConfigurationError(
            "no credentials: set AMAZON_MUSIC_ACCESS_TOKEN, or AMAZON_MUSIC_CLIENT_ID, AMAZON_MUSIC_CLIENT_SECRET "
            "and AMAZON_MUSIC_REFRESH_TOKEN"
        )
    return EnvSettings(api_key=api_key, base_url=base_url, auth=auth)
