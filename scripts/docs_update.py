"""A docs update in one command: check a new snapshot, show its drift, make it the fixture, and say what to do.

    python scripts/docs_update.py NEW_SNAPSHOT [--spec SPEC] [--fixture FIXTURE]      (make docs-update DOCS=path)

1. The snapshot is parsed; one that does not read as the User v1 page is refused (exit 2) and nothing is replaced.
2. The drift against the spec is printed, as `make docs-diff` prints it.
3. The snapshot replaces tests/fixtures/docs_user_v1.txt (the docs tests' own frozen copy stays as it is).
4. For each change: a spec fragment ready to paste (a new parameter, operation or scope, with type, default, bounds,
   scope and description from the docs table) and the line to paste it after; the erratum to retire when the docs
   no longer say what it records; the places outside the spec that name the operation (a hand edit may be due).
5. The checklist to a green `make test`: paste, `make errata`, the changelog entry and version the changes need,
   `make generate`, `make docs-diff`, `make test`, and `make release-spec` when the version is released.
Exit status: 0 the snapshot replaced (drift or not), 2 refused.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from build_errata import SPEC_PATH, ErrataError, Erratum, display_path, load_spec, read_errata
from docs_diff import (
    ADDED,
    DOCS_FIXTURE,
    REMOVED,
    STALE,
    UNOBSERVABLE_ASPECTS,
    Difference,
    compare,
    format_text,
    required_level,
    unexcused,
)
from docs_parser import API_PREFIX, DocsOperation, DocsParseError, DocsSnapshot, Field, load_docs
from spec_version import RELEASES_DIR, VersionError, bumped, newest_release, parse_version

__all__ = ["Step", "infer_schema", "main", "parameter_fragment", "plan"]

ROOT = Path(__file__).resolve().parent.parent
OPENAPI_TYPES = {"string", "number", "integer", "boolean", "array", "object"}
# Where code outside the spec may name an operation (a method, a command, a handler): listed for a hand edit.
CODE_PLACES = ("overlay", "emulator", "examples")
PARAMETER_INDENT = 8  # a list item under `      parameters:` of an operation
PATH_INDENT = 2  # a path item under `paths:`


@dataclass(frozen=True)
class Step:
    """One thing to do: what and why, a fragment to paste (if any), and the spec line to paste it after."""

    title: str
    details: tuple[str, ...] = ()
    fragment: str | None = None
    after_line: int | None = None  # 1-based line of the spec after which the fragment goes


# --- fragments ---------------------------------------------------------------------------------------------------


def openapi_type(docs_type: str) -> str:
    """The OpenAPI type for a docs table's "Data Type" (User, User[] and other named types become objects, arrays)."""
    lowered = docs_type.strip().lower()
    if lowered.endswith("[]"):
        return "array"
    return lowered if lowered in OPENAPI_TYPES else "object"


def parameter_fragment(field: Field, location: str) -> dict[str, object]:
    """An OpenAPI parameter object saying what the docs table says of `field`."""
    schema: dict[str, object] = {"type": openapi_type(field.type)}
    for key, value in (
        ("minimum", field.minimum),
        ("maximum", field.maximum),
        ("default", field.default),
    ):
        if value is not None:
            schema[key] = value
    if field.enum:
        schema["enum"] = list(field.enum)
    return {
        "name": field.name,
        "in": location,
        "required": field.required or location == "path",
        "description": field.description or field.name,
        "schema": schema,
    }


def infer_schema(value: object) -> dict[str, object]:
    """A schema that the JSON example fits: objects with their properties, arrays with their items' schema."""
    if isinstance(value, dict):
        properties = {str(key): infer_schema(child) for key, child in value.items()}
        return {"type": "object", "properties": properties} if properties else {"type": "object"}
    if isinstance(value, list):
        return {"type": "array", "items": infer_schema(value[0]) if value else {}}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if value is None:
        return {"nullable": True}
    return {"type": "string"}


