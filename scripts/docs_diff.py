"""Compare a docs snapshot with the spec: the one comparison behind the docs-coverage test and `make docs-diff`.

    python scripts/docs_diff.py DOCS [--spec SPEC] [--format text|json] [--show-excused]

Prints every difference between what the docs state and what the spec says, except those the spec records as
errata; prints "no drift" and exits 0 when there are none, exits 1 when there are, 2 when an input cannot be read.

What is compared, per operation (matched by method and path):
- the operation itself, both ways;
- scopes (and that each documented scope is declared by the OAuth scheme);
- path and query parameters and body fields, both ways, with type, required, default, minimum, maximum, the
  maximum count of a comma-separated ID list ("Maximum: 100 IDs"; in the spec, the repeat count of the pattern's
  `(,...){0,N}` group), and enum values. String lengths and patterns are not compared: the docs cannot state them;
- the response table's fields against the keys of the spec's `data` envelope (names only: the docs mark every
  response field "not required", which the document-wide erratum `response-fields-required` overrides);
- the response example's key structure, and the request example's method, path, query names and body keys,
  against the examples attached to the spec.

How errata excuse a difference:
- a parameter, body-field or scope difference is excused by an erratum with the same subject (`query:limit`,
  `body:name`, `scope`) on the operation or at the document root that records this very difference: its `docs`
  text quotes the docs' value and its `spec` text the spec's. So `limit-type` ("`number`" / "integer") excuses
  number vs integer everywhere, but not a changed default, and an erratum stops excusing once the docs move;
- responses and examples are reconciled by DOCS_CORRECTIONS below: each correction cites the erratum it applies,
  and applies only while the spec records that erratum on the operation and the docs still say what it corrects.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from build_errata import SPEC_PATH, ErrataError, Erratum, load_spec, read_errata
from docs_parser import DocsOperation, DocsParseError, DocsSnapshot, Field, JsonExample, RequestExample, load_docs

__all__ = [
    "ADDED",
    "CHANGED",
    "DOCS_CORRECTIONS",
    "DOCS_FIXTURE",
    "REMOVED",
    "Difference",
    "SpecOperation",
    "compare",
    "declared_scopes",
    "format_json",
    "format_text",
    "key_paths",
    "main",
    "spec_operations",
    "unexcused",
]

ROOT = Path(__file__).resolve().parent.parent
DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"
OPERATION_KEYS = ("get", "put", "post", "delete", "patch")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"  # added: the docs have it, the spec does not
COMPARED_ATTRIBUTES = ("type", "required", "default", "minimum", "maximum", "max_items", "enum")
# Only values a writer can quote are looked up in an erratum's texts; a required flag is not one.
UNQUOTABLE_ASPECTS = frozenset({"required"})
PRESENCE_ASPECTS = frozenset({"parameter", "field"})
_NEGATION = re.compile(r"\b(?:no|not|none|without|omit\w*|drop\w*)\b", re.IGNORECASE)
_LIST_PATTERN = re.compile(r"\(,[^()]*\)\{0,(?P<more>\d+)\}\$?$")

JsonMap = Mapping[str, object]


@dataclass(frozen=True)
class Difference:
    """One way the docs and the spec differ. `docs`/`spec` are rendered values, None where that side has nothing."""

    operation: str  # the operationId; for an operation only the docs have, its endpoint
    endpoint: str  # METHOD /path
    subject: str  # as in errata: "scope", "query:limit", "path:id", "body:name", "response", "example", "operation"
    aspect: str  # what differs: "operation", "parameter", "field", "type", "default", "example key", ...
    kind: str  # added (only the docs have it), removed (only the spec has it) or changed
    docs: str | None
    spec: str | None
    item: str = ""  # the response field or example key concerned
    excused_by: str | None = None  # the id of the erratum that records this difference

    def message(self) -> str:
        where = self.endpoint if self.operation == self.endpoint else f"{self.operation} ({self.endpoint})"
        # "scope scopes" and "operation operation" say one thing twice
        aspect = "" if self.aspect.startswith(self.subject) else self.aspect
        what = " ".join(part for part in (self.subject, aspect, self.item) if part)
        if self.kind == ADDED:
            text = f"{where}: {what}: in the docs, not in the spec"
        elif self.kind == REMOVED:
            text = f"{where}: {what}: in the spec, not in the docs"
        else:
            text = f"{where}: {what}: docs {self.docs or '(not stated)'}, spec {self.spec or '(not stated)'}"
        return text + (f" [erratum {self.excused_by}]" if self.excused_by else "")


@dataclass(frozen=True)
class SpecOperation:
    """An operation of the spec, reduced to what the docs can state."""

    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    path_params: tuple[Field, ...]
    query_params: tuple[Field, ...]
    body_fields: tuple[Field, ...]
    response_fields: tuple[str, ...]  # the keys of the success response's `data` envelope
    response_example: object
    request_example: object
    errata: tuple[Erratum, ...]

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}"


# --- corrections: the docs as the spec's errata read them ---------------------------------------------------------


@dataclass(frozen=True)
class RenameResponseField:
    """The response table names a field differently from the spec (and from its own example)."""

    erratum: str
    docs_name: str
    spec_name: str


@dataclass(frozen=True)
class RenameExampleKey:
    """The response example puts its payload under another key than the spec."""

    erratum: str
    parent: tuple[str, ...]
    docs_key: str
    spec_key: str


@dataclass(frozen=True)
class WrapExample:
    """The response example lacks the envelope its table describes."""

    erratum: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class AcceptRepairedExample:
    """The response example is not valid JSON; the leniently read value stands for it."""

    erratum: str


@dataclass(frozen=True)
class SetAsideRequestExample:
    """The request example calls another path than the operation's (`docs_path`); it is not compared."""

    erratum: str
    docs_path: str


