"""`make bench`: the benchmarks of issue 7 in one run; prints one table and writes BENCHMARKS.md.

    python scripts/bench.py [--client-args=ARGS] [--emulator-args=ARGS] [--kit-args=ARGS] [--sandbox-args=ARGS]
                            [--runs 11]
                            [--out BENCHMARKS.md] [--json-dir reports/bench]

Each piece runs in its own subprocess (a fresh interpreter, bounded by a timeout), one after the other:

  1, 3, 4  scripts/bench_client.py: client overhead against raw httpx (in-process and over loopback), the 10,000-item
           walk (items/s against a hand-written loop; peak memory against a 1,000-item walk), async users(ids)
  2        scripts/bench_client.py --parse-only, taking turns with the same run on a package generated from the same
           spec with the generator's stock templates (into a temporary folder): from_dict before/after spec/templates/
  5        scripts/bench_emulator.py: the emulator against Prism's mock (read from its JSON)
  6        `python -X importtime -c "import amazon_music"` and `amazon-music --help`, --runs times each (medians)
  7        `make generate` into a temporary folder (GENERATED=...), so the working tree is left alone
  +        scripts/bench_testing_kit.py: the testing kit's per-test cost, when the script is there
  S        scripts/bench_sandbox.py: the shared sandbox (issue #17), a mixed workload of 10 tenants on SQLite,
           PostgreSQL and two processes on PostgreSQL: saturation req/s, p50/p99 at a fixed 500 req/s

A piece that fails is reported as failed in the table (exit status 1 at the end); a missed target is reported, not an
error. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
BIN = Path(sys.executable).parent  # not resolved: the venv's bin holds the console scripts
PRISM = ROOT / "tools" / "npm" / "node_modules" / ".bin" / "prism"
PYTHON = sys.executable

# The targets; a figure without one is reported for information.
TARGET_ME = 1.10
TARGET_PAGE = 1.20
TARGET_PARSE_SPEEDUP = 2.0
TARGET_WALK_GROWTH = 1.10
TARGET_USERS_SPEEDUP = 4.0
TARGET_EMULATOR_VS_PRISM = 1.0
TARGET_IMPORT_MS = 150.0
TARGET_HELP_MS = 300.0
TARGET_SANDBOX_P99_MS = 20.0  # at 500 req/s, two processes on PostgreSQL
SANDBOX_TARGETED = "postgres-x2"

PACKAGES = ("httpx", "attrs", "openapi-python-client", "connexion", "starlette", "uvicorn", "click", "rich")
# what `import amazon_music` must not load (the issue), and what it should not need
HEAVY_MODULES = ("amazon_music_emulator", "connexion", "starlette", "uvicorn", "yaml", "click", "rich", "pygments")


@dataclass
class Row:
    item: str
    measure: str
    median: str
    spread: str = ""
    target: str = ""
    verdict: str = ""


@dataclass
class Piece:
    """One subprocess's run: what it printed, how long it took, its JSON figures if any."""

    name: str
    command: list[str]
    seconds: float = 0.0
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    figures: Any = None
    error: str = ""
    shown_env: str = ""  # environment settings to show before the command in BENCHMARKS.md

    @property
    def ok(self) -> bool:
        return not self.error


