"""Fixtures for the docs tests: the docs snapshot, the spec, and scripts/ on sys.path (the tools live there)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from build_errata import load_spec  # noqa: E402
from docs_parser import DocsSnapshot, load_docs  # noqa: E402

DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"


@pytest.fixture(scope="session")
def docs_text() -> str:
    return DOCS_FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def docs() -> DocsSnapshot:
    return load_docs(DOCS_FIXTURE)


@pytest.fixture(scope="session")
def spec() -> dict[str, object]:
    """The committed spec. Session-wide: tests that change it work on copy.deepcopy(spec)."""
    return load_spec(SPEC_PATH)
