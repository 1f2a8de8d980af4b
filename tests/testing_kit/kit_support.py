"""Paths the testing kit's tests share: the repository, the example test file and the README that shows it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "test_with_amazon_music.py"
README = ROOT / "README.md"
