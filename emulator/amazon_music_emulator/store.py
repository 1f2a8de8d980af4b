"""The emulator's state, in SQLite or PostgreSQL; the only module that speaks SQL.

``Store(db)`` opens one database: a SQLite file (a path, or ``sqlite:///path``; ``:memory:`` for tests) or a
PostgreSQL database (``postgresql://...``, through a psycopg connection pool). Both backends run the same SQL text;
the dialect differences (placeholders, the auto-increment key, how a reset restarts it) are the small ``_Dialect``
mapping below. The schema is created and upgraded by the versioned ``MIGRATIONS`` (``amazon-music-emulator db
upgrade``; opening a store applies the missing ones too), each in one transaction that holds the store's write lock.

Transactions and isolation, the same on both backends:
- every write method is one transaction: it commits whole or not at all, and an acknowledged write is durable (SQLite
  in WAL mode with ``synchronous=NORMAL`` loses no committed write when a process is killed; PostgreSQL commits to
  its write-ahead log); on PostgreSQL a write of one statement is that statement's own transaction (autocommit:
  no BEGIN and COMMIT round trips), the others BEGIN ... COMMIT;
- single-use grants are conditional updates inside that transaction (``... WHERE used = 0``, ``... AND revoked =
  0``): of concurrent writers, exactly one sees its row change, so an authorization code or a rotated refresh token
  wins once, across threads and processes;
- a read sees every write committed before it began, from any process (read-your-writes); a page is one statement,
  so it is consistent in itself, while two pages of a walk may see writes made between them;
- SQLite serialises writers (``BEGIN IMMEDIATE``, a busy timeout makes the loser wait rather than fail); PostgreSQL
  runs them concurrently at READ COMMITTED, rows locked by the conditional updates, and takes an advisory lock for
  migrations, seeding and resets.

Tenants: one database holds isolated worlds, one per tenant (``tenants``; ``default`` is the world of a store that
never made another, and ``Store`` itself is its view). Every row of data carries its tenant, keys are (tenant, id),
relations reference their entities within the tenant (composite foreign keys), and every query of a ``TenantStore``
(``store.tenant(name)``) says ``tenant = ?``: a tenant never reads or changes another's rows. API keys, client IDs and
token hashes are random and unique across tenants, which is how a request finds its tenant (``get_security_profile``,
``find_access_token``: a token is looked up within the tenant of the request's API key only). Each tenant signs its
cursors with its own key (``cursor_secret``). Creating a tenant with its seed, deleting one with every row of it, and
resetting one (data, tokens and codes replaced by its seed, its security profiles kept, a new cursor key) are each one
transaction; ``reset`` empties every tenant and leaves an empty ``default``.

Listings use keyset pagination on ``seq``, an auto-increment key given to each relation when it is made. The order is
therefore "oldest first": a listing shows follows (and library tracks) in the order they were made, and a new follow
appears at the end. A re-follow gets a new ``seq`` and moves to the end. Keys are never reused, so a walk that goes on
while items are added returns every item that existed at its start exactly once.

Two ways to run a request's statements, one definition of each: the store methods a request calls (authentication's
lookups, the handlers' reads and writes) are written once as programs (``statement_program``: a generator that yields
its statements and is sent their results). Called, such a method runs synchronously (``Store.run``: SQLite's one
connection, or PostgreSQL's thread-safe pool); awaited through ``.aio``, it runs on the serving event loop's
PostgreSQL pool (``Store.run_async``, opened by the app's lifespan), so that while the database answers, the loop
serves other requests. Either way each statement runs as it does today (a read sees every committed write; a write of
one statement commits as it ends), so the promises above hold on both paths. A pool belongs to the loop that opened
it; on any other loop (an app used in-process, without a lifespan), ``.aio`` runs synchronously.

SQL text is built only from this module's constants; every value is a bound parameter.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import itertools
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Final,
    Generic,
    Literal,
    ParamSpec,
    Protocol,
    TypeVar,
    cast,
    overload,
)
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from psycopg_pool import AsyncConnectionPool, ConnectionPool

__all__ = [
    "LISTINGS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "AuthCodeRecord",
    "Edge",
    "EntityKind",
    "FoundToken",
    "ListOwner",
    "Listing",
    "ListingQuery",
    "Page",
    "Program",
    "SecurityProfileRecord",
    "SeedRows",
    "Statement",
    "Store",
    "StoreInUse",
    "StoreUnavailable",
    "TokenRecord",
    "UserRecord",
    "is_postgres",
    "redacted",
    "statement_program",
]

BUSY_TIMEOUT_MS: Final = 10_000
POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
SQLITE_SCHEME: Final = "sqlite:///"
# The thread-safe pool: synchronous calls (an app without a lifespan, Login with Amazon's endpoints, /readyz and the
# shared rate limit's admissions in threads, the CLI); a served loop's API requests use the async pool below.
POOL_MAX_SIZE: Final = 8
# The serving event loop's pool (PostgreSQL; ``open_async_pool``), all opened at startup: one connection per statement
# in flight, so up to this many requests of a process wait on the database at once and later ones queue in the loop
# without holding it. PostgreSQL shares the machine's cores with the servers: more backends busy at once only queue
# there. Measured (bench_sandbox.py, 2 cores): 2 lowers saturation by a quarter; 4 and 8 do alike, so 4.
ASYNC_POOL_SIZE: Final = 4
CONNECT_TIMEOUT_SECONDS: Final = 10.0

# A listing's name: a key of LISTINGS, the one list of the relations the store can page through.
Listing = str

# Migration 1: the schema as it was first released. {SEQ_KEY}, {WITHOUT_ROWID} and {REAL} are the dialect's words.
_MIGRATION_1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    name TEXT,
    tier TEXT NOT NULL,
    visibility TEXT NOT NULL,
    playback_visibility TEXT,
    image_url TEXT
){WITHOUT_ROWID};
CREATE TABLE IF NOT EXISTS artists (id TEXT PRIMARY KEY, name TEXT NOT NULL){WITHOUT_ROWID};
CREATE TABLE IF NOT EXISTS playlists (id TEXT PRIMARY KEY, name TEXT NOT NULL){WITHOUT_ROWID};
CREATE TABLE IF NOT EXISTS tracks (id TEXT PRIMARY KEY, title TEXT NOT NULL){WITHOUT_ROWID};
CREATE TABLE IF NOT EXISTS podcast_shows (id TEXT PRIMARY KEY, title TEXT NOT NULL){WITHOUT_ROWID};
CREATE TABLE IF NOT EXISTS user_follows (
    seq {SEQ_KEY},
    follower_id TEXT NOT NULL REFERENCES users(id),
    followed_id TEXT NOT NULL REFERENCES users(id),
    UNIQUE (follower_id, followed_id),
    CHECK (follower_id <> followed_id)
);
CREATE INDEX IF NOT EXISTS user_follows_by_followed ON user_follows (followed_id, seq, follower_id);
CREATE INDEX IF NOT EXISTS user_follows_by_follower ON user_follows (follower_id, seq, followed_id);
CREATE TABLE IF NOT EXISTS artist_follows (
    seq {SEQ_KEY},
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES artists(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS artist_follows_by_user ON artist_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS playlist_follows (
    seq {SEQ_KEY},
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES playlists(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS playlist_follows_by_user ON playlist_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS podcast_follows (
    seq {SEQ_KEY},
    user_id TEXT NOT NULL REFERENCES users(id),
    item_id TEXT NOT NULL REFERENCES podcast_shows(id),
    UNIQUE (user_id, item_id)
);
CREATE INDEX IF NOT EXISTS podcast_follows_by_user ON podcast_follows (user_id, seq, item_id);
CREATE TABLE IF NOT EXISTS library_tracks (
    seq {SEQ_KEY},
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
    expires_at {REAL},
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at {REAL} NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
"""

# Migration 2: which grant each token descends from (an authorization code, or a mint): a replayed code or refresh
# token revokes every token of its family. IF NOT EXISTS: SQLite files of schema 1 may have it from before migrations.
_MIGRATION_2 = """
CREATE TABLE IF NOT EXISTS token_families (
    token_hash TEXT PRIMARY KEY,
    family TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS token_families_by_family ON token_families (family);
"""

