"""A maintainer's spec change, tried on a temporary copy of the repository: edit, `make generate`'s script, checks.

The copy holds the repository's files (tracked, and new ones not ignored); the checks run with this .venv's
interpreter and the copy's packages first on PYTHONPATH (ahead of the editable install's paths), so they see the
copy's spec, generated code, overlay and emulator.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path("spec") / "amazon-music-user-v1.yaml"
GENERATED = Path("generated") / "amazon_music_generated"
# What a run may leave behind without it being a change to the repository.
_NOISE = ("__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis", "reports")


def _repository_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode == 0 and listed.stdout.strip():
        return [name for name in listed.stdout.splitlines() if (ROOT / name).is_file()]
    skip = (".venv", ".git", "node_modules", "dist", *_NOISE)  # not a git checkout: every file but these
    return [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.is_file() and not set(path.relative_to(ROOT).parts) & set(skip)
    ]


class RepoCopy:
    def __init__(self, where: Path) -> None:
        self.root = where / "repo"
        for name in _repository_files():
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        self._before = self.fingerprint()

    def fingerprint(self) -> dict[str, str]:
        found = {}
        for path in self.root.rglob("*"):
            relative = path.relative_to(self.root)
            if path.is_file() and not set(relative.parts) & set(_NOISE) and path.suffix != ".pyc":
                found[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found

    def changed(self) -> set[str]:
        """The files added, removed or changed since the copy was made."""
        after = self.fingerprint()
        return {name for name in self._before.keys() | after.keys() if self._before.get(name) != after.get(name)}

    def edit(self, relative: Path | str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{relative}: the text to replace is not there once: {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def env(self) -> dict[str, str]:
        paths = [self.root / "overlay", self.root / "generated", self.root / "emulator"]
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AMAZON_MUSIC_", "PYTEST_"))}
        env["PYTHONPATH"] = os.pathsep.join(str(path) for path in paths)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        return env

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=self.root, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )

    def generate(self) -> None:
        """What `make generate` runs."""
        done = self.run(
            sys.executable,
            "scripts/check_generated.py",
            "--spec",
            str(SPEC),
            "--generated",
            str(GENERATED),
            "--config",
            "spec/generator.yaml",
            "--templates",
            "spec/templates",
            "--write",
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def python(self, code: str) -> str:
        """Run ``code`` on the copy; its stdout (a failure shows stderr)."""
        done = self.run(sys.executable, "-c", code)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run(sys.executable, "-c", "from amazon_music.cli import main; main()", *args)

    def pytest(self, *args: str) -> str:
        done = self.run(sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", *args, timeout=600)
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
        return done.stdout


def generated_only(changed: set[str]) -> set[str]:
    """The changed files that are not under generated/."""
    return {name for name in changed if not name.startswith(str(GENERATED) + os.sep)}
