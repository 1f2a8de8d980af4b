"""Compare a docs snapshot with the spec: the one comparison behind the docs-coverage test and `make docs-diff`.

    python scripts/docs_diff.py DOCS [--spec SPEC] [--format text|json] [--show-excused]

Prints every difference between what the docs state and what the spec says, except those the spec records as
errata, and every erratum the docs no longer bear out (stale); prints "no drift" and exits 0 when there are none,
exits 1 when there are (drift), 2 when an input is refused: a snapshot that does not read as the User v1 page (empty,
binary, HTML, cut short, a table or an example missing) is named with the line where it stopped making sense, and is
never reported as drift. Each difference carries the version bump the spec needs to follow it (major, minor, patch).

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

How errata are applied (each erratum is data: `aspect`, `at`, `docs-value`, `spec-value`; see build_errata.py):
- a parameter, body-field or scope difference is excused by an erratum on the operation or at the document root
  with the same subject and aspect whose `docs-value` and `spec-value` are exactly the two sides' values. So
  `limit-type` (type: number -> integer) excuses number vs integer everywhere, but not a changed default;
- responses and examples are corrected by their operation's errata before they are compared: a renamed table field
  (`field`), a renamed example key (`example key`), a missing envelope (`envelope`), an example that is not valid
  JSON (`valid JSON`), a request example calling another path (`request path`);
- every erratum is checked against the snapshot: one whose `docs-value` the docs no longer state (the example now
  parses, the key now matches, the path is now right, the scope changed) is stale, and stale is drift.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from dataclasses import field as dataclass_field
from pathlib import Path

from build_errata import SPEC_PATH, ErrataError, Erratum, load_spec, read_errata
from docs_parser import DocsOperation, DocsParseError, DocsSnapshot, Field, JsonExample, RequestExample, load_docs

__all__ = [
    "ADDED",
    "CHANGED",
    "DOCS_FIXTURE",
    "LEVELS",
    "REMOVED",
    "STALE",
    "Difference",
    "SpecOperation",
    "compare",
    "declared_scopes",
    "field_differences",
    "format_json",
    "format_text",
    "key_paths",
    "located_fields",
    "main",
    "required_level",
    "spec_operations",
    "unexcused",
]

ROOT = Path(__file__).resolve().parent.parent
DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"
OPERATION_KEYS = ("get", "put", "post", "delete", "patch")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"  # added: the docs have it, the spec does not
STALE = "stale"  # an erratum whose docs value the docs no longer state
COMPARED_ATTRIBUTES = ("type", "required", "default", "minimum", "maximum", "max_items", "enum")
# The version bump a change to the spec needs, smallest first (semantic versioning of the described contract).
PATCH, MINOR, MAJOR = "patch", "minor", "major"
LEVELS = (PATCH, MINOR, MAJOR)
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
    item: str = ""  # the response field or example key concerned; for a stale erratum, its id
    excused_by: str | None = None  # the id of the erratum that records this difference
    # The version bump bringing the spec in line needs (patch, minor, major); not part of what the difference is.
    level: str = dataclass_field(default=PATCH, compare=False)

    def message(self) -> str:
        where = self.endpoint if self.operation == self.endpoint else f"{self.operation} ({self.endpoint})"
        if self.kind == STALE:
            return f"{where}: erratum {self.item} no longer applies: {self.docs}"
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
class _CorrectedDocs:
    response_fields: tuple[str, ...]
    response_examples: tuple[JsonExample, ...]
    invalid_examples_accepted: bool
    request_example: RequestExample | None


def _apply_corrections(docs: DocsOperation, spec: SpecOperation) -> _CorrectedDocs:
    """The docs' responses and examples as the operation's errata correct them: each erratum's data says how."""
    fields = tuple(field.name for field in docs.response_fields)
    examples = docs.response_examples
    accept_invalid = False
    request = docs.request_example
    for erratum in spec.errata:
        docs_value, spec_value = _render(erratum.docs_value), _render(erratum.spec_value)
        if erratum.subject == "response" and erratum.aspect == "field":
            fields = tuple(spec_value or name if name == docs_value else name for name in fields)
        elif erratum.aspect == "example key" and docs_value and spec_value:
            parent = tuple(str(erratum.at).split("."))
            examples = tuple(replace(e, value=_rename_key(e.value, parent, docs_value, spec_value)) for e in examples)
        elif erratum.aspect == "envelope" and spec_value:
            examples = tuple(replace(e, value=_wrap(e.value, tuple(spec_value.split(".")))) for e in examples)
        elif erratum.aspect == "valid JSON":
            accept_invalid = True
        elif erratum.aspect == "request path" and request is not None and request.path == docs_value:
            request = None
    return _CorrectedDocs(fields, examples, accept_invalid, request)


