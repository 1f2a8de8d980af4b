"""`make docs-update`: a maintainer's docs update, followed as printed, on a temporary copy of the project.

The scenario: the docs add an optional query parameter. `make docs-update DOCS=...` replaces the snapshot and prints a
spec fragment and the line to paste it after, and a checklist; the test pastes the fragment, follows the checklist
(changelog, `make generate`, `make docs-diff`) and runs the checks of `make test` that read the spec and the docs:
lint-spec, check-generated, check-errata, check-version and the docs tests. The rest of `make test` (client,
emulator, contract) reads the spec through the generated client, which check-generated covers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from build_errata import SPEC_PATH, load_spec
from docs_diff import compare, unexcused
from docs_parser import load_docs
from docs_update import main as docs_update
from openapi_spec_validator import validate
from snapshot_edits import NEW_ENDPOINT

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("scripts", "spec", "generated", "tests/docs", "Makefile", "redocly.yaml", "pyproject.toml")
LINKED = (".venv", "tools")  # installed tools, read only: the copy's `make install` finds them up to date
FIXTURE = Path("tests/fixtures/docs_user_v1.txt")
MARKET = (
    "market\n|\nstring\n|\nNo |\nThe marketplace to read from (default: US). The allowed values are 'US' and 'UK'. |\n"
)


def _copy_project(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)  # keeps the mtime: make sees the install stamps as newer
    for name in LINKED:
        (target / name).symlink_to(ROOT / name)
    (target / FIXTURE).parent.mkdir(parents=True)
    shutil.copy2(ROOT / FIXTURE, target / FIXTURE)


def _make(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments], cwd=project, capture_output=True, text=True, check=False
    )


def _with_market(text: str) -> str:
    start = text.index("\nGet Current User Followers\n")
    position = text.index("cursor\n|\n", start)
    return text[:position] + MARKET + text[position:]


def _paste(spec: Path, printed: str) -> None:
    """Paste every fragment where the output says, the lowest line first up (as its checklist asks)."""
    lines = spec.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks = re.findall(r"paste into spec/amazon-music-user-v1\.yaml after line (\d+):\n((?:    \| .*\n)+)", printed)
    assert blocks, printed
    for after, block in sorted(blocks, key=lambda found: -int(found[0])):
        fragment = [line.removeprefix("    | ") + "\n" for line in block.splitlines()]
        lines[int(after) : int(after)] = fragment
    spec.write_text("".join(lines), encoding="utf-8")


def _follow_version_step(project: Path, printed: str) -> None:
    changelog = project / "spec" / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    line = "- `market` on GET /v1/me/followers: the marketplace to read from.\n"
    covered = re.search(r"add your lines to its `## \[(?P<version>[\d.]+)\]` entry", printed)
    if covered:
        heading = re.search(rf"^## \[{re.escape(covered['version'])}\].*\n", text, re.MULTILINE)
        assert heading is not None
        changelog.write_text(text[: heading.end()] + "\n### Added\n" + line + text[heading.end() :], encoding="utf-8")
        return
    wanted = re.search(r"add `## \[(?P<version>[\d.]+)\] - <date>` to spec/CHANGELOG.md", printed)
    assert wanted is not None, printed
    first = text.index("\n## [")
    entry = f"\n## [{wanted['version']}] - 2026-12-01\n\n### Added\n{line}"
    changelog.write_text(text[:first] + entry + text[first:], encoding="utf-8")
    spec = project / "spec" / "amazon-music-user-v1.yaml"
    spec.write_text(
        re.sub(
            r"^  version: .*$", f"  version: {wanted['version']}", spec.read_text(encoding="utf-8"), count=1, flags=re.M
        ),
        encoding="utf-8",
    )


@pytest.mark.long_running
def test_a_new_optional_parameter_followed_as_printed_ends_green(tmp_path: Path) -> None:
    project = tmp_path / "project"
    _copy_project(project)
    snapshot = tmp_path / "new-docs.txt"
    snapshot.write_text(_with_market((ROOT / FIXTURE).read_text(encoding="utf-8")), encoding="utf-8")

    update = _make(project, "docs-update", f"DOCS={snapshot}")
    assert update.returncode == 0, update.stdout + update.stderr
    printed = update.stdout
    assert "+ getCurrentUserFollowers (GET /v1/me/followers): query:market parameter" in printed
    assert (project / FIXTURE).read_text(encoding="utf-8") == snapshot.read_text(encoding="utf-8")
    assert "checklist:" in printed and "`make generate`" in printed and "`make test`" in printed

    _paste(project / "spec" / "amazon-music-user-v1.yaml", printed)
    _follow_version_step(project, printed)
    generate = _make(project, "generate")
    assert generate.returncode == 0, generate.stdout + generate.stderr
    followers = project / "generated" / "amazon_music_generated" / "api" / "me" / "get_current_user_followers.py"
    assert "market" in followers.read_text(encoding="utf-8")

    drift = _make(project, "docs-diff")
    assert (drift.returncode, drift.stdout) == (0, "no drift\n"), drift.stdout + drift.stderr
    checks = _make(project, "lint-spec", "check-generated", "check-errata", "check-version")
    assert checks.returncode == 0, checks.stdout + checks.stderr
    pytest = [str(ROOT / ".venv" / "bin" / "pytest"), "-q", "-n", "0", "-p", "no:cacheprovider"]
    tests = subprocess.run(
        [*pytest, "tests/docs", "--ignore=tests/docs/test_docs_update.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-3000:]


def test_a_new_operation_pasted_as_printed_leaves_no_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    shutil.copyfile(SPEC_PATH, spec)
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text((ROOT / FIXTURE).read_text(encoding="utf-8").rstrip("\n") + "\n" + NEW_ENDPOINT, "utf-8")

    assert docs_update([str(snapshot), "--spec", str(spec), "--fixture", str(tmp_path / "fixture.txt")]) == 0
    printed = capsys.readouterr().out
    assert "Add GET /v1/users/{id}/followed/playlists to the spec" in printed
    assert "operationId: getUserFollowedPlaylists" in printed

    _paste(spec, printed)
    validate(load_spec(spec))
    assert unexcused(compare(load_docs(snapshot), load_spec(spec))) == []


def test_a_snapshot_that_is_not_the_page_replaces_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = tmp_path / "fixture.txt"
    fixture.write_text("the current snapshot", encoding="utf-8")
    truncated = tmp_path / "cut.txt"
    text = (ROOT / FIXTURE).read_text(encoding="utf-8")
    truncated.write_text(text[: text.index("Minimum of 1, maximum of 100. |")], encoding="utf-8")

    assert docs_update([str(truncated), "--fixture", str(fixture)]) == 2
    err = capsys.readouterr().err
    assert f"{truncated}:" in err and "refused" in err and "nothing replaced" in err
    assert fixture.read_text(encoding="utf-8") == "the current snapshot"


def test_each_kind_of_change_gets_its_instruction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new operation gets a whole path item to paste, a scope change its `security:`, a fixed erratum its
    retirement, a changed default the place it is defined (shared by several operations)."""
    text = (ROOT / "tests" / "docs" / "snapshots" / "docs_user_v1_frozen.txt").read_text(encoding="utf-8")
    followers = text.index("\nGet Current User Followers\n")
    text = text[:followers] + text[followers:].replace("(default: 100)", "(default: 50)", 1)
    text = text.replace("[music::catalog]\nGet public profile", "[music::profile]\nGet public profile", 1)
    text = text.replace("},\n]", "}\n]", 1)  # the users example now parses
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(text, encoding="utf-8")

    assert docs_update([str(snapshot), "--fixture", str(tmp_path / "fixture.txt")]) == 0
    out = capsys.readouterr().out
    assert "Set schema.default of `limit` on getCurrentUserFollowers (GET /v1/me/followers) to 50 (minor)" in out
    assert "defined in components/parameters/Limit, shared by " in out
    assert "Set the scope of getUser (GET /v1/users/{id}) to music::profile (a major change" in out
    assert (
        "    |       security:\n    |       - apiKey: []\n    |         lwa:\n    |         - music::profile\n" in out
    )
    assert "Retire the erratum users-invalid-json" in out
    assert "`make errata`" in out
    assert "set info.version to 2.0.0 (a major change)" in out
