"""Scenario fixtures: a fresh in-process emulator per test, and a driver per client on it (see scenario_support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scenario_support import Driver, SyncASGITransport, make_driver

from amazon_music_emulator.app import EmulatorApp, create_app


@pytest.fixture
def emulator() -> Iterator[EmulatorApp]:
    app = create_app(validate_responses=True)
    yield app
    app.close()


@pytest.fixture
def bridge(emulator: EmulatorApp) -> Iterator[SyncASGITransport]:
    transport = SyncASGITransport(emulator)
    yield transport
    transport.close()


@pytest.fixture(params=["sync", "async"])
def music(request: pytest.FixtureRequest, emulator: EmulatorApp, bridge: SyncASGITransport) -> Iterator[Driver]:
    yield from make_driver(request.param, emulator, bridge)
