"""Fixtures for the emulator tests: a fresh, seeded, in-memory emulator per test with response validation on, and an
httpx client that calls it in-process (ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from amazon_music_emulator import EmulatorApp, TokenGrant, create_app


@pytest.fixture
def app() -> Iterator[EmulatorApp]:
    emulator = create_app(":memory:", validate_responses=True)
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
