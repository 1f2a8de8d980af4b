"""The emulator's state in SQLite; the only module that speaks SQL.

One file (or ``:memory:``) per emulator. The file runs in WAL mode with ``synchronous=NORMAL``: a killed process
loses no committed write, and readers never wait for the writer. Every write is one ``BEGIN IMMEDIATE`` transaction,
so concurrent writers (threads sharing a store, or several processes on one file) serialise instead of losing
updates; a busy timeout makes the loser wait rather than fail.

Listings use keyset pagination on ``seq``, an AUTOINCREMENT key given to each relation when it is made. The order is
therefore "oldest first": a listing shows follows (and library tracks) in the order they were made, and a new follow
appears at the end. A re-follow gets a new ``seq`` and moves to the end. Keys are never reused, so a walk that goes on
while items are added returns every item that existed at its start exactly once.

SQL text is built only from this module's constants; every value is a bound parameter.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

__all__ = [
    "LISTINGS",
    "AuthCodeRecord",
    "Edge",
    "EntityKind",
    "Listing",
    "ListingQuery",
    "Page",
    "SecurityProfileRecord",
    "SeedRows",
    "Store",
    "TokenRecord",
    "UserRecord",
]

SCHEMA_VERSION: Final = "1"
BUSY_TIMEOUT_MS: Final = 10_000

# A listing's name: a key of LISTINGS, the one list of the relations the store can page through.
Listing = str

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT,
    tier TEXT NOT NULL,
    visibility TEXT NOT NULL,
    playback_visibility TEXT,
    image_url TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS artists (id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS playlists (id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tracks (id TEXT PRIMARY KEY, title TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS podcast_shows (id TEXT PRIMARY KEY, title TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS user_follows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    follower_id TEXT NOT NULL REFERENCES users(id),
    followed_id TEXT NOT NULL REFERENCES users(id),
    UNIQUE (follower_id, followed_id),
    CHECK (follower_id <> followed_id)
);
CREATE INDEX IF NOT EXISTS user_follows_by_followed ON user_follows (followed_id, seq, follower_id);
CREATE INDEX IF NOT EXISTS user_follows_by_follower ON user_follows (follower_id, seq, followed_id);
CREATE TABLE IF NOT EXISTS artist_follows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES artists(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS artist_follows_by_user ON artist_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS playlist_follows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES playlists(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS playlist_follows_by_user ON playlist_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS podcast_follows (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES podcast_shows(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS podcast_follows_by_user ON podcast_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS library_tracks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES tracks(id),
    uploaded INTEGER NOT NULL DEFAULT 0,
    purchased INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS library_tracks_by_user ON library_tracks (user_id, seq, item_id, uploaded, purchased);
CREATE TABLE IF NOT EXISTS security_profiles (
    api_key TEXT PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    api_key TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at REAL,
    revoked INTEGER NOT NULL DEFAULT 0
);
-- Which grant each token descends from (an authorization code, or a mint): a replayed code or refresh token revokes
-- every token of its family. A table of its own, so that stores made before it keep working.
CREATE TABLE IF NOT EXISTS token_families (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS token_families_by_family ON token_families (family);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
"""

# Indexes cover (owner, seq, item): a page is one index range scan plus a primary-key lookup per item.
# Per listing: the SELECT of one page (owner, after-key, limit) and the column the ID filter applies to.
_USER_EDGE = "SELECT r.seq, u.id, u.name FROM user_follows r JOIN users u ON u.id = r.{other}"
_ITEM_EDGE = "SELECT r.seq, i.id, i.{label}{flags} FROM {table} r JOIN {items} i ON i.id = r.item_id"


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """A relation the store pages through: its table, the SELECT of one page's edges, the owner's column, the column
    an ID filter applies to, and the kind of item on each edge (what the handlers render it as)."""

    table: str
    select: str
    owner_column: str
    item_column: str
    item_kind: str


