"""Consumer matrix, row 5: Spectral (@stoplight/spectral-cli, project-local in tools/npm) lints the published bundle
with its OpenAPI ruleset and the OWASP API security ruleset (spectral.yaml at the project root): zero errors, and
every warning kept is one the ruleset lists with its reason. Its own rules catch what they are there for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from consumer_support import NPM_BIN, run, spec_before_1_2
from publish_support import ROOT, SPEC_NAME

RULESET = ROOT / "spectral.yaml"
ERROR, WARNING = 0, 1  # Spectral's severities in its JSON output


def lint(*documents: Path) -> dict[str, list[dict[str, Any]]]:
    """document name -> what Spectral found in it; one Spectral run for all (its start and ruleset load cost most)."""
    done = run(NPM_BIN / "spectral", "lint", *documents, "--ruleset", RULESET, "-f", "json", "--quiet")
    # Exit 1 means "errors found": the JSON still lists them. Anything else is Spectral failing to run.
    assert done.returncode in (0, 1), done.output
    found: dict[str, list[dict[str, Any]]] = {document.name: [] for document in documents}
    for problem in json.loads(done.output[done.output.index("[") :]):
        found[Path(problem["source"]).name].append(problem)
    return found


def _kept_warnings() -> dict[str, str]:
    """rule -> reason, for each rule spectral.yaml sets to `warn` with a reason on its line."""
    lines = RULESET.read_text(encoding="utf-8").splitlines()
    return {m[1]: m[2] for line in lines if (m := re.match(r"\s+(\S+): warn\s+#\s*(\S.*)$", line))}


@pytest.fixture(scope="module")
def problems(published: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """The bundle; with the 1.1.0 nullable enum (old.yaml); with an unbounded `limit` (unbounded.yaml)."""
    tmp = tmp_path_factory.mktemp("spectral")
    bundle = published / "spec" / f"{SPEC_NAME}.yaml"
    document = yaml.safe_load(bundle.read_text(encoding="utf-8"))
    old = tmp / "old.yaml"
    old.write_text(yaml.safe_dump(spec_before_1_2(document)), encoding="utf-8")
    del document["components"]["parameters"]["Limit"]["schema"]["maximum"]
    unbounded = tmp / "unbounded.yaml"
    unbounded.write_text(yaml.safe_dump(document), encoding="utf-8")
    return lint(bundle, old, unbounded)


def _errors(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in problems if p["severity"] == ERROR]


def test_spectral_finds_no_error_in_the_bundle(problems: dict[str, list[dict[str, Any]]]) -> None:
    found = _errors(problems[f"{SPEC_NAME}.yaml"])
    assert [f"{p['code']} at {'.'.join(map(str, p['path']))}: {p['message']}" for p in found] == []


def test_every_warning_kept_has_its_reason_in_the_ruleset(problems: dict[str, list[dict[str, Any]]]) -> None:
    warned = {p["code"] for p in problems[f"{SPEC_NAME}.yaml"] if p["severity"] == WARNING}
    unexplained = warned - set(_kept_warnings())
    assert unexplained == set(), f"warnings without a reason in spectral.yaml: {unexplained}"


def test_the_1_1_nullable_enum_is_an_error(problems: dict[str, list[dict[str, Any]]]) -> None:
    found = [(p["code"], p["path"]) for p in _errors(problems["old.yaml"])]
    assert found == [("no-nullable-enum", ["components", "schemas", "NullValue"])]


def test_an_unbounded_request_parameter_is_an_error(problems: dict[str, list[dict[str, Any]]]) -> None:
    assert {p["code"] for p in _errors(problems["unbounded.yaml"])} == {"request-input-bounded"}
