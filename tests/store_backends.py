"""The emulator's two store backends in the tests, for every suite that runs an emulator (tests/emulator/,
tests/contract/): their conftests import these fixtures and the hook.

A module opts into both backends with ``STORE_BACKENDS = BACKENDS``: each of its tests that uses ``store_backend``
(directly or through ``store_location`` / ``serve_db``) runs once per backend. On PostgreSQL a test gets a database
of its own, a copy of a template seeded once per xdist worker in the worker's throwaway cluster
(tests/postgres_cluster.py), so a test pays for a ``CREATE DATABASE ... TEMPLATE`` (milliseconds), not for a seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import pytest
from postgres_cluster import PostgresCluster

from amazon_music_emulator.seed import open_store

BACKENDS: Final = ("sqlite", "postgresql")
# The PostgreSQL database seeded once per worker that each test's database copies.
SEEDED_TEMPLATE: Final = "seeded_template"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends = getattr(metafunc.module, "STORE_BACKENDS", None)
    if backends and "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """This worker's PostgreSQL cluster; without PostgreSQL the tests that need it fail, naming how to get it."""
    try:
        cluster = PostgresCluster()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    """``sqlite`` unless the module asks for each backend (STORE_BACKENDS)."""
    return str(getattr(request, "param", "sqlite"))


def seeded_copy(cluster: PostgresCluster) -> str:
    """A new database holding the default seed, a copy of the cluster's seeded template (made on first use); its URL."""
    if not cluster.has_template(SEEDED_TEMPLATE):
        open_store(cluster.add_template(SEEDED_TEMPLATE)).close()
    return cluster.new_database(template=SEEDED_TEMPLATE)


@contextmanager
def seeded_postgres_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new PostgreSQL database holding the default seed (``seeded_copy``), dropped after."""
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")  # started when first asked for
    url = seeded_copy(cluster)
    try:
        yield url
    finally:
        cluster.drop_database(url)


class SeededDatabases:
    """Seeded databases one after another, for a test that needs many (a fresh emulator per stateful scenario): the
    next is copied in a background thread while the current one serves, and one given back is dropped there, so
    neither the copy nor the drop waits on the test's own path."""

    def __init__(self, cluster: PostgresCluster) -> None:
        self._cluster = cluster
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seeded-databases")
        self._next = self._background.submit(seeded_copy, cluster)

    def take(self) -> str:
        url = self._next.result()
        self._next = self._background.submit(seeded_copy, self._cluster)
        return url

    def give_back(self, url: str) -> None:
        self._background.submit(self._cluster.drop_database, url)

    def close(self) -> None:
        self.give_back(self._next.result())
        self._background.shutdown(wait=True)


@contextmanager
def in_process_location(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where an in-process emulator keeps its state: SQLite in memory, or a seeded PostgreSQL database."""
    if backend == "sqlite":
        yield ":memory:"
        return
    with seeded_postgres_database(request) as url:
        yield url


@contextmanager
def empty_location(backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database: a SQLite file in ``folder``, not yet created, or a new PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        yield str(folder / "store.db")
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    url = cluster.new_database()
    yield url
    cluster.drop_database(url)


@pytest.fixture
def store_location(store_backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's in-process emulator keeps its state (``in_process_location``)."""
    with in_process_location(store_backend, request) as location:
        yield location


@contextmanager
def serve_location(backend: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """The ``--db`` of ``serve`` processes: a SQLite file in ``folder``, not yet created (the first serve seeds it),
    or a seeded PostgreSQL database (dropped after)."""
    if backend == "sqlite":
        yield folder / "emulator.db"
        return
    with seeded_postgres_database(request) as url:
        yield url


@pytest.fixture
def serve_db(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """The ``--db`` of the test's ``serve`` processes (``serve_location``)."""
    with serve_location(store_backend, tmp_path, request) as db:
        yield db
