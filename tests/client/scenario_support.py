"""Scenario helpers: the emulator's address, and drivers that run one scenario through either client.

The ``music`` fixture is a driver parametrized over both clients, so each scenario runs through AmazonMusic and
AsyncAmazonMusic alike: ``call`` runs a method, ``walk`` iterates a listing (``for`` or ``async for``), ``pages``
collects whole pages.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from amazon_music import AmazonMusic, AsyncAmazonMusic
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_API_KEY

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from asgi_bridge import SyncASGITransport  # noqa: E402

EMULATOR_URL = "http://emulator.test.invalid"  # .invalid: in-process, never a network host (plain http allowed)
TOKEN_URL = f"{EMULATOR_URL}/auth/o2/token"


class SyncDriver:
    kind = "sync"

    def __init__(self, client: AmazonMusic) -> None:
        self.client = client

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.client, method)(*args, **kwargs)

    def walk(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        return list(getattr(self.client, method)(*args, **kwargs))

    def pages(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        return list(getattr(self.client, method)(*args, **kwargs).pages())

    def walk_paginator(self, paginator: Any) -> list[Any]:
        return list(paginator)


class AsyncDriver:
    kind = "async"

    def __init__(self, client: AsyncAmazonMusic, runner: asyncio.Runner) -> None:
        self.client = client
        self.runner = runner

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.runner.run(getattr(self.client, method)(*args, **kwargs))

    def walk(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        return self.walk_paginator(getattr(self.client, method)(*args, **kwargs))

    def pages(self, method: str, *args: Any, **kwargs: Any) -> list[Any]:
        async def collect() -> list[Any]:
            return [page async for page in getattr(self.client, method)(*args, **kwargs).pages()]

        return self.runner.run(collect())

    def walk_paginator(self, paginator: Any) -> list[Any]:
        async def collect() -> list[Any]:
            return [item async for item in paginator]

        return self.runner.run(collect())


Driver = SyncDriver | AsyncDriver


def make_driver(kind: str, emulator: EmulatorApp, bridge: SyncASGITransport, **client_args: Any) -> Iterator[Driver]:
    """A driver for ``kind`` with a client on the emulator; ``client_args`` default to the demo user's token."""
    if "auth" not in client_args and "token" not in client_args:
        client_args["token"] = emulator.mint_token().access_token
    if kind == "sync":
        with AmazonMusic(DEMO_API_KEY, base_url=EMULATOR_URL, transport=bridge, **client_args) as client:
            yield SyncDriver(client)
        return
    with asyncio.Runner() as runner:
        transport = httpx.ASGITransport(app=emulator)
        client = AsyncAmazonMusic(DEMO_API_KEY, base_url=EMULATOR_URL, transport=transport, **client_args)
        yield AsyncDriver(client, runner)
        runner.run(client.aclose())
