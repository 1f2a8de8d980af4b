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

pytestmark = pytest.mark.xdist_group("consumer-spectral")

RULESET = ROOT / "spectral.yaml"
ERROR, WARNING = 0, 1  # Spectral's severities in its JSON output


def lint(document: Path) -> list[dict[str, Any]]:
    done = run(NPM_BIN / "spectral", "lint", document, "--ruleset", RULESET, "-f", "json", "--quiet")
    # Exit 1 means "errors found": the JSON still lists them. Anything else is Spectral failing to run.
    assert done.returncode in (0, 1), done.output
    found: list[dict[str, Any]] = json.loads(done.output[done.output.index("[") :])
    return found


def _kept_warnings() -> dict[str, str]:
    """rule -> reason, for each rule spectral.yaml sets to `warn` with a reason on its line."""
    lines = RULESET.read_text(encoding="utf-8").splitlines()
    return {m[1]: m[2] for line in lines if (m := re.match(r"\s+(\S+): warn\s+#\s*(\S.*)$", line))}


@pytest.fixture(scope="module")
def bundle_problems(published: Path) -> list[dict[str, Any]]:
    return lint(published / "spec" / f"{SPEC_NAME}.yaml")


def test_spectral_finds_no_error_in_the_bundle(bundle_problems: list[dict[str, Any]]) -> None:
    errors = [
        f"{p['code']} at {'.'.join(map(str, p['path']))}: {p['message']}"
        for p in bundle_problems
        if p["severity"] == ERROR
    ]
    assert errors == []


def test_every_warning_kept_has_its_reason_in_the_ruleset(bundle_problems: list[dict[str, Any]]) -> None:
    warned = {p["code"] for p in bundle_problems if p["severity"] == WARNING}
    assert warned <= set(_kept_warnings()), (
        f"warnings without a reason in spectral.yaml: {warned - set(_kept_warnings())}"
    )


def test_the_1_1_nullable_enum_is_an_error(published: Path, tmp_path: Path) -> None:
    old = tmp_path / "nullable-enum.yaml"
    bundle = yaml.safe_load((published / "spec" / f"{SPEC_NAME}.yaml").read_text(encoding="utf-8"))
    old.write_text(yaml.safe_dump(spec_before_1_2(bundle)), encoding="utf-8")
    errors = [p for p in lint(old) if p["severity"] == ERROR]
    assert [(p["code"], p["path"]) for p in errors] == [("no-nullable-enum", ["components", "schemas", "NullValue"])]


def test_an_unbounded_request_parameter_is_an_error(published: Path, tmp_path: Path) -> None:
    document = yaml.safe_load((published / "spec" / f"{SPEC_NAME}.yaml").read_text(encoding="utf-8"))
    del document["components"]["parameters"]["Limit"]["schema"]["maximum"]
    unbounded = tmp_path / "unbounded.yaml"
    unbounded.write_text(yaml.safe_dump(document), encoding="utf-8")
    codes = {p["code"] for p in lint(unbounded) if p["severity"] == ERROR}
    assert codes == {"request-input-bounded"}
