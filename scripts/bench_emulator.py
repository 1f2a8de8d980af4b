"""Benchmark the emulator against Prism's mock over loopback, in the same run: requests per second, p50/p99 latency.

    python scripts/bench_emulator.py [--requests 4000] [--max-seconds 10] [--connections 8] [--rounds 3] [--slices 8]
                                     [--followers 10000] [--workers 1] [--no-prism] [--json reports/bench_emulator.json]

Starts ``amazon-music-emulator serve`` on 127.0.0.1 (a free port, a fresh file in a temporary folder, the seed grown
to ``--followers``, ``--workers`` processes) and Prism's mock server on the same spec
(``tools/npm/node_modules/.bin/prism mock SPEC -v error``, answering from the spec's examples, keeping no state), then
drives both with ``--connections`` keep-alive HTTP/1.1 connections from one asyncio client (a minimal one, so the
client costs little next to the servers on a 2-core machine) through two scenarios:

    followers     GET /v1/me/followers?limit=100 (the emulator: request validation on, as always; a 100-edge page
                  from SQLite; no response validation. Prism: its request validation, the spec's example page)
    follow pair   PUT then DELETE /v1/me/followed/artists/{id}; a pair counts as one operation

A round of a scenario warms each server up, then lets them take turns ``--slices`` times, each turn
``--requests``/``--slices`` operations (or ``--max-seconds``/``--slices``, whichever ends first), so that load from
anything else on the machine falls on both alike; who goes first alternates between rounds. Per server and round:
operations per second over its own turns, p50/p99 latency, and its CPU time per operation (all its processes, from
/proc; the figure least moved by other load). The summary gives medians over the rounds and the median of the
per-round ratios emulator/Prism, with their range. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

HOST = "127.0.0.1"
WARMUP = 500
FIRST_WARMUP = 3000  # before a server's first round: Node's JIT (Prism) takes longer than Python to settle
ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "spec" / "amazon-music-user-v1.yaml"
PRISM = ROOT / "tools" / "npm" / "node_modules" / ".bin" / "prism"
ARTIST = "B000S2A8NE"  # a seeded artist, and the shape the spec's path pattern asks for
SCENARIOS: dict[str, list[tuple[str, str]]] = {
    "GET /v1/me/followers?limit=100": [("GET", "/v1/me/followers?limit=100")],
    "PUT+DELETE /v1/me/followed/artists/{id}": [
        ("PUT", f"/v1/me/followed/artists/{ARTIST}"),
        ("DELETE", f"/v1/me/followed/artists/{ARTIST}"),
    ],
}


@dataclass
class Result:
    server: str
    scenario: str
    round: int
    operations: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us: float | None  # the server's CPU time (all its processes) per operation, where /proc tells it
    errors: int


class Connection:
    """One keep-alive HTTP/1.1 connection that sends a request and reads the whole response (Content-Length)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: bytes) -> None:
        self.reader = reader
        self.writer = writer
        self.headers = headers

    @classmethod
    async def open(cls, port: int, headers: dict[str, str]) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return cls(reader, writer, f"Host: {HOST}:{port}\r\n{lines}".encode())

    async def request(self, method: str, path: str) -> int:
        self.writer.write(f"{method} {path} HTTP/1.1\r\n".encode() + self.headers + b"Content-Length: 0\r\n\r\n")
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        if match is None:
            raise RuntimeError(f"{method} {path}: response without Content-Length")
        await self.reader.readexactly(int(match.group(1)))
        return status

    def close(self) -> None:
        self.writer.close()


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and its descendants so far, from /proc; None elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended while we looked
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    if pid not in stats:
        return None
    tree, total = {pid}, 0.0
    for _ in range(4):  # serve -> workers; deeper trees do not occur
        tree |= {child for child, (parent, _) in stats.items() if parent in tree}
    for member in tree:
        total += stats[member][1]
    return total


@dataclass
class Target:
    """A server under test: where it listens and which process tree to charge its CPU time to."""

    name: str
    port: int
    pid: int


