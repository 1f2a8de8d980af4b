"""Publish the spec for other languages: one bundled document as YAML and JSON, and an offline Redoc reference page.

    python scripts/publish_spec.py [--spec SPEC] [--changelog CHANGELOG.md] [--out dist]

Writes, all or nothing:
  OUT/spec/<name>.yaml, OUT/spec/<name>.json   the same document: `redocly bundle` output (no external $ref), with each
                                               x-doc-errata also appended to its operation's (or info's) description,
                                               so that reference pages and generated code comments show the errata
  OUT/docs/index.html                          Redoc's standalone bundle and that document inlined; needs no network
  OUT/docs/redoc*.LICENSE*                     the licences of the inlined Redoc bundle
The spec's info.version must equal the newest version in the changelog (Keep a Changelog headings `## [x.y.z]`).
Exit status: 0 written; 1 the spec cannot be published (the message says why); 2 a tool is missing.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from build_errata import ErrataError, Erratum, read_errata

__all__ = ["PublishError", "ToolMissing", "changelog_version", "main", "publish", "ref_problems"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
CHANGELOG_PATH = ROOT / "spec" / "CHANGELOG.md"
NPM_MODULES = ROOT / "tools" / "npm" / "node_modules"
REDOCLY = NPM_MODULES / ".bin" / "redocly"
REDOC = NPM_MODULES / "redoc"
OPERATION_KEYS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_RELEASE_HEADING = re.compile(r"^## \[(?P<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\]", re.MULTILINE)
# Redoc's knobs for the page: responses 200 open, samples two levels deep, no "try it" (there is no server to call).
REDOC_OPTIONS = {"expandResponses": "200", "jsonSampleExpandLevel": 2, "hideHostname": False, "nativeScrollbars": True}
# The page may run its own inline code and blob: workers; it may load nothing from anywhere (Redoc's footer logo
# would come from a CDN; the CSP blocks it and Redoc hides the broken image).
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; "
    "font-src data:; worker-src blob:; connect-src data: blob:"
)


class PublishError(Exception):
    """The spec cannot be published; the message says what to fix."""


class ToolMissing(Exception):
    """An npm tool this step needs is not installed (`make install`)."""


class _SpecLoader(yaml.SafeLoader):
    """YAML as JSON sees it: dates stay strings, so the YAML and JSON copies are one document."""


_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SpecLoader)  # a SafeLoader subclass
    except OSError as exc:
        raise PublishError(f"cannot read {_display(path)}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PublishError(f"{_display(path)} is not valid YAML: {exc}") from exc


def changelog_version(changelog: Path) -> str:
    """The newest released version: the first `## [x.y.z]` heading (an `## [Unreleased]` section is passed over)."""
    try:
        text = changelog.read_text(encoding="utf-8")
    except OSError as exc:
        raise PublishError(f"cannot read the changelog {_display(changelog)}: {exc.strerror}") from exc
    match = _RELEASE_HEADING.search(text)
    if match is None:
        raise PublishError(f"{_display(changelog)} has no release heading like `## [1.0.0] - 2026-11-27`")
    return match.group("version")


def ref_problems(path: Path) -> list[str]:
    """Every $ref reachable from `path` that does not resolve, as "file: $ref 'x' at /pointer: why"."""
    root = path.resolve()
    documents: dict[Path, Any] = {root: load_yaml(root)}
    problems: list[str] = []
    pending = [root]
    while pending:
        file = pending.pop()
        for pointer, ref in _refs(documents[file]):
            target, _, fragment = ref.partition("#")
            target_file = (file.parent / target).resolve() if target else file
            if target_file not in documents:
                if not target_file.is_file():
                    problems.append(
                        f"{_display(file)}: $ref {ref!r} at {pointer or '/'}: no file {_display(target_file)}"
                    )
                    continue
                documents[target_file] = load_yaml(target_file)
                pending.append(target_file)
            why = _unresolved(documents[target_file], fragment)
            if why:
                problems.append(f"{_display(file)}: $ref {ref!r} at {pointer or '/'} does not resolve: {why}")
    return problems


def publish(spec_path: Path, changelog: Path, out: Path) -> list[Path]:
    """Bundle, check and write everything; returns the files written. Nothing is written when any step fails."""
    source = load_yaml(spec_path)
    if not isinstance(source, dict) or not isinstance(source.get("info"), dict):
        raise PublishError(f"{_display(spec_path)} is not an OpenAPI document (no `info` mapping)")
    version = str(source["info"].get("version", ""))
    released = changelog_version(changelog)
    if version != released:
        raise PublishError(
            f"info.version in {_display(spec_path)} is {version!r} but the newest entry of {_display(changelog)} is"
            f" {released!r}: add the changelog entry for this change, or set info.version to match"
        )
    problems = ref_problems(spec_path)
    if problems:
        raise PublishError(f"{len(problems)} broken $ref in the spec:\n  " + "\n  ".join(problems))

    with tempfile.TemporaryDirectory(prefix="publish-spec-") as scratch:
        staging = Path(scratch)
        bundle = _redocly_bundle(spec_path, staging / "bundle.yaml")
        external = sorted({ref for _, ref in _refs(bundle) if not ref.startswith("#")})
        if external:
            raise PublishError(f"the bundle still has external $ref: {', '.join(external)}")
        leftovers = [f"{pointer}: {why}" for pointer, ref in _refs(bundle) if (why := _unresolved(bundle, ref[1:]))]
        if leftovers:
            raise PublishError("the bundle has $ref that do not resolve:\n  " + "\n  ".join(leftovers))
        try:
            errata = read_errata(bundle)
        except ErrataError as exc:
            raise PublishError(f"x-doc-errata: {exc}") from exc
        _append_errata(bundle, errata)

        name = spec_path.stem
        files = {
            Path("spec") / f"{name}.yaml": _to_yaml(bundle),
            Path("spec") / f"{name}.json": json.dumps(bundle, indent=2, ensure_ascii=False) + "\n",
            Path("docs") / "index.html": _reference_page(bundle, name),
        }
        for relative, text in files.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_text(text, encoding="utf-8")
        copies = {
            Path("docs") / "redoc.LICENSE": REDOC / "LICENSE",
            Path("docs") / "redoc.standalone.js.LICENSE.txt": REDOC / "bundles" / "redoc.standalone.js.LICENSE.txt",
        }
        for relative, original in copies.items():
            shutil.copyfile(original, staging / relative)
        written = []
        for relative in [*files, *copies]:
            destination = out / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / relative, destination.with_name(destination.name + ".tmp"))
            os.replace(destination.with_name(destination.name + ".tmp"), destination)
            written.append(destination)
    return written


def _redocly_bundle(spec_path: Path, output: Path) -> Any:
    if not os.access(REDOCLY, os.X_OK):
        raise ToolMissing(f"{_display(REDOCLY)} is missing; run `make install`")
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    done = subprocess.run(
        [str(REDOCLY), "bundle", str(spec_path), "--output", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not output.is_file():
        raise PublishError(f"redocly bundle failed on {_display(spec_path)}:\n{_without_banner(done.stderr)}")
    return load_yaml(output)


def _without_banner(text: str) -> str:
    """Redocly's diagnostics without its boxed Node.js deprecation notice."""
    kept = [line for line in text.splitlines() if not line.strip().startswith(("╔", "║", "╚"))]
    return "\n".join(kept).strip()


