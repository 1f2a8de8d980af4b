"""Fixtures for the emulator tests: a fresh, seeded emulator per test with response validation on, and an httpx client
that calls it in-process (ASGI).

The emulator's store is SQLite in memory, unless a module runs its tests on both backends with
``STORE_BACKENDS = BACKENDS``: then each test that uses the emulator runs once more on a PostgreSQL database of its
own (the fixtures and the hook that say so are tests/store_backends.py's, shared with tests/contract/).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from store_backends import postgres_cluster, pytest_generate_tests, serve_db, store_backend, store_location

from amazon_music_emulator import EmulatorApp, TokenGrant, create_app

# The backend fixtures and the parametrising hook, registered for this folder by being names of its conftest.
__all__ = ["postgres_cluster", "pytest_generate_tests", "serve_db", "store_backend", "store_location"]


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
