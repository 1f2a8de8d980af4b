"""Write spec/ERRATA.md from the spec's `x-doc-errata` entries; `--check` fails when the file is stale.

    python scripts/build_errata.py [--spec SPEC] [--output ERRATA.md] [--check]

Errata live in the spec, at its root (document-wide) and on operations. Each item says it twice: in prose for
readers (`docs`, `spec`, `reason`) and as data for scripts/docs_diff.py: the `aspect` the docs get wrong (a scope, a
parameter's type or bound, a response field's name, an example value ...), `at` where (for the aspects that need it),
`docs-value` (what the docs say; null where they say nothing) and `spec-value` (what the spec chose). docs_diff
excuses a difference only when these values match it exactly, and reports an erratum whose `docs-value` the docs no
longer state as stale. This module reads and validates them (scripts/docs_diff.py reuses `read_errata`) and renders
the Markdown: the document-wide errata first, then each operation's, in the spec's path order.
Exit status: 0 done (or fresh), 1 stale (with --check), 2 the spec or its errata are malformed.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "ASPECTS",
    "ERRATA_PATH",
    "FIELD_ASPECTS",
    "SPEC_PATH",
    "SUBJECTS",
    "ErrataError",
    "Erratum",
    "ErratumValue",
    "display_path",
    "load_spec",
    "main",
    "read_errata",
    "render",
]

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
ERRATA_PATH = ROOT / "spec" / "ERRATA.md"
OPERATION_KEYS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
SUBJECTS = ("scope", "response", "example", "description", "behaviour")
SUBJECT_PREFIXES = ("query:", "path:", "body:")
PROSE_KEYS = ("id", "subject", "docs", "spec", "reason")
VALUE_KEYS = ("aspect", "docs-value", "spec-value")
ERRATUM_KEYS = (*PROSE_KEYS, *VALUE_KEYS, "at")
# The aspects an erratum can record, by subject; a parameter or body-field subject takes FIELD_ASPECTS.
FIELD_ASPECTS = (
    "type",
    "required",
    "default",
    "minimum",
    "maximum",
    "max_items",
    "enum",
    "parameter",
    "field",
    "pattern",
    "max_length",
)
ASPECTS: dict[str, tuple[str, ...]] = {
    "scope": ("scopes",),
    "response": ("field", "required", "example key", "example value", "envelope", "error responses"),
    "example": ("example value", "valid JSON", "request path", "request url", "request continuations"),
    "description": ("text", "pagination note"),
    "behaviour": ("behaviour",),
}
# `at` says where: a key path in the response example ("data.users[0].id"), the parent of a renamed example key
# ("data"), the text holding a phrase ("query:limit", "response:user", "description"), or a response field's name.
ASPECTS_NEEDING_AT = frozenset({"example value", "example key", "text"})
ASPECTS_TAKING_AT = ASPECTS_NEEDING_AT | {"required"}
ErratumValue = str | int | float | tuple[str, ...] | None
_SUBJECT_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ErrataError(ValueError):
    """The spec or one of its errata is malformed; the message names the erratum and the field."""


@dataclass(frozen=True)
class Erratum:
    id: str
    subject: str
    docs: str
    spec: str
    reason: str
    aspect: str
    docs_value: ErratumValue  # None: the docs state nothing (or, for an example value, JSON null)
    spec_value: ErratumValue
    at: str | None
    operation_id: str | None  # None for a document-wide erratum
    method: str | None
    path: str | None

    @property
    def where(self) -> str:
        if self.operation_id is None:
            return "document-wide"
        return f"{self.operation_id} ({self.method} {self.path})"


def load_spec(path: Path | str = SPEC_PATH) -> dict[str, object]:
    """The spec as a dict; ErrataError (naming the file) when it cannot be read."""
    file = Path(path)
    try:
        loaded = yaml.load(file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise ErrataError(f"cannot read the spec {file}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ErrataError(f"the spec {file} is not valid YAML: {exc}") from exc
    if not isinstance(loaded, dict) or not isinstance(loaded.get("paths"), dict):
        raise ErrataError(f"the spec {file} is not an OpenAPI document (no `paths` mapping)")
    return loaded


def read_errata(spec: Mapping[str, object]) -> list[Erratum]:
    """Every erratum, document-wide first, then per operation in path order; validated."""
    errata = _errata_list(spec.get("x-doc-errata"), "the document root", None, None, None)
    paths = spec.get("paths")
    if not isinstance(paths, Mapping):
        raise ErrataError("the spec has no `paths` mapping")
    for path, path_item in paths.items():
        if not isinstance(path_item, Mapping):
            continue
        for method in OPERATION_KEYS:
            operation = path_item.get(method)
            if not isinstance(operation, Mapping):
                continue
            operation_id = str(operation.get("operationId") or f"{method.upper()} {path}")
            where = f"{operation_id} ({method.upper()} {path})"
            errata += _errata_list(operation.get("x-doc-errata"), where, operation_id, method.upper(), str(path))
    seen: dict[str, str] = {}
    for erratum in errata:
        if erratum.id in seen:
            raise ErrataError(f"erratum id {erratum.id!r} is used twice: {seen[erratum.id]} and {erratum.where}")
        seen[erratum.id] = erratum.where
    return errata


def _errata_list(
    raw: object, where: str, operation_id: str | None, method: str | None, path: str | None
) -> list[Erratum]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ErrataError(f"x-doc-errata on {where} is not a list")
    errata = []
    for position, item in enumerate(raw):
        label = f"x-doc-errata[{position}] on {where}"
        if not isinstance(item, Mapping):
            raise ErrataError(f"{label} is not a mapping")
        unknown = sorted(set(map(str, item)) - set(ERRATUM_KEYS))
        if unknown:
            raise ErrataError(f"{label} has unknown keys {', '.join(unknown)} (allowed: {', '.join(ERRATUM_KEYS)})")
        values: dict[str, str] = {}
        for key in (*PROSE_KEYS, "aspect"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise ErrataError(f"{label}: `{key}` is missing or not a non-empty string")
            values[key] = value.strip()
        label = f"erratum {values['id']!r} on {where}"
        subject, aspect = values["subject"], values["aspect"]
        if not _valid_subject(subject):
            raise ErrataError(
                f"{label}: subject {subject!r} is not one of {', '.join(SUBJECTS)}"
                f" or query:<name>, path:<name>, body:<field>"
            )
        allowed = ASPECTS.get(subject, FIELD_ASPECTS)
        if aspect not in allowed:
            raise ErrataError(
                f"{label}: aspect {aspect!r} does not fit subject {subject!r} (one of: {', '.join(allowed)})"
            )
        at = item.get("at")
        if at is not None and (not isinstance(at, str) or not at.strip()):
            raise ErrataError(f"{label}: `at` is not a non-empty string")
        if aspect in ASPECTS_NEEDING_AT and at is None:
            raise ErrataError(f"{label}: aspect {aspect!r} needs `at` (where in the docs the value stands)")
        if at is not None and aspect not in ASPECTS_TAKING_AT:
            raise ErrataError(f"{label}: aspect {aspect!r} takes no `at`")
        errata.append(
            Erratum(
                **values,
                docs_value=_value(item, "docs-value", label),
                spec_value=_value(item, "spec-value", label),
                at=at,
                operation_id=operation_id,
                method=method,
                path=path,
            )
        )
    return errata


def _value(item: Mapping[str, object], key: str, label: str) -> ErratumValue:
    if key not in item:
        raise ErrataError(f"{label}: `{key}` is missing (null when that side states nothing)")
    value = item[key]
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return tuple(value)
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    raise ErrataError(f"{label}: `{key}` is {value!r}, not a string, a number, a list of strings or null")


def _valid_subject(subject: str) -> bool:
    if subject in SUBJECTS:
        return True
    prefix, _, name = subject.partition(":")
    return f"{prefix}:" in SUBJECT_PREFIXES and bool(_SUBJECT_NAME.match(name))


def render(errata: Sequence[Erratum], spec_name: str = "spec/amazon-music-user-v1.yaml") -> str:
    document_wide = [erratum for erratum in errata if erratum.operation_id is None]
    by_operation: dict[str, list[Erratum]] = {}
    for erratum in errata:
        if erratum.operation_id is not None:
            by_operation.setdefault(erratum.where, []).append(erratum)
    lines = [
        "# Errata: where the documentation contradicts itself",
        "",
        f"<!-- Generated by scripts/build_errata.py (`make errata`) from the x-doc-errata of {spec_name}."
        " Do not edit by hand. -->",
        "",
        "The spec follows the Amazon Music Web API User v1 documentation except where the documentation contradicts",
        "itself or leaves a question open. There the spec takes the stricter reading, so that code that works against",
        "the spec and the emulator works against the live API, and the client reads tolerantly. Each decision is",
        f"recorded in the spec as an `x-doc-errata` entry; this page lists them all ({len(errata)}:",
        f"{len(document_wide)} document-wide, {len(errata) - len(document_wide)} on {len(by_operation)} operations).",
        "",
        "Subjects: `scope`, `response`, `example`, `description`, `behaviour`, or the parameter or field concerned",
        "(`query:<name>`, `path:<name>`, `body:<field>`). A document-wide erratum applies to every operation.",
        "",
        "The column *Checked* is the erratum as data: the aspect (and where), the value the docs state and the value",
        "the spec chose. `make docs-diff` excuses only a difference with exactly these values, and reports an erratum",
        "whose docs value a new snapshot no longer states as stale (*not stated*: the docs say nothing on it).",
        "",
        "## Document-wide",
        "",
    ]
    lines += _table(document_wide) if document_wide else ["None.", ""]
    lines += ["## By operation", ""]
    for entries in by_operation.values():
        first = entries[0]
        lines += [f"### {first.operation_id}: `{first.method} {first.path}`", ""]
        lines += _table(entries)
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(errata: Sequence[Erratum]) -> list[str]:
    rows = ["| ID | Subject | The docs say | The spec chose | Why | Checked |", "|---|---|---|---|---|---|"]
    for erratum in errata:
        where = f" at `{erratum.at}`" if erratum.at else ""
        checked = f"{erratum.aspect}{where}: {_shown(erratum.docs_value)} -> {_shown(erratum.spec_value)}"
        cells = [f"`{erratum.id}`", f"`{erratum.subject}`", erratum.docs, erratum.spec, erratum.reason, checked]
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return [*rows, ""]


def _shown(value: ErratumValue) -> str:
    if value is None:
        return "*not stated*"
    text = ", ".join(value) if isinstance(value, tuple) else str(value)
    return f"`{text}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI file (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=ERRATA_PATH, help="the Markdown file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    args = parser.parse_args(argv)
    try:
        text = render(read_errata(load_spec(args.spec)), spec_name=display_path(args.spec))
    except ErrataError as exc:
        print(f"build_errata: {exc}", file=sys.stderr)
        return 2
    output: Path = args.output
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current == text:
            print(f"{display_path(output)} is up to date")
            return 0
        state = "missing" if current is None else "stale"
        print(
            f"{display_path(output)} is {state}: it does not match the spec's x-doc-errata; run `make errata`.",
            file=sys.stderr,
        )
        if current is not None:
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), "on disk", "from the spec", lineterm=""
            )
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        return 1
    output.write_text(text, encoding="utf-8")
    print(f"wrote {display_path(output)}")
    return 0


def display_path(path: Path) -> str:
    """The path relative to the project when it is inside it, else as given."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
