"""Fixtures for the docs tests: the docs snapshots, the spec, and scripts/ on sys.path (the tools live there).

Two snapshots: `docs` is the current one (tests/fixtures/docs_user_v1.txt, replaced by `make docs-update`), against
which the spec is checked; `frozen_docs` is the parser tests' own copy (tests/docs/snapshots/), which never changes,
so that a docs update does not move the line numbers and operation lists those tests pin down.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from build_errata import load_spec  # noqa: E402
from docs_parser import DocsSnapshot, load_docs  # noqa: E402

DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"
FROZEN_DOCS = ROOT / "tests" / "docs" / "snapshots" / "docs_user_v1_frozen.txt"
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"


@pytest.fixture(scope="session")
def docs() -> DocsSnapshot:
    return load_docs(DOCS_FIXTURE)


@pytest.fixture(scope="session")
def frozen_text() -> str:
    return FROZEN_DOCS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def frozen_docs() -> DocsSnapshot:
    return load_docs(FROZEN_DOCS)


@pytest.fixture(scope="session")
def spec() -> dict[str, object]:
    """The committed spec. Session-wide: tests that change it work on copy.deepcopy(spec)."""
    return load_spec(SPEC_PATH)
