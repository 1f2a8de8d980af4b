"""The spec itself: valid, complete in the ways later layers rely on, and guarded against drift of generated code."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from amazon_music_generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "spec" / "amazon-music-user-v1.yaml"
METHODS = ("get", "put", "post", "delete", "patch")
ERROR_STATUSES = {"400", "401", "403", "404", "429", "500"}
ALL_SCOPES = {
    "music::catalog",
    "music::favorites",
    "music::favorites:read",
    "music::history",
    "music::library",
    "music::library:read",
    "music::playback",
    "music::profile",
    "music::profile:read",
    "music::recommendation",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_openapi_spec_validator_accepts_the_spec(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_every_operation_is_under_v1_with_a_unique_operation_id(spec: dict[str, Any]) -> None:
    ops = list(operations(spec))
    assert len(ops) == len(OPERATIONS)  # the operations table, generated from the spec, agrees
    assert all(path.startswith("/v1/") for path, _, _ in ops)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(set(ids)) == len(ops)
    for path, method, op in ops:
        assert op.get("tags") and op.get("summary") and op.get("description"), f"{method.upper()} {path}"


def test_every_operation_requires_api_key_and_one_lwa_scope(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "apiKey", "in": "header", "name": "x-api-key"}
    flow = schemes["lwa"]["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "https://www.amazon.com/ap/oa"
    assert flow["tokenUrl"] == "https://api.amazon.com/auth/o2/token"
    assert set(flow["scopes"]) == ALL_SCOPES
    for path, method, op in operations(spec):
        [requirement] = op["security"]
        assert set(requirement) == {"apiKey", "lwa"}, f"{method.upper()} {path}"
        assert len(requirement["lwa"]) == 1 and requirement["lwa"][0] in ALL_SCOPES


def test_every_operation_documents_the_error_statuses_with_the_error_body(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        assert set(op["responses"]) >= ERROR_STATUSES, f"{method.upper()} {path}"
        for status in ERROR_STATUSES:
            response = resolve(spec, op["responses"][status])
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, f"{method.upper()} {path} {status}"
    too_many = resolve(spec, {"$ref": "#/components/responses/TooManyRequests"})
    assert "Retry-After" in too_many["headers"]


def test_success_bodies_are_named_envelopes_with_a_data_field(spec: dict[str, Any]) -> None:
    for path, method, op in operations(spec):
        schema_ref = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert set(schema_ref) == {"$ref"}, f"{method.upper()} {path}: inline response schema"
        envelope = resolve(spec, schema_ref)
        assert envelope["required"] == ["data"]
        assert set(envelope["properties"]["data"]) == {"$ref"}


def _inline_objects(node: Any, where: str, in_all_of: bool = False) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node and not in_all_of:
            yield where
        for key, value in node.items():
            if key == "allOf":
                for i, part in enumerate(value):
                    yield from _inline_objects(part, f"{where}/allOf/{i}", in_all_of=True)
            else:
                yield from _inline_objects(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _inline_objects(value, f"{where}/{i}")


def test_no_inline_object_schemas_outside_components(spec: dict[str, Any]) -> None:
    # Named components make named models: FollowersConnection, not GetMyFollowersResponse200DataUserFollowers.
    assert list(_inline_objects(spec["paths"], "#/paths")) == []
    for name, schema in spec["components"]["schemas"].items():
        nested = [w for key, value in schema.get("properties", {}).items() for w in _inline_objects(value, key)]
        assert nested == [], f"{name} has inline object properties: {nested}"


def test_every_attached_example_is_valid_against_its_schema(spec: dict[str, Any]) -> None:
    checked = 0
    for path, method, op in operations(spec):
        bodies = [op.get("requestBody", {}).get("content", {}).get("application/json")]
        bodies += [resolve(spec, r).get("content", {}).get("application/json") for r in op["responses"].values()]
        for media in filter(None, bodies):
            schema = {"components": spec["components"], **media["schema"]}
            examples = [e["value"] for e in media.get("examples", {}).values()]
            examples += [media["example"]] if "example" in media else []
            for example in examples:
                errors = [e.message for e in OAS30Validator(schema).iter_errors(example)]
                assert errors == [], f"{method.upper()} {path}: {errors}"
                checked += 1
    assert checked >= len(OPERATIONS) + 1 + 6  # one docs example per operation, the PUT body, six error examples


def test_links_name_existing_operations_and_parameters(spec: dict[str, Any]) -> None:
    by_id = {op["operationId"]: (path, op) for path, _, op in operations(spec)}
    links = [link for _, _, op in operations(spec) for link in op["responses"]["200"].get("links", {}).values()]
    for link in links:
        path, target = by_id[link["operationId"]]
        params = {resolve(spec, p)["name"] for p in spec["paths"][path].get("parameters", [])}
        params |= {resolve(spec, p)["name"] for p in target.get("parameters", [])}
        assert set(link["parameters"]) <= params
    assert {"followArtist", "unfollowArtist", "getUser"} <= {link["operationId"] for link in links}
    assert len(links) >= 10


def test_documented_bounds_on_paging_and_id_lists(spec: dict[str, Any]) -> None:
    params = spec["components"]["parameters"]
    assert params["Limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 100}
    assert params["PodcastShowsLimit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 36, "default": 36}
    ids_pattern = params["UserIds"]["schema"]["pattern"]
    validator = OAS30Validator(params["UserIds"]["schema"])
    assert validator.is_valid(",".join(f"user{i}" for i in range(100)))
    assert not validator.is_valid(",".join(f"user{i}" for i in range(101))), ids_pattern
    asins = OAS30Validator(spec["components"]["schemas"]["AsinList"])
    assert asins.is_valid(",".join(f"B{i:09d}" for i in range(100)))
    assert not asins.is_valid(",".join(f"B{i:09d}" for i in range(101)))


def test_errata_entries_are_complete(spec: dict[str, Any]) -> None:
    entries = list(spec.get("x-doc-errata", []))
    for _, _, op in operations(spec):
        entries += op.get("x-doc-errata", [])
    assert len(entries) >= 12
    for entry in entries:
        assert set(entry) - {"at"} == {"id", "subject", "docs", "spec", "reason", "aspect", "docs-value", "spec-value"}
        prose = ("id", "subject", "docs", "spec", "reason", "aspect")
        assert all(isinstance(entry[k], str) and entry[k].strip() for k in prose), entry
    assert len({e["id"] for e in entries}) == len(entries)


def test_generated_package_imports_every_operation(spec: dict[str, Any]) -> None:
    for _, _, op in operations(spec):
        module_name = "".join("_" + c.lower() if c.isupper() else c for c in op["operationId"])
        module = importlib.import_module(f"amazon_music_generated.api.{op['tags'][0]}.{module_name}")
        assert callable(module.sync_detailed) and callable(module.asyncio_detailed)


def test_check_generated_fails_when_a_description_changes(tmp_path: Path) -> None:
    spec_copy = tmp_path / "spec.yaml"
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert "summary: Get the current user\n" in text
    spec_copy.write_text(text.replace("summary: Get the current user\n", "summary: Fetch the current user\n"))
    generated_copy = tmp_path / "amazon_music_generated"
    shutil.copytree(ROOT / "generated" / "amazon_music_generated", generated_copy)
    script = [sys.executable, str(ROOT / "scripts" / "check_generated.py"), "--generated", str(generated_copy)]

    changed = subprocess.run([*script, "--spec", str(spec_copy)], capture_output=True, text=True, check=False)
    assert changed.returncode == 1
    # Exactly the files the summary reaches are named (that the unchanged spec passes is `make check-generated`).
    reached = {
        f"differs: {path.relative_to(generated_copy)}"
        for path in generated_copy.rglob("*.py")
        if "Get the current user" in path.read_text(encoding="utf-8")
    }
    drift = {line for line in changed.stderr.splitlines() if line.startswith(("missing ", "extra ", "differs: "))}
    assert reached and drift == reached, changed.stderr[-3000:]
    assert "Fetch the current user" in changed.stderr
