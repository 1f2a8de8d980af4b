"""``Store.hold_serving_lock`` on PostgreSQL: any number of shared holders, an exclusive hold (a reset) only alone, a
downgrade after the reset, and nothing left held once a holder lets go (or its connection is gone)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from postgres_cluster import PostgresCluster

from amazon_music_emulator import Store
from amazon_music_emulator.store import StoreInUse


@pytest.fixture
def database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    url = postgres_cluster.new_database()
    yield url
    postgres_cluster.drop_database(url)


def test_servers_share_the_lock_and_a_reset_needs_it_alone(database: str) -> None:
    with Store(database) as first, Store(database) as second, Store(database) as resetter:
        with (
            first.hold_serving_lock(exclusive=False),
            second.hold_serving_lock(exclusive=False),
            pytest.raises(StoreInUse, match="another process serves"),
            resetter.hold_serving_lock(exclusive=True),
        ):
            pass
        with resetter.hold_serving_lock(exclusive=True):  # nobody serves it any more: the reset may go ahead
            pass


def test_a_shared_hold_waits_for_the_reset_and_the_downgrade_lets_it_in(database: str) -> None:
    with Store(database) as resetter, Store(database) as server:
        holding = threading.Event()
        with resetter.hold_serving_lock(exclusive=True) as share:

            def serve() -> None:
                with server.hold_serving_lock(exclusive=False):
                    holding.set()

            waiter = threading.Thread(target=serve)
            waiter.start()
            assert not holding.wait(0.5)  # the control: it waits while the reset holds the lock
            share()
            waiter.join(timeout=30)
            assert holding.is_set()
            with pytest.raises(StoreInUse), server.hold_serving_lock(exclusive=True):
                pass  # the resetter still serves it (shared), so another reset is refused


def test_a_sqlite_store_has_no_serving_lock() -> None:
    with (
        Store(":memory:") as store,
        pytest.raises(ValueError, match="PostgreSQL only"),
        store.hold_serving_lock(exclusive=True),
    ):
        pass