def _item_listing(table: str, items: str, label: str, item_kind: str, flags: str = "") -> ListingQuery:
    select = _ITEM_EDGE.format(label=label, flags=flags, table=table, items=items)
    return ListingQuery(table, select, "r.user_id", "r.item_id", item_kind)


# Every listing of the store, by name: an API listing over one of these relations is a declaration in the
# emulator's handlers (handlers/listings.py), not new SQL.
LISTINGS: Final[dict[Listing, ListingQuery]] = {
    "followers": ListingQuery(
        "user_follows", _USER_EDGE.format(other="follower_id"), "r.followed_id", "r.follower_id", "user"
    ),
    "followed_users": ListingQuery(
        "user_follows", _USER_EDGE.format(other="followed_id"), "r.follower_id", "r.followed_id", "user"
    ),
    "followed_artists": _item_listing("artist_follows", "artists", "name", "artist"),
    "followed_playlists": _item_listing("playlist_follows", "playlists", "name", "playlist"),
    "followed_podcast_shows": _item_listing("podcast_follows", "podcast_shows", "title", "podcast_show"),
    "library_tracks": _item_listing("library_tracks", "tracks", "title", "library_track", ", r.uploaded, r.purchased"),
}

EntityKind = Literal["user", "artist", "playlist", "track", "podcast_show"]
_ENTITY_TABLES: Final[dict[EntityKind, str]] = {
    "user": "users",
    "artist": "artists",
    "playlist": "playlists",
    "track": "tracks",
    "podcast_show": "podcast_shows",
}


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    name: str | None
    tier: str
    visibility: str
    playback_visibility: str | None
    image_url: str | None


# One item of a listing: (key, item ID, name or title), and for library tracks (uploaded, purchased) after them; plain
# tuples of no more columns than the listing needs, as this is the hot path (each column costs a Python object a row).
Edge = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Page:
    edges: list[Edge]
    has_next: bool


@dataclass(frozen=True, slots=True)
class SecurityProfileRecord:
    api_key: str
    client_id: str
    client_secret_hash: str = ""
    name: str = ""
    redirect_uris: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TokenRecord:
    kind: str
    api_key: str
    client_id: str
    user_id: str
    scope: str
    expires_at: float | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class AuthCodeRecord:
    client_id: str
    user_id: str
    scope: str
    redirect_uri: str
    code_challenge: str | None
    code_challenge_method: str | None
    expires_at: float


@dataclass(frozen=True)
class SeedRows:
    """Everything the seed puts in a fresh store, as plain rows (seed.py builds them; this module inserts them)."""

    users: Sequence[tuple[str, str | None, str, str, str | None, str | None]]
    artists: Sequence[tuple[str, str]]
    playlists: Sequence[tuple[str, str]]
    tracks: Sequence[tuple[str, str]]
    podcast_shows: Sequence[tuple[str, str]]
    user_follows: Sequence[tuple[str, str]]  # (follower, followed), in the order the follows were made
    artist_follows: Sequence[tuple[str, str]]  # (user, artist)
    playlist_follows: Sequence[tuple[str, str]]
    podcast_follows: Sequence[tuple[str, str]]
    library_tracks: Sequence[tuple[str, str, bool, bool]]  # (user, track, uploaded, purchased)
    security_profiles: Sequence[SecurityProfileRecord]
    meta: Sequence[tuple[str, str]] = ()


