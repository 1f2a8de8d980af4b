"""`make publish-spec`'s bundle: YAML and JSON are one self-contained, valid document, versioned by the changelog, equal
to the source spec but for the errata it adds to descriptions; broken references stop it with a clear message."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from build_errata import read_errata
from openapi_spec_validator import validate
from publish_spec import PublishError, changelog_version
from publish_support import CHANGELOG_PATH, SPEC_NAME, SPEC_PATH, operations, run_publish

from amazon_music_generated.operations import OPERATIONS


def _source() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_yaml_and_json_bundles_are_the_same_document(published: Path, bundle_json: dict[str, Any]) -> None:
    from_yaml = yaml.safe_load((published / "spec" / f"{SPEC_NAME}.yaml").read_text(encoding="utf-8"))
    assert from_yaml == bundle_json
    # The same in key order too, so the two files read alike.
    assert json.dumps(from_yaml) == json.dumps(bundle_json)


def test_version_is_the_changelogs_newest_entry(bundle_json: dict[str, Any]) -> None:
    newest = re.search(r"^## \[(\d+\.\d+\.\d+)\]", CHANGELOG_PATH.read_text(encoding="utf-8"), re.MULTILINE)
    assert newest is not None, "spec/CHANGELOG.md has no `## [x.y.z]` entry"
    assert bundle_json["info"]["version"] == newest.group(1) == _source()["info"]["version"]


def test_bundle_is_valid_openapi_with_only_local_refs_that_resolve(bundle_json: dict[str, Any]) -> None:
    validate(bundle_json)  # openapi-spec-validator resolves every $ref; raises on a broken one
    refs = _refs(bundle_json)
    assert refs, "a bundle of this spec has $ref (shared responses, parameters, schemas)"
    assert [ref for ref in refs if not ref.startswith("#/")] == []


def test_bundle_is_the_spec_with_each_erratum_added_to_its_description(bundle_json: dict[str, Any]) -> None:
    source = _source()
    errata = read_errata(source)
    published_operations = operations(bundle_json)
    restored = copy.deepcopy(bundle_json)
    restored_operations = operations(restored)
    for operation_id, (_, _, operation) in operations(source).items():
        description = published_operations[operation_id][2]["description"]
        assert description.startswith(operation["description"].rstrip())
        mine = [erratum for erratum in errata if erratum.operation_id == operation_id]
        for erratum in mine:
            assert f"`{erratum.id}`" in description and erratum.spec in description, (operation_id, erratum.id)
        assert ("**Documentation errata**" in description) == bool(mine), operation_id
        restored_operations[operation_id][2]["description"] = operation["description"]
    for erratum in errata:
        if erratum.operation_id is None:
            assert f"`{erratum.id}`" in bundle_json["info"]["description"], erratum.id
    restored["info"]["description"] = source["info"]["description"]
    assert restored == source, "the bundle differs from the spec beyond the errata in descriptions"
    assert len(published_operations) == len(OPERATIONS)


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        ("'#/components/schemas/UserResponsX'", ["'#/components/schemas/UserResponsX'", "no 'UserResponsX'"]),
        ("'./schemas/missing.yaml#/UserResponse'", ["'./schemas/missing.yaml#/UserResponse'", "no file"]),
    ],
    ids=["missing-schema", "missing-file"],
)
def test_broken_schema_reference_fails_with_a_clear_message(tmp_path: Path, broken: str, named: list[str]) -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    good = "$ref: '#/components/schemas/UserResponse'"
    assert good in text
    spec = tmp_path / f"{SPEC_NAME}.yaml"
    spec.write_text(text.replace(good, f"$ref: {broken}", 1), encoding="utf-8")
    out = tmp_path / "dist"

    done = run_publish("--spec", spec, "--changelog", CHANGELOG_PATH, "--out", out)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    first = done.stderr.splitlines()[0]
    assert first == "publish-spec: error: 1 broken $ref in the spec:"
    for part in [*named, "/paths/~1v1~1me/get/responses/200/content/application~1json/schema"]:
        assert part in done.stderr
    assert not out.exists(), "nothing is published when the bundle step fails"


def test_external_file_refs_are_inlined(tmp_path: Path) -> None:
    """A spec split over files publishes as one file: redocly bundle moves the referenced schema into components."""
    document = _source()
    error_schema = document["components"]["schemas"].pop("Error")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "error.yaml").write_text(yaml.safe_dump({"Error": error_schema}), encoding="utf-8")
    document["components"]["schemas"]["ErrorResponse"]["properties"]["error"] = {"$ref": "schemas/error.yaml#/Error"}
    spec = tmp_path / f"{SPEC_NAME}.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    done = run_publish("--spec", spec, "--changelog", CHANGELOG_PATH, "--out", tmp_path / "dist")

    assert done.returncode == 0, done.stderr
    bundle = json.loads((tmp_path / "dist" / "spec" / f"{SPEC_NAME}.json").read_text(encoding="utf-8"))
    assert [ref for ref in _refs(bundle) if not ref.startswith("#/")] == []
    inlined = bundle["components"]["schemas"]["ErrorResponse"]["properties"]["error"]["$ref"]
    assert inlined.startswith("#/components/schemas/")
    target = bundle["components"]["schemas"][inlined.rsplit("/", 1)[1]]
    assert target == error_schema


def test_version_not_in_the_changelog_stops_publishing(tmp_path: Path) -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    version = _source()["info"]["version"]
    spec = tmp_path / f"{SPEC_NAME}.yaml"
    spec.write_text(text.replace(f"version: {version}", "version: 9.9.9", 1), encoding="utf-8")

    done = run_publish("--spec", spec, "--changelog", CHANGELOG_PATH, "--out", tmp_path / "dist")

    assert done.returncode == 1
    assert "'9.9.9'" in done.stderr and f"'{version}'" in done.stderr and "CHANGELOG.md" in done.stderr
    assert not (tmp_path / "dist").exists()


def test_changelog_version_passes_over_unreleased(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [Unreleased]\n- x\n\n## [1.2.0] - 2026-12-01\n\n## [1.1.0]\n", "utf-8")
    assert changelog_version(changelog) == "1.2.0"
    changelog.write_text("# Changelog\n\nNothing released.\n", encoding="utf-8")
    with pytest.raises(PublishError, match="no release heading"):
        changelog_version(changelog)
