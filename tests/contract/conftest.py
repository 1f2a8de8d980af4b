"""The contract tests' emulator: served by its command line on a free loopback port, as a user would run it.

``running_emulator`` runs ``amazon-music-emulator serve --port 0`` and mints a token with
``amazon-music-emulator token --json``. (The summary of schemathesis cases per operation is printed by
tests/conftest.py, the one conftest the pytest-xdist controller loads.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_support import RunningEmulator, start_emulator, stop


@pytest.fixture(scope="module")
def running_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    emulator, process = start_emulator(tmp_path_factory.mktemp("emulator"))
    try:
        yield emulator
    finally:
        stop(process)