def run_piece(
    name: str, command: list[str], timeout: float, json_out: Path | None = None, env: dict[str, str] | None = None
) -> Piece:
    piece = Piece(name, command)
    print(f"bench: {name} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        piece.seconds = time.perf_counter() - started
        piece.error = f"timed out after {timeout:.0f} s"
        piece.stdout = exc.stdout if isinstance(exc.stdout, str) else ""
        return piece
    piece.seconds = time.perf_counter() - started
    piece.returncode, piece.stdout, piece.stderr = proc.returncode, proc.stdout, proc.stderr
    if json_out is not None and json_out.is_file():
        try:
            piece.figures = json.loads(json_out.read_text(encoding="utf-8"))
        except ValueError as exc:
            piece.error = f"its JSON is unreadable ({exc})"
    if proc.returncode != 0 and not piece.error:
        last = (proc.stderr.strip().splitlines() or proc.stdout.strip().splitlines() or ["no output"])[-1]
        piece.error = f"exit {proc.returncode}: {last[:200]}"
    print(
        f"bench: {name} done in {piece.seconds:.0f} s{' (' + piece.error + ')' if piece.error else ''}", file=sys.stderr
    )
    return piece


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ratio_row(item: str, measure: str, figure: dict[str, Any], target: float | None, at_most: bool = True) -> Row:
    value = figure["ratio"]
    spread = f"{figure['ratio_min']:.2f}-{figure['ratio_max']:.2f}x"
    if target is None:
        return Row(item, measure, f"{value:.2f}x", spread)
    sign = "<=" if at_most else ">="
    met = value <= target if at_most else value >= target
    return Row(item, measure, f"{value:.2f}x", spread, f"{sign} {target:.2f}x", verdict(met))


def ms_row(item: str, measure: str, samples_ms: list[float], target: float | None) -> Row:
    median = statistics.median(samples_ms)
    spread = f"{min(samples_ms):.0f}-{max(samples_ms):.0f} ms"
    if target is None:
        return Row(item, measure, f"{median:.0f} ms", spread)
    return Row(item, measure, f"{median:.0f} ms", spread, f"< {target:.0f} ms", verdict(median < target))


def failed_row(item: str, measure: str, piece: Piece) -> Row:
    return Row(item, measure, "-", "", "", f"FAILED ({piece.error})")


# -- 1-4: the client ----------------------------------------------------------------------------------------------


def client_rows(piece: Piece) -> list[Row]:
    if piece.figures is None:
        return [failed_row("1", "client benchmarks (items 1, 3 and 4)", piece)]
    figures = piece.figures
    rows = []
    for row in figures["overhead"]:
        name = row["name"].replace(" (100)", "")
        detail = f"{row['via']} {name}: client/raw ({row['raw_us']:.0f} vs {row['client_us']:.0f} us)"
        target = None
        if row["via"] == "loopback":
            target = TARGET_ME if "me()" in row["name"] else TARGET_PAGE
        rows.append(ratio_row("1", detail, row, target))
    if "walk" in figures:
        walk = figures["walk"]
        rates = f"{walk['client_items_per_s']['median']:,.0f} vs {walk['raw_items_per_s']['median']:,.0f} items/s"
        rows.append(
            ratio_row("3", f"{walk['items']:,}-item walk, loopback: client/raw throughput ({rates})", walk, None)
        )
    if "memory" in figures:
        memory = figures["memory"]
        growth = memory["growth"]
        rows.append(
            Row(
                "3",
                f"walk peak memory: {memory['long_items']:,} vs {memory['short_items']:,} items "
                f"({memory['long_peak_kib']:.0f} vs {memory['short_peak_kib']:.0f} KiB)",
                f"{growth:.2f}x",
                f"{memory['long_peak_kib_range'][0]:.0f}-{memory['long_peak_kib_range'][1]:.0f} KiB",
                f"<= {TARGET_WALK_GROWTH:.2f}x",
                verdict(growth <= TARGET_WALK_GROWTH),
            )
        )
    if "users" in figures:
        users = figures["users"]
        times = f"{users['concurrent_ms']['median']:.0f} vs {users['sequential_ms']['median']:.0f} ms"
        measure = (
            f"async users(), {users['ids']:,} IDs, latency {users['latency_ms']:g} ms: "
            f"sequential/concurrent ({times}, {users['concurrency']} in flight)"
        )
        rows.append(ratio_row("4", measure, users, TARGET_USERS_SPEEDUP, at_most=False))
        beyond = f"one request takes {users['per_request_beyond_latency_ms']:.1f} ms beyond the latency"
        if "all_in_flight" in users:
            times = f"{users['all_in_flight_ms']['median']:.0f} ms; {beyond}"
            measure = (
                f"  the same with all {users['requests']} requests in flight, not {users['concurrency']} ({times})"
            )
            rows.append(ratio_row("4", measure, users["all_in_flight"], None))
        else:
            rows[-1].measure += f"; {beyond}"
    return rows


# -- 2: parsing, stock templates against spec/templates -------------------------------------------------------------


def generate_stock(folder: Path) -> Path:
    """The generated package from the same spec and config with the generator's own templates (an empty override)."""
    sys.path.insert(0, str(SCRIPTS))
    try:
        import check_generated
    finally:
        sys.path.remove(str(SCRIPTS))
    empty = folder / "no-templates"
    empty.mkdir()
    check_generated.generate(
        check_generated.DEFAULT_SPEC, check_generated.DEFAULT_CONFIG, folder / "stock" / "amazon_music_generated", empty
    )
    return folder / "stock"


def bench_parsing(folder: Path, turns: int) -> tuple[list[Row], list[Piece]]:
    try:
        stock = generate_stock(folder)
    except (SystemExit, OSError) as exc:
        piece = Piece("parsing", [], error=f"could not generate the stock package: {exc}")
        return [failed_row("2", "from_dict, 100-edge page", piece)], [piece]
    pieces: dict[str, list[Piece]] = {"stock": [], "spec": []}
    for turn in range(turns):
        for which in ("stock", "spec") if turn % 2 == 0 else ("spec", "stock"):
            out = folder / f"parse-{which}-{turn}.json"
            env = dict(os.environ)
            if which == "stock":
                env["PYTHONPATH"] = str(stock) + os.pathsep + env.get("PYTHONPATH", "")
            command = [PYTHON, str(SCRIPTS / "bench_client.py"), "--parse-only", "--rounds", "15", "--json", str(out)]
            label = "the generator's stock templates" if which == "stock" else "spec/templates"
            piece = run_piece(f"parsing with {label} (turn {turn + 1})", command, 120, out, env)
            piece.shown_env = "PYTHONPATH=TMP/stock " if which == "stock" else ""
            pieces[which].append(piece)
    shown = [pieces["stock"][0], pieces["spec"][0]]  # one of each in BENCHMARKS.md: the rest are alike
    failed = [p for p in pieces["stock"] + pieces["spec"] if not p.ok or p.figures is None]
    if failed:
        return [failed_row("2", "from_dict, 100-edge page", failed[0])], shown
    for piece in pieces["stock"]:
        if not Path(piece.figures["setting"]["generated_package"]).is_relative_to(stock):
            piece.error = "PYTHONPATH did not put the stock package first"
            return [failed_row("2", "from_dict, 100-edge page", piece)], shown

    def values(which: str, key: str) -> list[float]:
        return [p.figures["parsing"][key]["median"] for p in pieces[which]]

    ours_loads, ours_parse = values("spec", "json_loads_us"), values("spec", "from_dict_us")
    stock_loads, stock_parse = values("stock", "json_loads_us"), values("stock", "from_dict_us")
    ours_ratio = [f / j for f, j in zip(ours_parse, ours_loads, strict=True)]
    stock_ratio = [f / j for f, j in zip(stock_parse, stock_loads, strict=True)]
    speedup = [s / o for s, o in zip(stock_ratio, ours_ratio, strict=True)]
    edges = pieces["spec"][0].figures["parsing"]["edges"]
    rows = [
        Row("2", f"json.loads of the {edges}-edge page", f"{statistics.median(ours_loads):.0f} us",
            f"{min(ours_loads + stock_loads):.0f}-{max(ours_loads + stock_loads):.0f} us"),
        Row("2", "from_dict, stock templates: us and x json.loads",
            f"{statistics.median(stock_parse):.0f} us", f"{statistics.median(stock_ratio):.2f}x "
            f"({min(stock_ratio):.2f}-{max(stock_ratio):.2f}x)"),
        Row("2", "from_dict, spec/templates: us and x json.loads",
            f"{statistics.median(ours_parse):.0f} us", f"{statistics.median(ours_ratio):.2f}x "
            f"({min(ours_ratio):.2f}-{max(ours_ratio):.2f}x)"),
        Row("2", "from_dict speed-up, spec/templates over stock (ratios to json.loads)",
            f"{statistics.median(speedup):.2f}x", f"{min(speedup):.2f}-{max(speedup):.2f}x",
            f">= {TARGET_PARSE_SPEEDUP:.2f}x", verdict(statistics.median(speedup) >= TARGET_PARSE_SPEEDUP)),
    ]  # fmt: skip
    return rows, shown


# -- 5: the emulator against Prism ------------------------------------------------------------------------------------


def emulator_rows(piece: Piece) -> list[Row]:
    results = piece.figures
    if not isinstance(results, list) or not results:
        return [failed_row("5", "emulator vs Prism", piece)]
    rows: list[Row] = []
    try:
        servers = list(dict.fromkeys(r["server"] for r in results))
        scenarios = list(dict.fromkeys(r["scenario"] for r in results))
        emulator = servers[0]
        for scenario in scenarios:
            by_server = {s: [r for r in results if r["server"] == s and r["scenario"] == scenario] for s in servers}
            for server in servers:
                runs = by_server[server]
                rates = [r["per_second"] for r in runs]
                p50 = statistics.median(r["p50_ms"] for r in runs)
                p99 = statistics.median(r["p99_ms"] for r in runs)
                errors = sum(r["errors"] for r in runs)
                rows.append(
                    Row("5", f"{server}: {scenario} (p50 {p50:.1f} ms, p99 {p99:.1f} ms"
                        f"{', ' + str(errors) + ' errors' if errors else ''})",
                        f"{statistics.median(rates):,.0f} op/s", f"{min(rates):,.0f}-{max(rates):,.0f} op/s")
                )  # fmt: skip
            if "prism" in by_server and len(by_server["prism"]) == len(by_server[emulator]):
                per_round = [
                    e["per_second"] / p["per_second"]
                    for e, p in zip(by_server[emulator], by_server["prism"], strict=True)
                    if p["per_second"] > 0
                ]
                if per_round:
                    figure = {
                        "ratio": statistics.median(per_round),
                        "ratio_min": min(per_round),
                        "ratio_max": max(per_round),
                    }
                    target = TARGET_EMULATOR_VS_PRISM if "followers" in scenario else None
                    rows.append(ratio_row("5", f"{emulator}/prism op/s: {scenario}", figure, target, at_most=False))
    except (KeyError, TypeError, ValueError) as exc:
        piece.error = f"its JSON has another shape ({exc!r}); its output is below"
        return [failed_row("5", "emulator vs Prism", piece)]
    if not piece.ok:
        rows.append(Row("5", "bench_emulator.py", "-", "", "", f"FAILED ({piece.error})"))
    return rows


# -- 6: import time and the CLI's --help ------------------------------------------------------------------------------


def import_ms(statement: str, module: str) -> float:
    """The cumulative import time of module, from `python -X importtime -c statement` (a fresh interpreter)."""
    proc = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", statement], cwd=ROOT, capture_output=True, text=True, check=True
    )
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
        if match and match.group(3) == module and not match.group(2):
            return int(match.group(1)) / 1000
    raise RuntimeError(f"`{statement}` did not import {module} at top level")


