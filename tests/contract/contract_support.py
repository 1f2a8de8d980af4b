"""Helpers of the contract tests: the emulator as a user runs it, from its command line on a free loopback port, and
the project's schemathesis configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMATHESIS_CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"


def schemathesis_project_config() -> dict[str, Any]:
    """The project's schemathesis.toml as a dict, its `hooks` path made absolute: schemathesis reads a relative one from
    the working directory, not from the file's folder."""
    config = tomllib.loads(SCHEMATHESIS_CONFIG.read_text(encoding="utf-8"))
    config["hooks"] = str(SCHEMATHESIS_CONFIG.parent / config["hooks"])
    return config


@dataclass(frozen=True)
class RunningEmulator:
    """An emulator served by its own command line on a free loopback port, with a token minted by `token`."""

    base_url: str
    api_key: str
    access_token: str = field(repr=False)
    log: Path


def wait_for_line(log: Path, pattern: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        match = re.search(pattern, log.read_text(errors="replace"))
        if match:
            return match
        assert process.poll() is None, f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}"
        assert time.monotonic() < deadline, f"no line matching {pattern!r} after {timeout:.0f} s"
        time.sleep(0.1)


def start_emulator(
    tmp: Path, *, access_log: bool = False, db: Path | str | None = None
) -> tuple[RunningEmulator, subprocess.Popen[bytes]]:
    """``serve`` on ``db`` (default: a new SQLite file in ``tmp``, where the log goes too) and a token minted for it."""
    tmp.mkdir(parents=True, exist_ok=True)
    log = tmp / "emulator.log"
    db = tmp / "emulator.db" if db is None else db
    command = [sys.executable, "-m", "amazon_music_emulator", "serve", "--db", str(db), "--port", "0"]
    with log.open("wb") as out:
        process = subprocess.Popen([*command, *([] if access_log else ["--quiet"])], stdout=out, stderr=out)
    try:
        base_url = wait_for_line(log, r"base URL\s+(http://\S+)", process).group(1)
        minted = subprocess.run(
            [sys.executable, "-m", "amazon_music_emulator", "token", "--db", str(db), "--json"],
            check=True,
            capture_output=True,
            text=True,
        )
    except BaseException:
        stop(process)
        raise
    grant = json.loads(minted.stdout)
    return RunningEmulator(base_url, grant["api_key"], grant["access_token"], log), process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


DEMO = "zqll6htnhyb2welrqsrtrhdvaa"
JANE = "uj7wxenmftr26zlg7eo4maa744"
PRIVATE = "k35wo4lm34masdsadevrs7a"
COLDPLAY = "B000QKGN8W"

# Every operation once or more, successes and the documented errors; (method, target, body, with credentials).
# Also the walk of the consumer matrix (tests/publish/test_consumer_*.py).
TRAFFIC: list[tuple[str, str, dict[str, str] | None, bool]] = [
    ("GET", "/v1/me", None, True),
    ("PUT", "/v1/me", {"name": "Tony Starked", "visibility": "PUBLIC", "playbackVisibility": "PRIVATE"}, True),
    ("GET", "/v1/me/library/tracks?limit=3", None, True),
    ("GET", "/v1/me/library/tracks?trackIds=B07B62ZK5S,B06VWVWDDH", None, True),
    ("GET", "/v1/me/followers?limit=2", None, True),
    ("GET", "/v1/me/followed/users?limit=100", None, True),
    ("GET", "/v1/me/followed/playlists?limit=7", None, True),
    ("GET", "/v1/me/followed/podcasts/shows", None, True),
    ("PUT", f"/v1/me/followed/artists/{COLDPLAY}", None, True),
    ("DELETE", f"/v1/me/followed/artists/{COLDPLAY}", None, True),
    ("PUT", f"/v1/me/followed/users/{JANE}", None, True),
    ("DELETE", f"/v1/me/followed/users/{JANE}", None, True),
    ("GET", f"/v1/users/{JANE}", None, True),
    ("GET", f"/v1/users?ids={JANE},{DEMO},{JANE}", None, True),
    ("GET", f"/v1/users/{DEMO}/followers?limit=5", None, True),
    ("GET", f"/v1/users/{DEMO}/followed/users", None, True),
    ("GET", f"/v1/users/{DEMO}/followed/artists?limit=3", None, True),
    ("GET", f"/v1/users/{DEMO}/followed/podcasts/shows?limit=36", None, True),
    # The errors the spec documents, in their shape.
    ("GET", "/v1/me", None, False),  # 401
    ("GET", "/v1/me/followers?limit=500", None, True),  # 400
    ("GET", "/v1/me/followers?cursor=forged", None, True),  # 400
    ("GET", f"/v1/users/{PRIVATE}/followers", None, True),  # 403
    ("GET", "/v1/users/nosuchuser0000000000000000", None, True),  # 404
    ("PUT", "/v1/me/followed/artists/B000000000", None, True),  # 404
    ("PUT", f"/v1/me/followed/users/{DEMO}", None, True),  # 400: following yourself
    ("PUT", "/v1/me", {"name": "x"}, True),  # 400: fields missing
]