def _rename_key(value: object, parent_path: tuple[str, ...], docs_key: str, spec_key: str) -> object:
    parent = value
    for key in parent_path:
        parent = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(parent, dict) or docs_key not in parent or spec_key in parent:
        return value
    renamed = json.loads(json.dumps(value))  # a deep copy: the parsed docs stay as the docs say
    target = renamed
    for key in parent_path:
        target = target[key]
    target[spec_key] = target.pop(docs_key)
    return renamed


def _wrap(value: object, keys: tuple[str, ...]) -> object:
    if isinstance(value, dict) and keys[:1] and keys[0] in value:
        return value  # already enveloped: the docs no longer say what the erratum corrects
    for key in reversed(keys):
        value = {key: value}
    return value


# --- the spec, reduced -------------------------------------------------------------------------------------------


def spec_operations(spec: JsonMap, with_errata: bool = True) -> list[SpecOperation]:
    """Every operation of the spec in path order, with its parameters, body fields, response keys and errata (unless
    `with_errata` is false: an older spec's errata may predate today's erratum format)."""
    errata_by_operation: dict[str | None, list[Erratum]] = {}
    for erratum in read_errata(spec) if with_errata else ():
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
    """Every difference between the docs snapshot and the spec, each marked with the erratum that excuses it, and
    every erratum the docs no longer bear out (kind STALE)."""
    operations = spec_operations(spec)
    by_endpoint = {operation.endpoint: operation for operation in operations}
    root_errata = tuple(erratum for erratum in read_errata(spec) if erratum.operation_id is None)
    declared = declared_scopes(spec)
    differences: list[Difference] = []
    matched: dict[str, DocsOperation] = {}
    for documented in docs.operations:
        counterpart = by_endpoint.get(documented.endpoint)
        if counterpart is None:
            differences.append(
                Difference(
                    documented.endpoint,
                    documented.endpoint,
                    "operation",
                    "operation",
                    ADDED,
                    documented.title,
                    None,
                    level=MINOR,
                )
            )
            continue
        matched[counterpart.endpoint] = documented
        found = _OperationComparison(documented, counterpart, declared).run()
        differences += [_excuse(difference, (*counterpart.errata, *root_errata)) for difference in found]
        differences += [
            _stale_difference(erratum, counterpart.operation_id, counterpart.endpoint, now)
            for erratum in counterpart.errata
            if (now := no_longer_stated(erratum, (documented,))) is not None
        ]
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
                    level=MAJOR,
                )
            )
    differences += [
        _stale_difference(erratum, DOCUMENT_WIDE, DOCUMENT_WIDE, now)
        for erratum in root_errata
        if (now := no_longer_stated(erratum, docs.operations)) is not None
    ]
    return differences


def unexcused(differences: Iterable[Difference]) -> list[Difference]:
    return [difference for difference in differences if difference.excused_by is None]