Correction = RenameResponseField | RenameExampleKey | WrapExample | AcceptRepairedExample | SetAsideRequestExample

DOCS_CORRECTIONS: dict[str, tuple[Correction, ...]] = {
    "updateCurrentUser": (WrapExample("me-put-envelope", ("data", "updateUser")),),
    "followArtist": (RenameResponseField("follow-artist-key", "followedArtist", "followArtist"),),
    "unfollowArtist": (RenameExampleKey("unfollow-artist-key", ("data",), "followArtist", "unfollowArtist"),),
    "getUsers": (RenameResponseField("users-key", "user", "users"), AcceptRepairedExample("users-invalid-json")),
    "getCurrentUserFollowedPodcastShows": (SetAsideRequestExample("followed-podcasts-curl", "/v1/albums"),),
    "getUserFollowedUsers": (SetAsideRequestExample("user-followed-users-path", "/v1/users/{id}/followed"),),
}


@dataclass(frozen=True)
class _CorrectedDocs:
    response_fields: tuple[str, ...]
    response_examples: tuple[JsonExample, ...]
    invalid_examples_accepted: bool
    request_example: RequestExample | None


def _apply_corrections(docs: DocsOperation, spec: SpecOperation) -> _CorrectedDocs:
    recorded = {erratum.id for erratum in spec.errata}
    fields = tuple(field.name for field in docs.response_fields)
    examples = docs.response_examples
    accept_invalid = False
    request = docs.request_example
    for correction in DOCS_CORRECTIONS.get(spec.operation_id, ()):
        if correction.erratum not in recorded:
            continue
        if isinstance(correction, RenameResponseField):
            fields = tuple(correction.spec_name if name == correction.docs_name else name for name in fields)
        elif isinstance(correction, RenameExampleKey):
            examples = tuple(replace(e, value=_rename_key(e.value, correction)) for e in examples)
        elif isinstance(correction, WrapExample):
            examples = tuple(replace(e, value=_wrap(e.value, correction.keys)) for e in examples)
        elif isinstance(correction, AcceptRepairedExample):
            accept_invalid = True
        elif request is not None and request.path == correction.docs_path:
            request = None
    return _CorrectedDocs(fields, examples, accept_invalid, request)


def _rename_key(value: object, correction: RenameExampleKey) -> object:
    parent = value
    for key in correction.parent:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict) or correction.docs_key not in parent or correction.spec_key in parent:
        return value
    renamed = json.loads(json.dumps(value))  # a deep copy: the parsed docs stay as the docs say
    target = renamed
    for key in correction.parent:
        target = target[key]
    target[correction.spec_key] = target.pop(correction.docs_key)
    return renamed