def operation_fragment(documented: DocsOperation, error_responses: Mapping[str, object]) -> dict[str, object]:
    """A path item with the documented operation, ready to go under `paths:`."""
    operation_id = _operation_id(documented)
    example = documented.response_examples[0].value if documented.response_examples else None
    schema = infer_schema(example)
    data = schema.get("properties", {})
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        schema["required"] = ["data"]  # the document-wide erratum response-fields-required
        data["data"]["required"] = [field.name for field in documented.response_fields]
    parameters = [parameter_fragment(field, "path") for field in documented.path_params]
    parameters += [parameter_fragment(field, "query") for field in documented.query_params]
    operation: dict[str, object] = {
        "operationId": operation_id,
        "tags": ["me" if documented.path.startswith(f"{API_PREFIX}/me") else "users"],
        "summary": documented.title,
        "description": documented.description or documented.title,
        "security": [{"apiKey": [], "lwa": list(documented.scopes)}],
    }
    if parameters:
        operation["parameters"] = parameters
    success = documented.response_fields[0].description if documented.response_fields else documented.title
    content = {"schema": schema, "examples": {"docs": {"summary": "The documentation's example", "value": example}}}
    responses: dict[str, object] = {"200": {"description": success, "content": {"application/json": content}}}
    responses.update(error_responses)
    operation["responses"] = responses
    return {documented.path: {documented.method.lower(): operation}}


def _operation_id(documented: DocsOperation) -> str:
    """An operationId from the docs' title, in the spec's style: "Get User's Followers" -> "getUserFollowers"."""
    words = re.findall(r"[A-Za-z]+", documented.title.replace("'s", ""))
    return words[0].lower() + "".join(word.capitalize() for word in words[1:]) if words else "newOperation"


def _yaml(value: object, indent: int) -> str:
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=120, default_flow_style=False)
    return "".join(" " * indent + line if line.strip() else line for line in text.splitlines(keepends=True))


# --- where things are in the spec's text --------------------------------------------------------------------------


class SpecText:
    """The spec's lines, to say where a fragment goes (by line) and where a parameter is defined."""

    def __init__(self, path: Path, spec: Mapping[str, object]) -> None:
        self.path = path
        self.lines = path.read_text(encoding="utf-8").splitlines()
        self.spec = spec

    def _block_end(self, start: int, indent: int) -> int:
        """The index after the last line of the block opened at `start` (lines indented deeper than `indent`)."""
        end = start + 1
        while end < len(self.lines) and (not self.lines[end].strip() or _indent(self.lines[end]) > indent):
            end += 1
        while end - 1 > start and not self.lines[end - 1].strip():
            end -= 1
        return end

    def _find(self, text: str, start: int = 0, stop: int | None = None) -> int | None:
        for index in range(start, len(self.lines) if stop is None else stop):
            if self.lines[index] == text:
                return index
        return None

    def operation_block(self, path: str, method: str) -> tuple[int, int] | None:
        path_line = self._find(f"{' ' * PATH_INDENT}{path}:")
        if path_line is None:
            return None
        path_end = self._block_end(path_line, PATH_INDENT)
        method_line = self._find(f"{' ' * 4}{method.lower()}:", path_line, path_end)
        return None if method_line is None else (method_line, self._block_end(method_line, 4))

    def parameter_insertion(self, path: str, method: str) -> tuple[int, bool] | None:
        """(the 0-based line to insert after, whether a `parameters:` key must come with the fragment)."""
        block = self.operation_block(path, method)
        if block is None:
            return None
        start, end = block
        parameters = self._find(f"{' ' * 6}parameters:", start, end)
        if parameters is None:
            return start, True
        return self._block_end(parameters, 6) - 1, False

    def paths_end(self) -> int:
        """The 0-based index of the last line of `paths:`."""
        start = self._find("paths:")
        return self._block_end(start if start is not None else 0, 0) - 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# --- the plan ----------------------------------------------------------------------------------------------------


