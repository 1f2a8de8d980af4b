"""One resolver for the library and the amazon-music command: one set of names, one order.

Each setting comes from the first of: an argument (a command-line flag, a ``from_env``/``resolve_settings`` keyword),
the environment, the config file, the default. Credentials come from the first of: an access or refresh token given as
an argument, in the environment or in the config file; else the login that ``amazon-music login`` saved. So after
``amazon-music login`` a script needs one call: ``AmazonMusic.from_env()``.

    key in config.toml   environment variable          what
    api_key              AMAZON_MUSIC_API_KEY          the security profile ID, sent as x-api-key (required)
    base_url             AMAZON_MUSIC_BASE_URL         default https://api.music.amazon.dev
    access_token         AMAZON_MUSIC_ACCESS_TOKEN     an LWA access token; alone, used as is until it expires
    refresh_token        AMAZON_MUSIC_REFRESH_TOKEN    with client_id and client_secret: a token that renews itself
    client_id            AMAZON_MUSIC_CLIENT_ID        the security profile's client ID (login, refresh)
    client_secret        AMAZON_MUSIC_CLIENT_SECRET    its secret (no flag: a command line is not secret)
    lwa_url              AMAZON_MUSIC_LWA_URL          an emulator's Login with Amazon: its /ap/oa and /auth/o2/token
    token_url            AMAZON_MUSIC_TOKEN_URL        the token endpoint itself (beats region and lwa_url)
    region               AMAZON_MUSIC_REGION           LWA region: NA (default), EU, FE
    scopes               AMAZON_MUSIC_SCOPES           what `amazon-music login` asks for (space-separated)
    token_file           AMAZON_MUSIC_TOKEN_FILE       the saved login (default: tokens.json in the config folder)
    max_retries          AMAZON_MUSIC_MAX_RETRIES      retries of 429, 5xx and connection failures (default 3)

The config file is TOML, ``config.toml`` in the user's config folder (platformdirs) unless AMAZON_MUSIC_CONFIG (or
``config=``, or --config) names another. A saved login is two files, both 0600: the token file (FileTokenStore,
rewritten on every refresh) and beside it ``<name>.login.json``, with what a refresh needs besides the tokens (the
client ID and the token endpoint that issued them). Errors name the key, variable or file, never a value.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ._auth import LWA_AUTHORIZE_URLS, LWA_TOKEN_URLS, LWAAuth, StaticToken
from ._errors import ConfigurationError
from ._tokens import FileTokenStore, TokenSet, TokenStore

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_SCOPES",
    "KEYS",
    "Credentials",
    "EnvSettings",
    "LoginRecord",
    "Settings",
    "config_dir",
    "forget_login",
    "login_record_path",
    "read_login",
    "require_api_key",
    "resolve_credentials",
    "resolve_settings",
    "save_login",
    "settings_from_env",
    "write_private_file",
]

APP_NAME = "amazon-music"
DEFAULT_BASE_URL = "https://api.music.amazon.dev"
DEFAULT_SCOPES = ("music::profile", "music::favorites", "music::catalog")
DEFAULT_MAX_RETRIES = 3
CONFIG_ENV = "AMAZON_MUSIC_CONFIG"
LOGIN_HINT = "run `amazon-music login`"

# key: (environment variable, type); the config file's keys and the arguments' names are the keys
KEYS: dict[str, tuple[str, type]] = {
    "api_key": ("AMAZON_MUSIC_API_KEY", str),
    "base_url": ("AMAZON_MUSIC_BASE_URL", str),
    "access_token": ("AMAZON_MUSIC_ACCESS_TOKEN", str),
    "refresh_token": ("AMAZON_MUSIC_REFRESH_TOKEN", str),
    "client_id": ("AMAZON_MUSIC_CLIENT_ID", str),
    "client_secret": ("AMAZON_MUSIC_CLIENT_SECRET", str),
    "lwa_url": ("AMAZON_MUSIC_LWA_URL", str),
    "token_url": ("AMAZON_MUSIC_TOKEN_URL", str),
    "region": ("AMAZON_MUSIC_REGION", str),
    "scopes": ("AMAZON_MUSIC_SCOPES", str),
    "token_file": ("AMAZON_MUSIC_TOKEN_FILE", str),
    "max_retries": ("AMAZON_MUSIC_MAX_RETRIES", int),
}
_SECRET_KEYS = ("access_token", "refresh_token", "client_secret")


def config_dir() -> Path:
    """The per-user folder of the config file and the saved login (platformdirs)."""
    from platformdirs import user_config_path  # imported here: only resolving settings needs it

    return user_config_path(APP_NAME, appauthor=False)


@dataclass(frozen=True, repr=False)
class Settings:
    """Every setting, resolved. ``sources`` says where each came from ("argument", "env NAME", "config PATH")."""

    config_path: Path
    base_url: str
    api_key: str | None
    access_token: str | None
    refresh_token: str | None
    client_id: str | None
    client_secret: str | None
    lwa_url: str | None
    token_url: str | None
    region: str
    scopes: tuple[str, ...]
    token_file: Path
    max_retries: int
    sources: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        secret = "[secure]" if self.client_secret else None
        return f"Settings(base_url={self.base_url!r}, client_id={self.client_id!r}, client_secret={secret})"

    def lwa_endpoints(self) -> tuple[str, str]:
        """The authorize and token endpoints: an emulator's (lwa_url), else the region's; token_url beats both."""
        if self.lwa_url:
            authorize, token = f"{self.lwa_url}/ap/oa", f"{self.lwa_url}/auth/o2/token"
        else:
            authorize, token = LWA_AUTHORIZE_URLS[self.region], LWA_TOKEN_URLS[self.region]
        return authorize, self.token_url or token


def _read_config(path: Path, explicit: bool) -> dict[str, Any]:
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigurationError(f"config file {path}: not found") from None
        return {}
    except OSError as exc:
        raise ConfigurationError(f"config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"config file {path}: not valid TOML ({exc})") from None
    for key, value in data.items():
        if key not in KEYS:
            raise ConfigurationError(f"config file {path}: unknown key {key!r} (known: {', '.join(KEYS)})")
        expected = KEYS[key][1]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise ConfigurationError(f"config file {path}: {key} must be a {expected.__name__}")
    held = [key for key in _SECRET_KEYS if key in data]
    if held and sys.platform != "win32" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(
            f"amazon-music: warning: {path} holds {held[0]} and is readable by others (chmod 600 it)",
            file=sys.stderr,
        )
    return data


def _check_url(name: str, value: str, source: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise ConfigurationError(f"{name} (from {source}): {value!r} is not an http(s) URL")
    return value.rstrip("/")


def resolve_settings(
    arguments: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config: str | os.PathLike[str] | None = None,
) -> Settings:
    """Resolve every setting: the argument (when not None), else the environment, else the config file, else the
    default. ConfigurationError names the key, variable or file at fault."""
    env = os.environ if environ is None else environ
    given = {key: value for key, value in (arguments or {}).items() if value is not None}
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        raise ConfigurationError(f"{unknown[0]}: not a setting (known: {', '.join(KEYS)})")
    explicit = config is not None or bool(env.get(CONFIG_ENV, "").strip())
    config_path = Path(config or env.get(CONFIG_ENV, "").strip() or config_dir() / "config.toml").expanduser()
    file_values = _read_config(config_path, explicit)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, (variable, kind) in KEYS.items():
        if key in given:
            values[key], sources[key] = given[key], "argument"
        elif env.get(variable, "").strip():
            text = env[variable].strip()
            if kind is int:
                try:
                    values[key] = int(text)
                except ValueError:
                    raise ConfigurationError(f"{variable}: expected an integer") from None
            else:
                values[key] = text
            sources[key] = f"env {variable}"
        elif key in file_values:
            values[key], sources[key] = file_values[key], f"config {config_path}"
    base_url = _check_url("base_url", values.get("base_url", DEFAULT_BASE_URL), sources.get("base_url", "default"))
    for key in ("lwa_url", "token_url"):
        if key in values:
            values[key] = _check_url(key, values[key], sources[key])
    max_retries = values.get("max_retries", DEFAULT_MAX_RETRIES)
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries (from {sources.get('max_retries')}): must be an integer, 0 or more")
    region = str(values.get("region", "NA")).upper()
    if region not in LWA_TOKEN_URLS:
        source = sources.get("region", "default")
        raise ConfigurationError(f"region (from {source}): {region!r} is not one of {', '.join(LWA_TOKEN_URLS)}")
    scopes_value = values.get("scopes", "")
    scope_text = " ".join(scopes_value) if isinstance(scopes_value, list | tuple) else str(scopes_value)
    scopes = tuple(scope_text.replace(",", " ").split()) or DEFAULT_SCOPES
    token_file = Path(values["token_file"]).expanduser() if "token_file" in values else config_dir() / "tokens.json"
    return Settings(
        config_path=config_path,
        base_url=base_url,
        api_key=values.get("api_key") or None,
        access_token=values.get("access_token") or None,
        refresh_token=values.get("refresh_token") or None,
        client_id=values.get("client_id") or None,
        client_secret=values.get("client_secret") or None,
        lwa_url=values.get("lwa_url"),
        token_url=values.get("token_url"),
        region=region,
        scopes=scopes,
        token_file=token_file,
        max_retries=max_retries,
        sources=sources,
    )


def require_api_key(settings: Settings) -> str:
    if not settings.api_key:
        raise ConfigurationError(
            "no API key: set AMAZON_MUSIC_API_KEY (--api-key), or put api_key in "
            f"{settings.config_path} (the security profile ID, sent as x-api-key)"
        )
    return settings.api_key


# -- the saved login ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRecord:
    """What a saved login's refresh needs besides the tokens."""

    client_id: str
    token_url: str
    logged_in_at: float


