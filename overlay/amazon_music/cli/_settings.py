"""The command's settings: each from its flag, else its environment variable, else the config file, else a default.

The config file is TOML, by default ``config.toml`` in the user's config folder (platformdirs), next to the token
file that ``amazon-music login`` writes::

    base_url = "http://127.0.0.1:8080"     # AMAZON_MUSIC_BASE_URL       --base-url
    api_key = "amzn1.application.…"        # AMAZON_MUSIC_API_KEY        --api-key
    client_id = "amzn1.application-oa2-client.…"   # AMAZON_MUSIC_CLIENT_ID   login --client-id
    client_secret = "…"                    # AMAZON_MUSIC_CLIENT_SECRET  (no flag: a command line is not secret)
    lwa_url = "http://127.0.0.1:8080"      # AMAZON_MUSIC_LWA_URL        login --lwa-url (an emulator's LWA)
    region = "NA"                          # AMAZON_MUSIC_REGION         login --region (NA, EU, FE)
    token_url = "https://…/auth/o2/token"  # AMAZON_MUSIC_TOKEN_URL      (overrides the region's and lwa_url's)
    scopes = "music::profile music::favorites music::catalog"   # AMAZON_MUSIC_SCOPES   login --scope
    token_file = "/path/tokens.json"       # AMAZON_MUSIC_TOKEN_FILE     --token-file
    max_retries = 3                        # AMAZON_MUSIC_MAX_RETRIES    --max-retries

AMAZON_MUSIC_CONFIG (or --config) names another config file. Errors name the key or variable, never a value.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._exit import CliError, ExitCode

__all__ = ["DEFAULT_SCOPES", "Settings", "config_dir", "load_settings"]

APP_NAME = "amazon-music"
DEFAULT_SCOPES = ("music::profile", "music::favorites", "music::catalog")
DEFAULT_MAX_RETRIES = 3

# key: (environment variable, type)
_KEYS: dict[str, tuple[str, type]] = {
    "base_url": ("AMAZON_MUSIC_BASE_URL", str),
    "api_key": ("AMAZON_MUSIC_API_KEY", str),
    "client_id": ("AMAZON_MUSIC_CLIENT_ID", str),
    "client_secret": ("AMAZON_MUSIC_CLIENT_SECRET", str),
    "lwa_url": ("AMAZON_MUSIC_LWA_URL", str),
    "token_url": ("AMAZON_MUSIC_TOKEN_URL", str),
    "region": ("AMAZON_MUSIC_REGION", str),
    "scopes": ("AMAZON_MUSIC_SCOPES", str),
    "token_file": ("AMAZON_MUSIC_TOKEN_FILE", str),
    "max_retries": ("AMAZON_MUSIC_MAX_RETRIES", int),
}
CONFIG_ENV = "AMAZON_MUSIC_CONFIG"


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


@dataclass(frozen=True, repr=False)
class Settings:
    """What the command runs with. ``sources`` says where each value came from (flag, env, config, default)."""

    config_path: Path
    base_url: str
    api_key: str | None
    client_id: str | None
    client_secret: str | None
    lwa_url: str | None
    token_url: str | None
    region: str
    scopes: tuple[str, ...]
    token_file: Path
    max_retries: int
    verbose: int = 0
    sources: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        secret = "[secure]" if self.client_secret else None
        return f"Settings(base_url={self.base_url!r}, client_id={self.client_id!r}, client_secret={secret})"


def _read_config(path: Path, explicit: bool) -> dict[str, Any]:
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise CliError(f"config file {path}: not found", ExitCode.USAGE) from None
        return {}
    except OSError as exc:
        raise CliError(f"config file {path}: {exc.strerror}", ExitCode.USAGE) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"config file {path}: not valid TOML ({exc})", ExitCode.USAGE) from None
    for key, value in data.items():
        if key not in _KEYS:
            raise CliError(f"config file {path}: unknown key {key!r} (known: {', '.join(_KEYS)})", ExitCode.USAGE)
        expected = _KEYS[key][1]
        if isinstance(value, bool) or not isinstance(value, expected):
            raise CliError(f"config file {path}: {key} must be a {expected.__name__}", ExitCode.USAGE)
    if "client_secret" in data and sys.platform != "win32":
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            print(
                f"amazon-music: warning: {path} holds client_secret and is readable by others (chmod 600 it)",
                file=sys.stderr,
            )
    return data


def _check_url(name: str, value: str, source: str) -> str:
    if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
        raise CliError(f"{name} (from {source}): {value!r} is not an http(s) URL", ExitCode.USAGE)
    return value.rstrip("/")


def load_settings(
    flags: Mapping[str, Any], *, config: Path | None = None, verbose: int = 0, environ: Mapping[str, str] | None = None
) -> Settings:
    """Resolve every setting: the flag (when not None), else the environment, else the config file, else the default."""
    from amazon_music import DEFAULT_BASE_URL

    env = os.environ if environ is None else environ
    explicit = config is not None or bool(env.get(CONFIG_ENV))
    config_path = config or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else config_dir() / "config.toml")
    file_values = _read_config(config_path, explicit)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for key, (variable, kind) in _KEYS.items():
        if flags.get(key) is not None:
            values[key], sources[key] = flags[key], "flag"
        elif env.get(variable, "").strip():
            text = env[variable].strip()
            if kind is int:
                try:
                    values[key] = int(text)
                except ValueError:
                    raise CliError(f"{variable}: expected an integer", ExitCode.USAGE) from None
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
    if max_retries < 0:
        raise CliError(f"max_retries (from {sources['max_retries']}): must be 0 or more", ExitCode.USAGE)
    scopes = tuple(str(values.get("scopes", "")).replace(",", " ").split()) or DEFAULT_SCOPES
    token_file = Path(values["token_file"]).expanduser() if "token_file" in values else config_dir() / "tokens.json"
    return Settings(
        config_path=config_path,
        base_url=base_url,
        api_key=values.get("api_key") or None,
        client_id=values.get("client_id") or None,
        client_secret=values.get("client_secret") or None,
        lwa_url=values.get("lwa_url"),
        token_url=values.get("token_url"),
        region=str(values.get("region", "NA")).upper(),
        scopes=scopes,
        token_file=token_file,
        max_retries=max_retries,
        verbose=verbose,
        sources=sources,
    )
