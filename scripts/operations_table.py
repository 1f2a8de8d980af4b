"""The operations table: every per-operation fact the overlay, its CLI and the tests need, read from the spec.

    python scripts/operations_table.py [--spec SPEC] OUT_DIR

Renders spec/templates/operations.py.jinja (the table: names, parameters with their types, bounds, enums and
patterns, where the result or a page's items are) and spec/templates/overlay_methods.py.jinja (the typed methods of
AmazonMusic and AsyncAmazonMusic, one per operation) into OUT_DIR, the generated package. scripts/check_generated.py
calls render() after the generator, so `make generate` writes them and `make check-generated` checks them.

What the spec's own keywords do not say comes from the operations' vendor extensions (x-python-method,
x-cli-command, x-result, x-page-items, x-chunk-parameter), described in the spec's info.description.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import jinja2
import yaml
from openapi_python_client.strings import snake_case

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT / "spec" / "amazon-music-user-v1.yaml"
TEMPLATES = ROOT / "spec" / "templates"
OUTPUTS = {"operations.py.jinja": "operations.py", "overlay_methods.py.jinja": "overlay_methods.py"}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
# A comma-separated list as a pattern: ^ITEM(,ITEM){0,N}$ (the spec's way of bounding an ID list)
_LIST_PATTERN = re.compile(r"^\^(?P<item>.+?)\(,(?P=item)\)\{0,(?P<more>\d+)\}\$$")

Spec = dict[str, Any]


class SpecError(Exception):
    """The spec lacks a fact the table needs; the message names the operation and the fact."""


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and "$ref" in node:
        return str(node["$ref"]).rsplit("/", 1)[-1]
    return None


def _resolve(spec: Spec, node: Any) -> Any:
    """The node a local $ref points at (followed until it is not a $ref), or the node itself."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(spec: Spec, schema: Any) -> dict[str, Any]:
    """An object schema's properties, allOf parts merged."""
    schema = _resolve(spec, schema)
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        merged.update(_properties(spec, part))
    merged.update(schema.get("properties", {}))
    return merged


def _walk(spec: Spec, schema: Any, path: str, where: str) -> tuple[list[str], str, bool]:
    """Follow a dotted path (``[]`` steps into an array) from a schema: attribute names, the model there, is-list."""
    attributes: list[str] = []
    is_list = False
    for segment in path.split("."):
        array = segment.endswith("[]")
        key = segment.removesuffix("[]")
        properties = _properties(spec, schema)
        if key not in properties:
            raise SpecError(f"{where}: no field {key!r} on the way to {path!r}")
        attributes.append(snake_case(key))
        schema = properties[key]
        if array or _resolve(spec, schema).get("type") == "array":
            is_list = not array
            if array:
                attributes.append("[]")
            schema = _resolve(spec, schema)["items"]
    name = _ref_name(schema)
    if name is None:
        raise SpecError(f"{where}: {path!r} does not end at a named schema")
    return attributes, name, is_list


def _parameter(spec: Spec, raw: Any, location: str | None = None) -> dict[str, Any]:
    parameter = _resolve(spec, raw)
    schema_ref = parameter.get("schema", {})
    schema = _resolve(spec, schema_ref)
    name = parameter["name"]
    entry: dict[str, Any] = {
        "name": name,
        "python_name": snake_case(name),
        "location": location or parameter["in"],
        "required": bool(parameter.get("required", False)),
        "description": " ".join(str(parameter.get("description", "")).split()),
        "default": schema.get("default"),
        "minimum": schema.get("minimum"),
        "maximum": schema.get("maximum"),
        "min_length": schema.get("minLength"),
        "max_length": schema.get("maxLength"),
        "pattern": schema.get("pattern"),
        "enum": tuple(schema.get("enum", ())),
        "max_count": None,
        "enum_model": _ref_name(schema_ref) if "enum" in schema else None,
    }
    kind = {"integer": "integer", "boolean": "boolean", "number": "number"}.get(schema.get("type", "string"), "string")
    listed = _LIST_PATTERN.match(entry["pattern"] or "")
    if kind == "string" and listed:
        kind = "list"
        entry["pattern"] = f"^{listed['item']}$"
        entry["max_count"] = int(listed["more"]) + 1
        entry["min_length"] = entry["max_length"] = None
    entry["kind"] = kind
    entry["annotation"] = _annotation(entry)
    return entry


