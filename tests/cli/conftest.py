"""CLI fixtures: one emulator server per worker with a fresh emulator per test, an isolated home (config file, token
file, XDG folders in tmp_path), and the ``run`` fixture, which checks after each test that nothing it printed holds
a token or the client secret."""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import Cli, FakeBrowser, Home, SwitchableApp, serve

from amazon_music_emulator.app import EmulatorApp, create_app
from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET


@pytest.fixture(scope="session")
def switch() -> SwitchableApp:
    return SwitchableApp()


@pytest.fixture(scope="session")
def base_url(switch: SwitchableApp) -> Iterator[str]:
    with serve(switch) as url:
        yield url


@pytest.fixture
def emulator(switch: SwitchableApp, base_url: str) -> Iterator[EmulatorApp]:
    app = create_app(validate_responses=True)
    switch.app = app
    yield app
    switch.app = None
    app.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base_url: str) -> Home:
    """No AMAZON_MUSIC_* from outside; a config file for the emulator's demo app; everything under tmp_path."""
    import os

    for key in [key for key in os.environ if key.startswith("AMAZON_MUSIC_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    home = Home(base_url, tmp_path / "config.toml", tmp_path / "tokens.json")
    home.write_config(
        base_url=base_url, api_key=DEMO_API_KEY, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
        lwa_url=base_url,
    )  # fmt: skip
    monkeypatch.setenv("AMAZON_MUSIC_CONFIG", str(home.config))
    monkeypatch.setenv("AMAZON_MUSIC_TOKEN_FILE", str(home.token_file))
    return home


@pytest.fixture
def run(home: Home, emulator: EmulatorApp) -> Iterator[Cli]:
    cli = Cli()
    yield cli
    cli.assert_no_secrets()


@pytest.fixture
def token(emulator: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> str:
    """An access token for the demo user with every scope, in AMAZON_MUSIC_ACCESS_TOKEN."""
    grant = emulator.mint_token()
    monkeypatch.setenv("AMAZON_MUSIC_ACCESS_TOKEN", grant.access_token)
    return grant.access_token


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> FakeBrowser:
    fake = FakeBrowser()
    monkeypatch.setattr(webbrowser, "open", fake.open)
    return fake