class Tally:
    """One server's share of a round: operations, the wall time of its own slices, latencies, CPU time, errors."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.seconds = 0.0
        self.cpu: float | None = 0.0
        self.errors = 0


async def drive(conns: list[Connection], steps: list[tuple[str, str]], budget: int, seconds: float,
                tally: Tally | None) -> None:  # fmt: skip
    """Run ``budget`` operations (or for ``seconds``) over the connections; with a tally, record them."""
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker(conn: Connection) -> None:
        nonlocal issued
        while issued < budget and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            failed = 0
            for method, path in steps:
                failed += await conn.request(method, path) != 200
            if tally is not None:
                tally.latencies.append(time.perf_counter() - started)
                tally.errors += failed

    await asyncio.gather(*(worker(c) for c in conns))


async def measure_round(
    targets: list[Target], scenario: str, round_: int, headers: dict[str, str], args: argparse.Namespace
) -> list[Result]:
    """One round of a scenario: each server warmed up, then the servers take turns, slice by slice."""
    steps = SCENARIOS[scenario]
    conns = {t.name: [await Connection.open(t.port, headers) for _ in range(args.connections)] for t in targets}
    tallies = {t.name: Tally() for t in targets}
    for target in targets:
        await drive(conns[target.name], steps, FIRST_WARMUP if round_ == 1 else WARMUP, args.max_seconds, None)
    per_slice = max(1, args.requests // args.slices)
    for _ in range(args.slices):
        for target in targets:
            tally = tallies[target.name]
            cpu_before = cpu_seconds(target.pid)
            started = time.perf_counter()
            await drive(conns[target.name], steps, per_slice, args.max_seconds / args.slices, tally)
            tally.seconds += time.perf_counter() - started
            cpu_after = cpu_seconds(target.pid)
            if tally.cpu is not None and cpu_before is not None and cpu_after is not None:
                tally.cpu += cpu_after - cpu_before
            else:
                tally.cpu = None
    results = []
    for target in targets:
        for conn in conns[target.name]:
            conn.close()
        tally = tallies[target.name]
        latencies = sorted(tally.latencies)
        count = len(latencies)
        p99 = latencies[min(count - 1, int(count * 0.99))]
        cpu_us = None if tally.cpu is None else round(tally.cpu / count * 1e6, 1)
        results.append(Result(
            target.name, scenario, round_, count, round(tally.seconds, 3), round(count / tally.seconds, 1),
            round(statistics.median(latencies) * 1000, 3), round(p99 * 1000, 3), cpu_us, tally.errors,
        ))  # fmt: skip
    return results


@contextmanager
def running(command: list[str], **popen: object) -> Iterator[subprocess.Popen[str]]:
    """A server process, stopped (SIGTERM, then SIGKILL) however the block ends."""
    process = subprocess.Popen(command, text=True, **popen)  # type: ignore[call-overload]
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_banner(process: subprocess.Popen[str]) -> tuple[int, dict[str, str]]:
    assert process.stdout is not None
    found: dict[str, str] = {}
    deadline = time.monotonic() + 60
    for line in process.stdout:
        if match := re.match(r"\s+(base URL|x-api-key|Authorization)\s+(?:Bearer )?(\S+)", line):
            found[match.group(1)] = match.group(2)
        if len(found) == 3 or time.monotonic() > deadline:
            break
    if len(found) != 3:
        raise SystemExit("the emulator did not print its banner")
    port = int(found["base URL"].rsplit(":", 1)[1])
    return port, {"x-api-key": found["x-api-key"], "Authorization": f"Bearer {found['Authorization']}"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


async def wait_ready(port: int, headers: dict[str, str], name: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode} before answering")
        try:
            conn = await Connection.open(port, headers)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        status = await conn.request("GET", "/v1/me/followers?limit=100")
        conn.close()
        if status == 200:
            return
        raise SystemExit(f"{name}: GET /v1/me/followers?limit=100 answered {status}")
    raise SystemExit(f"{name} did not accept connections within 60 s")


def versions() -> str:
    node = shutil.which("node")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else "-"
    prism = "-"
    if PRISM.exists():
        prism = subprocess.run([str(PRISM), "--version"], capture_output=True, text=True).stdout.strip() or "?"
    return f"python {platform.python_version()}, node {node_version}, prism {prism}"


def summarise(results: list[Result], servers: list[str]) -> list[str]:
    """Per scenario: each server's median op/s and CPU per op over the rounds; with Prism, the per-round ratios."""
    lines = [f"median of {max(r.round for r in results)} rounds; ratio = emulator / Prism in the same round (min-max)"]
    row = "{:<42} {:>16} {:>11} {:>18} {:>16} {:>11} {:>18}"
    names = [*servers, "-"][:2]
    lines.append(row.format("scenario", f"{names[0]} op/s", f"{names[1]} op/s", "op/s ratio", f"{names[0]} cpu/op",
                            f"{names[1]} cpu/op", "cpu/op ratio"))  # fmt: skip
    for scenario in SCENARIOS:
        runs = {s: sorted((r for r in results if r.server == s and r.scenario == scenario), key=lambda r: r.round)
                for s in servers}  # fmt: skip
        rate = [f"{statistics.median(r.per_second for r in runs[s]):.0f}" for s in servers]
        cpu = [_median([r.cpu_us for r in runs[s]], "{:.0f} us") for s in servers]
        rate_ratio = cpu_ratio = "-"
        if len(servers) == 2:
            pairs = list(zip(runs[servers[0]], runs[servers[1]], strict=True))
            rate_ratio = _ratio([e.per_second / p.per_second for e, p in pairs if p.per_second])
            cpu_ratio = _ratio([e.cpu_us / p.cpu_us for e, p in pairs if e.cpu_us and p.cpu_us])
        lines.append(row.format(scenario, *[*rate, "-"][:2], rate_ratio, *[*cpu, "-"][:2], cpu_ratio))
    return lines