def _wrap(value: object, keys: tuple[str, ...]) -> object:
    if isinstance(value, dict) and keys[:1] and keys[0] in value:
        return value  # already enveloped: the docs no longer say what the erratum corrects
    for key in reversed(keys):
        value = {key: value}
    return value


# --- the spec, reduced -------------------------------------------------------------------------------------------


def spec_operations(spec: JsonMap) -> list[SpecOperation]:
    """Every operation of the spec in path order, with its parameters, body fields, response keys and errata."""
    errata_by_operation: dict[str | None, list[Erratum]] = {}
    for erratum in read_errata(spec):
        errata_by_operation.setdefault(erratum.operation_id, []).append(erratum)
    resolver = _Resolver(spec)
    default_security = spec.get("security")
    operations = []
    for path, path_item in _mapping(spec.get("paths")).items():
        path_item = resolver.mapping(path_item)
        shared_params = _as_list(path_item.get("parameters"))
        for method in OPERATION_KEYS:
            if method not in path_item:
                continue
            operation = resolver.mapping(path_item[method])
            operation_id = str(operation.get("operationId") or f"{method.upper()} {path}")
            params = _merged_parameters(resolver, shared_params, _as_list(operation.get("parameters")))
            operations.append(
                SpecOperation(
                    operation_id=operation_id,
                    method=method.upper(),
                    path=str(path),
                    scopes=_scopes(operation.get("security", default_security)),
                    path_params=tuple(resolver.parameter(p) for p in params if p.get("in") == "path"),
                    query_params=tuple(resolver.parameter(p) for p in params if p.get("in") == "query"),
                    body_fields=resolver.body_fields(operation.get("requestBody")),
                    response_fields=resolver.response_fields(operation),
                    response_example=resolver.response_example(operation),
                    request_example=resolver.request_example(operation.get("requestBody")),
                    errata=tuple(errata_by_operation.get(operation_id, ())),
                )
            )
    return operations


def declared_scopes(spec: JsonMap) -> frozenset[str]:
    """The scopes the OAuth 2.0 security schemes declare."""
    resolver = _Resolver(spec)
    schemes = resolver.mapping(resolver.mapping(spec.get("components")).get("securitySchemes"))
    scopes: set[str] = set()
    for scheme in schemes.values():
        for flow in resolver.mapping(resolver.mapping(scheme).get("flows")).values():
            scopes.update(map(str, resolver.mapping(resolver.mapping(flow).get("scopes"))))
    return frozenset(scopes)


def _merged_parameters(resolver: _Resolver, shared: list[object], own: list[object]) -> list[JsonMap]:
    merged: dict[tuple[str, str], JsonMap] = {}
    for raw in [*shared, *own]:  # an operation's parameter overrides the path item's of the same name and place
        param = resolver.mapping(raw)
        merged[(str(param.get("name")), str(param.get("in")))] = param
    return list(merged.values())


def _scopes(security: object) -> tuple[str, ...]:
    scopes: list[str] = []
    for requirement in _as_list(security):
        for scheme_scopes in _mapping(requirement).values():
            scopes += [str(scope) for scope in _as_list(scheme_scopes) if str(scope) not in scopes]
    return tuple(scopes)


def _mapping(value: object) -> JsonMap:
    return value if isinstance(value, Mapping) else {}


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


