"""Generate the client package from the spec, or check that the committed one is up to date.

    python scripts/check_generated.py [--spec SPEC] [--generated DIR] [--config GENERATOR_YAML] [--write]

The generator (openapi-python-client, pinned in pyproject.toml) always runs into a fresh temporary folder with the
pinned config, post-hooks and the custom templates of spec/templates/ (faster model parsing, issue 7); then

- with --write (what `make generate` runs), DIR is replaced by the result as a whole, so files the spec no longer
  produces disappear (the generator's own --overwrite leaves them behind);
- either way the operations table and the clients' typed methods are rendered into the package from the spec
  (scripts/operations_table.py) and formatted by the same post-hooks;
- without it (what `make check-generated` runs), the result is compared with DIR and any drift is reported, exit 1.

Both paths share this one function, so `make generate` followed by `make check-generated` always agrees.
The generator and ruff are taken from this interpreter's environment (its bin folder goes first on PATH).
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from operations_table import render as render_operations

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "spec" / "amazon-music-user-v1.yaml"
DEFAULT_GENERATED = ROOT / "generated" / "amazon_music_generated"
DEFAULT_CONFIG = ROOT / "spec" / "generator.yaml"
# Overrides of some of the generator's Jinja templates, file by file (each says why in its first lines).
DEFAULT_TEMPLATES = ROOT / "spec" / "templates"
PACKAGE = "amazon_music_generated"
# With --meta none the generator writes no py.typed; the package ships typed, so we add the PEP 561 marker.
PY_TYPED = "# Marker file for PEP 561\n"
IGNORED = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
MAX_DIFF_LINES = 200


def generate(spec: Path, config: Path, out: Path, templates: Path = DEFAULT_TEMPLATES) -> None:
    """Run the generator for spec into out (which must not exist) with the templates of templates; add py.typed."""
    bin_dir = str(Path(sys.executable).parent)  # not resolved: a venv's bin holds ruff, the interpreter's does not
    # RUFF_NO_CACHE: the post-hooks run ruff inside the output folder, which would otherwise leave a .ruff_cache there.
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "RUFF_NO_CACHE": "true"}
    if shutil.which("ruff", path=env["PATH"]) is None:
        raise SystemExit("check_generated: ruff is not on PATH; run `make install` first")
    cmd = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        str(spec),
        "--output-path",
        str(out),
        "--meta",
        "none",
        "--config",
        str(config),
        "--custom-template-path",
        str(templates),
        "--fail-on-warning",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"check_generated: the generator failed (exit {proc.returncode}) on {spec}")
    # The operations table and the clients' typed methods (scripts/operations_table.py), formatted by the same hooks
    render_operations(spec, out)
    for hook in yaml.safe_load(config.read_text(encoding="utf-8")).get("post_hooks", []):
        subprocess.run(shlex.split(hook), cwd=out, env=env, capture_output=True, text=True, check=True)
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)
    (out / "py.typed").write_text(PY_TYPED, encoding="utf-8")


def _files(root: Path) -> set[Path]:
    found: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED]
        for name in filenames:
            if not name.endswith((".pyc", ".pyo")):
                found.add((Path(dirpath) / name).relative_to(root))
    return found


def compare(expected: Path, actual: Path) -> list[str]:
    """Return a report of the differences between the fresh output and the committed folder (empty if none)."""
    if not actual.is_dir():
        return [f"{actual} does not exist"]
    want, have = _files(expected), _files(actual)
    report: list[str] = []
    report += [f"missing (the spec produces it): {p}" for p in sorted(want - have)]
    report += [f"extra (the spec no longer produces it): {p}" for p in sorted(have - want)]
    diff_lines: list[str] = []
    for rel in sorted(want & have):
        if filecmp.cmp(expected / rel, actual / rel, shallow=False):
            continue
        report.append(f"differs: {rel}")
        try:
            old = (actual / rel).read_text(encoding="utf-8").splitlines(keepends=True)
            new = (expected / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            continue
        diff_lines += difflib.unified_diff(old, new, f"committed/{rel}", f"regenerated/{rel}")
    if diff_lines:
        shown = diff_lines[:MAX_DIFF_LINES]
        report.append("".join(line if line.endswith("\n") else line + "\n" for line in shown).rstrip("\n"))
        if len(diff_lines) > MAX_DIFF_LINES:
            report.append(f"... ({len(diff_lines) - MAX_DIFF_LINES} more diff lines)")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--generated", type=Path, default=DEFAULT_GENERATED)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--templates", type=Path, default=DEFAULT_TEMPLATES, help="custom Jinja templates folder")
    parser.add_argument("--write", action="store_true", help="replace --generated with the fresh output")
    args = parser.parse_args(argv)
    spec: Path = args.spec.resolve()
    generated: Path = args.generated.resolve()
    config: Path = args.config.resolve()
    templates: Path = args.templates.resolve()
    for path in (spec, config):
        if not path.is_file():
            raise SystemExit(f"check_generated: {path} not found")
    if not templates.is_dir():
        raise SystemExit(f"check_generated: {templates} is not a folder")

    with tempfile.TemporaryDirectory(prefix="amgen-") as tmp:
        fresh = Path(tmp) / PACKAGE
        generate(spec, config, fresh, templates)
        if args.write:
            if generated.exists():
                shutil.rmtree(generated)
            generated.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(fresh, generated)
            print(f"generated {generated.relative_to(ROOT) if generated.is_relative_to(ROOT) else generated}")
            return 0
        report = compare(fresh, generated)

    if report:
        print(
            f"check-generated: {generated} has drifted from what {spec.name} generates.\n"
            "Run `make generate` and commit the result; never edit generated code by hand.",
            file=sys.stderr,
        )
        print("\n".join(report), file=sys.stderr)
        return 1
    print(f"check-generated: {generated.name} matches {spec.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
