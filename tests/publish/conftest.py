"""Fixtures for the publishing checks: the published bundle, built once per test process by the script that
`make publish-spec` runs, into a temporary folder. Importing publish_support here puts scripts/ and tests/ on sys.path
before the test modules import from them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from consumer_support import RunningEmulator
from contract_support import start_emulator, stop
from publish_support import CHANGELOG_PATH, SPEC_NAME, SPEC_PATH, run_publish


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = run_publish("--spec", SPEC_PATH, "--changelog", CHANGELOG_PATH, "--out", out)
    assert done.returncode == 0, f"publish_spec.py failed:\n{done.stderr}"
    return out


@pytest.fixture(scope="session")
def bundle_json(published: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((published / "spec" / f"{SPEC_NAME}.json").read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="module")
def consumer_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """The emulator served by its command line on a free port, for one consumer-matrix module."""
    emulator, process = start_emulator(tmp_path_factory.mktemp("emulator"))
    try:
        yield emulator
    finally:
        stop(process)