# Migration 3: tenants. Every data table gains a ``tenant`` column (existing rows: the tenant ``default``); entity keys
# become (tenant, id), relations reference them with composite foreign keys, and every index leads with the tenant, so
# a listing page stays one index range scan. The cursor secret moves from meta into the tenant's row. SQLite cannot
# change a primary key in place, so each table is rebuilt: renamed to <table>_v2, made anew, copied (seq kept, and
# the auto-increment counter carried over by the dialect's {KEEP_SEQUENCE(table)}), and the old one dropped.
_TABLES_BEFORE_3: Final = {  # every table of schema 2 but meta, parents first, with its columns
    "users": "id, name, tier, visibility, playback_visibility, image_url",
    "artists": "id, name",
    "playlists": "id, name",
    "tracks": "id, title",
    "podcast_shows": "id, title",
    "user_follows": "seq, follower_id, followed_id",
    "artist_follows": "seq, user_id, item_id",
    "playlist_follows": "seq, user_id, item_id",
    "podcast_follows": "seq, user_id, item_id",
    "library_tracks": "seq, user_id, item_id, uploaded, purchased",
    "security_profiles": "api_key, client_id, client_secret_hash, name, redirect_uris",
    "tokens": "token_hash, kind, api_key, client_id, user_id, scope, expires_at, revoked",
    "auth_codes": (
        "code_hash, client_id, user_id, scope, redirect_uri, code_challenge, code_challenge_method, expires_at, used"
    ),
    "token_families": "token_hash, family",
}
_INDEXES_BEFORE_3: Final = (
    "user_follows_by_followed",
    "user_follows_by_follower",
    "artist_follows_by_user",
    "playlist_follows_by_user",
    "podcast_follows_by_user",
    "library_tracks_by_user",
    "token_families_by_family",
)
_TENANT_COLUMN = "tenant TEXT NOT NULL REFERENCES tenants(name)"


def _relation_3(table: str, items: str, extra: str = "") -> str:
    return f"""CREATE TABLE {table} (
    seq {{SEQ_KEY}},
    tenant TEXT NOT NULL,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,{extra}
    FOREIGN KEY (tenant, user_id) REFERENCES users(tenant, id),
    FOREIGN KEY (tenant, item_id) REFERENCES {items}(tenant, id),
    UNIQUE (tenant, user_id, item_id)
)"""


def _named_3(table: str, label: str) -> str:
    return (
        f"CREATE TABLE {table} ({_TENANT_COLUMN}, id TEXT NOT NULL, {label} TEXT NOT NULL, "
        "PRIMARY KEY (tenant, id)){WITHOUT_ROWID}"
    )


_MIGRATION_3 = ";\n".join(
    [
        *(f"DROP INDEX IF EXISTS {index}" for index in _INDEXES_BEFORE_3),
        *(f"ALTER TABLE {table} RENAME TO {table}_v2" for table in _TABLES_BEFORE_3),
        """CREATE TABLE tenants (
    name TEXT PRIMARY KEY,
    cursor_secret TEXT NOT NULL,
    seed TEXT NOT NULL,
    created_at {REAL} NOT NULL
){WITHOUT_ROWID}""",
        "INSERT INTO tenants (name, cursor_secret, seed, created_at) VALUES ('default', "
        "COALESCE((SELECT value FROM meta WHERE key = 'cursor_secret'), {RANDOM_SECRET}), "
        "CASE (SELECT value FROM meta WHERE key = 'seed_config') WHEN 'bare' THEN 'empty' ELSE 'demo' END, {NOW})",
        "DELETE FROM meta WHERE key = 'cursor_secret'",
        f"""CREATE TABLE users (
    {_TENANT_COLUMN},
    id TEXT NOT NULL,
    name TEXT,
    tier TEXT NOT NULL,
    visibility TEXT NOT NULL,
    playback_visibility TEXT,
    image_url TEXT,
    PRIMARY KEY (tenant, id)
){{WITHOUT_ROWID}}""",
        _named_3("artists", "name"),
        _named_3("playlists", "name"),
        _named_3("tracks", "title"),
        _named_3("podcast_shows", "title"),
        """CREATE TABLE user_follows (
    seq {SEQ_KEY},
    tenant TEXT NOT NULL,
    follower_id TEXT NOT NULL,
    followed_id TEXT NOT NULL,
    FOREIGN KEY (tenant, follower_id) REFERENCES users(tenant, id),
    FOREIGN KEY (tenant, followed_id) REFERENCES users(tenant, id),
    UNIQUE (tenant, follower_id, followed_id),
    CHECK (follower_id <> followed_id)
)""",
        _relation_3("artist_follows", "artists"),
        _relation_3("playlist_follows", "playlists"),
        _relation_3("podcast_follows", "podcast_shows"),
        _relation_3(
            "library_tracks",
            "tracks",
            "\n    uploaded INTEGER NOT NULL DEFAULT 0,\n    purchased INTEGER NOT NULL DEFAULT 0,",
        ),
        f"""CREATE TABLE security_profiles (
    api_key TEXT PRIMARY KEY,
    {_TENANT_COLUMN},
    client_id TEXT NOT NULL UNIQUE,
    client_secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL
)""",
        f"""CREATE TABLE tokens (
    {_TENANT_COLUMN},
    token_hash TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    api_key TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    expires_at {{REAL}},
    revoked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, token_hash)
)""",
        f"""CREATE TABLE auth_codes (
    {_TENANT_COLUMN},
    code_hash TEXT NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    code_challenge_method TEXT,
    expires_at {{REAL}} NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, code_hash)
)""",
        f"""CREATE TABLE token_families (
    {_TENANT_COLUMN},
    token_hash TEXT NOT NULL,
    family TEXT NOT NULL,
    PRIMARY KEY (tenant, token_hash)
)""",
        *(
            f"INSERT INTO {table} (tenant, {columns}) SELECT 'default', {columns} FROM {table}_v2"
            for table, columns in _TABLES_BEFORE_3.items()
        ),
        *(f"{{KEEP_SEQUENCE({table})}}" for table, columns in _TABLES_BEFORE_3.items() if columns.startswith("seq,")),
        *(f"DROP TABLE {table}_v2" for table in reversed(_TABLES_BEFORE_3)),
        "CREATE INDEX user_follows_by_followed ON user_follows (tenant, followed_id, seq, follower_id)",
        "CREATE INDEX user_follows_by_follower ON user_follows (tenant, follower_id, seq, followed_id)",
        "CREATE INDEX artist_follows_by_user ON artist_follows (tenant, user_id, seq, item_id)",
        "CREATE INDEX playlist_follows_by_user ON playlist_follows (tenant, user_id, seq, item_id)",
        "CREATE INDEX podcast_follows_by_user ON podcast_follows (tenant, user_id, seq, item_id)",
        "CREATE INDEX library_tracks_by_user ON library_tracks (tenant, user_id, seq, item_id, uploaded, purchased)",
        "CREATE INDEX security_profiles_by_tenant ON security_profiles (tenant)",
        "CREATE INDEX token_families_by_family ON token_families (tenant, family)",
    ]
)
# Migration 4: the rate limit's shared log (PostgreSQL, see count_request): per API key, the times of the requests
# admitted in the last second. UNLOGGED on PostgreSQL: the log needs no durability, and no WAL flush per request.
_MIGRATION_4 = """
CREATE {UNLOGGED}TABLE IF NOT EXISTS rate_limit_log (
    api_key TEXT PRIMARY KEY,
    admitted {TIMES} NOT NULL
){WITHOUT_ROWID};
"""

# The schema's history, oldest first: migration N takes a database from schema N-1 to N. Append; never edit one.
MIGRATIONS: Final[tuple[str, ...]] = (_MIGRATION_1, _MIGRATION_2, _MIGRATION_3, _MIGRATION_4)
SCHEMA_VERSION: Final = len(MIGRATIONS)

# Every table, children before parents (the order a reset empties them in).
_TABLES: Final = (
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
    "tenants",
    "rate_limit_log",
    "meta",
)
# The tables that hold a tenant's world, children before parents (the order a tenant's rows are deleted in).
_TENANT_TABLES: Final = _TABLES[: _TABLES.index("tenants")]
DEFAULT_TENANT: Final = "default"
# A tenant's name: what the CLI accepts, and what a URL path or a log line can carry as it is.
TENANT_NAME: Final = re.compile(r"[a-z0-9-]{1,63}")