class Store:
    """A connection to one emulator database. Thread-safe: one lock serialises the use of the connection."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        if self.path != ":memory:":
            _create_private_file(Path(self.path))
        self._conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode = WAL")
            # Keep the working set in memory: listings join every page against users.
            self._conn.execute("PRAGMA cache_size = -65536")
            self._conn.execute("PRAGMA mmap_size = 268435456")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._copies_in = 0  # copy_to() replaces the data without a row change this connection would count
        self._create_schema()

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        with self._lock:
            # executescript commits on its own; every statement is IF NOT EXISTS, so a rerun is harmless.
            self._conn.executescript(_SCHEMA)
            self._conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so concurrent writers queue instead of colliding."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def is_seeded(self) -> bool:
        return self.get_meta("seeded") is not None

    def reset(self) -> None:
        """Delete every row (the schema stays); the caller seeds again."""
        with self._write() as conn:
            for table in (
                "auth_codes",
                "token_families",
                "tokens",
                "security_profiles",
                "library_tracks",
                "podcast_follows",
                "playlist_follows",
                "artist_follows",
                "user_follows",
                "podcast_shows",
                "tracks",
                "playlists",
                "artists",
                "users",
                "meta",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM sqlite_sequence")
            conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def load_seed(self, rows: SeedRows) -> None:
        """Insert the seed in one transaction and mark the store seeded."""
        with self._write() as conn:
            conn.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)", rows.users)
            conn.executemany("INSERT INTO artists VALUES (?, ?)", rows.artists)
            conn.executemany("INSERT INTO playlists VALUES (?, ?)", rows.playlists)
            conn.executemany("INSERT INTO tracks VALUES (?, ?)", rows.tracks)
            conn.executemany("INSERT INTO podcast_shows VALUES (?, ?)", rows.podcast_shows)
            conn.executemany("INSERT INTO user_follows (follower_id, followed_id) VALUES (?, ?)", rows.user_follows)
            conn.executemany("INSERT INTO artist_follows (user_id, item_id) VALUES (?, ?)", rows.artist_follows)
            conn.executemany("INSERT INTO playlist_follows (user_id, item_id) VALUES (?, ?)", rows.playlist_follows)
            conn.executemany("INSERT INTO podcast_follows (user_id, item_id) VALUES (?, ?)", rows.podcast_follows)
            conn.executemany(
                "INSERT INTO library_tracks (user_id, item_id, uploaded, purchased) VALUES (?, ?, ?, ?)",
                [
                    (user, track, int(uploaded), int(purchased))
                    for user, track, uploaded, purchased in rows.library_tracks
                ],
            )
            conn.executemany(
                "INSERT INTO security_profiles VALUES (?, ?, ?, ?, ?)",
                [
                    (p.api_key, p.client_id, p.client_secret_hash, p.name, " ".join(p.redirect_uris))
                    for p in rows.security_profiles
                ],
            )
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [*rows.meta, ("seeded", "1")])

    def copy_to(self, target: Store) -> None:
        """Copy this whole database into ``target`` (SQLite's online backup): a seeded store in a millisecond."""
        with self._lock, target._lock:
            self._conn.backup(target._conn)
            target._copies_in += 1

    def generation(self) -> tuple[int, int, int]:
        """A value that changes whenever the data may have, for caches of what the store holds to compare.

        It counts this connection's row changes, copies into this store, and (for a file) commits by any other
        connection, in this process or another (``PRAGMA data_version``); a ``:memory:`` store has no other.
        """
        with self._lock:
            others = 0 if self.path == ":memory:" else self._conn.execute("PRAGMA data_version").fetchone()[0]
            return self._conn.total_changes, self._copies_in, others

    # -- meta ------------------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- users -----------------------------------------------------------------------------------------------------

    def get_user(self, user_id: str) -> UserRecord | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return None if row is None else UserRecord(*row)

    def get_users(self, user_ids: Sequence[str]) -> dict[str, UserRecord]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        with self._lock:
            rows = self._conn.execute(f"SELECT * FROM users WHERE id IN ({marks})", tuple(user_ids)).fetchall()
        return {row[0]: UserRecord(*row) for row in rows}

    def update_user(self, user_id: str, *, name: str, visibility: str, playback_visibility: str) -> UserRecord | None:
        with self._write() as conn:
            row = conn.execute(
                "UPDATE users SET name = ?, visibility = ?, playback_visibility = ? WHERE id = ? RETURNING *",
                (name, visibility, playback_visibility, user_id),
            ).fetchone()
        return None if row is None else UserRecord(*row)

    def user_ids(self, limit: int, offset: int = 0) -> list[str]:
        """User IDs in a stable order (by ID), for tools and tests that need some users."""
        with self._lock:
            rows = self._conn.execute("SELECT id FROM users ORDER BY id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [row[0] for row in rows]

    # -- catalog ---------------------------------------------------------------------------------------------------

    def get_artist(self, artist_id: str) -> tuple[str, str] | None:
        with self._lock:
            row = self._conn.execute("SELECT id, name FROM artists WHERE id = ?", (artist_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def artist_ids(self, limit: int, offset: int = 0) -> list[str]:
        with self._lock:
            rows = self._conn.execute("SELECT id FROM artists ORDER BY id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [row[0] for row in rows]

    def add_artist(self, artist_id: str, name: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO artists VALUES (?, ?)", (artist_id, name))

    def add_user(self, user: UserRecord) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?, ?)",
                (user.id, user.name, user.tier, user.visibility, user.playback_visibility, user.image_url),
            )

    def add_playlist(self, playlist_id: str, name: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO playlists VALUES (?, ?)", (playlist_id, name))

    def add_track(self, track_id: str, title: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO tracks VALUES (?, ?)", (track_id, title))

    def add_podcast_show(self, show_id: str, title: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO podcast_shows VALUES (?, ?)", (show_id, title))

    def kind_of(self, entity_id: str) -> EntityKind | None:
        """Which table holds ``entity_id`` (the first that does, users first), or None."""
        with self._lock:
            for kind, table in _ENTITY_TABLES.items():
                if self._conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (entity_id,)).fetchone():
                    return kind
        return None

    # -- follows ---------------------------------------------------------------------------------------------------

    def follow_user(self, follower_id: str, followed_id: str) -> bool:
        """Make the follow; True when it is new. Idempotent."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO user_follows (follower_id, followed_id) VALUES (?, ?)",
                (follower_id, followed_id),
            )
        return cursor.rowcount == 1

    def unfollow_user(self, follower_id: str, followed_id: str) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM user_follows WHERE follower_id = ? AND followed_id = ?", (follower_id, followed_id)
            )
        return cursor.rowcount == 1

    def follow_artist(self, user_id: str, artist_id: str) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO artist_follows (user_id, item_id) VALUES (?, ?)", (user_id, artist_id)
            )
        return cursor.rowcount == 1

    def unfollow_artist(self, user_id: str, artist_id: str) -> bool:
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM artist_follows WHERE user_id = ? AND item_id = ?", (user_id, artist_id))
        return cursor.rowcount == 1

    def follow_playlist(self, user_id: str, playlist_id: str) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO playlist_follows (user_id, item_id) VALUES (?, ?)", (user_id, playlist_id)
            )
        return cursor.rowcount == 1

    def follow_podcast_show(self, user_id: str, show_id: str) -> bool:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO podcast_follows (user_id, item_id) VALUES (?, ?)", (user_id, show_id)
            )
        return cursor.rowcount == 1

    def save_library_track(
        self, user_id: str, track_id: str, *, uploaded: bool = False, purchased: bool = False
    ) -> bool:
        """Put a known track in a user's library; True when it is new there (a track already saved stays as it is)."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO library_tracks (user_id, item_id, uploaded, purchased) VALUES (?, ?, ?, ?)",
                (user_id, track_id, int(uploaded), int(purchased)),
            )
        return cursor.rowcount == 1

    def add_library_track(self, user_id: str, track_id: str, title: str) -> None:
        """Put a (new or known) track in a user's library; for tests that grow a listing mid-walk."""
        with self._write() as conn:
            conn.execute("INSERT OR IGNORE INTO tracks VALUES (?, ?)", (track_id, title))
            conn.execute("INSERT OR IGNORE INTO library_tracks (user_id, item_id) VALUES (?, ?)", (user_id, track_id))

    def count(self, listing: Listing, owner_id: str) -> int:
        query = LISTINGS[listing]
        with self._lock:
            row = self._conn.execute(
                f"SELECT COUNT(*) FROM {query.table} r WHERE {query.owner_column} = ?",
                (owner_id,),
            ).fetchone()
        return int(row[0])

    def page(
        self, listing: Listing, owner_id: str, *, after: int, limit: int, ids: Sequence[str] | None = None
    ) -> Page:
        """One page of a listing, oldest first: the edges whose key is greater than ``after``."""
        query = LISTINGS[listing]
        sql = f"{query.select} WHERE {query.owner_column} = ? AND r.seq > ?"
        params: list[object] = [owner_id, after]
        if ids:
            sql += f" AND {query.item_column} IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        sql += " ORDER BY r.seq LIMIT ?"
        params.append(limit + 1)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        has_next = len(rows) > limit
        return Page(rows[:limit] if has_next else rows, has_next)

    # -- security profiles, tokens, authorization codes ------------------------------------------------------------

    def get_security_profile(
        self, *, api_key: str | None = None, client_id: str | None = None
    ) -> SecurityProfileRecord | None:
        column, value = ("api_key", api_key) if api_key is not None else ("client_id", client_id)
        with self._lock:
            row = self._conn.execute(
                f"SELECT * FROM security_profiles WHERE {column} = ?",
                (value,),
            ).fetchone()
        if row is None:
            return None
        return SecurityProfileRecord(row[0], row[1], row[2], row[3], tuple(row[4].split()))

    def add_security_profile(self, profile: SecurityProfileRecord) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO security_profiles VALUES (?, ?, ?, ?, ?)",
                (
                    profile.api_key,
                    profile.client_id,
                    profile.client_secret_hash,
                    profile.name,
                    " ".join(profile.redirect_uris),
                ),
            )

    def insert_tokens(
        self, rows: Iterable[tuple[str, TokenRecord]], *, revoke: str | None = None, family: str | None = None
    ) -> bool:
        """Store tokens (by hash), of grant ``family`` when given; with ``revoke``, first revoke that token, and store
        nothing if it was not live.

        Revoke-then-insert in one transaction is what makes a refresh single-use under concurrency.
        """
        rows = list(rows)
        with self._write() as conn:
            if revoke is not None:
                cursor = conn.execute("UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0", (revoke,))
                if cursor.rowcount != 1:
                    return False
            conn.executemany(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (token_hash, t.kind, t.api_key, t.client_id, t.user_id, t.scope, t.expires_at, int(t.revoked))
                    for token_hash, t in rows
                ],
            )
            if family is not None:
                conn.executemany(
                    "INSERT OR REPLACE INTO token_families VALUES (?, ?)",
                    [(token_hash, family) for token_hash, _ in rows],
                )
        return True

    def token_family(self, token_hash: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT family FROM token_families WHERE token_hash = ?", (token_hash,)).fetchone()
        return None if row is None else str(row[0])

    def revoke_family(self, family: str) -> int:
        """Revoke every token of a grant family; how many were live."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND token_hash IN "
                "(SELECT token_hash FROM token_families WHERE family = ?)",
                (family,),
            )
        return int(cursor.rowcount)

    def get_token(self, token_hash: str) -> TokenRecord | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT kind, api_key, client_id, user_id, scope, expires_at, revoked FROM tokens WHERE token_hash = ?",
                (token_hash,),
            ).fetchone()
        if row is None:
            return None
        return TokenRecord(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]))

    def insert_auth_code(self, code_hash: str, code: AuthCodeRecord) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO auth_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    code_hash,
                    code.client_id,
                    code.user_id,
                    code.scope,
                    code.redirect_uri,
                    code.code_challenge,
                    code.code_challenge_method,
                    code.expires_at,
                ),
            )

    def consume_auth_code(self, code_hash: str) -> AuthCodeRecord | None:
        """Mark the code used and return it; None when it is unknown or was already used (codes are single-use)."""
        with self._write() as conn:
            row = conn.execute(
                "UPDATE auth_codes SET used = 1 WHERE code_hash = ? AND used = 0 RETURNING "
                "client_id, user_id, scope, redirect_uri, code_challenge, code_challenge_method, expires_at",
                (code_hash,),
            ).fetchone()
        return None if row is None else AuthCodeRecord(*row)


def _create_private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only: it holds token hashes and secrets."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)