def plan(docs: DocsSnapshot, spec_path: Path, differences: Sequence[Difference]) -> list[Step]:
    """What to do about each difference of the drift, one step each (several differences may share one step)."""
    spec = load_spec(spec_path)
    text = SpecText(spec_path, spec)
    errata = {erratum.id: erratum for erratum in read_errata(spec)}
    by_endpoint = {operation.endpoint: operation for operation in docs.operations}
    steps: list[Step] = []
    hand_edits: list[Difference] = []
    for difference in unexcused(differences):
        step = _step(difference, docs, text, by_endpoint, errata)
        if step is None:
            hand_edits.append(difference)
        else:
            steps.append(step)
    if hand_edits:
        steps.append(
            Step(
                "Hand edits in the spec (responses, examples, renamed keys): make the spec say what the docs say,"
                " or record an erratum where the docs contradict themselves",
                tuple(f"{difference.message()} [{difference.level}]" for difference in hand_edits),
            )
        )
    return steps


def _step(
    difference: Difference,
    docs: DocsSnapshot,
    text: SpecText,
    by_endpoint: Mapping[str, DocsOperation],
    errata: Mapping[str, Erratum],
) -> Step | None:
    where = f"{difference.operation} ({difference.endpoint})"
    method, _, path = difference.endpoint.partition(" ")
    if difference.kind == STALE:
        return _retire(errata[difference.item], difference)
    if difference.subject == "operation" and difference.kind == ADDED:
        documented = by_endpoint[difference.endpoint]
        fragment = operation_fragment(documented, _error_responses(text.spec))
        exists = path in _mapping(text.spec.get("paths"))
        details = [
            f"the docs' new operation {documented.title!r} ({difference.endpoint}), a {difference.level} change",
            "check the operationId, give the inferred response schema named components ($ref) where they exist",
        ]
        if exists:
            details.append(f"{path} is already in the spec: paste only the `{method.lower()}:` block under it")
        details += _code_mentions(_operation_id(documented))
        paste = _yaml(fragment, PATH_INDENT)
        return Step(f"Add {difference.endpoint} to the spec", tuple(details), paste, text.paths_end() + 1)
    if difference.subject == "operation":
        return Step(
            f"Remove {where} from the spec (a major change), or keep it and record why",
            (f"the docs no longer document {difference.endpoint}",),
        )
    if difference.subject.startswith(("query:", "path:")) and difference.kind == ADDED:
        location, _, name = difference.subject.partition(":")
        documented_field = _documented_field(by_endpoint[_docs_endpoint(difference, by_endpoint)], location, name)
        insertion = text.parameter_insertion(path, method)
        pasted = _yaml([parameter_fragment(documented_field, location)], PARAMETER_INDENT)
        if insertion is not None and insertion[1]:
            pasted = " " * 6 + "parameters:\n" + pasted
        return Step(
            f"Add the {location} parameter `{name}` to {where}",
            (
                f"{'a required' if documented_field.required else 'an optional'} parameter ({difference.level})",
                *_code_mentions(difference.operation),
            ),
            pasted,
            insertion[0] + 1 if insertion is not None else None,
        )
    if difference.subject == "scope" and difference.aspect == "scopes":
        scopes = [scope.strip() for scope in (difference.docs or "").split(",") if scope.strip()]
        security = _yaml({"security": [{"apiKey": [], "lwa": scopes}]}, 6)
        block = text.operation_block(path, method)
        return Step(
            f"Set the scope of {where} to {', '.join(scopes)} (a major change: tokens with the old scope fail)",
            ("replace the operation's `security:` with:",),
            security,
            block[0] + 1 if block is not None else None,
        )
    if difference.subject.startswith(("query:", "path:", "body:")):
        return _field_step(difference, text, where)
    return None