@dataclass(frozen=True, slots=True)
class _Dialect:
    """What differs between the backends' SQL: the rest of the module's SQL text runs on both."""

    placeholder: str
    seq_key: str
    without_rowid: str
    real: str
    reset: tuple[str, ...]
    random_secret: str  # an SQL expression: 64 random hex digits
    now: str  # an SQL expression: seconds since the epoch
    keep_sequence: str  # statements (";"-separated) carrying {table}_v2's auto-increment counter over to {table}
    unlogged: str
    times: str  # a list of times (rate_limit_log): an array on PostgreSQL; SQLite keeps that log in the process

    def migration(self, number: int) -> list[str]:
        """Migration ``number`` (1-based) as statements in this dialect."""
        script = MIGRATIONS[number - 1]
        script = script.replace("{SEQ_KEY}", self.seq_key).replace("{WITHOUT_ROWID}", self.without_rowid)
        script = script.replace("{REAL}", self.real).replace("{RANDOM_SECRET}", self.random_secret)
        script = script.replace("{NOW}", self.now)
        script = _KEEP_SEQUENCE.sub(lambda match: self.keep_sequence.format(table=match.group(1)), script)
        script = script.replace("{UNLOGGED}", self.unlogged).replace("{TIMES}", self.times)
        return [statement.strip() for statement in script.split(";") if statement.strip()]


_KEEP_SEQUENCE: Final = re.compile(r"\{KEEP_SEQUENCE\((\w+)\)\}")


_SQLITE: Final = _Dialect(
    placeholder="?",
    seq_key="INTEGER PRIMARY KEY AUTOINCREMENT",
    without_rowid=" WITHOUT ROWID",
    real="REAL",
    reset=(*(f"DELETE FROM {table}" for table in _TABLES), "DELETE FROM sqlite_sequence"),
    random_secret="lower(hex(randomblob(32)))",
    now="((julianday('now') - 2440587.5) * 86400.0)",
    keep_sequence=(
        "DELETE FROM sqlite_sequence WHERE name = '{table}';"
        "INSERT INTO sqlite_sequence (name, seq) SELECT '{table}', seq FROM sqlite_sequence WHERE name = '{table}_v2'"
    ),
    unlogged="",
    times="TEXT",
)
_POSTGRES: Final = _Dialect(
    placeholder="%s",
    seq_key="BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    without_rowid="",
    real="DOUBLE PRECISION",
    reset=(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY",),
    random_secret="replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')",
    now="CAST(extract(epoch FROM now()) AS DOUBLE PRECISION)",
    keep_sequence=(
        "SELECT setval(pg_get_serial_sequence('{table}', 'seq'), 1 + GREATEST("
        "(SELECT COALESCE(MAX(seq), 0) FROM {table}), "
        "COALESCE(pg_sequence_last_value(CAST(pg_get_serial_sequence('{table}_v2', 'seq') AS regclass)), 0)), false)"
    ),
    unlogged="UNLOGGED ",
    times="DOUBLE PRECISION[]",
)
# The advisory lock PostgreSQL writers take for migrations, seeding and resets (any fixed 64-bit number).
_POSTGRES_LOCK_KEY: Final = 0x616D7A6E6D7573
# The advisory lock every serving process holds (shared) for its lifetime, and a reset needs alone (exclusive).
_SERVING_LOCK_KEY: Final = _POSTGRES_LOCK_KEY + 1


# One request of an API key against a rate limit of N per second, in one statement (PostgreSQL): the key's row keeps the
# times of the requests admitted in the last second; the request is admitted (its time appended) when fewer than N
# remain, and the row lock makes concurrent requests, from any process, take their turns. The time is the database's,
# the same for every process. Returns the row's times: this request's time last when it was admitted. The row holds
# up to N times: cheap for the limits of a sandbox (tens to hundreds per second).
_NOW: Final = "CAST(extract(epoch FROM statement_timestamp()) AS DOUBLE PRECISION)"
_RECENT: Final = f"ARRAY(SELECT t FROM unnest(rate_limit_log.admitted) AS t WHERE t > {_NOW} - 1 ORDER BY t)"
_COUNT_REQUEST: Final = (
    f"INSERT INTO rate_limit_log (api_key, admitted) VALUES (%s, ARRAY[{_NOW}]) "
    f"ON CONFLICT (api_key) DO UPDATE SET admitted = CASE WHEN cardinality({_RECENT}) < %s "
    f"THEN {_RECENT} || {_NOW} ELSE {_RECENT} END "
    f"RETURNING admitted, {_NOW}"
)
# The rows of keys idle for a minute (a fuzzer sends endless made-up keys).
_FORGET_IDLE_KEYS: Final = f"DELETE FROM rate_limit_log WHERE admitted[cardinality(admitted)] < {_NOW} - 60"


def _upsert(table: str, columns: Sequence[str], *key: str) -> str:
    """INSERT that replaces the row of the same ``key`` (both backends speak ``ON CONFLICT ... DO UPDATE``)."""
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in key)
    marks = ", ".join("?" * len(columns))
    conflict = ", ".join(key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )


_USER_COLUMNS: Final = ("tenant", "id", "name", "tier", "visibility", "playback_visibility", "image_url")
_USER_FIELDS: Final = ("id", "name", "tier", "visibility", "playback_visibility", "image_url")  # UserRecord's
_USER_SELECT: Final = f"SELECT {', '.join(_USER_FIELDS)} FROM users"
_PROFILE_COLUMNS: Final = ("api_key", "tenant", "client_id", "client_secret_hash", "name", "redirect_uris")
_PROFILE_SELECT: Final = f"SELECT {', '.join(_PROFILE_COLUMNS)} FROM security_profiles"
_UPSERT_META: Final = _upsert("meta", ("key", "value"), "key")
_UPSERT_USER: Final = _upsert("users", _USER_COLUMNS, "tenant", "id")
_UPSERT_PROFILE: Final = _upsert("security_profiles", _PROFILE_COLUMNS, "api_key")
_UPSERT_FAMILY: Final = _upsert("token_families", ("tenant", "token_hash", "family"), "tenant", "token_hash")
_UPSERT_NAMED: Final = {
    table: _upsert(table, ("tenant", "id", label), "tenant", "id")
    for table, label in (("artists", "name"), ("playlists", "name"), ("tracks", "title"), ("podcast_shows", "title"))
}
_TOKEN_COLUMNS: Final = "kind, api_key, client_id, user_id, scope, expires_at, revoked"
# A token (k) with its tenant's cursor key (t) and its user's row (u, NULLs when the tenant has no such user): what
# authentication reads of a token, in the statement that finds it (``FoundToken``).
_FOUND_TOKEN_COLUMNS: Final = ", ".join(
    [*("k." + c for c in _TOKEN_COLUMNS.split(", ")), "k.tenant", "t.cursor_secret", *("u." + c for c in _USER_FIELDS)]
)
_FOUND_TOKEN_JOIN: Final = (
    "tokens k JOIN tenants t ON t.name = k.tenant LEFT JOIN users u ON u.tenant = k.tenant AND u.id = k.user_id"
)
# A profile by API key, and beside it the token (by hash) of that profile's tenant, as ``_FOUND_TOKEN_COLUMNS``.
_CREDENTIALS_SELECT: Final = (
    f"SELECT {', '.join('p.' + column for column in _PROFILE_COLUMNS)}, {_FOUND_TOKEN_COLUMNS} "
    f"FROM security_profiles p LEFT JOIN ({_FOUND_TOKEN_JOIN}) ON k.tenant = p.tenant AND k.token_hash = ? "
    "WHERE p.api_key = ?"
)
# The token (by hash) within the tenant of an API key, as ``_FOUND_TOKEN_COLUMNS``.
_ACCESS_TOKEN_SELECT: Final = (
    f"SELECT {_FOUND_TOKEN_COLUMNS} FROM {_FOUND_TOKEN_JOIN} "
    "WHERE k.tenant = (SELECT tenant FROM security_profiles WHERE api_key = ?) AND k.token_hash = ?"
)


# Indexes cover (tenant, owner, seq, item): a page is one index range scan plus a primary-key lookup per item.
# Per listing: the SELECT of one page (tenant, owner, after-key, limit) and the column the ID filter applies to.
_USER_EDGE = "SELECT r.seq, u.id, u.name FROM user_follows r JOIN users u ON u.tenant = r.tenant AND u.id = r.{other}"
_ITEM_EDGE = (
    "SELECT r.seq, i.id, i.{label}{flags} FROM {table} r JOIN {items} i ON i.tenant = r.tenant AND i.id = r.item_id"
)


