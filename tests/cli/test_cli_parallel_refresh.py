"""Processes sharing one saved login across an access-token expiry refresh it once (issue 13.3): the file token
store's refresh runs under an inter-process lock, re-reads the file, and is skipped when another process renewed it.
LWA rotates refresh tokens, so two refreshes with the same token would log the losers (or, with family revocation,
everyone) out."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cli_support import Cli, FakeBrowser, Home, SwitchableApp, cli_command, subprocess_env
from refresh_worker import whoami
from test_cli_login import login

from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_USER_ID

CLI_PROCESSES = 4
POOL_PROCESSES = 4


class TokenEndpointCounter:
    """Passes every request to the emulator and counts the refresh_token grants that reach /auth/o2/token."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.refreshes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/auth/o2/token":
            await self.app(scope, receive, send)
            return
        messages = []
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        if b"grant_type=refresh_token" in b"".join(message.get("body", b"") for message in messages):
            self.refreshes += 1

        async def replay() -> Any:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        await self.app(scope, replay, send)


@pytest.fixture
def counter(switch: SwitchableApp, emulator: EmulatorApp) -> Iterator[TokenEndpointCounter]:
    counting = TokenEndpointCounter(emulator)
    switch.app = counting  # type: ignore[assignment]
    yield counting
    switch.app = emulator


def expire_saved_access_token(home: Home) -> dict[str, Any]:
    tokens: dict[str, Any] = json.loads(home.token_file.read_text())
    home.token_file.write_text(json.dumps({**tokens, "expires_at": time.time() - 10}))
    return tokens


def test_eight_processes_share_one_login_across_an_expiry_with_one_refresh(
    run: Cli, home: Home, browser: FakeBrowser, counter: TokenEndpointCounter
) -> None:
    assert login(run, browser)[0] == 0
    before = expire_saved_access_token(home)
    env = subprocess_env({"AMAZON_MUSIC_CONFIG": str(home.config), "AMAZON_MUSIC_TOKEN_FILE": str(home.token_file)})
    commands = [
        subprocess.Popen(
            [*cli_command(), "me", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(CLI_PROCESSES)
    ]
    # the pool's workers inherit this process's environment (the home fixture's AMAZON_MUSIC_* and XDG folders)
    with multiprocessing.get_context("spawn").Pool(POOL_PROCESSES) as pool:
        from_library = pool.map_async(whoami, range(POOL_PROCESSES))
        outputs = [process.communicate(timeout=120) for process in commands]
        users = from_library.get(timeout=120)
    for process, (stdout, stderr) in zip(commands, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert json.loads(stdout)["id"] == DEMO_USER_ID
    assert users == [DEMO_USER_ID] * POOL_PROCESSES
    assert counter.refreshes == 1
    after: dict[str, Any] = json.loads(home.token_file.read_text())
    assert after["refresh_token"] != before["refresh_token"]  # rotated once, saved for everyone
    # the login still works afterwards, without another refresh
    again = run("me", "--json")
    assert again.exit_code == 0, again.stderr
    assert counter.refreshes == 1
    run.assert_no_secrets([str(before["access_token"]), str(after["access_token"])])