def wall_ms(command: list[str], cpu_ms: list[float] | None = None) -> float:
    """The wall time of a command; its CPU time (user + system) goes to cpu_ms when given: on a busy machine the wall
    time grows with the waiting for a CPU, the CPU time much less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu_ms is not None:
        cpu_ms.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    return wall


def sample(work: Callable[[], float], runs: int) -> list[float]:
    work()  # one warm-up: files in the page cache
    return [work() for _ in range(runs)]


def interleaved(works: dict[str, Callable[[], float]], runs: int) -> dict[str, list[float]]:
    """Each work once per round, in turn, so that load from anything else on the machine falls on all alike."""
    for work in works.values():
        work()  # one warm-up each: files in the page cache
    samples: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            samples[name].append(work())
    return samples


def compile_packages() -> str:
    """Byte-compile our three packages, as installing a wheel does: with PYTHONDONTWRITEBYTECODE set (or a source
    newer than its .pyc), every start-up would otherwise compile the changed modules again and time that too."""
    folders = [ROOT / "overlay" / "amazon_music", ROOT / "generated" / "amazon_music_generated"]
    folders.append(ROOT / "emulator" / "amazon_music_emulator")
    subprocess.run([PYTHON, "-m", "compileall", "-q", *map(str, folders)], cwd=ROOT, capture_output=True, check=False)
    return "The packages were byte-compiled first (python -m compileall), as a wheel's installation does."


def startup_rows(runs: int) -> tuple[list[Row], list[str]]:
    notes = [compile_packages()]
    without_cli = "import sys; sys.modules['httpx._main'] = None; import amazon_music"
    works: dict[str, Callable[[], float]] = {
        "amazon_music": lambda: import_ms("import amazon_music", "amazon_music"),
        "httpx": lambda: import_ms("import httpx", "httpx"),
        "without httpx._main": lambda: import_ms(without_cli, "amazon_music"),
        "python": lambda: wall_ms([PYTHON, "-c", "pass"]),
    }
    cli = BIN / "amazon-music"
    help_measure, help_target = "amazon-music --help wall time", f"< {TARGET_HELP_MS:.0f} ms"
    help_failure = "" if cli.exists() else "FAILED (no amazon-music in the venv)"
    help_cpu: list[float] = []
    if not help_failure:
        try:
            wall_ms([str(cli), "--help"])
            works["help"] = lambda: wall_ms([str(cli), "--help"], help_cpu)
        except subprocess.CalledProcessError as exc:
            help_failure = f"FAILED (exit {exc.returncode})"
    samples = interleaved(works, runs)
    rows = [
        ms_row("6", "import amazon_music (-X importtime, cumulative)", samples["amazon_music"], TARGET_IMPORT_MS),
        ms_row("6", "  of which import httpx", samples["httpx"], None),
        ms_row("6", "  import amazon_music if httpx skipped its CLI (httpx._main)", samples["without httpx._main"],
               None),
        ms_row("6", "python -c pass (interpreter start, for scale)", samples["python"], None),
    ]  # fmt: skip
    if help_failure:
        rows.append(Row("6", help_measure, "-", "", help_target, help_failure))
    else:
        cpu = statistics.median(help_cpu[1:])  # the warm-up's CPU time left out, as its wall time is
        rows.append(ms_row("6", f"{help_measure} (CPU time {cpu:.0f} ms)", samples["help"], TARGET_HELP_MS))
    heavy = _heavy_modules("import amazon_music")
    note = f"`import amazon_music` loads {', '.join(heavy) or 'none'} of: {', '.join(HEAVY_MODULES)}"
    through_httpx = [m for m in heavy if m not in _heavy_modules(without_cli)]
    if through_httpx:
        note += (
            f"; {', '.join(through_httpx)} through httpx's CLI module (httpx/__init__.py imports httpx._main whenever "
            "click and rich are installed, as they are for the amazon-music command; upstream: encode/httpx#3547)"
        )
    notes.append(note + ".")
    return rows, notes


def _heavy_modules(statement: str) -> list[str]:
    probe = f"{statement}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    if not statement.startswith("import sys"):
        probe = "import sys; " + probe
    loaded = set(subprocess.run([PYTHON, "-c", probe], cwd=ROOT, capture_output=True, text=True).stdout.split())
    return [m for m in HEAVY_MODULES if m in loaded]


# -- 7: make generate -------------------------------------------------------------------------------------------------


def generate_rows(folder: Path, runs: int) -> list[Row]:
    make = shutil.which("make")
    if make is None:
        return [Row("7", "make generate wall time", "-", "", "", "FAILED (no make)")]
    target = folder / "generate" / "amazon_music_generated"
    command = [make, "-s", "--no-print-directory", "generate", f"GENERATED={target}"]
    try:
        samples = sample(lambda: wall_ms(command), runs)
    except subprocess.CalledProcessError as exc:
        return [Row("7", "make generate wall time", "-", "", "", f"FAILED (exit {exc.returncode})")]
    return [ms_row("7", "make generate wall time (into a temporary folder)", samples, None)]


# -- the testing kit (another helper's script, folded in) -------------------------------------------------------------


def kit_rows(piece: Piece) -> list[Row]:
    figures = piece.figures
    if not isinstance(figures, dict):
        return [failed_row("+", "testing kit per-test cost", piece)]
    rows = []
    try:
        rows.append(Row("+", "testing kit: first emulator in a process", f"{figures['first_emulator_ms']:.0f} ms"))
        for case in figures["direct"]:
            rows.append(
                Row("+", f"testing kit: {case['name']}", f"{case['median_ms']:.1f} ms",
                    f"p10-p90 {case['p10_ms']:.1f}-{case['p90_ms']:.1f} ms")
            )  # fmt: skip
        for key, label in (("with_fixture", "amazon_music_client fixture"), ("without_fixture", "no fixture")):
            case = figures["pytest"][key]
            rows.append(
                Row("+", f"testing kit through pytest, setup+teardown: {label}", f"{case['median_ms']:.1f} ms",
                    f"p10-p90 {case['p10_ms']:.1f}-{case['p90_ms']:.1f} ms")
            )  # fmt: skip
    except (KeyError, TypeError) as exc:
        piece.error = f"its JSON has another shape ({exc!r}); its output is below"
        return [failed_row("+", "testing kit per-test cost", piece)]
    return rows


# -- S: the shared sandbox (issue #17) ---------------------------------------------------------------------------------


def sandbox_rows(piece: Piece) -> tuple[list[Row], list[str]]:
    """Per configuration: saturation (median req/s over the rounds) and the fixed rate's p99 (over every round's
    requests), judged against the target for two processes on PostgreSQL; a configuration with errors has no figure."""
    figures = piece.figures
    if not isinstance(figures, dict):
        return [failed_row("S", "sandbox: mixed workload on SQLite and PostgreSQL", piece)], []
    rows: list[Row] = []
    try:
        setting, results, pooled = figures["setting"], figures["results"], figures["pooled"]
        for key, overall in pooled.items():
            mine = [r for r in results if r["config"] == key]
            saturated = [r for r in mine if r["kind"] == "saturation"]
            fixed = [r for r in mine if r["kind"] == "fixed_rate"]
            name = mine[0]["name"]
            errors = sum(r["errors"] for r in mine)
            rates = [r["per_second"] for r in saturated]
            p50 = statistics.median(r["p50_ms"] for r in saturated)
            p99 = statistics.median(r["p99_ms"] for r in saturated)
            measure = f"sandbox {name}: saturation, {setting['connections']} connections (p50 {p50:.1f} ms, " + (
                f"p99 {p99:.1f} ms)"
            )
            rows.append(Row("S", measure, f"{statistics.median(rates):,.0f} req/s",
                            f"{min(rates):,.0f}-{max(rates):,.0f} req/s"))  # fmt: skip
            p99s = [r["p99_ms"] for r in fixed]
            late = max(r.get("generator_late_p99_ms", 0.0) for r in fixed)
            kept = statistics.median(r["per_second"] for r in fixed)
            behind = f"; answered only {kept:,.0f} req/s" if kept < 0.95 * setting["rate"] else ""
            measure = (
                f"sandbox {name}: p99 at {setting['rate']:g} req/s, open loop (p50 {overall['p50_ms']:.1f} ms; "
                f"generator late p99 {late:.1f} ms{behind})"
            )
            target, result = "", ""
            if key == SANDBOX_TARGETED:
                target = f"< {TARGET_SANDBOX_P99_MS:.0f} ms"
                result = verdict(overall["p99_ms"] < TARGET_SANDBOX_P99_MS)
            if errors:
                result = f"FAILED ({errors} errors: not a figure)"
            rows.append(Row("S", measure, f"{overall['p99_ms']:.1f} ms", f"{min(p99s):.1f}-{max(p99s):.1f} ms",
                            target, result))  # fmt: skip
        notes = [
            f"Sandbox (S, issue #17): {setting['tenants']}"
            + ("" if setting["tenant_commands"] else " (no `tenant` command yet: the fallback)")
            + f"; {setting['write_share']:.0%} writes; reads: {', '.join(setting['reads'])}; writes: "
            f"{', '.join(setting['writes'])}. Two processes: {setting['two_processes']}. PostgreSQL: "
            f"{setting['postgres']}. The p99 at the fixed rate is over every round's requests (spread: each round's), "
            "timed from each request's scheduled send."
        ]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        piece.error = f"its JSON has another shape ({exc!r}); its output is below"
        return [failed_row("S", "sandbox: mixed workload on SQLite and PostgreSQL", piece)], []
    if not piece.ok and not any(r.verdict.startswith("FAILED") for r in rows):
        rows.append(Row("S", "bench_sandbox.py", "-", "", "", f"FAILED ({piece.error})"))
    return rows, notes


# -- the report -------------------------------------------------------------------------------------------------------


def machine() -> list[str]:
    cpu = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        cpu = platform.processor() or "?"
    memory = "?"
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError, ValueError):
        pass
    return [
        f"{cpu}, {os.cpu_count()} CPUs, {memory} RAM",
        f"{platform.system()} {platform.release()} ({platform.machine()})",
    ]


def versions() -> str:
    found = [f"Python {platform.python_version()}"]
    for name in PACKAGES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    node = shutil.which("node")
    if node:
        found.append(f"node {subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()}")
    if PRISM.exists():
        prism = subprocess.run([str(PRISM), "--version"], capture_output=True, text=True).stdout.strip()
        found.append(f"prism {prism or '?'}")
    return ", ".join(found)


def revision() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except OSError:
        return "?"
    return head.stdout.strip() + (" with uncommitted changes" if dirty.strip() else "")


def table(rows: list[Row]) -> list[str]:
    head = Row("#", "measure", "median", "spread (min-max)", "target", "result")
    widths = [max(len(getattr(r, f)) for r in [head, *rows]) for f in ("item", "measure", "median", "spread", "target")]

    def line(r: Row) -> str:
        cells = [r.item.ljust(widths[0]), r.measure.ljust(widths[1]), r.median.rjust(widths[2])]
        cells += [r.spread.ljust(widths[3]), r.target.ljust(widths[4]), r.verdict]
        return "  ".join(cells).rstrip()

    return [line(head), "  ".join("-" * w for w in widths) + "  ------", *(line(r) for r in rows)]


def markdown_table(rows: list[Row]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| # | measure | median | spread (min-max) | target | result |", "|---|---|---:|---|---|---|"]
    lines += [
        f"| {r.item} | {cell(r.measure)} | {cell(r.median)} | {cell(r.spread)} | {cell(r.target)} | {r.verdict} |"
        for r in rows
    ]
    return lines


def write_markdown(
    path: Path,
    rows: list[Row],
    pieces: list[Piece],
    notes: list[str],
    started: str,
    loads: tuple[str, str],
    total: float,
) -> None:
    text = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (scripts/bench.py) on {started}, revision {revision()}, in {total:.0f} s.",
        "Medians over rounds; the spread is the range over the same rounds. Ratios are client/raw unless the row says",
        "otherwise. Figures from a shared or busy machine move; the ratios, taken from interleaved rounds, move less.",
        "",
        "## Machine",
        "",
        *(f"- {line}" for line in machine()),
        f"- load average (1, 5, 15 min): {loads[0]} at the start, {loads[1]} at the end",
        f"- {versions()}",
        "",
        "## Summary",
        "",
        *markdown_table(rows),
        "",
    ]
    if notes:
        text += ["Notes:", "", *(f"- {note}" for note in notes), ""]
    text += ["## Each piece's own output", ""]
    for piece in pieces:
        status = f", {piece.error}" if piece.error else ""
        text += [f"### {piece.name} ({piece.seconds:.0f} s{status})", ""]
        if piece.command:
            text += [f"`{piece.shown_env}{shlex.join(_shown(piece.command))}`", ""]
        output = piece.stdout.strip() or "(no output)"
        text += ["```", output, "```", ""]
        if piece.error and piece.stderr.strip():
            text += ["stderr (last lines):", "", "```", *piece.stderr.strip().splitlines()[-15:], "```", ""]
    path.write_text("\n".join(text).rstrip() + "\n", encoding="utf-8")


def _shown(command: list[str]) -> list[str]:
    """A command as a reader would type it: paths relative to the repository, the interpreter as python."""
    shown = []
    for part in command:
        if part == PYTHON:
            shown.append("python")
        elif part.startswith(str(ROOT) + os.sep):
            shown.append(os.path.relpath(part, ROOT))
        else:
            shown.append(re.sub(r"/tmp/[^ ]*/", "TMP/", part))
    return shown


def _busy(load: str) -> str:
    """A note when something else kept the machine busy: its absolute times are inflated, the ratios much less."""
    try:
        first = float(load.split()[0])
    except (IndexError, ValueError):
        return ""
    cpus = os.cpu_count() or 1
    if first <= cpus:
        return ""
    return (
        f"The machine was busy when the run began (load {first:.1f} on {cpus} CPUs): absolute times are inflated; "
        "ratios from interleaved rounds much less. Run again on a quiet machine for the absolute figures."
    )


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--client-args", default="", help="extra arguments for scripts/bench_client.py")
    parser.add_argument(
        "--emulator-args",
        default="--max-seconds 6",
        help="arguments for scripts/bench_emulator.py (default: %(default)s)",
    )
    parser.add_argument("--kit-args", default="", help="extra arguments for scripts/bench_testing_kit.py")
    parser.add_argument("--sandbox-args", default="", help="extra arguments for scripts/bench_sandbox.py")
    parser.add_argument("--runs", type=int, default=11, help="runs of each start-up measurement (default 11)")
    parser.add_argument("--parse-turns", type=int, default=4, help="parse-only runs per package (default 4)")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--json-dir", type=Path, default=ROOT / "reports" / "bench")
    args = parser.parse_args(argv)
    args.json_dir.mkdir(parents=True, exist_ok=True)

    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = _load()
    began = time.perf_counter()
    rows: list[Row] = []
    pieces: list[Piece] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)

        out = args.json_dir / "client.json"
        command = [PYTHON, str(SCRIPTS / "bench_client.py"), *shlex.split(args.client_args), "--json", str(out)]
        client = run_piece("client: overhead, walk, memory, users(ids)", command, 420, out)
        pieces.append(client)
        rows += client_rows(client)

        parse_rows, parse_pieces = bench_parsing(folder, args.parse_turns)
        rows += parse_rows
        pieces += parse_pieces

        out = args.json_dir / "emulator.json"
        command = [PYTHON, str(SCRIPTS / "bench_emulator.py"), *shlex.split(args.emulator_args), "--json", str(out)]
        emulator = run_piece("emulator against Prism", command, 420, out)
        pieces.append(emulator)
        rows += emulator_rows(emulator)

        print("bench: start-up times ...", file=sys.stderr, flush=True)
        startup, startup_notes = startup_rows(args.runs)
        rows += startup
        notes += startup_notes
        print("bench: make generate ...", file=sys.stderr, flush=True)
        rows += generate_rows(folder, 3)

        kit_script = SCRIPTS / "bench_testing_kit.py"
        if kit_script.exists():
            out = args.json_dir / "testing_kit.json"
            command = [PYTHON, str(kit_script), *shlex.split(args.kit_args), "--json", str(out)]
            kit = run_piece("testing kit per-test cost", command, 300, out)
            pieces.append(kit)
            rows += kit_rows(kit)

        out = args.json_dir / "sandbox.json"
        command = [PYTHON, str(SCRIPTS / "bench_sandbox.py"), *shlex.split(args.sandbox_args), "--json", str(out)]
        sandbox = run_piece("sandbox: SQLite and PostgreSQL, mixed workload", command, 600, out)
        pieces.append(sandbox)
        sandbox_table, sandbox_notes = sandbox_rows(sandbox)
        rows += sandbox_table
        notes += sandbox_notes

    total = time.perf_counter() - began
    busy = _busy(load_before)
    if busy:
        notes.insert(0, busy)
    order = ["1", "2", "3", "4", "5", "6", "7", "+", "S"]
    rows.sort(key=lambda row: order.index(row.item) if row.item in order else len(order))
    print()
    print(f"benchmarks ({started_at}, {os.cpu_count()} CPUs, load {load_before} -> {_load()}, {total:.0f} s)")
    for line in table(rows):
        print(line)
    write_markdown(args.out, rows, pieces, notes, started_at, (load_before, _load()), total)
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    print(f"\nwrote {shown}; the figures as JSON in {args.json_dir}")
    failed = [r for r in rows if r.verdict.startswith("FAILED")]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