@dataclass(frozen=True, slots=True)
class ListingQuery:
    """A relation the store pages through: its table, the SELECT of one page's edges, the owner's column, the column
    an ID filter applies to, and the kind of item on each edge (what the handlers render it as)."""

    table: str
    select: str
    owner_column: str
    item_column: str
    item_kind: str

    @property
    def width(self) -> int:
        """How many columns an edge of this listing has (its SELECT's, before FROM; at least key, ID and label)."""
        return self.select.split(" FROM ", 1)[0].count(",") + 1


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
class ListOwner:
    """The user whose listing a page is, as far as a listing needs them: whose lists they are and who may read them."""

    id: str
    name: str | None
    visibility: str


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
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class TenantRecord:
    """A tenant as ``Store.tenants()`` lists it: its seed ("demo", "empty" or a sized demo seed), when it was made,
    and how many rows it holds per kind (users, follows, library tracks, tokens)."""

    name: str
    seed: str
    created_at: float
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class TokenRecord:
    kind: str
    api_key: str
    client_id: str
    user_id: str
    scope: str
    expires_at: float | None
    revoked: bool
    tenant: str = DEFAULT_TENANT


@dataclass(frozen=True, slots=True)
class FoundToken:
    """A token as authentication finds it, in one statement: its record, its tenant's cursor key, and its user's row
    (None: the tenant has no such user)."""

    record: TokenRecord
    cursor_secret: str
    user: UserRecord | None


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


class StoreUnavailable(Exception):
    """The database cannot be reached or opened; the message names it (without its password)."""


class StoreInUse(Exception):
    """The database cannot be had exclusively: another process serves it (``hold_serving_lock(exclusive=True)``)."""


def is_postgres(db: str | os.PathLike[str]) -> bool:
    """Whether ``db`` names a PostgreSQL database (a ``postgresql://`` URL) rather than a SQLite file."""
    return str(db).startswith(POSTGRES_SCHEMES)


def redacted(db: str | os.PathLike[str]) -> str:
    """``db`` fit to print: a URL's password replaced by ``***``."""
    text = str(db)
    if not is_postgres(text):
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _sqlite_path(db: str | os.PathLike[str]) -> str:
    text = str(db)
    return text.removeprefix(SQLITE_SCHEME) if text.startswith(SQLITE_SCHEME) else text


class _Rows(Protocol):
    """What a statement returns, on both backends (a DB-API cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class _Session(Protocol):
    """One connection's statements, with ``?`` placeholders: a sqlite3 connection, or ``_PostgresSession``."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> _Rows: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> _Rows: ...


@functools.lru_cache(maxsize=512)
def _postgres_sql(sql: str) -> str:
    """The statement with psycopg's placeholders (no SQL text of this module holds a literal ``?`` or ``%``)."""
    return sql.replace("?", "%s")


class _PostgresSession:
    """A psycopg connection that takes this module's ``?`` statements."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> _Rows:
        cursor: _Rows = self._conn.execute(_postgres_sql(sql), parameters)
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> _Rows:
        cursor = self._conn.cursor()
        cursor.executemany(_postgres_sql(sql), list(parameters))
        rows: _Rows = cursor
        return rows


_T = TypeVar("_T")
_P = ParamSpec("_P")
_Fetch = Literal["one", "all", "count"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement of a store program (``?`` placeholders), and what its program receives back: the first row or
    None (``one``), every row (``all``), or how many rows it changed (``count``). ``write``: a write of one statement,
    atomic by itself (``Store._write_one``)."""

    sql: str
    parameters: Sequence[Any]
    fetch: _Fetch = "one"
    write: bool = False


# A store method written once, for both ways of running it: a generator that yields its statements, is sent each
# one's result, and returns the method's result. ``Store.run`` runs it synchronously (SQLite, and PostgreSQL's pool),
# ``Store.run_async`` on the serving event loop's PostgreSQL pool, where the loop serves other requests meanwhile.
Program = Generator[Statement, Any, _T]


def _result_of(rows: _Rows, fetch: _Fetch) -> Any:
    if fetch == "one":
        return rows.fetchone()
    return rows.fetchall() if fetch == "all" else rows.rowcount


class _Runs(Protocol):
    """What a ``statement_program`` method's object has: the store its programs run on."""

    @property
    def runner(self) -> Store: ...


