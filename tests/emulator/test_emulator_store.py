"""The SQLite store and the seed: persistence, a killed process, concurrent writers, file permissions, determinism."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from amazon_music_emulator import DEMO_USER_ID, PRIVATE_USER_ID, SeedConfig, Store
from amazon_music_emulator.seed import DOCS_PODCAST_SHOWS, DOCS_USERS, build_seed, open_store


def test_the_seed_is_deterministic() -> None:
    assert build_seed() == build_seed()
    assert build_seed(SeedConfig(followers=300)) != build_seed()


def test_seed_ids_have_their_documented_forms() -> None:
    rows = build_seed()
    docs_ids = {row[0] for row in DOCS_USERS}
    for user in rows.users:
        assert re.fullmatch(r"[a-z0-9]+", user[0])
        if user[0] not in docs_ids:
            assert len(user[0]) == 26
    for table in (rows.artists, rows.playlists, rows.tracks):
        assert all(re.fullmatch(r"[A-Z0-9]{10}", asin) for asin, _ in table)
    docs_shows = {show_id for show_id, _ in DOCS_PODCAST_SHOWS}
    for show_id, _ in rows.podcast_shows:
        assert show_id in docs_shows or uuid.UUID(show_id).version == 4
    assert len({u[0] for u in rows.users}) == len(rows.users)


def test_seed_has_the_docs_relations() -> None:
    store = open_store()
    try:
        assert store.get_user(PRIVATE_USER_ID).visibility == "PRIVATE"  # type: ignore[union-attr]
        public = [uid for uid, *_ in DOCS_USERS if uid != PRIVATE_USER_ID]
        assert all(store.get_user(uid).visibility == "PUBLIC" for uid in public)  # type: ignore[union-attr]
        followers = [e[1] for e in store.page("followers", DEMO_USER_ID, after=0, limit=2).edges]
        assert followers == ["uj7wxenmftr26zlg7eo4maa744", "zz2hu7x4v2u2bhzyh5bsb4xvje"]  # Jane M and Amit
        artists = [e[1] for e in store.page("followed_artists", DEMO_USER_ID, after=0, limit=1).edges]
        assert artists == ["B000QKGN8W"]  # Coldplay
        listings = ("followers", "followed_users", "followed_artists", "followed_playlists")
        listings += ("followed_podcast_shows", "library_tracks")
        counts = {listing: store.count(listing, DEMO_USER_ID) for listing in listings}
        assert counts["followers"] >= 250 and counts["followed_users"] >= 150
        assert counts["followed_artists"] >= 120 and counts["followed_playlists"] >= 120
        assert counts["followed_podcast_shows"] >= 40 and counts["library_tracks"] >= 300
    finally:
        store.close()


def test_seed_size_option_for_benchmarks() -> None:
    store = open_store(":memory:", SeedConfig(followers=10_000))
    try:
        assert store.count("followers", DEMO_USER_ID) >= 10_000
    finally:
        store.close()


def test_fresh_memory_stores_are_independent(tmp_path: Path) -> None:
    first, second = open_store(), open_store()
    try:
        assert first.follow_user(DEMO_USER_ID, "zz2hu7x4ert4gferzyh5bsb4xvje")
        assert first.count("followed_users", DEMO_USER_ID) == second.count("followed_users", DEMO_USER_ID) + 1
        assert first.cursor_secret() != second.cursor_secret()
    finally:
        first.close()
        second.close()


def test_state_persists_across_reopen_and_reset_reseeds(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    store = open_store(db)
    store.follow_user(DEMO_USER_ID, "zz2hu7x4ert4gferzyh5bsb4xvje")
    store.update_user(DEMO_USER_ID, name="Persisted", visibility="PUBLIC", playback_visibility="PUBLIC")
    secret = store.cursor_secret()
    store.close()
    reopened = open_store(db)
    assert reopened.get_user(DEMO_USER_ID).name == "Persisted"  # type: ignore[union-attr]
    assert reopened.cursor_secret() == secret  # cursors survive a restart
    reopened.close()
    reset = open_store(db, reset=True)
    assert reset.get_user(DEMO_USER_ID).name == "Tony Starked"  # type: ignore[union-attr]
    assert reset.cursor_secret() != secret
    reset.close()


def test_database_files_are_private(tmp_path: Path) -> None:
    db = tmp_path / "data" / "emulator.db"
    store = open_store(db)
    store.follow_user(DEMO_USER_ID, "zz2hu7x4ert4gferzyh5bsb4xvje")
    try:
        for path in db.parent.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        store.close()


_WRITER = """
import sys
from amazon_music_emulator.seed import open_store, DEMO_USER_ID
store = open_store(sys.argv[1])
for index, artist in enumerate(store.artist_ids(1000)):
    store.unfollow_artist(DEMO_USER_ID, artist)
    print(artist, flush=True)
