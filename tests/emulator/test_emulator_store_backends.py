"""The store's promises on each backend (SQLite file, PostgreSQL): versioned migrations, seeding once, single-use
grants under concurrent writers on separate connections, read-your-writes across connections, and `db upgrade`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulator_support import BACKENDS
from postgres_cluster import PostgresCluster
from store_backends import empty_location

from amazon_music_emulator import DEMO_USER_ID, Store
from amazon_music_emulator.__main__ import main
from amazon_music_emulator.seed import build_seed, open_store
from amazon_music_emulator.store import SCHEMA_VERSION, AuthCodeRecord, TokenRecord, UserRecord, redacted
from amazon_music_emulator.tenants import create_tenant, reset_tenant

WRITERS = 8
COLDPLAY = "B000QKGN8W"


@pytest.fixture(params=BACKENDS)
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a new PostgreSQL database in this worker's cluster."""
    with empty_location(request.param, tmp_path, request) as location:
        yield location


def race(work: Callable[[int], object]) -> list[object]:
    """Run ``work(n)`` on WRITERS threads released together; their results."""
    results: list[object] = [None] * WRITERS
    start = threading.Barrier(WRITERS)

    def run(n: int) -> None:
        start.wait()
        results[n] = work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_new_database_gets_every_migration_once(empty_db: str) -> None:
    with Store(empty_db, upgrade=False) as store:
        assert store.schema_version() == 0
        assert store.upgrade() == list(range(1, SCHEMA_VERSION + 1))
        assert store.upgrade() == []
        assert store.schema_version() == SCHEMA_VERSION


def test_a_database_at_an_older_schema_gets_only_the_newer_migrations(empty_db: str) -> None:
    with Store(empty_db, upgrade=False) as store:
        assert store.upgrade(target=1) == [1]
    with Store(empty_db, upgrade=False) as store:
        assert store.upgrade() == list(range(2, SCHEMA_VERSION + 1))
    with Store(empty_db) as store:  # token families (migration 2) work
        store.insert_tokens([("h", TokenRecord("access", "k", "c", DEMO_USER_ID, "s", None, False))], family="f")
        assert store.token_family("h") == "f"


def test_db_upgrade_command_migrates_and_then_has_nothing_to_do(empty_db: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["db", "upgrade", "--db", empty_db])
    assert first.exit_code == 0, first.output
    applied = ", ".join(map(str, range(1, SCHEMA_VERSION + 1)))
    assert f"schema version {SCHEMA_VERSION} (applied migration {applied})" in first.output
    second = runner.invoke(main, ["db", "upgrade", "--db", empty_db])
    assert second.exit_code == 0 and f"schema version {SCHEMA_VERSION} (nothing to apply)" in second.output


def test_the_seed_loads_once_however_many_open_the_store(empty_db: str) -> None:
    stores = [Store(empty_db) for _ in range(WRITERS)]
    try:
        rows = build_seed()
        loaded = race(lambda n: stores[n].load_seed(rows))
        assert loaded.count(True) == 1
        assert stores[0].count("followed_artists", DEMO_USER_ID) == sum(
            1 for user, _ in rows.artist_follows if user == DEMO_USER_ID
        )
    finally:
        for store in stores:
            store.close()


@pytest.fixture
def two_stores(empty_db: str) -> Iterator[list[Store]]:
    """Two seeded stores on the same database, each with its own connection (as two processes have)."""
    stores = [open_store(empty_db) for _ in range(2)]
    yield stores
    for store in stores:
        store.close()


def test_an_authorization_code_is_consumed_once_by_concurrent_connections(two_stores: list[Store]) -> None:
    code = AuthCodeRecord("client", DEMO_USER_ID, "profile", "http://x/cb", None, None, 9e9)
    two_stores[0].insert_auth_code("code-hash", code)
    results = race(lambda n: two_stores[n % 2].consume_auth_code("code-hash"))
    assert [result for result in results if result is not None] == [code]


def test_a_refresh_token_rotates_once_under_concurrent_connections(two_stores: list[Store]) -> None:
    refresh = TokenRecord("refresh", "key", "client", DEMO_USER_ID, "profile", None, False)
    two_stores[0].insert_tokens([("old", refresh)], family="grant")
    rotated = race(lambda n: two_stores[n % 2].insert_tokens([(f"new-{n}", refresh)], revoke="old", family="grant"))
    assert rotated.count(True) == 1
    winner = rotated.index(True)
    assert two_stores[1].get_token(f"new-{winner}") == refresh
    assert all(two_stores[0].get_token(f"new-{n}") is None for n in range(WRITERS) if n != winner)
    assert two_stores[1].get_token("old").revoked  # type: ignore[union-attr]


def test_a_write_on_one_connection_is_read_on_another(two_stores: list[Store]) -> None:
    writer, reader = two_stores
    before = reader.generation()
    assert reader.page("followed_artists", "x", after=0, limit=10).edges == []
    writer.add_user(UserRecord("x", "X", "PRIME", "PUBLIC", "PUBLIC", None))
    assert writer.follow_artist("x", COLDPLAY)
    assert [edge[1] for edge in reader.page("followed_artists", "x", after=0, limit=10).edges] == [COLDPLAY]
    assert reader.generation() != before  # what a process remembers is checked again


def test_a_reset_seeds_the_same_listings_with_the_same_keys(empty_db: str) -> None:
    with open_store(empty_db) as store:
        first = store.page("followers", DEMO_USER_ID, after=0, limit=5)
        store.follow_user("uj7wxenmftr26zlg7eo4maa744", "zz2hu7x4ert4gferzyh5bsb4xvje")
    with open_store(empty_db, reset=True) as store:
        assert store.page("followers", DEMO_USER_ID, after=0, limit=5) == first


def test_a_postgres_url_is_printed_without_its_password() -> None:
    url = "postgresql://sandbox:hunter2@db.example:5432/emulator?sslmode=require"
    assert redacted(url) == "postgresql://sandbox:***@db.example:5432/emulator?sslmode=require"
    assert redacted("/tmp/emulator.db") == "/tmp/emulator.db"


def test_an_unreachable_postgres_is_one_clear_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://sandbox:hunter2@/emulator?host={tmp_path}"
    result = CliRunner().invoke(main, ["db", "upgrade", "--db", url])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot connect to PostgreSQL at postgresql://sandbox:***@/emulator")
    assert "hunter2" not in result.output and "Traceback" not in result.output


def _analyzed_rows(url: str) -> dict[str, float]:
    """PostgreSQL's planner estimate of each listing table's rows (-1: never analyzed, so no statistics)."""
    import psycopg

    tables = ("users", "user_follows", "artist_follows", "library_tracks")
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)", (list(tables),))
        return {name: float(estimate) for name, estimate in rows.fetchall()}


def test_postgres_plans_from_statistics_as_soon_as_a_world_is_written(postgres_cluster: PostgresCluster) -> None:
    """Without statistics a listing page joined every user of its tenant per edge: each bulk write renews them."""
    url = postgres_cluster.new_database()
    try:
        with open_store(url) as store:
            seeded = _analyzed_rows(url)
            assert min(seeded.values()) > 0, seeded
            create_tenant(store, "acme")
            with_tenant = _analyzed_rows(url)
            assert all(with_tenant[table] > seeded[table] for table in seeded), (seeded, with_tenant)
            store.delete_tenant("acme")
            reset_tenant(store, "default")
            assert _analyzed_rows(url) == seeded
    finally:
        postgres_cluster.drop_database(url)
