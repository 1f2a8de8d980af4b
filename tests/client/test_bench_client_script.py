"""scripts/bench_client.py runs end to end on small sizes (the figures themselves belong to `make bench`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = ["sync me()", "sync followers page (100)", "async me()", "async followers page (100)"]


@pytest.mark.long_running
def test_the_client_benchmark_runs_and_reports_every_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_client
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    out = tmp_path / "bench.json"
    sizes = ["--rounds", "2", "--calls", "3", "--short-walk", "30", "--long-walk", "250", "--walk-rounds", "1"]
    assert bench_client.main([*sizes, "--ids", "150", "--latency-ms", "5", "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    # 1. overhead: every case, in-process and over loopback
    assert [(row["via"], row["name"]) for row in figures["overhead"]] == [
        (via, name) for via in ("in-process", "loopback") for name in CASES
    ]
    for row in figures["overhead"]:
        assert row["raw_us"] > 0 and row["generated_us"] > 0 and row["client_us"] > 0
        assert row["ratio_min"] <= row["ratio_max"]
    # 2. parsing: the page the emulator serves at limit=100
    parsing = figures["parsing"]
    assert parsing["edges"] == 100 and parsing["body_bytes"] > 0
    assert parsing["from_dict_us"]["min"] <= parsing["from_dict_us"]["median"] <= parsing["from_dict_us"]["max"]
    # 3. walk: throughput of both loops over the whole walk; memory of both lengths
    walk = figures["walk"]
    assert walk["items"] == 250 and walk["raw_items_per_s"]["median"] > 0 and walk["client_items_per_s"]["median"] > 0
    memory = figures["memory"]
    assert (memory["short_items"], memory["long_items"]) == (30, 250)
    assert memory["short_peak_kib"] > 0 and memory["long_peak_kib"] > 0
    # 4. users(ids): 150 IDs are two requests of at most 100
    users = figures["users"]
    assert (users["ids"], users["requests"], users["latency_ms"]) == (150, 2, 5.0)
    assert users["sequential_ms"]["median"] > 0 and users["concurrent_ms"]["median"] > 0
    printed = capsys.readouterr().out
    for text in ("client/raw", "loopback", "250 items", "from_dict / json.loads", "items per second", "speed-up"):
        assert text in printed