def _field_step(difference: Difference, text: SpecText, where: str) -> Step:
    location, _, name = difference.subject.partition(":")
    if difference.kind == REMOVED:
        return Step(f"Remove `{name}` from {where} (a major change), or keep it and record an erratum")
    if difference.kind == ADDED:  # a body field
        return Step(f"Add the body field `{name}` to the request schema of {where} ({difference.level})")
    keyword = {"max_items": "the pattern's repeat count (comma-separated IDs)", "required": "required"}.get(
        difference.aspect, f"schema.{difference.aspect}"
    )
    details = [f"docs {difference.docs or '(not stated)'}, spec {difference.spec or '(not stated)'}"]
    defined = _parameter_definition(text.spec, difference, location, name)
    if defined:
        details.append(defined)
    return Step(
        f"Set {keyword} of `{name}` on {where} to {difference.docs or '(none)'} ({difference.level})", tuple(details)
    )


def _retire(erratum: Erratum, difference: Difference) -> Step:
    places = _mentions(erratum.id)
    details = [
        f"the docs no longer state what it records ({erratum.aspect}: {difference.spec or 'not stated'}):"
        f" {difference.docs}",
        f"delete its entry from x-doc-errata ({erratum.where}); check that the spec's choice ({erratum.spec})"
        " still fits the docs; then `make errata`",
    ]
    details += [f"a workaround cites it: {place}" for place in places]
    return Step(f"Retire the erratum {erratum.id}", tuple(details))