class _Resolver:
    """Follows local $refs and reads schemas the way the docs' tables describe them."""

    def __init__(self, spec: JsonMap) -> None:
        self.spec = spec

    def resolve(self, node: object) -> object:
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = str(node["$ref"])
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"cannot resolve $ref {ref!r}")
            seen.add(ref)
            node = self.spec
            for part in ref[2:].split("/"):
                node = _mapping(node).get(part.replace("~1", "/").replace("~0", "~"))
        return node

    def mapping(self, node: object) -> JsonMap:
        return _mapping(self.resolve(node))

    def schema(self, node: object) -> JsonMap:
        """The schema, with the properties and required names of its allOf parts merged in."""
        schema = dict(self.mapping(node))
        for part in _as_list(schema.pop("allOf", None)):
            merged = self.schema(part)
            for key, value in merged.items():
                if key == "properties":
                    schema["properties"] = {**_mapping(schema.get("properties")), **_mapping(value)}
                elif key == "required":
                    schema["required"] = [*_as_list(schema.get("required")), *_as_list(value)]
                else:
                    schema.setdefault(key, value)
        return schema

    def field(self, name: str, schema_node: object, required: bool, description: str = "") -> Field:
        schema = self.schema(schema_node)
        data_type = schema.get("type")
        max_items = schema.get("maxItems") if data_type == "array" else None
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and (match := _LIST_PATTERN.search(pattern)):
            max_items = int(match["more"]) + 1
        enum = tuple(str(value) for value in _as_list(schema.get("enum")) if value is not None)
        return Field(
            name=name,
            type=str(data_type) if data_type is not None else "",
            required=required,
            description=description,
            default=_scalar_or_none(schema.get("default")),
            minimum=_number_or_none(schema.get("minimum")),
            maximum=_number_or_none(schema.get("maximum")),
            max_items=max_items if isinstance(max_items, int) else None,
            enum=enum,
        )

    def parameter(self, param: JsonMap) -> Field:
        return self.field(
            str(param.get("name")), param.get("schema"), bool(param.get("required")), str(param.get("description", ""))
        )

    def body_fields(self, request_body: object) -> tuple[Field, ...]:
        content = _mapping(self.mapping(request_body).get("content")).get("application/json")
        schema = self.schema(_mapping(content).get("schema"))
        required = {str(name) for name in _as_list(schema.get("required"))}
        properties = _mapping(schema.get("properties"))
        return tuple(self.field(str(name), node, str(name) in required) for name, node in properties.items())

    def _success_content(self, operation: JsonMap) -> JsonMap:
        responses = _mapping(operation.get("responses"))
        for status in ("200", "201", "202"):
            if status in responses:
                return _mapping(_mapping(self.mapping(responses[status]).get("content")).get("application/json"))
        return {}

    def response_fields(self, operation: JsonMap) -> tuple[str, ...]:
        schema = self.schema(self._success_content(operation).get("schema"))
        data = self.schema(_mapping(schema.get("properties")).get("data"))
        return tuple(map(str, _mapping(data.get("properties"))))

    def response_example(self, operation: JsonMap) -> object:
        return _example(self._success_content(operation))

    def request_example(self, request_body: object) -> object:
        return _example(_mapping(_mapping(self.mapping(request_body).get("content")).get("application/json")))


def _example(media: JsonMap) -> object:
    if "example" in media:
        return media["example"]
    examples = _mapping(media.get("examples"))
    chosen = examples.get("docs", next(iter(examples.values()), None))
    return _mapping(chosen).get("value")


def _number_or_none(value: object) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _scalar_or_none(value: object) -> int | float | str | None:
    return value if isinstance(value, int | float | str) and not isinstance(value, bool) else None


# --- the comparison ----------------------------------------------------------------------------------------------


