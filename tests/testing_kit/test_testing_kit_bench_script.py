"""scripts/bench_testing_kit.py runs end to end on small sizes (the figures themselves belong to `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from kit_support import ROOT


@pytest.mark.long_running
def test_the_fixture_benchmark_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    script = ROOT / "scripts" / "bench_testing_kit.py"
    args = [sys.executable, str(script), "--runs", "3", "--tests", "3", "--json", str(out)]
    printed = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["first_emulator_ms"] > 0
    assert [row["name"] for row in figures["direct"]] == [
        "emulator (seeded)",
        "emulator + client (seeded)",
        "emulator + client + me() (seeded)",
        "emulator (seed=False)",
        "emulator + client + me() (seed=False)",
    ]
    for row in [*figures["direct"], figures["pytest"]["with_fixture"], figures["pytest"]["without_fixture"]]:
        assert 0 < row["p10_ms"] <= row["median_ms"] <= row["max_ms"]
    assert figures["pytest"]["with_fixture"]["samples"] == 3
    assert "amazon_music_client" in printed and "median ms" in printed
