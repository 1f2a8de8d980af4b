"""The contract tests' emulator: served by its command line on a free loopback port, as a user would run it.

``running_emulator`` runs ``amazon-music-emulator serve --port 0`` and mints a token with
``amazon-music-emulator token --json``, once per store backend (a SQLite file, a seeded PostgreSQL database; the
backend fixtures and the hook are tests/store_backends.py's). (The summary of schemathesis cases per operation is
printed by tests/conftest.py, the one conftest the pytest-xdist controller loads.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_support import RunningEmulator, start_emulator, stop
from store_backends import BACKENDS, postgres_cluster, pytest_generate_tests, serve_location, store_backend

# The backend fixtures and the parametrising hook, registered for this folder by being names of its conftest.
__all__ = ["postgres_cluster", "pytest_generate_tests", "store_backend"]


@pytest.fixture(scope="module", params=BACKENDS)
def running_emulator(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningEmulator]:
    folder = tmp_path_factory.mktemp("emulator")
    with serve_location(request.param, folder, request) as db:
        emulator, process = start_emulator(folder, db=db)
        try:
            yield emulator
        finally:
            stop(process)
