"""Who the command speaks for: credentials from the environment, else the login saved by ``amazon-music login``.

A login is two files, both readable by their owner only (0600): the token file (amazon_music.FileTokenStore, rewritten
on every refresh) and, beside it, ``<name>.login.json`` with what a refresh needs besides the tokens: the client ID
and the token endpoint that issued them. The client secret stays where the user keeps it (environment, config file).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._exit import CliError, ExitCode
from ._settings import Settings

if TYPE_CHECKING:
    import httpx

    from amazon_music import AmazonMusic, TokenSet

__all__ = [
    "Credentials",
    "LoginRecord",
    "forget_login",
    "login_record_path",
    "lwa_urls",
    "open_client",
    "read_login",
    "require_api_key",
    "resolve_credentials",
    "save_login",
    "write_private_file",
]


@dataclass(frozen=True)
class LoginRecord:
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
    from amazon_music import FileTokenStore

    FileTokenStore(token_file).save(tokens)
    body = {"client_id": record.client_id, "token_url": record.token_url, "logged_in_at": record.logged_in_at}
    write_private_file(login_record_path(token_file), json.dumps(body, indent=2).encode("utf-8"))


def read_login(token_file: Path) -> tuple[TokenSet, LoginRecord] | None:
    """The saved login, or None when there is none; a damaged one is an error naming the file."""
    from amazon_music import FileTokenStore

    try:
        tokens = FileTokenStore(token_file).load()
    except ValueError as exc:  # names the file and the field, never a value
        raise CliError(f"{exc}; run `amazon-music login` again", ExitCode.AUTH) from None
    if tokens is None:
        return None
    path = login_record_path(token_file)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        message = f"{path}: missing (it belongs with {token_file}); run `amazon-music login` again"
        raise CliError(message, ExitCode.AUTH) from None
    except ValueError:
        raise CliError(f"{path}: not JSON; run `amazon-music login` again", ExitCode.AUTH) from None
    fields = {"client_id": str, "token_url": str, "logged_in_at": float | int}
    if not isinstance(data, dict) or any(not isinstance(data.get(key), kind) for key, kind in fields.items()):
        raise CliError(f"{path}: not a login record; run `amazon-music login` again", ExitCode.AUTH)
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


@dataclass(frozen=True, repr=False)
class Credentials:
    """The auth to send, and what whoami may say about it (never the token)."""

    auth: httpx.Auth
    source: str  # "environment" or the token file's path
    tokens: TokenSet | None  # the saved tokens (None for a bare access token from the environment)
    record: LoginRecord | None

    def __repr__(self) -> str:
        return f"Credentials(source={self.source!r}, auth={self.auth!r})"


def resolve_credentials(settings: Settings, environ: Mapping[str, str] | None = None) -> Credentials:
    """AMAZON_MUSIC_ACCESS_TOKEN / AMAZON_MUSIC_REFRESH_TOKEN first, else the saved login; else CliError (exit 3)."""
    from amazon_music import LWAAuth, StaticToken, TokenSet

    env = os.environ if environ is None else environ
    access_token = env.get("AMAZON_MUSIC_ACCESS_TOKEN", "").strip() or None
    refresh_token = env.get("AMAZON_MUSIC_REFRESH_TOKEN", "").strip() or None
    if refresh_token is not None:
        if not settings.client_id:
            raise CliError("AMAZON_MUSIC_REFRESH_TOKEN is set but no client ID (AMAZON_MUSIC_CLIENT_ID)", ExitCode.AUTH)
        auth = LWAAuth(
            settings.client_id,
            settings.client_secret,
            refresh_token,
            access_token=access_token,
            token_url=lwa_urls(settings)[1],
        )
        return Credentials(auth, "environment", None, None)
    if access_token is not None:
        return Credentials(StaticToken(access_token), "environment", TokenSet(access_token=access_token), None)

    saved = read_login(settings.token_file)
    if saved is None:
        raise CliError(
            f"not logged in ({settings.token_file} does not exist): run `amazon-music login`, "
            "or set AMAZON_MUSIC_ACCESS_TOKEN",
            ExitCode.AUTH,
        )
    tokens, record = saved
    expired = tokens.expires_at is not None and tokens.expires_at <= time.time()
    if not tokens.refresh_token and (expired or not tokens.access_token):
        raise CliError(
            "the saved login has expired and has no refresh token (log in with a client secret to get one): "
            "run `amazon-music login`",
            ExitCode.AUTH,
        )
    from amazon_music import FileTokenStore

    auth = LWAAuth(
        record.client_id,
        settings.client_secret,
        store=FileTokenStore(settings.token_file),
        token_url=record.token_url,
    )
    return Credentials(auth, str(settings.token_file), tokens, record)


def lwa_urls(settings: Settings) -> tuple[str, str]:
    """The authorize and token endpoints: an emulator's (lwa_url), else the region's; token_url overrides."""
    from amazon_music import LWA_AUTHORIZE_URLS, LWA_TOKEN_URLS

    if settings.region not in LWA_TOKEN_URLS:
        raise CliError(f"region: {settings.region!r} is not one of {', '.join(LWA_TOKEN_URLS)}", ExitCode.USAGE)
    if settings.lwa_url:
        authorize, token = f"{settings.lwa_url}/ap/oa", f"{settings.lwa_url}/auth/o2/token"
    else:
        authorize, token = LWA_AUTHORIZE_URLS[settings.region], LWA_TOKEN_URLS[settings.region]
    return authorize, settings.token_url or token


def require_api_key(settings: Settings) -> str:
    if not settings.api_key:
        raise CliError(
            "no API key: pass --api-key, set AMAZON_MUSIC_API_KEY, or put api_key in "
            f"{settings.config_path} (the security profile ID, sent as x-api-key)",
            ExitCode.AUTH,
        )
    return settings.api_key


def open_client(settings: Settings, credentials: Credentials | None = None) -> AmazonMusic:
    from amazon_music import AmazonMusic

    api_key = require_api_key(settings)
    credentials = credentials or resolve_credentials(settings)
    return AmazonMusic(api_key, auth=credentials.auth, base_url=settings.base_url, max_retries=settings.max_retries)