class ProgramMethod(Generic[_P, _T]):
    """A ``statement_program`` bound to its object: called, it runs synchronously (``Store.run``); ``await
    method.aio(...)`` runs it on the event loop's pool when the loop has one (``Store.run_async``); ``program(...)``
    is the bare program, for another program to ``yield from``."""

    __slots__ = ("_make", "_owner")

    def __init__(self, make: Callable[Concatenate[Any, _P], Program[_T]], owner: _Runs) -> None:
        self._make = make
        self._owner = owner

    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return self._owner.runner.run(self._make(self._owner, *args, **kwargs))

    async def aio(self, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        runner = self._owner.runner
        program = self._make(self._owner, *args, **kwargs)
        if runner._async_pool is None:  # SQLite, or no loop's pool: no coroutine more than this one
            return runner.run(program)
        return await runner.run_async(program)

    def program(self, *args: _P.args, **kwargs: _P.kwargs) -> Program[_T]:
        return self._make(self._owner, *args, **kwargs)


class statement_program(Generic[_P, _T]):
    """Decorates a method that returns a ``Program``: the method's object (with a ``runner`` store) then runs it
    synchronously when called, or asynchronously through ``.aio`` (see ``ProgramMethod``)."""

    def __init__(self, make: Callable[Concatenate[Any, _P], Program[_T]]) -> None:
        self._make = make
        self.__doc__ = make.__doc__

    @overload
    def __get__(self, owner: None, kind: type) -> statement_program[_P, _T]: ...

    @overload
    def __get__(self, owner: _Runs, kind: type) -> ProgramMethod[_P, _T]: ...

    def __get__(self, owner: _Runs | None, kind: type) -> statement_program[_P, _T] | ProgramMethod[_P, _T]:
        return self if owner is None else ProgramMethod(self._make, owner)


class TenantStore:
    """One tenant's world in a store: every query carries ``tenant = ?``. A cheap view (``Store.tenant(name)``) on the
    store's one connection or pool; ``Store`` itself is the view of the default tenant."""

    _store: Store
    tenant_name: str

    def __init__(self, store: Store, name: str) -> None:
        self._store = store
        self.tenant_name = name

    def __repr__(self) -> str:
        return f"TenantStore({self._store!r}, {self.tenant_name!r})"

    @property
    def runner(self) -> Store:
        """The store this view's programs run on (``statement_program``)."""
        return self._store

    # -- users -----------------------------------------------------------------------------------------------------

    @statement_program
    def get_user(self, user_id: str) -> Program[UserRecord | None]:
        row = yield Statement(f"{_USER_SELECT} WHERE tenant = ? AND id = ?", (self.tenant_name, user_id))
        return None if row is None else UserRecord(*row)

    @statement_program
    def get_users(self, user_ids: Sequence[str]) -> Program[dict[str, UserRecord]]:
        if not user_ids:
            return {}
        marks = ",".join("?" * len(user_ids))
        rows = yield Statement(
            f"{_USER_SELECT} WHERE tenant = ? AND id IN ({marks})", (self.tenant_name, *user_ids), "all"
        )
        return {row[0]: UserRecord(*row) for row in rows}

    @statement_program
    def update_user(
        self, user_id: str, *, name: str, visibility: str, playback_visibility: str
    ) -> Program[UserRecord | None]:
        row = yield Statement(
            "UPDATE users SET name = ?, visibility = ?, playback_visibility = ? WHERE tenant = ? AND id = ? "
            "RETURNING id, name, tier, visibility, playback_visibility, image_url",
            (name, visibility, playback_visibility, self.tenant_name, user_id),
            write=True,
        )
        return None if row is None else UserRecord(*row)

    def _ids(self, table: str, limit: int, offset: int) -> list[str]:
        with self._store._read() as db:
            rows = db.execute(
                f"SELECT id FROM {table} WHERE tenant = ? ORDER BY id LIMIT ? OFFSET ?",
                (self.tenant_name, limit, offset),
            ).fetchall()
        return [row[0] for row in rows]

    def user_ids(self, limit: int, offset: int = 0) -> list[str]:
        """User IDs in a stable order (by ID), for tools and tests that need some users."""
        return self._ids("users", limit, offset)

    # -- catalog ---------------------------------------------------------------------------------------------------

    @statement_program
    def get_artist(self, artist_id: str) -> Program[tuple[str, str] | None]:
        row = yield Statement("SELECT id, name FROM artists WHERE tenant = ? AND id = ?", (self.tenant_name, artist_id))
        return None if row is None else (row[0], row[1])

    def artist_ids(self, limit: int, offset: int = 0) -> list[str]:
        return self._ids("artists", limit, offset)

    def _put_named(self, table: str, entity_id: str, label: str) -> None:
        with self._store._write() as db:
            db.execute(_UPSERT_NAMED[table], (self.tenant_name, entity_id, label))

    def add_artist(self, artist_id: str, name: str) -> None:
        self._put_named("artists", artist_id, name)

    def add_user(self, user: UserRecord) -> None:
        with self._store._write() as db:
            db.execute(
                _UPSERT_USER,
                (
                    self.tenant_name,
                    user.id,
                    user.name,
                    user.tier,
                    user.visibility,
                    user.playback_visibility,
                    user.image_url,
                ),
            )

    def add_playlist(self, playlist_id: str, name: str) -> None:
        self._put_named("playlists", playlist_id, name)

    def add_track(self, track_id: str, title: str) -> None:
        self._put_named("tracks", track_id, title)

    def add_podcast_show(self, show_id: str, title: str) -> None:
        self._put_named("podcast_shows", show_id, title)

    def kind_of(self, entity_id: str) -> EntityKind | None:
        """Which table holds ``entity_id`` (the first that does, users first), or None."""
        with self._store._read() as db:
            for kind, table in _ENTITY_TABLES.items():
                sql = f"SELECT 1 FROM {table} WHERE tenant = ? AND id = ?"
                if db.execute(sql, (self.tenant_name, entity_id)).fetchone():
                    return kind
        return None

    # -- follows ---------------------------------------------------------------------------------------------------

    def _changes_one(self, sql: str, parameters: Sequence[Any]) -> Program[bool]:
        """One write statement (its first parameter: the tenant); True when it changed a row."""
        changed = yield Statement(sql, (self.tenant_name, *parameters), "count", write=True)
        return bool(changed == 1)

    @statement_program
    def follow_user(self, follower_id: str, followed_id: str) -> Program[bool]:
        """Make the follow; True when it is new. Idempotent; a self-follow is refused (False)."""
        if follower_id == followed_id:
            return False
        return (
            yield from self._changes_one(
                "INSERT INTO user_follows (tenant, follower_id, followed_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (follower_id, followed_id),
            )
        )

    @statement_program
    def unfollow_user(self, follower_id: str, followed_id: str) -> Program[bool]:
        return (
            yield from self._changes_one(
                "DELETE FROM user_follows WHERE tenant = ? AND follower_id = ? AND followed_id = ?",
                (follower_id, followed_id),
            )
        )

    def _follow_item(self, table: str, user_id: str, item_id: str) -> Program[bool]:
        return self._changes_one(
            f"INSERT INTO {table} (tenant, user_id, item_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (user_id, item_id),
        )

    @statement_program
    def follow_artist(self, user_id: str, artist_id: str) -> Program[bool]:
        return (yield from self._follow_item("artist_follows", user_id, artist_id))

    @statement_program
    def unfollow_artist(self, user_id: str, artist_id: str) -> Program[bool]:
        return (
            yield from self._changes_one(
                "DELETE FROM artist_follows WHERE tenant = ? AND user_id = ? AND item_id = ?", (user_id, artist_id)
            )
        )

    @statement_program
    def follow_playlist(self, user_id: str, playlist_id: str) -> Program[bool]:
        return (yield from self._follow_item("playlist_follows", user_id, playlist_id))

    @statement_program
    def follow_podcast_show(self, user_id: str, show_id: str) -> Program[bool]:
        return (yield from self._follow_item("podcast_follows", user_id, show_id))

    @statement_program
    def save_library_track(
        self, user_id: str, track_id: str, *, uploaded: bool = False, purchased: bool = False
    ) -> Program[bool]:
        """Put a known track in a user's library; True when it is new there (a track already saved stays as it is)."""
        return (
            yield from self._changes_one(
                "INSERT INTO library_tracks (tenant, user_id, item_id, uploaded, purchased) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (user_id, track_id, int(uploaded), int(purchased)),
            )
        )

    def add_library_track(self, user_id: str, track_id: str, title: str) -> None:
        """Put a (new or known) track in a user's library; for tests that grow a listing mid-walk."""
        with self._store._write() as db:
            db.execute(
                "INSERT INTO tracks (tenant, id, title) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (self.tenant_name, track_id, title),
            )
            db.execute(
                "INSERT INTO library_tracks (tenant, user_id, item_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (self.tenant_name, user_id, track_id),
            )

    def count(self, listing: Listing, owner_id: str) -> int:
        query = LISTINGS[listing]
        with self._store._read() as db:
            row = db.execute(
                f"SELECT COUNT(*) FROM {query.table} r WHERE r.tenant = ? AND {query.owner_column} = ?",
                (self.tenant_name, owner_id),
            ).fetchone()
        return int(row[0])

    @statement_program
    def page(
        self, listing: Listing, owner_id: str, *, after: int, limit: int, ids: Sequence[str] | None = None
    ) -> Program[Page]:
        """One page of a listing, oldest first: the edges whose key is greater than ``after``."""
        sql, params = self._page_select(listing, owner_id, after, limit, ids)
        rows = yield Statement(sql, params, "all")
        return _page(rows, limit)

    @statement_program
    def owner_and_page(
        self, listing: Listing, owner_id: str, *, after: int, limit: int, ids: Sequence[str] | None = None
    ) -> Program[tuple[ListOwner | None, Page]]:
        """User ``owner_id`` (None: no such user, and an empty page) and ``page(...)`` of their listing, in one
        statement (one round trip, one snapshot): the user's row first, marked by a NULL key, then the page's edges."""
        query = LISTINGS[listing]
        sql, params = self._page_select(listing, owner_id, after, limit, ids)
        padding = ", NULL" * (query.width - 3)
        sql = (
            f"SELECT NULL, visibility, name{padding} FROM users WHERE tenant = ? AND id = ? "
            f"UNION ALL SELECT * FROM ({sql}) AS page ORDER BY 1 NULLS FIRST"
        )
        rows = yield Statement(sql, [self.tenant_name, owner_id, *params], "all")
        if not rows or rows[0][0] is not None:
            return None, Page([], False)
        return ListOwner(owner_id, rows[0][2], rows[0][1]), _page(rows[1:], limit)

    def _page_select(
        self, listing: Listing, owner_id: str, after: int, limit: int, ids: Sequence[str] | None
    ) -> tuple[str, list[object]]:
        """The SELECT of one page (one more edge than ``limit``: whether a next page exists) and its parameters."""
        query = LISTINGS[listing]
        sql = f"{query.select} WHERE r.tenant = ? AND {query.owner_column} = ? AND r.seq > ?"
        params: list[object] = [self.tenant_name, owner_id, after]
        if ids:
            sql += f" AND {query.item_column} IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        sql += " ORDER BY r.seq LIMIT ?"
        params.append(limit + 1)
        return sql, params

    # -- security profiles, tokens, authorization codes ------------------------------------------------------------

    def security_profiles(self) -> list[SecurityProfileRecord]:
        """This tenant's security profiles, by API key."""
        with self._store._read() as db:
            rows = db.execute(f"{_PROFILE_SELECT} WHERE tenant = ? ORDER BY api_key", (self.tenant_name,)).fetchall()
        return [_profile(row) for row in rows]

    def add_security_profile(self, profile: SecurityProfileRecord) -> None:
        with self._store._write() as db:
            db.execute(_UPSERT_PROFILE, _profile_row(profile, self.tenant_name))

    def insert_tokens(
        self, rows: Iterable[tuple[str, TokenRecord]], *, revoke: str | None = None, family: str | None = None
    ) -> bool:
        """Store tokens (by hash), of grant ``family`` when given; with ``revoke``, first revoke that token, and store
        nothing if it was not live.

        Revoke-then-insert in one transaction is what makes a refresh single-use under concurrency.
        """
        rows = list(rows)
        tenant = self.tenant_name
        with self._store._write() as db:
            if revoke is not None:
                cursor = db.execute(
                    "UPDATE tokens SET revoked = 1 WHERE tenant = ? AND token_hash = ? AND revoked = 0",
                    (tenant, revoke),
                )
                if cursor.rowcount != 1:
                    return False
            db.executemany(
                f"INSERT INTO tokens (tenant, token_hash, {_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        tenant,
                        token_hash,
                        t.kind,
                        t.api_key,
                        t.client_id,
                        t.user_id,
                        t.scope,
                        t.expires_at,
                        int(t.revoked),
                    )
                    for token_hash, t in rows
                ],
            )
            if family is not None:
                db.executemany(_UPSERT_FAMILY, [(tenant, token_hash, family) for token_hash, _ in rows])
        return True

    def token_family(self, token_hash: str) -> str | None:
        with self._store._read() as db:
            row = db.execute(
                "SELECT family FROM token_families WHERE tenant = ? AND token_hash = ?", (self.tenant_name, token_hash)
            ).fetchone()
        return None if row is None else str(row[0])

    def revoke_family(self, family: str) -> int:
        """Revoke every token of a grant family; how many were live."""
        with self._store._write_one() as db:
            cursor = db.execute(
                "UPDATE tokens SET revoked = 1 WHERE tenant = ? AND revoked = 0 AND token_hash IN "
                "(SELECT token_hash FROM token_families WHERE tenant = ? AND family = ?)",
                (self.tenant_name, self.tenant_name, family),
            )
            return int(cursor.rowcount)

    def get_token(self, token_hash: str) -> TokenRecord | None:
        with self._store._read() as db:
            row = db.execute(
                f"SELECT {_TOKEN_COLUMNS} FROM tokens WHERE tenant = ? AND token_hash = ?",
                (self.tenant_name, token_hash),
            ).fetchone()
        return None if row is None else _token(row, self.tenant_name)

    def insert_auth_code(self, code_hash: str, code: AuthCodeRecord) -> None:
        with self._store._write_one() as db:
            db.execute(
                "INSERT INTO auth_codes (tenant, code_hash, client_id, user_id, scope, redirect_uri, code_challenge, "
                "code_challenge_method, expires_at, used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                (
                    self.tenant_name,
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
        with self._store._write_one() as db:
            row = db.execute(
                "UPDATE auth_codes SET used = 1 WHERE tenant = ? AND code_hash = ? AND used = 0 RETURNING "
                "client_id, user_id, scope, redirect_uri, code_challenge, code_challenge_method, expires_at",
                (self.tenant_name, code_hash),
            ).fetchone()
        return None if row is None else AuthCodeRecord(*row)


def _profile(row: Sequence[Any]) -> SecurityProfileRecord:
    """A security_profiles row (``_PROFILE_COLUMNS``) as a record."""
    return SecurityProfileRecord(row[0], row[2], row[3], row[4], tuple(row[5].split()), row[1])


def _profile_row(profile: SecurityProfileRecord, tenant: str) -> tuple[str, ...]:
    """A record as a security_profiles row (``_PROFILE_COLUMNS``) of ``tenant``."""
    return (
        profile.api_key,
        tenant,
        profile.client_id,
        profile.client_secret_hash,
        profile.name,
        " ".join(profile.redirect_uris),
    )


def _token(row: Sequence[Any], tenant: str) -> TokenRecord:
    """A tokens row (``_TOKEN_COLUMNS``) as a record."""
    return TokenRecord(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), tenant)