def _annotation(entry: dict[str, Any]) -> str:
    if entry["enum"]:
        literal = f"Literal[{', '.join(json.dumps(value) for value in entry['enum'])}]"
        # a named enum also takes any str, as the client always has (the check names the values allowed)
        return f"{entry['enum_model']} | str" if entry["enum_model"] else literal
    return {"integer": "int", "boolean": "bool", "number": "float", "list": "Iterable[str] | str"}.get(
        entry["kind"], "str"
    )


def _body_parameters(spec: Spec, operation: Spec) -> tuple[list[dict[str, Any]], str | None]:
    body = operation.get("requestBody")
    if body is None:
        return [], None
    schema_ref = _resolve(spec, body)["content"]["application/json"]["schema"]
    schema = _resolve(spec, schema_ref)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in _properties(spec, schema_ref).items():
        raw = {"name": name, "in": "body", "required": name in required, "schema": prop}
        raw["description"] = _resolve(spec, prop).get("description", "")
        parameters.append(_parameter(spec, raw))
    return parameters, _ref_name(schema_ref)


def _first_line(text: str) -> str:
    return " ".join(text.split())


def operations(spec: Spec) -> list[dict[str, Any]]:
    """Every operation of the spec as the templates take it, in the spec's order."""
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for http_method in HTTP_METHODS:
            operation = item.get(http_method)
            if operation is None:
                continue
            operation_id = operation["operationId"]
            where = f"{operation_id} ({http_method.upper()} {path})"
            for key in ("x-python-method", "x-cli-command"):
                if key not in operation:
                    raise SpecError(f"{where}: no {key} (see the spec's info.description)")
            if ("x-result" in operation) == ("x-page-items" in operation):
                raise SpecError(f"{where}: give exactly one of x-result and x-page-items")
            parameters = [_parameter(spec, raw) for raw in [*shared, *operation.get("parameters", [])]]
            body, body_model = _body_parameters(spec, operation)
            response = _resolve(spec, operation["responses"]["200"])["content"]["application/json"]["schema"]
            response_model = _ref_name(response)
            entry: dict[str, Any] = {
                "operation_id": operation_id,
                "method": operation["x-python-method"],
                "command": tuple(str(operation["x-cli-command"]).split()),
                "http_method": http_method.upper(),
                "path": path,
                "tag": (operation.get("tags") or ["default"])[0],
                "module": snake_case(operation_id),
                "summary": _first_line(operation.get("summary", "")),
                "description": _first_line(operation.get("description", "")),
                "scopes": tuple(
                    scope for requirement in operation.get("security", []) for scope in requirement.get("lwa", [])
                ),
                "response_model": response_model,
                "body_model": body_model,
                "parameters": parameters + body,
                "chunk": None,
                "page_size": None,
            }
            if "x-page-items" in operation:
                attributes, item_model, _ = _walk(spec, response, operation["x-page-items"], where)
                if "[]" not in attributes:
                    raise SpecError(f"{where}: x-page-items has no [] (the array of a page's items)")
                split = attributes.index("[]")
                edges_name = attributes[split - 1]
                connection_attributes = attributes[: split - 1]
                _, connection_model, _ = _walk(spec, response, ".".join(_camel_path(operation["x-page-items"])), where)
                names = {p["name"] for p in parameters}
                if not {"limit", "cursor"} <= names:
                    raise SpecError(f"{where}: a listing needs the limit and cursor parameters")
                limit = next(p for p in parameters if p["name"] == "limit")
                entry.update(
                    result=tuple(connection_attributes),
                    edges=edges_name,
                    item_path=tuple(attributes[split + 1 :]),
                    item_model=item_model,
                    connection_model=connection_model,
                    page_size=limit["maximum"],
                    returns=f"Paginator[{item_model}, {connection_model}]",
                )
            else:
                attributes, model, is_list = _walk(spec, response, operation["x-result"], where)
                entry.update(
                    result=tuple(attributes),
                    edges=None,
                    item_path=(),
                    item_model=model,
                    connection_model=None,
                    returns=f"list[{model}]" if is_list else model,
                )
            chunk = operation.get("x-chunk-parameter")
            if chunk is not None:
                matches = [p for p in parameters if p["name"] == chunk and p["kind"] == "list"]
                if not matches:
                    raise SpecError(f"{where}: x-chunk-parameter {chunk!r} is not a list parameter")
                entry["chunk"] = matches[0]["python_name"]
            entry["noun"] = _noun(spec, entry["item_model"])
            entry["signature"] = _signature(entry)
            found.append(entry)
    _check_unique(found)
    return found