def field_differences(
    operation_id: str, endpoint: str, location: str, documented: Sequence[Field], specified: Sequence[Field]
) -> list[Difference]:
    """How the `documented` fields (or a new spec's) differ from the `specified` ones, each with its version level."""
    aspect = "field" if location == "body" else "parameter"
    found: list[Difference] = []
    spec_by_name = {field.name: field for field in specified}
    for documented_field in documented:
        subject = f"{location}:{documented_field.name}"
        counterpart = spec_by_name.get(documented_field.name)
        if counterpart is None:
            level = MAJOR if documented_field.required else MINOR  # a new required parameter breaks callers
            found.append(
                Difference(operation_id, endpoint, subject, aspect, ADDED, documented_field.name, None, level=level)
            )
            continue
        for attribute in COMPARED_ATTRIBUTES:
            docs_value = _attribute(documented_field, attribute)
            spec_value = _render(getattr(counterpart, attribute))
            if docs_value != spec_value:
                level = attribute_level(
                    attribute, getattr(documented_field, attribute), getattr(counterpart, attribute)
                )
                found.append(
                    Difference(operation_id, endpoint, subject, attribute, CHANGED, docs_value, spec_value, level=level)
                )
    documented_names = {documented_field.name for documented_field in documented}
    for specified_field in specified:
        if specified_field.name not in documented_names:
            subject = f"{location}:{specified_field.name}"
            found.append(
                Difference(operation_id, endpoint, subject, aspect, REMOVED, None, specified_field.name, level=MAJOR)
            )
    return found


def located_fields(operation: DocsOperation | SpecOperation) -> tuple[tuple[str, tuple[Field, ...]], ...]:
    """An operation's path parameters, query parameters and body fields, each with its location."""
    return (("path", operation.path_params), ("query", operation.query_params), ("body", operation.body_fields))


def _attribute(documented: Field, attribute: str) -> str | None:
    """The docs' value of an attribute, rendered; a bound the parser could not read says so, quoting the docs."""
    for unread_attribute, phrase in documented.unparsed:
        if unread_attribute == attribute:
            return f"not understood: {phrase!r}"
    return _render(getattr(documented, attribute))


def attribute_level(attribute: str, new: object, old: object) -> str:
    """The version bump a change of one attribute from `old` to `new` needs."""
    if attribute in ("type", "scopes"):
        return MAJOR
    if attribute == "required":
        return MAJOR if new else MINOR
    if attribute in ("maximum", "max_items", "minimum"):
        if new is None or old is None:
            return MINOR if new is None else MAJOR  # a bound dropped widens; a bound added narrows
        if not isinstance(new, int | float) or not isinstance(old, int | float):
            return MAJOR
        narrower = new < old if attribute != "minimum" else new > old
        return MAJOR if narrower else MINOR
    if attribute == "enum":
        return MAJOR if set(_as_tuple(old)) - set(_as_tuple(new)) else MINOR
    return MINOR  # a default: callers that rely on it see another behaviour, nothing they send breaks


def _as_tuple(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, tuple | list) else ()


