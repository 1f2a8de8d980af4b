"""Fixtures for the overlay's unit tests: respx-mocked API and clients whose retries sleep on a fake clock."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import respx
from overlay_support import ACCESS_TOKEN, API_KEY, BASE_URL, DOCS_FIXTURE, ROOT, AsyncFakeSleep, FakeSleep, no_jitter

from amazon_music import AmazonMusic, AsyncAmazonMusic, AsyncRetryTransport, RetryPolicy, RetryTransport


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    """respx routes for the API host; every test states the routes it needs (unmatched requests fail)."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def async_sleep() -> AsyncFakeSleep:
    return AsyncFakeSleep()


@pytest.fixture
def client(api: respx.MockRouter, sleep: FakeSleep) -> Iterator[AmazonMusic]:
    transport = RetryTransport(policy=RetryPolicy(backoff=no_jitter), sleep=sleep)
    with AmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport) as music:
        yield music


@pytest.fixture
async def async_client(api: respx.MockRouter, async_sleep: AsyncFakeSleep) -> AsyncIterator[AsyncAmazonMusic]:
    transport = AsyncRetryTransport(policy=RetryPolicy(backoff=no_jitter), sleep=async_sleep)
    async with AsyncAmazonMusic(API_KEY, token=ACCESS_TOKEN, transport=transport) as music:
        yield music


@pytest.fixture(scope="session")
def docs() -> Any:
    """The docs snapshot, parsed by the project's docs parser (scripts/docs_parser.py)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from docs_parser import load_docs
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return load_docs(DOCS_FIXTURE)