def _noun(spec: Spec, model: str) -> str:
    """What one item is called in messages ("podcast show"): its model's name, or its node's for an edge."""
    node = _properties(spec, {"$ref": f"#/components/schemas/{model}"}).get("node")
    name = _ref_name(node) or model
    return " ".join(word.lower() for word in re.findall(r"[A-Z][a-z0-9]*", name))


def _camel_path(path: str) -> list[str]:
    """x-page-items up to the connection (the object holding the array)."""
    segments = path.split(".")
    index = next(i for i, segment in enumerate(segments) if segment.endswith("[]"))
    return segments[:index]


def _signature(entry: dict[str, Any]) -> list[str]:
    """The method's parameters after self: required path and query ones positional, the rest keyword-only."""
    positional = [p for p in entry["parameters"] if p["required"] and p["location"] in ("path", "query")]
    keywords = [p for p in entry["parameters"] if p not in positional]
    parts = [f"{p['python_name']}: {p['annotation']}" for p in positional]
    if keywords or entry["edges"]:
        parts.append("*")
    for p in keywords:
        parts.append(f"{p['python_name']}: {p['annotation']}" + ("" if p["required"] else " | None = None"))
    if entry["edges"]:
        parts.append("max_items: int | None = None")
    return parts


def _check_unique(found: list[dict[str, Any]]) -> None:
    for key in ("method", "command"):
        seen: dict[Any, str] = {}
        for entry in found:
            if entry[key] in seen:
                raise SpecError(f"{entry['operation_id']}: the same {key} as {seen[entry[key]]}: {entry[key]!r}")
            seen[entry[key]] = entry["operation_id"]


def _doc_lines(entry: dict[str, Any]) -> list[str]:
    """The method's docstring: the spec's summary and description, the scope, and each parameter."""
    lines = [entry["summary"] + ".", ""]
    lines += _wrap(
        f"{entry['description']} Scope: {', '.join(entry['scopes']) or 'none'}. ({entry['http_method']} "
        f"{entry['path']})"
    )
    arguments = []
    for p in entry["parameters"]:
        facts = []
        if p["minimum"] is not None or p["maximum"] is not None:
            facts.append(f"{p['minimum']} to {p['maximum']}")
        if p["max_count"]:
            facts.append(
                f"up to {p['max_count']}"
                + (" a request, any number in all" if entry["chunk"] == p["python_name"] else "")
            )
        if p["enum"]:
            facts.append(" or ".join(p["enum"]))
        if p["default"] is not None:
            facts.append(f"the API's default {p['default']}")
        fact = f" ({'; '.join(facts)})" if facts else ""
        arguments.append(f"{p['python_name']}: {p['description'].rstrip('.')}{fact}.")
    if entry["edges"]:
        arguments.append("max_items: Stop after this many items (None: walk every page).")
    if arguments:
        lines += ["", "Args:"]
        for argument in arguments:
            lines += ["    " + line for line in _wrap(argument, 108, "    ")]
    return lines


def _wrap(text: str, width: int = 112, indent: str = "") -> list[str]:
    escaped = text.replace("\\", "\\\\").replace('"""', "'''")
    return textwrap.wrap(escaped, width, subsequent_indent=indent) or [""]


def render(spec_path: Path, out: Path) -> list[Path]:
    """Write the table and the methods into ``out`` (the generated package); returns the files written."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    found = operations(spec)
    for entry in found:
        entry["doc"] = _doc_lines(entry)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True, undefined=jinja2.StrictUndefined
    )
    environment.filters["py"] = repr  # Python literals; ruff format then writes them in its own style
    models = sorted(
        {name for e in found for name in (e["item_model"], e["connection_model"]) if name}
        | {p["enum_model"] for e in found for p in e["parameters"] if p["enum_model"]}
    )
    written = []
    for template, name in OUTPUTS.items():
        text = environment.get_template(template).render(
            operations=found, models=models, title=spec["info"]["title"], version=spec["info"]["version"]
        )
        target = out / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    try:
        for path in render(args.spec, args.out):
            print(path)
    except SpecError as exc:
        print(f"operations_table: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