class _OperationComparison:
    """The differences between one documented operation and its counterpart in the spec."""

    def __init__(self, docs: DocsOperation, spec: SpecOperation, declared_scopes: frozenset[str]) -> None:
        self.docs = docs
        self.spec = spec
        self.declared_scopes = declared_scopes
        self.found: list[Difference] = []

    def add(
        self,
        subject: str,
        aspect: str,
        kind: str,
        docs: str | None,
        spec: str | None,
        item: str = "",
        level: str = PATCH,
    ) -> None:
        self.found.append(
            Difference(self.spec.operation_id, self.spec.endpoint, subject, aspect, kind, docs, spec, item, level=level)
        )

    def run(self) -> list[Difference]:
        self.scopes()
        for (location, documented), (_, specified) in zip(
            located_fields(self.docs), located_fields(self.spec), strict=True
        ):
            self.found += field_differences(self.spec.operation_id, self.spec.endpoint, location, documented, specified)
        corrected = _apply_corrections(self.docs, self.spec)
        self.responses(corrected)
        self.request_example(corrected.request_example)
        return self.found

    def scopes(self) -> None:
        if set(self.docs.scopes) != set(self.spec.scopes):
            docs, spec = ", ".join(self.docs.scopes), ", ".join(self.spec.scopes)
            self.add("scope", "scopes", CHANGED, docs, spec, level=MAJOR)
        for scope in self.docs.scopes:
            if scope not in self.declared_scopes:
                self.add("scope", "declared", ADDED, scope, None, scope, level=MINOR)

    def responses(self, corrected: _CorrectedDocs) -> None:
        for name in corrected.response_fields:
            if name not in self.spec.response_fields:
                self.add("response", "field", ADDED, name, None, name, level=MINOR)
        for name in self.spec.response_fields:
            if name not in corrected.response_fields:
                self.add("response", "field", REMOVED, None, name, name, level=MAJOR)
        docs_keys: set[str] = set()
        for example in corrected.response_examples:
            if not example.valid and not corrected.invalid_examples_accepted:
                self.add("example", "valid JSON", CHANGED, example.problem, "valid JSON", f"line {example.line}")
            docs_keys |= key_paths(example.value)
        if not corrected.response_examples and self.spec.response_example is None:
            return
        spec_keys = key_paths(self.spec.response_example)
        added, removed = set(docs_keys - spec_keys), set(spec_keys - docs_keys)
        for new_key, old_key in _renamed_keys(added, removed):
            self.add("response", "renamed key", CHANGED, new_key, old_key, old_key, level=MAJOR)
            added -= {new_key} | {key for key in added if key.startswith((new_key + ".", new_key + "["))}
            removed -= {old_key} | {key for key in removed if key.startswith((old_key + ".", old_key + "["))}
        for key in sorted(added):
            self.add("response", "example key", ADDED, key, None, key, level=MINOR)
        for key in sorted(removed):
            self.add("response", "example key", REMOVED, None, key, key, level=MAJOR)

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


def _renamed_keys(added: set[str], removed: set[str]) -> list[tuple[str, str]]:
    """(new, old) key paths that look renamed: the only key added and the only key removed under one parent."""
    by_parent: dict[str, tuple[list[str], list[str]]] = {}
    for keys, side in ((added, 0), (removed, 1)):
        for key in keys:
            parent = _parent_key(key)
            if parent not in keys:  # the top of what was added or removed
                by_parent.setdefault(parent, ([], []))[side].append(key)
    return [(news[0], olds[0]) for news, olds in by_parent.values() if len(news) == len(olds) == 1]


def _parent_key(key: str) -> str:
    """ "data.user.name" -> "data.user"; "data.users[]" -> "data.users"; "data" -> ""."""
    if key.endswith("[]"):
        return key[:-2]
    return key.rpartition(".")[0]


def _render(value: object) -> str | None:
    if value is None or value == ():
        return None
    if isinstance(value, bool):
        return "required" if value else "optional"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _excuse(difference: Difference, errata: Sequence[Erratum]) -> Difference:
    """The difference, marked with the erratum that records exactly it: same subject and aspect, same two values."""
    for erratum in errata:
        if (
            (erratum.subject, erratum.aspect) == (difference.subject, difference.aspect)
            and _render(erratum.docs_value) == difference.docs
            and _render(erratum.spec_value) == difference.spec
        ):
            return replace(difference, excused_by=erratum.id)
    return difference


# --- stale errata: the docs no longer say what an erratum records ------------------------------------------------

DOCUMENT_WIDE = "document-wide"
# What no snapshot can show: the docs' silence on errors and behaviour. `make docs-update` lists them for a reader.
UNOBSERVABLE_ASPECTS = frozenset({"error responses", "behaviour"})
_KEY_STEP = re.compile(r"(?P<key>[^.\[\]]+)|\[(?P<index>\d+)\]")


