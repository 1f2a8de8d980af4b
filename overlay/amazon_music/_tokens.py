"""Login with Amazon tokens and where they are kept between runs: in memory, or in a file only its owner can read.

A TokenSet never shows its tokens: its repr and str say [secure].

The token file is checked as ssh checks a private key: a symbolic link is refused (never followed), as is a file
another user owns; a file others can read is repaired to 0600, with an InsecureTokenFileWarning saying so. Processes
sharing the file refresh one at a time: FileTokenStore.refresh_lock() is an inter-process lock (filelock) on a
``.lock`` file beside it, under which LWAAuth re-reads the file and refreshes only if no other process already did.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ._errors import ConfigurationError

__all__ = [
    "FileTokenStore",
    "InsecureTokenFileWarning",
    "LockingTokenStore",
    "MemoryTokenStore",
    "TokenSet",
    "TokenStore",
    "default_token_path",
]

# How long a process waits for another one's refresh (a token request with its retries) before giving up.
REFRESH_LOCK_TIMEOUT = 120.0


class InsecureTokenFileWarning(UserWarning):
    """The token file was readable or writable by others; it has been made 0600."""


@dataclass(frozen=True, repr=False)
class TokenSet:
    """An access token, the refresh token that renews it, and when the access token expires (epoch seconds)."""

    access_token: str | None = None
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str | None = None
    token_type: str = "bearer"

    def __repr__(self) -> str:
        shown = "[secure]" if self.access_token else None
        refresh = "[secure]" if self.refresh_token else None
        return (
            f"TokenSet(access_token={shown}, refresh_token={refresh}, expires_at={self.expires_at!r}, "
            f"scope={self.scope!r})"
        )

    __str__ = __repr__

    def with_access_token(self, access_token: str, expires_at: float | None) -> TokenSet:
        return replace(self, access_token=access_token, expires_at=expires_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
            "token_type": self.token_type,
        }

    @classmethod
    def from_dict(cls, data: Any) -> TokenSet:
        if not isinstance(data, dict):
            raise ValueError("a token set is a JSON object")
        strings = {key: data.get(key) for key in ("access_token", "refresh_token", "scope")}
        for key, value in strings.items():
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{key}: expected a string")
        expires_at = data.get("expires_at")
        if expires_at is not None and (isinstance(expires_at, bool) or not isinstance(expires_at, int | float)):
            raise ValueError("expires_at: expected a number")
        token_type = data.get("token_type") or "bearer"
        return cls(
            access_token=strings["access_token"],
            refresh_token=strings["refresh_token"],
            expires_at=float(expires_at) if expires_at is not None else None,
            scope=strings["scope"],
            token_type=str(token_type),
        )


@runtime_checkable
class TokenStore(Protocol):
    """Where a refreshing auth loads its tokens at start and saves them after each refresh."""

    def load(self) -> TokenSet | None: ...

    def save(self, tokens: TokenSet) -> None: ...


@runtime_checkable
class LockingTokenStore(TokenStore, Protocol):
    """A store shared by several processes: refresh_lock() keeps their refreshes one at a time."""

    def refresh_lock(self) -> contextlib.AbstractContextManager[None]: ...


class MemoryTokenStore:
    """Keeps the tokens in this process only."""

    def __init__(self, tokens: TokenSet | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()

    def load(self) -> TokenSet | None:
        with self._lock:
            return self._tokens

    def save(self, tokens: TokenSet) -> None:
        with self._lock:
            self._tokens = tokens

    def __repr__(self) -> str:
        return f"MemoryTokenStore(tokens={self._tokens!r})"


def default_token_path() -> Path:
    """The per-user token file: the platform's config folder (platformdirs), then amazon-music/tokens.json."""
    from platformdirs import user_config_path  # imported here: only the file store needs it

    return user_config_path("amazon-music", appauthor=False) / "tokens.json"


class FileTokenStore:
    """Keeps the tokens in a JSON file readable by its owner only (0600), replaced atomically on each save; processes
    sharing the file refresh one at a time (refresh_lock)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_token_path()
        self._lock = threading.Lock()

    def load(self) -> TokenSet | None:
        data = _read_private_file(self.path)
        if data is None:
            return None
        try:
            return TokenSet.from_dict(json.loads(data.decode("utf-8")))
        except ValueError as exc:  # the message names the field, never a value
            raise ValueError(f"{self.path}: not a token file ({exc})") from None

    @contextlib.contextmanager
    def refresh_lock(self) -> Iterator[None]:
        """Held while this process refreshes: other processes (and threads) using the same file wait for it."""
        from filelock import FileLock, Timeout  # imported here: only a refresh needs it

        lock_path = self.path.with_name(f"{self.path.name}.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(lock_path, timeout=REFRESH_LOCK_TIMEOUT, mode=0o600, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise ConfigurationError(
                f"{lock_path}: another process has held the refresh lock for {REFRESH_LOCK_TIMEOUT:g} s"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def save(self, tokens: TokenSet) -> None:
        data = json.dumps(tokens.to_dict(), indent=2).encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # mkstemp creates the file 0600 from the start, so the tokens are never readable by others, not even briefly
            fd, temporary = tempfile.mkstemp(prefix=".tokens-", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def __repr__(self) -> str:
        return f"FileTokenStore(path={str(self.path)!r})"


def _read_private_file(path: Path) -> bytes | None:
    """The file's bytes (None when it does not exist), checked as ssh checks a key: no link, owned by this user, and
    repaired to 0600 (with a warning) when others could read it."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise ConfigurationError(
                f"{path}: is a symbolic link; refusing to follow it (keep the token file itself there)"
            ) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise ConfigurationError(f"{path}: is not a regular file")
        if sys.platform != "win32":
            if status.st_uid != os.geteuid():
                raise ConfigurationError(f"{path}: belongs to another user (uid {status.st_uid}); refusing to use it")
            if status.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                os.fchmod(handle.fileno(), 0o600)
                warnings.warn(
                    f"{path} was readable by others (mode {stat.S_IMODE(status.st_mode):04o}); it is now 0600",
                    InsecureTokenFileWarning,
                    stacklevel=4,
                )
        return handle.read()