def login_record_path(token_file: Path) -> Path:
    return token_file.with_name(f"{token_file.stem}.login.json")


def write_private_file(path: Path, data: bytes) -> None:
    """Write atomically to a file only its owner can read (0600 from creation on)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_login(token_file: Path, tokens: TokenSet, record: LoginRecord) -> None:
    FileTokenStore(token_file).save(tokens)
    body = {"client_id": record.client_id, "token_url": record.token_url, "logged_in_at": record.logged_in_at}
    write_private_file(login_record_path(token_file), json.dumps(body, indent=2).encode("utf-8"))


def read_login(token_file: Path) -> tuple[TokenSet, LoginRecord] | None:
    """The saved login, or None when there is none; a damaged one is a ConfigurationError naming the file."""
    try:
        tokens = FileTokenStore(token_file).load()
    except ValueError as exc:  # names the file and the field, never a value
        raise ConfigurationError(f"{exc}; {LOGIN_HINT} again") from None
    if tokens is None:
        return None
    path = login_record_path(token_file)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: missing (it belongs with {token_file}); {LOGIN_HINT} again") from None
    except ValueError:
        raise ConfigurationError(f"{path}: not JSON; {LOGIN_HINT} again") from None
    fields = {"client_id": str, "token_url": str, "logged_in_at": float | int}
    if not isinstance(data, dict) or any(not isinstance(data.get(key), kind) for key, kind in fields.items()):
        raise ConfigurationError(f"{path}: not a login record; {LOGIN_HINT} again")
    return tokens, LoginRecord(data["client_id"], data["token_url"], float(data["logged_in_at"]))


def forget_login(token_file: Path) -> list[Path]:
    """Delete the saved login; the files that existed."""
    removed = []
    for path in (token_file, login_record_path(token_file)):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed


# -- credentials -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Credentials:
    """The auth to send, where it came from (a setting's source, or the token file), and the saved login's tokens."""

    auth: httpx.Auth
    source: str
    tokens: TokenSet | None
    record: LoginRecord | None

    def __repr__(self) -> str:
        return f"Credentials(source={self.source!r}, auth={self.auth!r})"


def _named(settings: Settings, key: str) -> str:
    """How to name a setting in an error: its environment variable, and where its value came from if it has one."""
    variable = KEYS[key][0]
    source = settings.sources.get(key)
    return variable if source is None or source == f"env {variable}" else f"{key} (from {source})"


def resolve_credentials(settings: Settings, *, store: TokenStore | None = None) -> Credentials:
    """A refresh or access token from the settings, else the saved login; ConfigurationError names what is missing.

    ``store`` keeps a refreshing token's renewals (a FileTokenStore also names the saved login to use)."""
    if settings.refresh_token is not None:
        missing = [_named(settings, key) for key in ("client_id", "client_secret") if getattr(settings, key) is None]
        if missing:
            raise ConfigurationError(f"{_named(settings, 'refresh_token')} is set but {' and '.join(missing)} is not")
        assert settings.client_id is not None
        auth: httpx.Auth = LWAAuth(
            settings.client_id,
            settings.client_secret,
            settings.refresh_token,
            access_token=settings.access_token,
            token_url=settings.lwa_endpoints()[1],
            store=store,
        )
        return Credentials(auth, settings.sources["refresh_token"], None, None)
    if settings.access_token is not None:
        tokens = TokenSet(access_token=settings.access_token)
        return Credentials(StaticToken(settings.access_token), settings.sources["access_token"], tokens, None)

    token_file = store.path if isinstance(store, FileTokenStore) else settings.token_file
    saved = read_login(token_file)
    if saved is None:
        raise ConfigurationError(
            "no credentials: set AMAZON_MUSIC_ACCESS_TOKEN, or AMAZON_MUSIC_CLIENT_ID, AMAZON_MUSIC_CLIENT_SECRET and "
            f"AMAZON_MUSIC_REFRESH_TOKEN, or {LOGIN_HINT} (not logged in: {token_file} does not exist)"
        )
    tokens, record = saved
    expired = tokens.expires_at is not None and tokens.expires_at <= time.time()
    if not tokens.refresh_token and (expired or not tokens.access_token):
        raise ConfigurationError(
            "the saved login has expired and has no refresh token (log in with a client secret to get one): "
            f"{LOGIN_HINT}"
        )
    auth = LWAAuth(
        record.client_id,
        settings.client_secret,
        store=store if isinstance(store, FileTokenStore) else FileTokenStore(token_file),
        token_url=record.token_url,
    )
    return Credentials(auth, str(token_file), tokens, record)


# -- what from_env takes ---------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class EnvSettings:
    """What AmazonMusic.from_env() builds a client from: the API key, the base URL, an auth, the retries."""

    api_key: str
    base_url: str
    auth: httpx.Auth
    max_retries: int = DEFAULT_MAX_RETRIES

    def __repr__(self) -> str:
        return f"EnvSettings(base_url={self.base_url!r}, auth={self.auth!r})"


def settings_from_env(
    environ: Mapping[str, str] | None = None,
    *,
    store: TokenStore | None = None,
    config: str | os.PathLike[str] | None = None,
    **arguments: Any,
) -> EnvSettings:
    """The settings as the command resolves them (arguments > environment > config file > saved login)."""
    settings = resolve_settings(arguments, environ=environ, config=config)
    api_key = require_api_key(settings)
    credentials = resolve_credentials(settings, store=store)
    return EnvSettings(api_key, settings.base_url, credentials.auth, settings.max_retries)