def no_longer_stated(erratum: Erratum, documented: Sequence[DocsOperation]) -> str | None:
    """None while the docs still state the erratum's docs value; else what they say now, in a few words."""
    aspect, value = erratum.aspect, _render(erratum.docs_value)
    if aspect in UNOBSERVABLE_ASPECTS:
        return None
    if erratum.subject.startswith(("query:", "path:", "body:")):
        return _field_no_longer_stated(erratum, documented)
    if aspect == "scopes":
        now = sorted({", ".join(operation.scopes) for operation in documented})
        return None if value in now else f"the docs now say {' / '.join(now)}, not {value}"
    if aspect == "field":
        names = [field.name for operation in documented for field in operation.response_fields]
        return None if value in names else f"the response table now names {', '.join(names) or 'nothing'}"
    if aspect == "required":
        rows = [f for operation in documented for f in operation.response_fields if erratum.at in (None, f.name)]
        return None if any(not row.required for row in rows) else "the response table now marks them required"
    if aspect == "pagination note":
        stated = any(operation.mentions_pagination for operation in documented)
        return None if stated else "the page no longer links to pagination"
    if aspect == "text":
        texts = [_text_at(operation, str(erratum.at)) for operation in documented]
        found = any(value is not None and value.lower() in text.lower() for text in texts)
        return None if found else f"{erratum.at} now reads {' / '.join(repr(text) for text in texts)}"
    return _example_no_longer_stated(erratum, documented)


def _field_no_longer_stated(erratum: Erratum, documented: Sequence[DocsOperation]) -> str | None:
    location, _, name = erratum.subject.partition(":")
    fields = [field for operation in documented for field in _fields_at(operation, location) if field.name == name]
    if not fields:
        return f"the docs no longer document {erratum.subject}"
    if erratum.aspect in ("parameter", "field", "pattern", "max_length"):
        return None  # present; the docs cannot state a pattern or a length
    value = _render(erratum.docs_value)
    now = sorted({_attribute(field, erratum.aspect) or "not stated" for field in fields})
    if value in now or (value is None and "not stated" in now):
        return None
    stated = f"{erratum.subject} {erratum.aspect} {' / '.join(now)}"
    return f"the docs now state {stated} (the erratum: {value or 'not stated'})"


def _example_no_longer_stated(erratum: Erratum, documented: Sequence[DocsOperation]) -> str | None:
    aspect, value = erratum.aspect, erratum.docs_value
    examples = [example for operation in documented for example in operation.response_examples]
    requests = [operation.request_example for operation in documented if operation.request_example is not None]
    if aspect == "valid JSON":
        return None if any(not example.valid for example in examples) else "the example now parses"
    if aspect == "envelope":
        bare = any(not (isinstance(e.value, dict) and "data" in e.value) for e in examples)
        return None if bare else "the example now has its `data` envelope"
    if aspect == "example value":
        found = [_value_at(example.value, str(erratum.at)) for example in examples]
        if any(present and now == value for present, now in found):
            return None
        shown = [json.dumps(now) if present else "nothing" for present, now in found]
        return f"the example now has {' / '.join(shown) or 'nothing'} at {erratum.at}"
    if aspect == "example key":
        parents = [_value_at(example.value, str(erratum.at)) for example in examples]
        keys = sorted(
            {str(key) for present, parent in parents if present and isinstance(parent, dict) for key in parent}
        )
        return None if value in keys else f"the example now has {', '.join(keys) or 'no key'} under {erratum.at}"
    if aspect == "request path":
        paths = [request.path for request in requests]
        return None if value in paths else f"the request example now calls {' / '.join(paths) or 'nothing'}"
    if aspect == "request url":
        urls = [request.url for request in requests]
        return None if any(str(value) in url for url in urls) else f"the request example is now {' / '.join(urls)}"
    if aspect == "request continuations":
        broken = any(not request.continued for request in requests)
        return None if broken else "the request example now continues its lines"
    raise ErrataError(f"erratum {erratum.id!r}: docs_diff cannot check aspect {aspect!r}")


def _fields_at(operation: DocsOperation, location: str) -> tuple[Field, ...]:
    return {"path": operation.path_params, "query": operation.query_params, "body": operation.body_fields}[location]


def _text_at(operation: DocsOperation, at: str) -> str:
    """The docs text an erratum's `at` names: "description", "response:<field>" or "query:<name>" (path:, body:)."""
    if at == "description":
        return operation.description
    location, _, name = at.partition(":")
    rows = operation.response_fields if location == "response" else _fields_at(operation, location)
    return " ".join(row.description for row in rows if row.name == name)


