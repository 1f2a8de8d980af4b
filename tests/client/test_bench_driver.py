"""scripts/bench.py's assembly of the figures into the table (the runs themselves belong to `make bench`)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench as module
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return module


def emulator_result(server: str, scenario: str, round_: int, per_second: float) -> dict[str, Any]:
    return {
        "server": server,
        "scenario": scenario,
        "round": round_,
        "operations": 100,
        "seconds": 1.0,
        "per_second": per_second,
        "p50_ms": 2.0,
        "p99_ms": 5.0,
        "errors": 0,
    }


def test_ratio_rows_judge_against_the_target_in_its_direction(bench: ModuleType) -> None:
    figure = {"ratio": 1.15, "ratio_min": 1.05, "ratio_max": 1.4}
    assert bench.ratio_row("1", "page", figure, 1.20).verdict == "met"
    assert bench.ratio_row("1", "me", figure, 1.10).verdict == "MISSED"
    assert bench.ratio_row("4", "users", figure, 1.10, at_most=False).verdict == "met"
    info = bench.ratio_row("3", "walk", figure, None)
    assert (info.median, info.spread, info.target, info.verdict) == ("1.15x", "1.05-1.40x", "", "")


def test_emulator_rows_give_medians_and_the_per_round_ratio_to_prism(bench: ModuleType) -> None:
    page, pair = "GET /v1/me/followers?limit=100", "PUT+DELETE /v1/me/followed/artists/{id}"
    results = [
        emulator_result("emulator", page, 1, 3000.0),
        emulator_result("prism", page, 1, 2000.0),
        emulator_result("emulator", page, 2, 1800.0),
        emulator_result("prism", page, 2, 2000.0),
        emulator_result("emulator", pair, 1, 900.0),
        emulator_result("prism", pair, 1, 1000.0),
    ]
    piece = bench.Piece("emulator", [], figures=results)
    rows = {row.measure.split(" (")[0]: row for row in bench.emulator_rows(piece)}
    assert rows[f"emulator: {page}"].median == "2,400 op/s"
    assert rows[f"emulator: {page}"].spread == "1,800-3,000 op/s"
    ratio = rows[f"emulator/prism op/s: {page}"]
    assert (ratio.median, ratio.spread, ratio.verdict) == ("1.20x", "0.90-1.50x", "met")
    # the follow pair has no target in the issue: reported, not judged
    assert rows[f"emulator/prism op/s: {pair}"].verdict == ""


def test_an_emulator_report_of_another_shape_is_a_failed_row_not_a_crash(bench: ModuleType) -> None:
    piece = bench.Piece("emulator", [], figures=[{"server": "emulator"}])
    [row] = bench.emulator_rows(piece)
    assert row.verdict.startswith("FAILED") and "another shape" in piece.error


def test_client_rows_judge_loopback_only_and_the_users_speed_up(bench: ModuleType) -> None:
    def overhead(name: str, via: str, ratio: float) -> dict[str, Any]:
        return {"name": name, "via": via, "raw_us": 100.0, "client_us": 100.0 * ratio, "ratio": ratio,
                "ratio_min": ratio, "ratio_max": ratio}  # fmt: skip

    figures = {
        "overhead": [
            overhead("sync me()", "in-process", 1.5),
            overhead("sync me()", "loopback", 1.12),
            overhead("sync followers page (100)", "loopback", 1.12),
        ],
        "memory": {"short_items": 1000, "long_items": 10000, "short_peak_kib": 100.0, "long_peak_kib": 105.0,
                   "long_peak_kib_range": [104.0, 106.0], "growth": 1.05},
        "users": {"ids": 1000, "requests": 10, "concurrency": 8, "latency_ms": 50.0, "ratio": 3.9, "ratio_min": 3.5,
                  "ratio_max": 4.1, "concurrent_ms": {"median": 140.0}, "sequential_ms": {"median": 546.0},
                  "per_request_beyond_latency_ms": 4.6, "all_in_flight_ms": {"median": 80.0},
                  "all_in_flight": {"ratio": 6.8, "ratio_min": 6.5, "ratio_max": 7.0}},
    }  # fmt: skip
    rows = bench.client_rows(bench.Piece("client", [], figures=figures))
    verdicts = [(row.item, row.verdict) for row in rows]
    assert verdicts == [("1", ""), ("1", "MISSED"), ("1", "met"), ("3", "met"), ("4", "MISSED"), ("4", "")]
    assert "all 10 requests in flight" in rows[-1].measure and rows[-1].median == "6.80x"


def test_the_table_aligns_every_row_under_its_heading(bench: ModuleType) -> None:
    rows = [bench.Row("1", "a measure", "1.00x", "0.9-1.1x", "<= 1.10x", "met"), bench.Row("6", "m", "12 ms")]
    lines = bench.table(rows)
    assert lines[0].split()[:2] == ["#", "measure"]
    column = lines[0].index("median")
    assert all(line[column : column + 6].strip() for line in lines[2:])
    markdown = bench.markdown_table([bench.Row("5", "a|b", "1 op/s")])
    assert markdown[-1] == "| 5 | a\\|b | 1 op/s |  |  |  |"