def _page(rows: list[Edge], limit: int) -> Page:
    """A page of at most ``limit`` edges from a page's SELECT (which reads one more: whether a next page exists)."""
    has_next = len(rows) > limit
    return Page(rows[:limit] if has_next else rows, has_next)


def _found_token(row: Sequence[Any]) -> FoundToken | None:
    """A row of ``_FOUND_TOKEN_COLUMNS`` as a found token; None when its token columns are NULL (no such token)."""
    tenant = row[7]
    if tenant is None:
        return None
    user = row[9:]
    return FoundToken(_token(row, tenant), str(row[8]), None if user[0] is None else UserRecord(*user))


class Store(TenantStore):
    """A connection to one emulator database, and the view of its default tenant (``tenant(name)``: another's).
    Thread-safe: SQLite's one connection is used under a lock; PostgreSQL's pool lends each call a connection of its
    own."""

    def __init__(self, db: str | os.PathLike[str] = ":memory:", *, upgrade: bool = True) -> None:
        """Open ``db`` and (with ``upgrade``) apply the migrations it lacks; StoreUnavailable if it is unreachable."""
        super().__init__(self, DEFAULT_TENANT)
        self.path = str(db)
        self.is_postgres = is_postgres(db)
        self._lock = threading.RLock()
        self._copies_in = 0  # copy_to() replaces the data without a row change this connection would count
        self._calls = itertools.count()
        self._views: dict[str, TenantStore] = {DEFAULT_TENANT: self}
        self._pool: ConnectionPool[Any] | None = None
        # The serving event loop's pool and that loop (open_async_pool): a pool is used from its own loop only.
        self._async_pool: AsyncConnectionPool[Any] | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        if self.is_postgres:
            self._dialect = _POSTGRES
            self._pool = _open_pool(self.path)
        else:
            self._dialect = _SQLITE
            self._conn = _open_sqlite(_sqlite_path(db))
        try:
            if upgrade:
                self.upgrade()
        except BaseException:
            self.close()
            raise

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version the database is at (0: empty)."""
        with self._read() as db:
            return self._version_in(db)

    def _version_in(self, db: _Session) -> int:
        exists = db.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'meta'"
            if self.is_postgres
            else "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if exists is None:
            return 0
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return 0 if row is None else int(row[0])

    def upgrade(self, target: int = SCHEMA_VERSION) -> list[int]:
        """Apply the migrations the database lacks up to ``target`` (tests build older schemas), each in one
        transaction; the numbers applied."""
        applied: list[int] = []
        while self.schema_version() < target:
            with self._write(exclusive=True) as db:
                current = self._version_in(db)  # again under the lock: another process may have migrated meanwhile
                if current >= target:
                    break
                for statement in self._dialect.migration(current + 1):
                    db.execute(statement)
                db.execute(_UPSERT_META, ("schema_version", str(current + 1)))
            applied.append(current + 1)
        return applied

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
            else:
                self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({redacted(self.path)!r})"

    @property
    def runner(self) -> Store:
        return self

    def run(self, program: Program[_T]) -> _T:
        """Run a store program synchronously: each statement on a connection of its own (``_read``, or
        ``_write_one`` for a write), its result sent back into the program."""
        try:
            statement = next(program)
            while True:
                with self._write_one() if statement.write else self._read() as db:
                    result = _result_of(db.execute(statement.sql, statement.parameters), statement.fetch)
                statement = program.send(result)
        except StopIteration as done:
            return cast(_T, done.value)

    async def run_async(self, program: Program[_T]) -> _T:
        """Run a store program on the running event loop's PostgreSQL pool (``open_async_pool``), so that the loop
        serves other requests while the database answers: the same statements, each in autocommit as ``run`` sends
        them on PostgreSQL. Without a pool of this loop (SQLite; an app used without its lifespan), ``run``."""
        pool = self._async_pool
        if pool is None or self._async_loop is not asyncio.get_running_loop():
            return self.run(program)
        try:
            statement = next(program)
            while True:
                # getconn/putconn rather than connection(), whose exit commits: nothing to commit in autocommit
                conn = await pool.getconn()
                try:
                    cursor = await conn.execute(_postgres_sql(statement.sql), statement.parameters)
                    if statement.fetch == "one":
                        result = await cursor.fetchone()
                    else:
                        result = await cursor.fetchall() if statement.fetch == "all" else cursor.rowcount
                finally:
                    await pool.putconn(conn)
                statement = program.send(result)
        except StopIteration as done:
            return cast(_T, done.value)

    async def open_async_pool(self) -> bool:
        """Open the PostgreSQL pool of the running event loop, which ``run_async`` then uses (the serving loop, at
        its lifespan's startup); False (nothing done) on SQLite or when another loop's pool is open."""
        if self._pool is None or self._async_pool is not None:
            return False
        from psycopg_pool import AsyncConnectionPool, PoolTimeout

        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            self.path,
            min_size=ASYNC_POOL_SIZE,
            max_size=ASYNC_POOL_SIZE,
            kwargs={"autocommit": True},
            open=False,
            name="amazon-music-emulator-async",
        )
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except PoolTimeout:
            await pool.close()
            raise StoreUnavailable(
                f"cannot connect to PostgreSQL at {redacted(self.path)} within {CONNECT_TIMEOUT_SECONDS:g} s"
            ) from None
        self._async_pool, self._async_loop = pool, asyncio.get_running_loop()
        return True

    async def close_async_pool(self) -> None:
        """Close the running loop's pool (at its lifespan's shutdown, once the requests in flight are answered)."""
        pool = self._async_pool
        if pool is not None and self._async_loop is asyncio.get_running_loop():
            self._async_pool = self._async_loop = None
            await pool.close()

    @contextmanager
    def _read(self) -> Iterator[_Session]:
        """A connection for reads (each statement sees every write committed before it)."""
        if self._pool is None:
            with self._lock:
                yield self._conn
            return
        with self._pool.connection() as conn:
            yield _PostgresSession(conn)

    @contextmanager
    def _write(self, *, exclusive: bool = False) -> Iterator[_Session]:
        """One write transaction. SQLite: BEGIN IMMEDIATE, so concurrent writers queue instead of colliding.
        PostgreSQL: READ COMMITTED; ``exclusive`` also takes the store's advisory lock (migrations, seeding, reset)."""
        if self._pool is None:
            with self._lock:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            return
        with self._pool.connection() as conn, conn.transaction():
            session = _PostgresSession(conn)
            if exclusive:
                session.execute("SELECT pg_advisory_xact_lock(?)", (_POSTGRES_LOCK_KEY,))
            yield session

    @contextmanager
    def _write_one(self) -> Iterator[_Session]:
        """A write of ONE statement, atomic by itself (as a conditional update is). PostgreSQL runs it in autocommit:
        it commits as it ends, as durably as ``_write``'s transaction, without BEGIN and COMMIT round trips. SQLite:
        ``_write``."""
        if self._pool is None:
            with self._write() as db:
                yield db
            return
        with self._pool.connection() as conn:
            yield _PostgresSession(conn)

    @contextmanager
    def hold_serving_lock(self, *, exclusive: bool) -> Iterator[Callable[[], None]]:
        """Mark a PostgreSQL database as served by this process while the block runs; yields ``share``.

        A session-level advisory lock, held on a connection taken from the pool for the whole block (so it lasts as
        long as the process serves, and ends with it, even on kill -9, when PostgreSQL drops the session). Shared:
        any number of serving processes hold it at once; a shared hold waits while a reset holds it. Exclusive (for a
        reset): StoreInUse at once when any other process holds it. ``share()`` turns an exclusive hold into a shared
        one, once the reset is done. SQLite files have their lock file instead (serving.claim_database).
        """
        if self._pool is None:
            raise ValueError("hold_serving_lock: PostgreSQL only (a SQLite file is claimed with its lock file)")
        with self._pool.connection() as conn:
            if exclusive:
                if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_SERVING_LOCK_KEY,)).fetchone()[0]:
                    raise StoreInUse(f"another process serves {redacted(self.path)}")
            else:
                conn.execute("SELECT pg_advisory_lock_shared(%s)", (_SERVING_LOCK_KEY,))
            held_exclusive = exclusive

            def share() -> None:
                nonlocal held_exclusive
                if held_exclusive:  # shared first, then let go of exclusive: the database is never unclaimed
                    conn.execute("SELECT pg_advisory_lock_shared(%s)", (_SERVING_LOCK_KEY,))
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_SERVING_LOCK_KEY,))
                    held_exclusive = False

            try:
                yield share
            finally:
                # A session lock outlives the block on a pooled connection: let go of it (a broken connection, which
                # the pool then discards, has lost it already).
                with suppress(Exception):
                    conn.execute("SELECT pg_advisory_unlock_all()")

    # -- the rate limit across processes (PostgreSQL) ------------------------------------------------------------------

    def admit_request(self, api_key: str, limit: int) -> float:
        """Count a request of ``api_key`` against ``limit`` per second, across every process on this PostgreSQL
        database (a sliding one-second window on the database's clock, as FaultSettings.admit keeps in a process):
        0 when it is admitted, else the seconds until it would be. One statement, its own transaction."""
        if self._pool is None:
            raise ValueError("admit_request: PostgreSQL only (a SQLite store's rate limit is counted in the process)")
        with self._pool.connection() as conn:
            admitted, now = conn.execute(_COUNT_REQUEST, (api_key, limit)).fetchone()
        if admitted and admitted[-1] == now:
            return 0.0
        return max(0.0, float(admitted[0]) + 1.0 - float(now))

    def forget_idle_rate_keys(self) -> int:
        """Delete the rate limit rows of keys idle for a minute; how many (PostgreSQL only, a no-op on SQLite)."""
        if self._pool is None:
            return 0
        with self._pool.connection() as conn:
            return int(conn.execute(_FORGET_IDLE_KEYS).rowcount)

    def ping(self, timeout: float = 2.0) -> bool:
        """Whether the database answers a query within about ``timeout`` seconds (for /readyz)."""
        try:
            if self._pool is None:
                with self._lock:
                    self._conn.execute("SELECT 1").fetchone()
                return True
            with self._pool.connection(timeout=timeout) as conn:
                conn.execute("SELECT 1").fetchone()
            return True
        except Exception:  # whatever the failure (closed, unreachable, timed out), the database is not ready
            return False

    def is_seeded(self) -> bool:
        return self.get_meta("seeded") is not None

    def reset(self) -> None:
        """Delete every row of every tenant, and every tenant but an empty default one; the caller seeds again."""
        with self._write(exclusive=True) as db:
            for statement in self._dialect.reset:
                db.execute(statement)
            db.execute(_UPSERT_META, ("schema_version", str(SCHEMA_VERSION)))
            db.execute(
                "INSERT INTO tenants (name, cursor_secret, seed, created_at) VALUES (?, ?, ?, ?)",
                (DEFAULT_TENANT, secrets.token_hex(32), "demo", time.time()),
            )

    def load_seed(self, rows: SeedRows, seed: str = "demo") -> bool:
        """Insert the default tenant's seed (named ``seed``, what a reset of it reseeds) in one transaction and mark
        the store seeded; False (nothing done) when it already was."""
        with self._write(exclusive=True) as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is not None:
                return False  # another process seeded it first
            _insert_world(db, DEFAULT_TENANT, rows)
            db.execute("UPDATE tenants SET seed = ? WHERE name = ?", (seed, DEFAULT_TENANT))
            db.executemany(_UPSERT_META, [*rows.meta, ("seeded", "1")])
        self._refresh_planner_statistics()
        return True

    def copy_to(self, target: Store) -> None:
        """Copy this whole database into ``target`` (SQLite's online backup): a seeded store in a millisecond."""
        if self._pool is not None or target._pool is not None:
            raise ValueError("copy_to copies between SQLite stores only")
        with self._lock, target._lock:
            self._conn.backup(target._conn)
            target._copies_in += 1

    def generation(self) -> tuple[int, int, int]:
        """A value that changes whenever the data may have, for caches of what the store holds to compare.

        SQLite: it counts this connection's row changes, copies into this store, and (for a file) commits by any other
        connection, in this process or another (``PRAGMA data_version``); a ``:memory:`` store has no other.
        PostgreSQL: other processes' commits cannot be seen cheaply, so it changes on every call (no caching).
        """
        if self._pool is not None:
            return next(self._calls), 0, 0
        with self._lock:
            others = 0 if self.path == ":memory:" else self._conn.execute("PRAGMA data_version").fetchone()[0]
            return self._conn.total_changes, self._copies_in, others

    # -- meta ------------------------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._read() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute(_UPSERT_META, (key, value))

    # -- tenants ---------------------------------------------------------------------------------------------------

    def tenant(self, name: str) -> TenantStore:
        """The view of tenant ``name`` (whether it exists is not checked: a view of an unknown tenant finds nothing)."""
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = TenantStore(self, name)
        return view

    def tenants(self) -> list[TenantRecord]:
        """Every tenant, by name, with its row counts."""
        counted = {"users": "users", "follows": "", "library_tracks": "library_tracks", "tokens": "tokens"}
        follows = ("user_follows", "artist_follows", "playlist_follows", "podcast_follows")
        with self._read() as db:
            rows = db.execute("SELECT name, seed, created_at FROM tenants ORDER BY name").fetchall()
            counts: dict[str, dict[str, int]] = {row[0]: dict.fromkeys(counted, 0) for row in rows}
            for kind, table in counted.items():
                for source in (table,) if table else follows:
                    grouped = db.execute(f"SELECT tenant, COUNT(*) FROM {source} GROUP BY tenant").fetchall()
                    for tenant, number in grouped:
                        counts[tenant][kind] += int(number)
        return [TenantRecord(row[0], row[1], float(row[2]), counts[row[0]]) for row in rows]

    def tenant_exists(self, name: str) -> bool:
        with self._read() as db:
            return db.execute("SELECT 1 FROM tenants WHERE name = ?", (name,)).fetchone() is not None

    def cursor_secret(self, name: str = DEFAULT_TENANT) -> str | None:
        """The key tenant ``name`` signs its cursors with (None: no such tenant)."""
        with self._read() as db:
            row = db.execute("SELECT cursor_secret FROM tenants WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_cursor_secret(self, name: str, secret: str) -> None:
        with self._write() as db:
            db.execute("UPDATE tenants SET cursor_secret = ? WHERE name = ?", (secret, name))

    def create_tenant(self, name: str, rows: SeedRows, seed: str) -> bool:
        """Make tenant ``name`` with its world (``rows``, its security profiles included) in one transaction; False
        (nothing done) when the name is taken. ValueError for a name outside ``TENANT_NAME``."""
        _check_tenant_name(name)
        with self._write() as db:
            inserted = db.execute(
                "INSERT INTO tenants (name, cursor_secret, seed, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (name, secrets.token_hex(32), seed, time.time()),
            )
            if inserted.rowcount != 1:
                return False
            _insert_world(db, name, rows)
        self._refresh_planner_statistics()
        return True

    def delete_tenant(self, name: str) -> bool:
        """Delete tenant ``name`` and every row of it in one transaction; False when there is no such tenant.
        ValueError for the default tenant (``reset`` empties the whole store)."""
        if name == DEFAULT_TENANT:
            raise ValueError(f"tenant: {DEFAULT_TENANT!r} cannot be deleted (reset it instead)")
        with self._write() as db:
            for table in _TENANT_TABLES:
                db.execute(f"DELETE FROM {table} WHERE tenant = ?", (name,))
            return db.execute("DELETE FROM tenants WHERE name = ?", (name,)).rowcount == 1

    def reset_tenant(self, name: str, rows: SeedRows) -> bool:
        """Put tenant ``name`` back to ``rows`` in one transaction: its data, tokens and codes deleted, its security
        profiles kept, a new cursor key (cursors issued before are refused). False when there is no such tenant."""
        with self._write() as db:
            renewed = db.execute(
                "UPDATE tenants SET cursor_secret = ? WHERE name = ?", (secrets.token_hex(32), name)
            ).rowcount
            if renewed != 1:
                return False
            for table in _TENANT_TABLES:
                if table != "security_profiles":
                    db.execute(f"DELETE FROM {table} WHERE tenant = ?", (name,))
            _insert_world(db, name, dataclasses.replace(rows, security_profiles=()))
        self._refresh_planner_statistics()
        return True

    def _refresh_planner_statistics(self) -> None:
        """After a world's bulk insert, PostgreSQL's table statistics are renewed at once rather than when autovacuum
        next passes: planned without them, a listing page joined every user of the tenant per edge (7 times slower)."""
        if self._pool is not None:
            with self._pool.connection() as conn:
                conn.execute("ANALYZE")

    def tenant_seed(self, name: str) -> str | None:
        """The seed tenant ``name`` was made with (what its reset puts back), or None: no such tenant."""
        with self._read() as db:
            row = db.execute("SELECT seed FROM tenants WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    # -- finding a request's tenant: by API key, client ID or token (each globally unique) ------------------------

    @statement_program
    def get_security_profile(
        self, *, api_key: str | None = None, client_id: str | None = None
    ) -> Program[SecurityProfileRecord | None]:
        """The security profile of an API key or a client ID, of whichever tenant holds it (its ``tenant``)."""
        column, value = ("api_key", api_key) if api_key is not None else ("client_id", client_id)
        row = yield Statement(f"{_PROFILE_SELECT} WHERE {column} = ?", (value,))
        return None if row is None else _profile(row)

    @statement_program
    def find_credentials(
        self, api_key: str, token_hash: str
    ) -> Program[tuple[SecurityProfileRecord | None, FoundToken | None]]:
        """``get_security_profile(api_key=...)`` and ``find_access_token(token_hash, api_key)`` in one statement (one
        round trip, one snapshot): the profile or None, and the token within the profile's tenant or None."""
        row = yield Statement(_CREDENTIALS_SELECT, (token_hash, api_key))
        if row is None:
            return None, None
        return _profile(row), _found_token(row[len(_PROFILE_COLUMNS) :])

    @statement_program
    def find_access_token(self, token_hash: str, api_key: str) -> Program[FoundToken | None]:
        """The token within the tenant of ``api_key`` (one statement), with that tenant's cursor key and the token's
        user; None when that tenant holds no such token (a token of another tenant included)."""
        row = yield Statement(_ACCESS_TOKEN_SELECT, (api_key, token_hash))
        return None if row is None else _found_token(row)


def _check_tenant_name(name: str) -> None:
    if not TENANT_NAME.fullmatch(name):
        raise ValueError(f"tenant: {name!r} is not a tenant name (1 to 63 of a-z, 0-9 and '-')")


def _insert_world(db: _Session, tenant: str, rows: SeedRows) -> None:
    """Insert a seed's rows as tenant ``tenant``'s (inside the caller's transaction)."""
    db.executemany("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)", [(tenant, *row) for row in rows.users])
    for table, items in (
        ("artists", rows.artists),
        ("playlists", rows.playlists),
        ("tracks", rows.tracks),
        ("podcast_shows", rows.podcast_shows),
    ):
        db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)", [(tenant, *item) for item in items])
    db.executemany(
        "INSERT INTO user_follows (tenant, follower_id, followed_id) VALUES (?, ?, ?)",
        [(tenant, *pair) for pair in rows.user_follows],
    )
    for table, pairs in (
        ("artist_follows", rows.artist_follows),
        ("playlist_follows", rows.playlist_follows),
        ("podcast_follows", rows.podcast_follows),
    ):
        db.executemany(
            f"INSERT INTO {table} (tenant, user_id, item_id) VALUES (?, ?, ?)", [(tenant, *pair) for pair in pairs]
        )
    db.executemany(
        "INSERT INTO library_tracks (tenant, user_id, item_id, uploaded, purchased) VALUES (?, ?, ?, ?, ?)",
        [
            (tenant, user, track, int(uploaded), int(purchased))
            for user, track, uploaded, purchased in rows.library_tracks
        ],
    )
    db.executemany(
        f"INSERT INTO security_profiles ({', '.join(_PROFILE_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
        [_profile_row(profile, tenant) for profile in rows.security_profiles],
    )


def _open_sqlite(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        _create_private_file(Path(path))
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        # Keep the working set in memory: listings join every page against users.
        conn.execute("PRAGMA cache_size = -65536")
        conn.execute("PRAGMA mmap_size = 268435456")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _open_pool(url: str) -> ConnectionPool[Any]:
    """A pool of autocommit connections (a write opens its own transaction), ready or StoreUnavailable."""
    try:
        import psycopg
        from psycopg_pool import ConnectionPool, PoolTimeout
    except ImportError as exc:  # an install from before the extra listed them
        raise StoreUnavailable(
            f"PostgreSQL needs {exc.name}: pip install 'amazon-music-webapi[emulator]' (psycopg and psycopg-pool)"
        ) from None

    try:  # one connection first: a wrong URL fails at once, with libpq's reason (which never holds the password)
        psycopg.connect(url, connect_timeout=int(CONNECT_TIMEOUT_SECONDS)).close()
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"cannot connect to PostgreSQL at {redacted(url)}: {reason}") from None
    pool: ConnectionPool[Any] = ConnectionPool(
        url, min_size=1, max_size=POOL_MAX_SIZE, kwargs={"autocommit": True}, open=True, name="amazon-music-emulator"
    )
    try:
        pool.wait(timeout=CONNECT_TIMEOUT_SECONDS)
    except PoolTimeout:
        pool.close()
        raise StoreUnavailable(
            f"cannot connect to PostgreSQL at {redacted(url)} within {CONNECT_TIMEOUT_SECONDS:g} s; "
            "check that it runs and that the URL's user, password and database are right"
        ) from None
    return pool


def _create_private_file(path: Path) -> None:
    """Create the database file (and its folder) readable by its owner only: it holds token hashes and secrets."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)