def _value_at(value: object, path: str) -> tuple[bool, object]:
    """(found, value) at a key path like "data.users[0].id"."""
    for step in _KEY_STEP.finditer(path):
        if step["key"] is not None:
            if not isinstance(value, dict) or step["key"] not in value:
                return False, None
            value = value[step["key"]]
        else:
            index = int(step["index"])
            if not isinstance(value, list) or index >= len(value):
                return False, None
            value = value[index]
    return True, value


def _stale_difference(erratum: Erratum, operation: str, endpoint: str, now: str) -> Difference:
    return Difference(
        operation, endpoint, erratum.subject, "erratum", STALE, now, _render(erratum.docs_value), erratum.id
    )


# --- the command -------------------------------------------------------------------------------------------------

SECTIONS = (
    ("operations", ("operation",)),
    ("scopes", ("scope",)),
    ("parameters", ("path:", "query:")),
    ("body fields", ("body:",)),
    ("responses", ("response",)),
    ("examples", ("example",)),
)
MARKS = {ADDED: "+", REMOVED: "-", CHANGED: "~", STALE: "!"}


def required_level(differences: Iterable[Difference]) -> str | None:
    """The largest version bump the differences ask for; None when there are none."""
    levels = [difference.level for difference in differences]
    return max(levels, key=LEVELS.index) if levels else None


def format_text(differences: Sequence[Difference], show_excused: bool = False) -> str:
    drift = unexcused(differences)
    excused = [difference for difference in differences if difference.excused_by is not None]
    if not drift and not show_excused:
        return "no drift"
    lines = [f"drift: {len(drift)} difference(s); {len(excused)} more recorded as errata"] if drift else ["no drift"]
    lines.append("legend: + only in the docs, - only in the spec, ~ differs, ! an erratum the docs no longer bear out")
    shown = [*drift, *excused] if show_excused else drift
    stale = [difference for difference in shown if difference.kind == STALE]
    for title, prefixes in SECTIONS:
        members = [d for d in shown if d.subject.startswith(prefixes) and d.kind != STALE]
        if members:
            lines.append(f"{title}:")
            lines += [f"  {MARKS[d.kind]} {d.message()}" + ("" if d.excused_by else f" [{d.level}]") for d in members]
    if stale:
        lines.append("stale errata:")
        lines += [f"  ! {difference.message()}" for difference in stale]
    if drift:
        lines.append(f"the spec needs at least a {required_level(drift)} version bump to follow these docs")
    return "\n".join(lines)


def format_json(differences: Sequence[Difference]) -> str:
    drift = unexcused(differences)
    excused = [difference for difference in differences if difference.excused_by is not None]
    document = {
        "drift": bool(drift),
        "level": required_level(drift),
        "differences": [_as_json(difference) for difference in drift],
        "excused": [_as_json(difference) for difference in excused],
    }
    return json.dumps(document, indent=2)


def _as_json(difference: Difference) -> dict[str, object]:
    return asdict(difference) | {"message": difference.message()}


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
    except (OSError, DocsParseError) as exc:
        return _refuse(exc, f"{args.docs} does not read as the User v1 page")
    try:
        differences = compare(snapshot, load_spec(args.spec))
    except (ErrataError, ValueError) as exc:
        return _refuse(exc, "the spec or its errata cannot be read")
    report = format_json(differences) if args.format == "json" else format_text(differences, args.show_excused)
    try:
        print(report)
    except BrokenPipeError:  # a reader like `head` went away; the exit status still tells
        sys.stderr.close()
    return 1 if unexcused(differences) else 0


def _refuse(exc: Exception, why: str) -> int:
    """Exit 2, never drift: the input is not what the comparison needs; the last line says so."""
    problem = f"cannot read {exc.filename}: {exc.strerror}" if isinstance(exc, OSError) else str(exc)
    print(f"docs_diff: {problem}", file=sys.stderr)
    print(f"docs_diff: refused: {why}; nothing compared", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
