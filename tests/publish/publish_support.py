"""Paths and helpers for the publishing checks (issue 8); scripts/ and tests/ go on sys.path (neither is a package).
A module of its own, not conftest: `from conftest import` would find whichever test folder's conftest came last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
for folder in (ROOT / "scripts", ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
CHANGELOG_PATH = ROOT / "spec" / "CHANGELOG.md"
PUBLISH_SCRIPT = ROOT / "scripts" / "publish_spec.py"
NPM_BIN = ROOT / "tools" / "npm" / "node_modules" / ".bin"
REPORTS = ROOT / "reports" / "publish"
SPEC_NAME = SPEC_PATH.stem
OPERATION_KEYS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def run_publish(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """scripts/publish_spec.py as `make publish-spec` runs it, with this interpreter."""
    return subprocess.run(
        [sys.executable, str(PUBLISH_SCRIPT), *map(str, args)], capture_output=True, text=True, check=False, cwd=ROOT
    )


def operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation) in document order."""
    found = {}
    for path, item in document["paths"].items():
        for method in OPERATION_KEYS:
            if method in item:
                found[item[method]["operationId"]] = (path, method, item[method])
    return found
