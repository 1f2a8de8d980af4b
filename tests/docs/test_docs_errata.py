"""spec/ERRATA.md is generated from the spec's x-doc-errata, fresh, and lists every erratum."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from build_errata import ERRATA_PATH, ErrataError, main, read_errata, render


def test_errata_md_is_fresh(spec: dict[str, Any]) -> None:
    assert ERRATA_PATH.read_text(encoding="utf-8") == render(read_errata(spec)), "spec/ERRATA.md is stale: make errata"


def test_errata_md_lists_every_erratum_with_its_decision(spec: dict[str, Any]) -> None:
    text = ERRATA_PATH.read_text(encoding="utf-8")
    errata = read_errata(spec)
    raw_ids = [item["id"] for item in spec["x-doc-errata"]] + [
        item["id"]
        for path_item in spec["paths"].values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for item in operation.get("x-doc-errata", [])
    ]
    assert sorted(erratum.id for erratum in errata) == sorted(raw_ids)
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [erratum.id for erratum in errata]
    for erratum, row in zip(errata, rows, strict=True):
        assert " ".join(erratum.reason.split()) in row.replace("\\|", "|")
        assert " ".join(erratum.spec.split()) in row.replace("\\|", "|")


def test_document_wide_errata_come_first_then_operations_in_path_order(spec: dict[str, Any]) -> None:
    errata = read_errata(spec)
    root_count = len(spec["x-doc-errata"])
    assert all(erratum.operation_id is None for erratum in errata[:root_count])
    path_order = list(spec["paths"])
    positions = [path_order.index(str(erratum.path)) for erratum in errata[root_count:]]
    assert positions == sorted(positions)
    text = ERRATA_PATH.read_text(encoding="utf-8")
    assert text.index("## Document-wide") < text.index("### getCurrentUser: `GET /v1/me`")


def test_check_fails_on_a_stale_file_and_passes_on_a_fresh_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "ERRATA.md"
    assert main(["--output", str(output), "--check"]) == 1
    assert "is missing" in capsys.readouterr().err
    assert main(["--output", str(output)]) == 0
    assert main(["--output", str(output), "--check"]) == 0
    output.write_text(output.read_text(encoding="utf-8").replace("limit-type", "limit-kind"), encoding="utf-8")
    assert main(["--output", str(output), "--check"]) == 1
    err = capsys.readouterr().err
    assert "is stale" in err and "make errata" in err and "limit-kind" in err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["x-doc-errata"][0].pop("reason"), "x-doc-errata[0] on the document root: `reason` is missing"),
        (lambda s: s["x-doc-errata"][0].update(subject="limit"), "erratum 'limit-type' on the document root: subject"),
        (lambda s: s["x-doc-errata"][0].update(subject="query:"), "subject 'query:' is not one of"),
        (lambda s: s["x-doc-errata"][1].update(id="limit-type"), "erratum id 'limit-type' is used twice"),
        (lambda s: s["x-doc-errata"][0].update(note="x"), "has unknown keys note"),
        (lambda s: s["paths"]["/v1/me"]["put"].update({"x-doc-errata": {"id": "x"}}), "updateCurrentUser (PUT /v1/me)"),
    ],
)
def test_malformed_errata_are_refused_naming_the_erratum(spec: dict[str, Any], change: Any, message: str) -> None:
    broken = copy.deepcopy(spec)
    change(broken)
    with pytest.raises(ErrataError) as caught:
        read_errata(broken)
    assert message in str(caught.value)


def test_the_command_exits_2_on_malformed_errata(
    spec: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(spec)
    broken["x-doc-errata"][0]["subject"] = "nonsense"
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert main(["--spec", str(spec_file), "--output", str(tmp_path / "E.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("build_errata: erratum 'limit-type' on the document root: subject 'nonsense'")
    assert not (tmp_path / "E.md").exists()