def _median(values: list[float | None], form: str) -> str:
    known = [v for v in values if v is not None]
    return form.format(statistics.median(known)) if known else "-"


def _ratio(ratios: list[float]) -> str:
    if not ratios:
        return "-"
    return f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="operations per measurement (after warm-up)")
    parser.add_argument("--max-seconds", type=float, default=10.0, help="time bound per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each a median's sample)")
    parser.add_argument("--slices", type=int, default=8, help="turns per round: each server runs requests/slices")
    parser.add_argument("--followers", type=int, default=10_000, help="seed size of the demo user's followers")
    parser.add_argument("--workers", type=int, default=1, help="emulator server processes (serve --workers)")
    parser.add_argument("--no-prism", action="store_true", help="measure the emulator alone")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if min(args.requests, args.connections, args.rounds, args.slices, args.workers) < 1 or args.max_seconds <= 0:
        parser.error("--requests, --max-seconds, --connections, --rounds, --slices and --workers must be positive")

    with_prism = not args.no_prism
    if with_prism and not PRISM.exists():
        print(f"note: {PRISM.relative_to(ROOT)} is missing (run `make install`); measuring the emulator alone")
        with_prism = False
    emulator_name = "emulator" if args.workers == 1 else f"emulator x{args.workers}"
    servers = [emulator_name, "prism"] if with_prism else [emulator_name]

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as folder, ExitStack() as processes:
        command = [sys.executable, "-m", "amazon_music_emulator", "serve", "--host", HOST, "--port", "0"]
        command += ["--db", str(Path(folder) / "bench.db"), "--quiet", "--seed-size", f"followers={args.followers}"]
        command += ["--workers", str(args.workers)] if args.workers > 1 else []
        emulator = processes.enter_context(running(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        port, headers = read_banner(emulator)
        targets = [Target(emulator_name, port, emulator.pid)]
        asyncio.run(wait_ready(port, headers, "the emulator", emulator))
        if with_prism:
            # Prism checks that the credentials are present, not what they are: the emulator's serve for both.
            prism_port = free_port()
            prism_command = [str(PRISM), "mock", str(SPEC), "-h", HOST, "-p", str(prism_port), "-v", "error"]
            prism = processes.enter_context(
                running(prism_command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
            asyncio.run(wait_ready(prism_port, headers, "prism", prism))
            targets.append(Target("prism", prism_port, prism.pid))
        for round_ in range(1, args.rounds + 1):
            order = targets if round_ % 2 else targets[::-1]
            for scenario in SCENARIOS:
                results.extend(asyncio.run(measure_round(order, scenario, round_, headers, args)))

    print(
        f"emulator benchmark: {args.connections} connections, loopback, seed followers={args.followers}, "
        f"emulator workers={args.workers}, rounds={args.rounds}, cpus={os.cpu_count()}, {versions()}"
    )
    row = "{:<12} {:<42} {:>5} {:>6} {:>7} {:>8} {:>8} {:>8} {:>9} {:>6}"
    print(row.format("server", "scenario", "round", "ops", "s", "ops/s", "p50 ms", "p99 ms", "cpu us/op", "errors"))
    for r in results:
        cpu = "-" if r.cpu_us is None else r.cpu_us
        print(row.format(r.server, r.scenario, r.round, r.operations, r.seconds, r.per_second, r.p50_ms, r.p99_ms,
                         cpu, r.errors))  # fmt: skip
    print()
    for line in summarise(results, servers):
        print(line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
