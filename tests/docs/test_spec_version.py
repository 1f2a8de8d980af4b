"""The spec's version guard (scripts/spec_version.py): a spec that differs from its last release needs a changelog
entry and a version bump at least as large as its largest change. The first test is the guard `make test` runs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from build_errata import SPEC_PATH
from docs_diff import MAJOR, MINOR, PATCH, required_level
from spec_version import CHANGELOG_PATH, RELEASES_DIR, VersionError, check, describe, main, release, spec_changes

Spec = dict[str, Any]


def test_the_spec_is_as_released_or_bumped_with_a_changelog_entry() -> None:
    """The guard: edit the spec, and this fails until spec/CHANGELOG.md has a new entry and info.version its bump."""
    verdict = check(SPEC_PATH, CHANGELOG_PATH, RELEASES_DIR)
    assert verdict.problems == (), "\n".join(verdict.problems)


def _operation(spec: Spec, operation_id: str) -> dict[str, Any]:
    return next(
        operation
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and operation.get("operationId") == operation_id
    )


def _optional_parameter(spec: Spec) -> None:
    _operation(spec, "getCurrentUserFollowers")["parameters"].append(
        {"name": "probeOnly", "in": "query", "required": False, "schema": {"type": "string"}}
    )


def _required_parameter(spec: Spec) -> None:
    _operation(spec, "getCurrentUserFollowers")["parameters"].append(
        {"name": "probeOnly", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def _renamed_property(spec: Spec) -> None:
    properties = spec["components"]["schemas"]["User"]["properties"]
    properties["displayName"] = properties.pop("name")


def _new_operation(spec: Spec) -> None:
    spec["paths"]["/v1/me/probe-only"] = {
        "get": {"operationId": "getProbeOnly", "responses": {"200": {"description": "x"}}}
    }


def _payload_too_large(spec: Spec) -> None:
    _operation(spec, "updateCurrentUser")["responses"]["413"] = {"$ref": "#/components/responses/BadRequest"}


CHANGES: list[tuple[str, Callable[[Spec], None], str]] = [
    ("a removed operation", lambda s: s["paths"]["/v1/users"].pop("get"), MAJOR),
    ("a lowered maximum", lambda s: s["components"]["parameters"]["Limit"]["schema"].update(maximum=50), MAJOR),
    ("a new required parameter", _required_parameter, MAJOR),
    ("a renamed schema property", _renamed_property, MAJOR),
    ("a changed scope", lambda s: _operation(s, "getUser").update(security=[{"lwa": ["music::profile"]}]), MAJOR),
    ("a new operation", _new_operation, MINOR),
    ("a new optional parameter", _optional_parameter, MINOR),
    ("a raised maximum", lambda s: s["components"]["parameters"]["Limit"]["schema"].update(maximum=200), MINOR),
    ("a new response status", _payload_too_large, MINOR),
    ("a nullable flag", lambda s: s["components"]["schemas"]["FollowState"].update(nullable=True), MINOR),
    ("a description", lambda s: _operation(s, "getUser").update(description="Another wording."), PATCH),
    ("a vendor extension", lambda s: _operation(s, "getUser").update({"x-python-method": "a_user"}), PATCH),
    ("an erratum", lambda s: s["x-doc-errata"][0].update(reason="Another reason."), PATCH),
]


@pytest.mark.parametrize(("change", "level"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_each_change_is_classified(spec: Spec, change: Callable[[Spec], None], level: str) -> None:
    changed = copy.deepcopy(spec)
    change(changed)
    changes = spec_changes(spec, changed)
    assert required_level(changes) == level, [(c.level, describe(c)) for c in changes]


def test_an_unchanged_spec_has_no_changes_whatever_its_layout(spec: Spec) -> None:
    assert spec_changes(spec, yaml.safe_load(yaml.safe_dump(spec, sort_keys=True))) == []
    bumped = copy.deepcopy(spec)
    bumped["info"]["version"] = "9.9.9"
    assert spec_changes(spec, bumped) == []


class Project:
    """A spec, its changelog and its releases in a temporary folder, released at 2.3.4."""

    def __init__(self, root: Path, spec: Spec) -> None:
        self.spec_path = root / "spec.yaml"
        self.changelog = root / "CHANGELOG.md"
        self.releases = root / "releases"
        self.spec = copy.deepcopy(spec)
        self.write(version="2.3.4", entries=["2.3.4"])
        assert release(self.spec_path, self.changelog, self.releases) == self.releases / "2.3.4.yaml"

    def write(self, version: str | None = None, entries: list[str] | None = None) -> None:
        if version is not None:
            self.spec["info"]["version"] = version
        self.spec_path.write_text(yaml.safe_dump(self.spec, sort_keys=False), encoding="utf-8")
        if entries is not None:
            headings = "".join(f"## [{entry}] - 2026-12-01\n\n- A change.\n\n" for entry in entries)
            self.changelog.write_text(f"# Changelog\n\n{headings}", encoding="utf-8")

    def run(self, command: str) -> int:
        return main([command, "--spec", str(self.spec_path), "--changelog", str(self.changelog),
                     "--releases", str(self.releases)])  # fmt: skip


@pytest.fixture
def project(tmp_path: Path, spec: Spec) -> Project:
    return Project(tmp_path, spec)


def test_a_spec_edit_without_a_changelog_entry_fails_saying_what_to_add(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.run("check") == 0
    _optional_parameter(project.spec)
    project.write()

    assert project.run("check") == 1
    err = capsys.readouterr().err
    assert "spec.yaml differs from the released 2.3.4" in err
    assert "the largest minor. Add a `## [2.4.0] - " in err
    assert "and set info.version to 2.4.0" in err
    assert "[minor] getCurrentUserFollowers (GET /v1/me/followers): query:probeOnly parameter added (probeOnly)" in err


def test_a_bump_too_small_for_the_change_fails(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.spec["paths"]["/v1/users"].pop("get")
    project.write(version="2.4.0", entries=["2.4.0", "2.3.4"])

    assert project.run("check") == 1
    err = capsys.readouterr().err
    assert "2.4.0 is a minor bump from the released 2.3.4, but the spec has major changes" in err
    assert "set info.version to 3.0.0" in err
    assert "[major] getUsers (GET /v1/users): operation removed (getUsers)" in err


def test_a_bump_without_its_changelog_entry_fails(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    _optional_parameter(project.spec)
    project.write(version="2.4.0")

    assert project.run("check") == 1
    err = capsys.readouterr().err
    assert "CHANGELOG.md is 2.3.4, but info.version is 2.4.0: add a `## [2.4.0] - " in err


def test_entry_and_bump_pass_and_the_release_is_recorded_once(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    _optional_parameter(project.spec)
    project.write(version="2.4.0", entries=["2.4.0", "2.3.4"])
    assert project.run("check") == 0
    assert "spec 2.4.0: " in capsys.readouterr().out

    assert project.run("release") == 0
    assert (project.releases / "2.4.0.yaml").exists()
    assert project.run("check") == 0
    assert "spec 2.4.0: as released in 2.4.0" in capsys.readouterr().out

    project.spec["info"]["description"] = "Edited after the release."
    project.write()
    assert project.run("check") == 1
    assert "Add a `## [2.4.1] - " in capsys.readouterr().err
    with pytest.raises(VersionError, match=r"2\.4\.0 is already released"):
        release(project.spec_path, project.changelog, project.releases)