def key_paths(value: object, prefix: str = "") -> frozenset[str]:
    """Every key path of a JSON value: "data.user.followers.edges[].node.id"; list items share one path."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= key_paths(child, path)
    elif isinstance(value, list):
        for child in value:
            paths |= key_paths(child, f"{prefix}[]")
    return frozenset(paths)


def compare(docs: DocsSnapshot, spec: JsonMap) -> list[Difference]:
    """Every difference between the docs snapshot and the spec, each marked with the erratum that excuses it."""
    operations = spec_operations(spec)
    by_endpoint = {operation.endpoint: operation for operation in operations}
    root_errata = tuple(erratum for erratum in read_errata(spec) if erratum.operation_id is None)
    declared = declared_scopes(spec)
    differences: list[Difference] = []
    matched: set[str] = set()
    for documented in docs.operations:
        counterpart = by_endpoint.get(documented.endpoint)
        if counterpart is None:
            differences.append(
                Difference(
                    documented.endpoint, documented.endpoint, "operation", "operation", ADDED, documented.title, None
                )
            )
            continue
        matched.add(counterpart.endpoint)
        found = _OperationComparison(documented, counterpart, declared).run()
        differences += [_excuse(difference, (*counterpart.errata, *root_errata)) for difference in found]
    for operation in operations:
        if operation.endpoint not in matched:
            differences.append(
                Difference(
                    operation.operation_id,
                    operation.endpoint,
                    "operation",
                    "operation",
                    REMOVED,
                    None,
                    operation.operation_id,
                )
            )
    return differences


def unexcused(differences: Iterable[Difference]) -> list[Difference]:
    return [difference for difference in differences if difference.excused_by is None]


class _OperationComparison:
    """The differences between one documented operation and its counterpart in the spec."""

    def __init__(self, docs: DocsOperation, spec: SpecOperation, declared_scopes: frozenset[str]) -> None:
        self.docs = docs
        self.spec = spec
        self.declared_scopes = declared_scopes
        self.found: list[Difference] = []

    def add(self, subject: str, aspect: str, kind: str, docs: str | None, spec: str | None, item: str = "") -> None:
        self.found.append(
            Difference(self.spec.operation_id, self.spec.endpoint, subject, aspect, kind, docs, spec, item)
        )

    def run(self) -> list[Difference]:
        self.scopes()
        self.fields("path", self.docs.path_params, self.spec.path_params)
        self.fields("query", self.docs.query_params, self.spec.query_params)
        self.fields("body", self.docs.body_fields, self.spec.body_fields)
        corrected = _apply_corrections(self.docs, self.spec)
        self.responses(corrected)
        self.request_example(corrected.request_example)
        return self.found

    def scopes(self) -> None:
        if set(self.docs.scopes) != set(self.spec.scopes):
            self.add("scope", "scopes", CHANGED, ", ".join(self.docs.scopes), ", ".join(self.spec.scopes))
        for scope in self.docs.scopes:
            if scope not in self.declared_scopes:
                self.add("scope", "declared", ADDED, scope, None, scope)

    def fields(self, location: str, documented: tuple[Field, ...], specified: tuple[Field, ...]) -> None:
        aspect = "field" if location == "body" else "parameter"
        spec_by_name = {field.name: field for field in specified}
        for field in documented:
            subject = f"{location}:{field.name}"
            counterpart = spec_by_name.get(field.name)
            if counterpart is None:
                self.add(subject, aspect, ADDED, field.name, None)
                continue
            for attribute in COMPARED_ATTRIBUTES:
                docs_value = _render(getattr(field, attribute))
                spec_value = _render(getattr(counterpart, attribute))
                if docs_value != spec_value:
                    self.add(subject, attribute, CHANGED, docs_value, spec_value)
        documented_names = {field.name for field in documented}
        for field in specified:
            if field.name not in documented_names:
                self.add(f"{location}:{field.name}", aspect, REMOVED, None, field.name)

    def responses(self, corrected: _CorrectedDocs) -> None:
        for name in corrected.response_fields:
            if name not in self.spec.response_fields:
                self.add("response", "field", ADDED, name, None, name)
        for name in self.spec.response_fields:
            if name not in corrected.response_fields:
                self.add("response", "field", REMOVED, None, name, name)
        docs_keys: set[str] = set()
        for example in corrected.response_examples:
            if not example.valid and not corrected.invalid_examples_accepted:
                self.add("example", "valid JSON", CHANGED, example.problem, "valid JSON", f"line {example.line}")
            docs_keys |= key_paths(example.value)
        if not corrected.response_examples and self.spec.response_example is None:
            return
        spec_keys = key_paths(self.spec.response_example)
        for key in sorted(docs_keys - spec_keys):
            self.add("response", "example key", ADDED, key, None, key)
        for key in sorted(spec_keys - docs_keys):
            self.add("response", "example key", REMOVED, None, key, key)

    def request_example(self, request: RequestExample | None) -> None:
        if request is None:
            return
        if request.method is not None and request.method != self.spec.method:
            self.add("example", "request method", CHANGED, request.method, self.spec.method)
        if request.path != self.spec.path:
            self.add("example", "request path", CHANGED, request.path, self.spec.path)
        query_names = {field.name for field in self.docs.query_params}  # the parameters compare with the spec
        for name in request.query:
            if name not in query_names:
                self.add("example", "request query", ADDED, name, None, name)
        docs_body = key_paths(request.body.value) if request.body is not None else frozenset()
        spec_body = key_paths(self.spec.request_example)
        for key in sorted(docs_body - spec_body):
            self.add("example", "request body key", ADDED, key, None, key)
        for key in sorted(spec_body - docs_body):
            self.add("example", "request body key", REMOVED, None, key, key)


def _render(value: object) -> str | None:
    if value is None or value == ():
        return None
    if isinstance(value, bool):
        return "required" if value else "optional"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _excuse(difference: Difference, errata: Sequence[Erratum]) -> Difference:
    if difference.subject != "scope" and not difference.subject.startswith(("query:", "path:", "body:")):
        return difference  # responses and examples are reconciled by DOCS_CORRECTIONS
    for erratum in errata:
        if erratum.subject == difference.subject and _records(erratum, difference):
            return replace(difference, excused_by=erratum.id)
    return difference


def _records(erratum: Erratum, difference: Difference) -> bool:
    """Whether the erratum records this very difference, judged by its `docs` and `spec` texts.

    A value one side states must be quoted in that side's text. For a parameter or field only one side has, the other
    side's text must say it lacks it (a negation: "No `artistIds` parameter."); for an attribute only one side states,
    the other side's text must not quote that value (else it describes the value, not its absence).
    """
    if difference.aspect in UNQUOTABLE_ASPECTS:
        return True
    if difference.aspect in PRESENCE_ASPECTS:
        has, lacks = (erratum.docs, erratum.spec) if difference.kind == ADDED else (erratum.spec, erratum.docs)
        name = difference.subject.partition(":")[2]
        return _quotes(has, name) and _NEGATION.search(lacks) is not None
    return _agrees(erratum.docs, difference.docs, difference.spec) and _agrees(
        erratum.spec, difference.spec, difference.docs
    )


def _agrees(text: str, value: str | None, other: str | None) -> bool:
    if value is not None:
        return _quotes(text, value)
    return other is None or not _quotes(text, other)


def _quotes(text: str, value: str) -> bool:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    return bool(parts) and all(re.search(rf"(?<![\w:]){re.escape(part)}(?![\w:])", text) for part in parts)


# --- the command -------------------------------------------------------------------------------------------------

SECTIONS = (
    ("operations", ("operation",)),
    ("scopes", ("scope",)),
    ("parameters", ("path:", "query:")),
    ("body fields", ("body:",)),
    ("responses", ("response",)),
    ("examples", ("example",)),
)
MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def format_text(differences: Sequence[Difference], show_excused: bool = False) -> str:
    drift = unexcused(differences)
    excused = [difference for difference in differences if difference.excused_by is not None]
    if not drift and not show_excused:
        return "no drift"
    lines = [f"drift: {len(drift)} difference(s); {len(excused)} more recorded as errata"] if drift else ["no drift"]
    lines.append("legend: + only in the docs, - only in the spec, ~ differs")
    shown = [*drift, *excused] if show_excused else drift
    for title, prefixes in SECTIONS:
        members = [difference for difference in shown if difference.subject.startswith(prefixes)]
        if members:
            lines.append(f"{title}:")
            lines += [f"  {MARKS[difference.kind]} {difference.message()}" for difference in members]
    return "\n".join(lines)


def format_json(differences: Sequence[Difference]) -> str:
    drift = unexcused(differences)
    excused = [difference for difference in differences if difference.excused_by is not None]
    document = {
        "drift": bool(drift),
        "differences": [asdict(difference) | {"message": difference.message()} for difference in drift],
        "excused": [asdict(difference) | {"message": difference.message()} for difference in excused],
    }
    return json.dumps(document, indent=2)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="docs_diff", description="Show how a docs snapshot differs from the spec, recorded errata aside."
    )
    parser.add_argument("docs", type=Path, help="a docs text snapshot (like tests/fixtures/docs_user_v1.txt)")
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the OpenAPI file (default: %(default)s)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--show-excused", action="store_true", help="also list the differences errata record")
    args = parser.parse_args(argv)
    try:
        snapshot = load_docs(args.docs)
        differences = compare(snapshot, load_spec(args.spec))
    except OSError as exc:
        print(f"docs_diff: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    except (DocsParseError, ErrataError, ValueError) as exc:
        print(f"docs_diff: {exc}", file=sys.stderr)
        return 2
    report = format_json(differences) if args.format == "json" else format_text(differences, args.show_excused)
    try:
        print(report)
    except BrokenPipeError:  # a reader like `head` went away; the exit status still tells
        sys.stderr.close()
    return 1 if unexcused(differences) else 0


if __name__ == "__main__":
    sys.exit(main())
