"""Fixtures for the emulator tests: a fresh, seeded emulator per test with response validation on, and an httpx client
that calls it in-process (ASGI).

The emulator's store is SQLite in memory, unless a module runs its tests on both backends with
``STORE_BACKENDS = BACKENDS``: then each test that uses the emulator runs once more on a PostgreSQL database of its
own, a copy of a seeded template in this worker's throwaway cluster (tests/postgres_cluster.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from emulator_support import SEEDED_TEMPLATE
from postgres_cluster import PostgresCluster

from amazon_music_emulator import EmulatorApp, TokenGrant, create_app
from amazon_music_emulator.seed import open_store


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


@pytest.fixture
def store_location(store_backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Where the test's emulator keeps its state: SQLite in memory, or a seeded PostgreSQL database of its own."""
    if store_backend == "sqlite":
        yield ":memory:"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    if not cluster.has_template(SEEDED_TEMPLATE):
        open_store(cluster.add_template(SEEDED_TEMPLATE)).close()
    url = cluster.new_database(template=SEEDED_TEMPLATE)
    yield url
    cluster.drop_database(url)


@pytest.fixture
def app(store_location: str) -> Iterator[EmulatorApp]:
    emulator = create_app(store_location, validate_responses=True)
    yield emulator
    emulator.close()


@pytest.fixture
def grant(app: EmulatorApp) -> TokenGrant:
    """The demo user, every scope."""
    return app.mint_token()


@pytest.fixture
def headers(grant: TokenGrant) -> dict[str, str]:
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


@pytest.fixture
async def client(app: EmulatorApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.test") as http:
        yield http
