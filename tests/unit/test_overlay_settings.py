"""One resolver for the library and the CLI (issue 13.5): arguments > environment > config file > saved login, with
one set of names; a script reuses the CLI's login with AmazonMusic.from_env()."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import respx
from overlay_support import API_KEY, BASE_URL

from amazon_music import AmazonMusic, ConfigurationError, LWAAuth, StaticToken, TokenSet
from amazon_music._config import KEYS, LoginRecord, resolve_credentials, resolve_settings, save_login

ME = {"data": {"user": {"id": "abc"}}}
CLIENT_ID = "amzn1.application-oa2-client.abc"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'api_key = "{API_KEY}"\nbase_url = "http://127.0.0.1:7000"\nlwa_url = "http://127.0.0.1:7001"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "s3cret"\nmax_retries = 1\n'
    )
    path.chmod(0o600)
    return path


def env(tmp_path: Path, config: Path | None = None, **variables: str) -> dict[str, str]:
    base = {"AMAZON_MUSIC_TOKEN_FILE": str(tmp_path / "tokens.json")}
    if config is not None:
        base["AMAZON_MUSIC_CONFIG"] = str(config)
    return {**base, **variables}


def test_argument_beats_environment_beats_config_file_beats_default(tmp_path: Path, config: Path) -> None:
    environ = env(tmp_path, config, AMAZON_MUSIC_BASE_URL="http://127.0.0.1:7100")
    assert resolve_settings({"base_url": "http://127.0.0.1:7200"}, environ=environ).base_url == "http://127.0.0.1:7200"
    from_env = resolve_settings(environ=environ)
    assert from_env.base_url == "http://127.0.0.1:7100"
    assert from_env.sources["base_url"] == "env AMAZON_MUSIC_BASE_URL"
    assert from_env.max_retries == 1 and from_env.sources["max_retries"] == f"config {config}"
    assert resolve_settings(environ=env(tmp_path)).base_url == "https://api.music.amazon.dev"


def test_one_set_of_names_every_key_has_its_variable(tmp_path: Path, config: Path) -> None:
    assert all(variable == f"AMAZON_MUSIC_{key.upper()}" for key, (variable, _) in KEYS.items())
    # lwa_url, the CLI's name for an emulator's LWA, gives the library its token endpoint too
    settings = resolve_settings(environ=env(tmp_path, config, AMAZON_MUSIC_REFRESH_TOKEN="Atzr|r"))
    auth = resolve_credentials(settings).auth
    assert isinstance(auth, LWAAuth) and auth.token_url == "http://127.0.0.1:7001/auth/o2/token"
    settings = resolve_settings(environ=env(tmp_path, config, AMAZON_MUSIC_TOKEN_URL="http://127.0.0.1:7002/t"))
    assert settings.lwa_endpoints()[1] == "http://127.0.0.1:7002/t"


def test_from_env_reads_the_config_file(tmp_path: Path, config: Path) -> None:
    with respx.mock(base_url="http://127.0.0.1:7000") as local:
        route = local.get("/v1/me").respond(200, json=ME)
        environ = env(tmp_path, config, AMAZON_MUSIC_ACCESS_TOKEN="Atza|from-env")
        with AmazonMusic.from_env(environ) as music:
            assert music.me().id == "abc"
    assert route.calls.last.request.headers["x-api-key"] == API_KEY
    assert route.calls.last.request.headers["authorization"] == "Bearer Atza|from-env"


def test_from_env_reuses_the_saved_login(tmp_path: Path, api: respx.MockRouter) -> None:
    """What `amazon-music login` saved is what a script gets, in one call."""
    tokens = TokenSet(access_token="Atza|saved", refresh_token="Atzr|saved", expires_at=time.time() + 3000)
    save_login(tmp_path / "tokens.json", tokens, LoginRecord(CLIENT_ID, "http://127.0.0.1:7001/auth/o2/token", 0.0))
    route = api.get("/v1/me").respond(200, json=ME)
    environ = env(tmp_path, AMAZON_MUSIC_API_KEY=API_KEY, AMAZON_MUSIC_CLIENT_SECRET="s3cret")
    with AmazonMusic.from_env(environ) as music:
        assert music.base_url == BASE_URL
        assert isinstance(music._auth, LWAAuth) and music._auth.token_url.startswith("http://127.0.0.1:7001")
        music.me()
    assert route.calls.last.request.headers["authorization"] == "Bearer Atza|saved"


def test_the_environment_beats_the_saved_login(tmp_path: Path) -> None:
    save_login(tmp_path / "tokens.json", TokenSet(access_token="Atza|saved"), LoginRecord(CLIENT_ID, "http://x", 0.0))
    settings = resolve_settings(environ=env(tmp_path, AMAZON_MUSIC_ACCESS_TOKEN="Atza|env"))
    credentials = resolve_credentials(settings)
    assert isinstance(credentials.auth, StaticToken)
    assert credentials.source == "env AMAZON_MUSIC_ACCESS_TOKEN"


def test_a_refresh_token_needs_client_id_and_secret_wherever_it_comes_from(tmp_path: Path) -> None:
    settings = resolve_settings(environ=env(tmp_path, AMAZON_MUSIC_REFRESH_TOKEN="Atzr|r"))
    with pytest.raises(ConfigurationError, match="AMAZON_MUSIC_REFRESH_TOKEN is set but AMAZON_MUSIC_CLIENT_ID and"):
        resolve_credentials(settings)
    settings = resolve_settings({"refresh_token": "Atzr|r", "client_id": CLIENT_ID}, environ=env(tmp_path))
    with pytest.raises(
        ConfigurationError, match=r"refresh_token \(from argument\) is set but AMAZON_MUSIC_CLIENT_SECRET"
    ):
        resolve_credentials(settings)


def test_bad_settings_name_their_source(tmp_path: Path, config: Path) -> None:
    with pytest.raises(ConfigurationError, match="AMAZON_MUSIC_MAX_RETRIES: expected an integer"):
        resolve_settings(environ=env(tmp_path, AMAZON_MUSIC_MAX_RETRIES="many"))
    with pytest.raises(ConfigurationError, match=r"region \(from env AMAZON_MUSIC_REGION\): 'MARS' is not one of"):
        resolve_settings(environ=env(tmp_path, AMAZON_MUSIC_REGION="mars"))
    with pytest.raises(ConfigurationError, match="unknown key 'lwa'"):
        config.write_text('lwa = "x"\n')
        resolve_settings(environ=env(tmp_path, config))
    with pytest.raises(ConfigurationError, match="colour: not a setting"):
        resolve_settings({"colour": "blue"}, environ=env(tmp_path))
