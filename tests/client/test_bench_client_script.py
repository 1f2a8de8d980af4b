"""scripts/bench_client.py runs end to end on small sizes (the figures themselves belong to `make bench`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_client_benchmark_runs_and_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_client
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "bench.json"
    args = ["--rounds", "2", "--calls", "3", "--short-walk", "30", "--long-walk", "250", "--json", str(out)]
    assert bench_client.main(args) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    names = [row["name"] for row in figures["overhead"]]
    assert names == ["sync me()", "sync followers page (100)", "async me()", "async followers page (100)"]
    for row in figures["overhead"]:
        assert row["raw_us"] > 0 and row["generated_us"] > 0 and row["client_us"] > 0
    memory = figures["memory"]
    assert (memory["short_items"], memory["long_items"]) == (30, 250)
    assert memory["short_peak_kib"] > 0 and memory["long_peak_kib"] > 0
    printed = capsys.readouterr().out
    assert "client/raw" in printed and "250 items" in printed
