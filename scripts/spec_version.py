"""The spec's version guard: a spec that differs from its last release needs a changelog entry and a version bump as
large as its largest change.

    python scripts/spec_version.py check    [--spec SPEC] [--changelog CHANGELOG.md] [--releases DIR]
    python scripts/spec_version.py release  [--spec SPEC] [--changelog CHANGELOG.md] [--releases DIR]

Each released spec is kept as it was, one file per version: spec/releases/<x.y.z>.yaml (`release` writes it; the
copy is what later changes are classified against, where a hash could only say "different"). `check` compares the
spec with the newest release, ignoring `info.version`, YAML layout and comments, and classifies each change as
docs_diff does: a removed operation, parameter or field (a rename is a removal), a narrower bound, a new required
parameter, a changed type or scope are major; a new operation, optional parameter, response or schema property and
any other contract change are minor; descriptions, summaries, examples and `x-` extensions are patch.
Exit status: 0 fine (or recorded), 1 a bump or changelog entry is missing (the message says what to add), 2 an
input cannot be read.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from build_errata import SPEC_PATH, ErrataError, display_path, load_spec
from docs_diff import (
    ADDED,
    CHANGED,
    LEVELS,
    MAJOR,
    MINOR,
    PATCH,
    REMOVED,
    Difference,
    SpecOperation,
    field_differences,
    located_fields,
    required_level,
    spec_operations,
)
from publish_spec import CHANGELOG_PATH, PublishError, changelog_version

__all__ = [
    "CHANGELOG_PATH",
    "RELEASES_DIR",
    "Verdict",
    "VersionError",
    "bumped",
    "check",
    "describe",
    "main",
    "newest_release",
    "parse_version",
    "release",
    "spec_changes",
]

RELEASES_DIR = SPEC_PATH.parent / "releases"
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# Keys whose values describe the contract without changing it.
PROSE_KEYS = frozenset({"description", "summary", "example", "examples", "title", "externalDocs", "contact", "license"})

Version = tuple[int, int, int]
JsonMap = Mapping[str, object]


class VersionError(ValueError):
    """An input cannot be read (the spec, the changelog, a release record)."""


@dataclass(frozen=True)
class Verdict:
    version: str  # the spec's info.version
    released: str  # the newest recorded release
    changes: tuple[Difference, ...]  # what changed since that release, each with its level
    problems: tuple[str, ...]  # empty: the guard passes

    def summary(self) -> str:
        if not self.changes:
            return f"spec {self.version}: as released in {self.released}"
        level = required_level(self.changes)
        changes = f"{len(self.changes)} change(s) since the released {self.released}"
        return f"spec {self.version}: {changes}, the largest {level}"


# --- what changed between two specs ------------------------------------------------------------------------------


def spec_changes(old: JsonMap, new: JsonMap) -> list[Difference]:
    """How `new` differs from `old` (docs = new, spec = old in each Difference), each change with its level."""
    changes = _operation_changes(spec_operations(old, with_errata=False), spec_operations(new, with_errata=False))
    old_leaves, new_leaves = _leaves(_without_version(old)), _leaves(_without_version(new))
    for pointer in sorted(old_leaves.keys() | new_leaves.keys()):
        before, after = old_leaves.get(pointer, _ABSENT), new_leaves.get(pointer, _ABSENT)
        if before != after:
            changes.append(_document_change(pointer, before, after, new_leaves.keys()))
    return changes


def _operation_changes(old: Sequence[SpecOperation], new: Sequence[SpecOperation]) -> list[Difference]:
    changes: list[Difference] = []
    old_by_endpoint = {operation.endpoint: operation for operation in old}
    new_endpoints = {operation.endpoint for operation in new}
    for operation in new:
        before = old_by_endpoint.get(operation.endpoint)
        where = (operation.operation_id, operation.endpoint)
        if before is None:
            changes.append(
                Difference(*where, "operation", "operation", ADDED, operation.operation_id, None, level=MINOR)
            )
            continue
        if set(operation.scopes) != set(before.scopes):
            scopes = (", ".join(operation.scopes), ", ".join(before.scopes))
            changes.append(Difference(*where, "scope", "scopes", CHANGED, *scopes, level=MAJOR))
        for (location, after_fields), (_, before_fields) in zip(
            located_fields(operation), located_fields(before), strict=True
        ):
            changes += field_differences(*where, location, after_fields, before_fields)
        for name in set(operation.response_fields) - set(before.response_fields):
            changes.append(Difference(*where, "response", "field", ADDED, name, None, name, level=MINOR))
        for name in set(before.response_fields) - set(operation.response_fields):
            changes.append(Difference(*where, "response", "field", REMOVED, None, name, name, level=MAJOR))
    for operation in old:
        if operation.endpoint not in new_endpoints:
            where = (operation.operation_id, operation.endpoint)
            changes.append(
                Difference(*where, "operation", "operation", REMOVED, None, operation.operation_id, level=MAJOR)
            )
    return changes


_ABSENT = object()


def _without_version(spec: JsonMap) -> JsonMap:
    info = spec.get("info")
    if not isinstance(info, Mapping):
        return spec
    return {**spec, "info": {key: value for key, value in info.items() if key != "version"}}


def _leaves(node: object, pointer: str = "") -> dict[str, object]:
    """Every scalar of a document by JSON pointer; a list of scalars is one leaf (a set: order carries nothing)."""
    if isinstance(node, Mapping):
        leaves: dict[str, object] = {}
        for key, child in node.items():
            leaves |= _leaves(child, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
        return leaves
    if isinstance(node, list):
        if all(not isinstance(item, Mapping | list) for item in node):
            return {pointer: frozenset(map(repr, node))}
        leaves = {}
        for index, child in enumerate(node):
            leaves |= _leaves(child, f"{pointer}/{index}")
        return leaves
    return {pointer: node}


def _document_change(pointer: str, before: object, after: object, new_pointers: Iterable[str]) -> Difference:
    parts = pointer.split("/")[1:]
    kind = ADDED if before is _ABSENT else REMOVED if after is _ABSENT else CHANGED
    shown = (None if after is _ABSENT else _shown(after), None if before is _ABSENT else _shown(before))
    if any(part in PROSE_KEYS or part.startswith("x-") for part in parts):
        level = PATCH
    elif kind == REMOVED and _property_gone(parts, new_pointers):
        level = MAJOR  # a schema property removed or renamed: clients reading it break
    elif kind == CHANGED and parts[-1] == "type":
        level = MAJOR
    else:
        level = MINOR
    return Difference("document", pointer, "document", parts[-1] if parts else "", kind, *shown, level=level)


def _property_gone(parts: list[str], new_pointers: Iterable[str]) -> bool:
    """Whether the leaf belongs to a schema property the new document no longer has at all."""
    positions = [index for index, part in enumerate(parts[:-1]) if part == "properties"]
    if not positions:
        return False
    prefix = "/" + "/".join(parts[: positions[-1] + 2])
    return not any(pointer == prefix or pointer.startswith(prefix + "/") for pointer in new_pointers)


def _shown(value: object) -> str:
    text = "[" + ", ".join(sorted(map(str, value))) + "]" if isinstance(value, frozenset) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- the guard ---------------------------------------------------------------------------------------------------


def check(spec_path: Path = SPEC_PATH, changelog: Path = CHANGELOG_PATH, releases: Path = RELEASES_DIR) -> Verdict:
    spec = load_spec(spec_path)
    version = _spec_version(spec, spec_path)
    released_version, released_path = _newest(releases)
    released = load_spec(released_path)
    changes = tuple(spec_changes(released, spec))
    problems: list[str] = []
    newest_entry = _changelog_version(changelog)
    released_text = ".".join(map(str, released_version))
    level = required_level(changes)
    if parse_version(version) < released_version:
        problems.append(f"info.version {version} is older than the released {released_text}")
    elif parse_version(version) == released_version and changes:
        wanted = bumped(released_version, str(level))
        problems.append(
            f"{display_path(spec_path)} differs from the released {released_text} ({display_path(released_path)}):"
            f" {len(changes)} change(s), the largest {level}. Add a `## [{wanted}] - {_today()}` entry to"
            f" {display_path(changelog)} saying what changed (Added / Changed / Removed / Fixed), and set info.version"
            f" to {wanted} in {display_path(spec_path)}.\n  " + "\n  ".join(_change_lines(changes))
        )
    else:
        if level is not None and LEVELS.index(_bump_level(released_version, parse_version(version))) < LEVELS.index(
            level
        ):
            wanted = bumped(released_version, level)
            problems.append(
                f"{version} is a {_bump_level(released_version, parse_version(version))} bump from the released"
                f" {released_text}, but the spec has {level} changes: set info.version to {wanted} and retitle its"
                f" changelog entry `## [{wanted}]`.\n  "
                + "\n  ".join(_change_lines([change for change in changes if change.level == level]))
            )
        if newest_entry != version:
            problems.append(
                f"the newest entry of {display_path(changelog)} is {newest_entry}, but info.version is"
                f" {version}: add a `## [{version}] - {_today()}` entry saying what changed"
            )
    return Verdict(version, released_text, changes, tuple(problems))


def release(spec_path: Path = SPEC_PATH, changelog: Path = CHANGELOG_PATH, releases: Path = RELEASES_DIR) -> Path:
    """Record the spec as released under its info.version; VersionError when the guard does not pass."""
    version = _spec_version(load_spec(spec_path), spec_path)
    target = releases / f"{version}.yaml"
    if target.exists():
        if spec_changes(load_spec(target), load_spec(spec_path)):
            raise VersionError(
                f"{version} is already released ({display_path(target)}) with other content: bump info.version and add"
                f" a changelog entry first"
            )
        return target
    if _releases(releases):
        verdict = check(spec_path, changelog, releases)
        if verdict.problems:
            raise VersionError("\n".join(verdict.problems))
    elif _changelog_version(changelog) != version:
        raise VersionError(f"{display_path(changelog)} has no `## [{version}]` entry: add one first")
    releases.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(spec_path, target)
    return target


def _change_lines(changes: Sequence[Difference]) -> list[str]:
    ordered = sorted(changes, key=lambda change: -LEVELS.index(change.level))
    lines = [f"[{change.level}] {describe(change)}" for change in ordered]
    return lines[:12] + ([f"... and {len(lines) - 12} more"] if len(lines) > 12 else [])


def describe(change: Difference) -> str:
    """One change between two specs, in a line: "getUser (GET /v1/users/{id}): query:limit maximum: 100 -> 50"."""
    if change.operation == "document":
        where, what = change.endpoint, ""
    else:
        where = f"{change.operation} ({change.endpoint})"
        aspect = "" if change.aspect.startswith(change.subject) else change.aspect
        what = " " + " ".join(part for part in (change.subject, aspect, change.item) if part)
    if change.kind == ADDED:
        return f"{where}:{what} added ({change.docs})"
    if change.kind == REMOVED:
        return f"{where}:{what} removed ({change.spec})"
    return f"{where}:{what} {change.spec or '(none)'} -> {change.docs or '(none)'}"


def _spec_version(spec: JsonMap, path: Path) -> str:
    info = spec.get("info")
    version = info.get("version") if isinstance(info, Mapping) else None
    if not isinstance(version, str) or not _VERSION.match(version):
        raise VersionError(f"{display_path(path)}: info.version {version!r} is not x.y.z")
    return version


def newest_release(releases: Path = RELEASES_DIR) -> Version:
    return _newest(releases)[0]


def _newest(releases: Path) -> tuple[Version, Path]:
    recorded = _releases(releases)
    if not recorded:
        raise VersionError(f"no released spec in {display_path(releases)}: record one with `make release-spec`")
    return recorded[-1]


def _releases(releases: Path) -> list[tuple[Version, Path]]:
    found = [(parse_version(path.stem), path) for path in releases.glob("*.yaml") if _VERSION.match(path.stem)]
    return sorted(found)


def _changelog_version(changelog: Path) -> str:
    """The newest `## [x.y.z]` entry of the changelog, read as scripts/publish_spec.py reads it."""
    try:
        return changelog_version(changelog)
    except PublishError as exc:
        raise VersionError(str(exc)) from exc


def parse_version(version: str) -> Version:
    match = _VERSION.match(version)
    if match is None:
        raise VersionError(f"{version!r} is not a version x.y.z")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def _bump_level(old: Version, new: Version) -> str:
    if new[0] > old[0]:
        return MAJOR
    return MINOR if new[1] > old[1] else PATCH


def bumped(version: Version, level: str) -> str:
    major, minor, patch = version
    if level == MAJOR:
        return f"{major + 1}.0.0"
    return f"{major}.{minor + 1}.0" if level == MINOR else f"{major}.{minor}.{patch + 1}"


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spec_version", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("command", choices=("check", "release"))
    parser.add_argument("--spec", type=Path, default=SPEC_PATH)
    parser.add_argument("--changelog", type=Path, default=CHANGELOG_PATH)
    parser.add_argument("--releases", type=Path, default=RELEASES_DIR)
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            target = release(args.spec, args.changelog, args.releases)
            print(f"spec {_spec_version(load_spec(args.spec), args.spec)} recorded as released: {display_path(target)}")
            return 0
        verdict = check(args.spec, args.changelog, args.releases)
    except VersionError as exc:
        print(f"spec_version: {exc}", file=sys.stderr)
        return 1 if args.command == "release" else 2
    except (ErrataError, yaml.YAMLError, ValueError) as exc:
        print(f"spec_version: {exc}", file=sys.stderr)
        return 2
    if verdict.problems:
        print("\n".join(f"spec_version: {problem}" for problem in verdict.problems), file=sys.stderr)
        return 1
    print(verdict.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
