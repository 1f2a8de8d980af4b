"""The sync ASGI bridge now lives in the testing kit (amazon_music.testing); re-exported here for the scenario tests
(tests/client) and the client benchmark (scripts/bench_client.py), which import it by this name."""

from __future__ import annotations

from amazon_music.testing import SyncASGITransport

__all__ = ["SyncASGITransport"]
