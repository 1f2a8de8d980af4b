"""The pytest plugin of amazon_music.testing, registered by entry point (pytest11): fixtures and a marker.

    amazon_music_emulator        a fresh emulator per test (an ``Emulator``: arrange helpers, fault knobs, serve())
    amazon_music_client          an AmazonMusic acting as the demo user on it
    amazon_music_async_client    an AsyncAmazonMusic acting as the demo user on it

    @pytest.mark.amazon_music(seed=False, followers=1000, fault_rate=0.2, latency_ms=50, ...)

The marker takes ``emulate()``'s keywords; on a test, class or module (``pytestmark``), the nearest wins per option.
Loading the plugin imports pytest only: the client (httpx) and the emulator are imported when a test asks for a
fixture, so a test run that uses none pays nothing for it. ``-p no:amazon_music`` turns the plugin off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from amazon_music import AmazonMusic, AsyncAmazonMusic
    from amazon_music.testing._emulator import Emulator

__all__ = ["amazon_music_async_client", "amazon_music_client", "amazon_music_emulator"]

MARKER = "amazon_music"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): emulate() options for the amazon_music_emulator fixture: seed=True|False, seed sizes "
        "(followers=, followed_users=, ...), fault_rate=, fault_status=, retry_after=, latency_ms=, rate_limit=, "
        "fault_seed=, token_ttl=, validate_responses=",
    )


def _marker_options(node: pytest.Item) -> dict[str, Any]:
    from amazon_music.testing._emulator import emulate_options

    options: dict[str, Any] = {}
    for marker in node.iter_markers(MARKER):  # nearest first: a test's marker beats its class's and its module's
        if marker.args:
            pytest.fail(
                f"@pytest.mark.{MARKER}: options are keywords, e.g. seed=False; got {marker.args!r}", pytrace=False
            )
        for name, value in marker.kwargs.items():
            if name not in emulate_options():
                known = ", ".join(sorted(emulate_options()))
                pytest.fail(f"@pytest.mark.{MARKER}: unknown option {name!r} (known: {known})", pytrace=False)
            options.setdefault(name, value)
    return options


@pytest.fixture
def amazon_music_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh in-process emulator for this test (options from @pytest.mark.amazon_music), stopped after it."""
    from amazon_music.testing._emulator import Emulator

    emulator = Emulator(**_marker_options(request.node))
    try:
        emulator.__enter__()
    except ValueError as exc:
        pytest.fail(f"@pytest.mark.{MARKER}: {exc}", pytrace=False)
    try:
        yield emulator
    finally:
        emulator.close()


@pytest.fixture
def amazon_music_client(amazon_music_emulator: Emulator) -> AmazonMusic:
    """An AmazonMusic acting as the demo user on this test's emulator (closed with it)."""
    return amazon_music_emulator.client()


@pytest.fixture
def amazon_music_async_client(amazon_music_emulator: Emulator) -> AsyncAmazonMusic:
    """An AsyncAmazonMusic acting as the demo user on this test's emulator; a plain fixture, usable with any runner."""
    return amazon_music_emulator.async_client()