"""


def test_acknowledged_writes_survive_a_killed_process(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    open_store(db).close()
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    acknowledged = [writer.stdout.readline().strip() for _ in range(40)]
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store = open_store(db)
    try:
        still_followed = {e[1] for e in store.page("followed_artists", DEMO_USER_ID, after=0, limit=1000).edges}
        assert not still_followed & set(acknowledged)
    finally:
        store.close()


def test_no_lost_update_with_50_concurrent_writers_on_one_file(tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    setup = open_store(db)
    users = [user for user in setup.user_ids(501) if user != DEMO_USER_ID][:500]
    setup.close()
    with Store(db) as store:
        before = {e[1] for e in store.page("followers", DEMO_USER_ID, after=0, limit=100_000).edges}
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def writer(index: int) -> None:
        store = Store(db)  # its own connection, as another process would have
        try:
            barrier.wait()
            for user in users[index * 10 : index * 10 + 10]:
                store.unfollow_user(user, DEMO_USER_ID)
                store.follow_user(user, DEMO_USER_ID)
            store.update_user(DEMO_USER_ID, name=f"writer {index}", visibility="PUBLIC", playback_visibility="PUBLIC")
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = Store(db)
    try:
        followers = [e[1] for e in check.page("followers", DEMO_USER_ID, after=0, limit=100_000).edges]
        assert len(followers) == len(set(followers))  # each follow once
        assert set(followers) == before | set(users)  # every writer's every follow is there
        assert re.fullmatch(r"writer \d+", check.get_user(DEMO_USER_ID).name or "")  # type: ignore[union-attr]
    finally:
        check.close()


def test_no_lost_update_with_50_threads_sharing_a_store() -> None:
    store = open_store()
    users = store.user_ids(500)
    targets = [u for u in users if u != DEMO_USER_ID][:450]
    before = store.count("followed_users", DEMO_USER_ID)
    already = {e[1] for e in store.page("followed_users", DEMO_USER_ID, after=0, limit=10_000).edges}
    barrier = threading.Barrier(50)

    def writer(index: int) -> None:
        barrier.wait()
        for user in targets[index::50]:
            store.follow_user(DEMO_USER_ID, user)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert store.count("followed_users", DEMO_USER_ID) == before + len(set(targets) - already)
    finally:
        store.close()


@pytest.mark.parametrize("field", ["followers", "followed_users", "followed_podcast_shows", "spare"])
def test_seed_config_refuses_sizes_below_the_docs_entities(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        SeedConfig(**{field: -1})


def test_the_store_refuses_a_self_follow() -> None:
    with open_store() as store:
        assert store.follow_user(DEMO_USER_ID, DEMO_USER_ID) is False
        assert DEMO_USER_ID not in {e[1] for e in store.page("followers", DEMO_USER_ID, after=0, limit=10_000).edges}


def test_store_paths_accept_os_pathlike(tmp_path: Path) -> None:
    store = Store(os.fspath(tmp_path / "x.db"))
    store.close()
    assert (tmp_path / "x.db").exists()