def _refs(node: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield pointer, ref
        for key, value in node.items():
            yield from _refs(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _refs(value, f"{pointer}/{index}")


def _unresolved(document: Any, fragment: str) -> str | None:
    """Why the JSON pointer `fragment` finds nothing in `document`; None when it resolves."""
    if fragment in ("", "/"):
        return None
    if not fragment.startswith("/"):
        return f"{fragment!r} is not a JSON pointer"
    node = document
    walked = ""
    for raw in fragment[1:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return f"no {key!r} in {walked or '/'}"
        walked += f"/{raw}"
    return None


def _append_errata(bundle: dict[str, Any], errata: Sequence[Erratum]) -> None:
    """Each erratum also as Markdown in its operation's description (document-wide ones in info.description)."""
    document_wide = [erratum for erratum in errata if erratum.operation_id is None]
    if document_wide:
        info = bundle["info"]
        info["description"] = _joined(
            info.get("description"),
            "## Documentation errata\n\nWhere the Amazon Music documentation contradicts itself, this spec records"
            " its decision. These apply to every operation; each operation lists its own.\n\n"
            + _errata_list(document_wide),
        )
    by_operation: dict[tuple[str, str], list[Erratum]] = {}
    for erratum in errata:
        if erratum.path is not None and erratum.method is not None:
            by_operation.setdefault((erratum.path, erratum.method.lower()), []).append(erratum)
    for (path, method), entries in by_operation.items():
        operation = bundle["paths"][path][method]
        operation["description"] = _joined(
            operation.get("description"), "**Documentation errata**\n\n" + _errata_list(entries)
        )


def _errata_list(errata: Sequence[Erratum]) -> str:
    return "\n".join(
        f"- `{e.id}` ({e.subject}). *The docs:* {e.docs} *This spec:* {e.spec} *Why:* {e.reason}" for e in errata
    )


def _joined(description: object, addition: str) -> str:
    text = str(description).rstrip() if description else ""
    return f"{text}\n\n{addition}\n" if text else f"{addition}\n"


def _to_yaml(document: Any) -> str:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120))


def _reference_page(bundle: Mapping[str, Any], name: str) -> str:
    standalone = REDOC / "bundles" / "redoc.standalone.js"
    if not standalone.is_file():
        raise ToolMissing(f"{_display(standalone)} is missing; run `make install`")
    script = standalone.read_text(encoding="utf-8")
    hazard = _inline_script_hazard(script)
    if hazard:
        raise PublishError(f"Redoc's standalone bundle cannot be inlined in a <script>: it {hazard}")
    redoc_version = json.loads((REDOC / "package.json").read_text(encoding="utf-8"))["version"]
    info = bundle["info"]
    title = html.escape(f"{info.get('title', name)} {info.get('version', '')}".strip())
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="scripts/publish_spec.py, Redoc {html.escape(redoc_version)} (standalone, inlined)">
<title>{title}</title>
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<noscript>This reference page needs JavaScript. The spec it shows: ../spec/{html.escape(name)}.yaml</noscript>
<div id="redoc"></div>
<script id="spec" type="application/json">{_script_json(bundle)}</script>
<script>
{script}
</script>
<script>
Redoc.init(
  JSON.parse(document.getElementById("spec").textContent),
  {_script_json(REDOC_OPTIONS)},
  document.getElementById("redoc")
);
</script>
</body>
</html>
"""


def _script_json(value: object) -> str:
    """JSON safe inside <script>: <, > and & only occur in strings, where \\u escapes mean the same."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_script_hazard(script: str) -> str | None:
    """What in `script` would end or swallow an inline <script> element early (HTML script-data parsing rules)."""
    lowered = script.lower()
    if "</script" in lowered:
        return "contains '</script'"
    start = lowered.find("<!--")
    while start != -1:
        end = lowered.find("-->", start + 2)
        if re.search(r"<script[\s/>]", lowered[start : end if end != -1 else len(lowered)]):
            return "opens '<!--' and then '<script' before '-->'"
        if end == -1:
            break
        start = lowered.find("<!--", end + 3)
    return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI file (default: %(default)s)")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG_PATH, help="the spec's changelog")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        written = publish(args.spec, args.changelog, args.out)
    except PublishError as exc:
        print(f"publish-spec: error: {exc}", file=sys.stderr)
        return 1
    except ToolMissing as exc:
        print(f"publish-spec: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {_display(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