def _code_mentions(operation_id: str) -> list[str]:
    """The places outside the spec that name the operation: each may need a hand edit (a method, a command)."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()
    places = sorted(set(_mentions(operation_id)) | set(_mentions(snake)))
    if not places:
        return ["no code outside the spec names this operation"]
    return ["code outside the spec that names it (expose the change there unless it reads the spec):", *places]


def _mentions(text: str) -> list[str]:
    """file:line of every mention of `text` in the code outside the spec (overlay, emulator, examples)."""
    found: list[str] = []
    for folder in CODE_PLACES:
        base = ROOT / folder
        if not base.is_dir():
            continue
        for file in sorted(base.rglob("*")):
            if file.suffix not in (".py", ".ts") or "node_modules" in file.parts:
                continue
            for number, line in enumerate(file.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if text in line:
                    found.append(f"{file.relative_to(ROOT)}:{number}")
    return found


def _documented_field(documented: DocsOperation, location: str, name: str) -> Field:
    fields = {"path": documented.path_params, "query": documented.query_params, "body": documented.body_fields}
    return next(field for field in fields[location] if field.name == name)


def _docs_endpoint(difference: Difference, by_endpoint: Mapping[str, DocsOperation]) -> str:
    return difference.endpoint if difference.endpoint in by_endpoint else next(iter(by_endpoint))


def _parameter_definition(spec: Mapping[str, object], difference: Difference, location: str, name: str) -> str:
    """Where the parameter is defined, and how many operations share that definition."""
    method, _, path = difference.endpoint.partition(" ")
    operation = _mapping(_mapping(_mapping(spec.get("paths")).get(path)).get(method.lower()))
    for parameter in _list(operation.get("parameters")):
        reference = _mapping(parameter).get("$ref")
        if isinstance(reference, str):
            component = reference.rpartition("/")[2]
            target = _mapping(_mapping(_mapping(spec.get("components")).get("parameters")).get(component))
            if (target.get("name"), target.get("in")) == (name, location):
                users = sum(1 for _ in _references(spec, reference))
                shared = f", shared by {users} operations: give this one its own parameter if only it changes"
                return f"defined in components/parameters/{component}{shared if users > 1 else ''}"
    return ""


def _references(node: object, reference: str) -> Iterator[None]:
    if isinstance(node, Mapping):
        if node.get("$ref") == reference:
            yield None
        for child in node.values():
            yield from _references(child, reference)
    elif isinstance(node, list):
        for child in node:
            yield from _references(child, reference)


def _error_responses(spec: Mapping[str, object]) -> dict[str, object]:
    """The error responses every operation of the spec has today (the first operation's $ref responses)."""
    for path_item in _mapping(spec.get("paths")).values():
        for operation in _mapping(path_item).values():
            responses = _mapping(_mapping(operation).get("responses"))
            if responses:
                return {str(status): dict(_mapping(value)) for status, value in responses.items() if status != "200"}
    return {}


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


# --- the checklist -----------------------------------------------------------------------------------------------


def checklist(spec: Mapping[str, object], differences: Sequence[Difference], steps: Sequence[Step]) -> list[str]:
    drift = unexcused(differences)
    level = required_level(drift)
    info = _mapping(spec.get("info"))
    current = str(info.get("version", "0.0.0"))
    try:
        released = newest_release(RELEASES_DIR)
    except VersionError:
        released = None
    version_line = f"set info.version (now {current}) and add a changelog entry"
    if level is not None and released is not None:
        wanted = bumped(released, level)
        if parse_version(current) >= parse_version(wanted):
            version_line = (
                f"info.version {current} already covers a {level} change since the released"
                f" {'.'.join(map(str, released))}: add your lines to its `## [{current}]` entry in spec/CHANGELOG.md"
            )
        else:
            version_line = (
                f"add `## [{wanted}] - <date>` to spec/CHANGELOG.md (what changed, for users of the spec) and set"
                f" info.version to {wanted} (a {level} change)"
            )
    items = [
        "paste each fragment above into spec/amazon-music-user-v1.yaml at its line (from the bottom up, so that"
        " the line numbers hold), and make the hand edits listed",
    ]
    if any(difference.kind == STALE for difference in drift):
        items.append("after retiring errata: `make errata` (rebuilds spec/ERRATA.md)")
    items += [
        version_line,
        "`make generate`, and review the diff of generated/",
        "`make docs-diff`: it prints `no drift`",
        "`make test`",
        "when this version is released: `make release-spec` (records spec/releases/<version>.yaml)",
    ]
    return [f"{number}. {item}" for number, item in enumerate(items, 1)]


def _render_steps(steps: Sequence[Step]) -> list[str]:
    lines: list[str] = []
    for number, step in enumerate(steps, 1):
        lines.append(f"[{number}] {step.title}")
        lines += [f"    {detail}" for detail in step.details]
        if step.fragment is not None:
            where = f"after line {step.after_line}" if step.after_line is not None else "where it belongs"
            lines.append(f"    paste into spec/amazon-music-user-v1.yaml {where}:")
            lines += ["    | " + line for line in step.fragment.rstrip("\n").splitlines()]
    return lines


def _unobservable(spec: Mapping[str, object]) -> list[str]:
    return [erratum.id for erratum in read_errata(spec) if erratum.aspect in UNOBSERVABLE_ASPECTS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docs_update", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("docs", type=Path, help="the new docs text snapshot")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH)
    parser.add_argument("--fixture", type=Path, default=DOCS_FIXTURE, help="the snapshot to replace")
    args = parser.parse_args(argv)
    try:
        docs = load_docs(args.docs)
    except (OSError, DocsParseError) as exc:
        problem = f"cannot read {exc.filename}: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
        print(f"docs_update: {problem}", file=sys.stderr)
        print(f"docs_update: refused: {args.docs} does not read as the User v1 page; nothing replaced", file=sys.stderr)
        return 2
    try:
        spec = load_spec(args.spec)
        differences = compare(docs, spec)
        steps = plan(docs, args.spec, differences)
    except (ErrataError, ValueError) as exc:
        print(f"docs_update: {exc}", file=sys.stderr)
        return 2
    print(format_text(differences))
    if args.docs.resolve() != args.fixture.resolve():
        shutil.copyfile(args.docs, args.fixture)
        print(f"\nreplaced {display_path(args.fixture)} with {args.docs}")
    if not unexcused(differences):
        print("the spec already says what these docs say: nothing else to do")
        return 0
    print("\nwhat to do, change by change:")
    print("\n".join(_render_steps(steps)))
    print("\nchecklist:")
    print("\n".join(checklist(spec, differences, steps)))
    unobservable = _unobservable(spec)
    if unobservable:
        print(f"\nerrata no snapshot can confirm (read them against the new page): {', '.join(unobservable)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
