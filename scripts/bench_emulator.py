"""Benchmark the emulator over loopback: requests per second and p50/p99 latency, bounded in count and time.

    python scripts/bench_emulator.py [--requests 4000] [--max-seconds 20] [--connections 8] [--followers 10000]
                                     [--json reports/bench_emulator.json]

Starts ``amazon-music-emulator serve`` on 127.0.0.1 (a free port, a fresh file in a temporary folder, the seed grown
to ``--followers``), then runs two scenarios with ``--connections`` keep-alive HTTP/1.1 connections from one asyncio
client (a minimal one, so the client costs little next to the server on a 2-core machine):

    followers     GET /v1/me/followers?limit=100 (request validation on, as always; no response validation)
    follow pair   PUT then DELETE /v1/me/followed/artists/{id}; a pair counts as one operation

Each scenario stops after ``--requests`` operations or ``--max-seconds``, whichever comes first, after a short
warm-up. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HOST = "127.0.0.1"
WARMUP = 200


@dataclass
class Result:
    scenario: str
    operations: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
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


async def run_scenario(
    name: str,
    port: int,
    headers: dict[str, str],
    steps: list[tuple[str, str]],
    count: int,
    max_seconds: float,
    connections: int,
) -> Result:
    conns = [await Connection.open(port, headers) for _ in range(connections)]
    latencies: list[float] = []
    errors = 0
    issued = 0
    expected = {"GET": 200, "PUT": 200, "DELETE": 200}

    async def worker(conn: Connection, budget: int, deadline: float, record: bool) -> None:
        nonlocal errors, issued
        while True:
            if issued >= budget or time.perf_counter() >= deadline:
                return
            issued += 1
            started = time.perf_counter()
            for method, path in steps:
                if await conn.request(method, path) != expected[method]:
                    errors += 1
            if record:
                latencies.append(time.perf_counter() - started)

    issued = 0
    await asyncio.gather(*(worker(c, WARMUP, time.perf_counter() + max_seconds, False) for c in conns))
    issued = 0
    started = time.perf_counter()
    deadline = started + max_seconds
    await asyncio.gather(*(worker(c, count, deadline, True) for c in conns))
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Result(
        name, len(latencies), round(elapsed, 3), round(len(latencies) / elapsed, 1),
        round(statistics.median(latencies) * 1000, 3), round(p99 * 1000, 3), errors,
    )  # fmt: skip


def start_emulator(db: Path, followers: int) -> tuple[subprocess.Popen[str], int, dict[str, str]]:
    command = [sys.executable, "-m", "amazon_music_emulator", "serve", "--host", HOST, "--port", "0"]
    command += ["--db", str(db), "--quiet", "--seed-size", f"followers={followers}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    found: dict[str, str] = {}
    deadline = time.monotonic() + 60
    for line in process.stdout:
        if match := re.match(r"\s+(base URL|x-api-key|Authorization)\s+(?:Bearer )?(\S+)", line):
            found[match.group(1)] = match.group(2)
        if len(found) == 3 or time.monotonic() > deadline:
            break
    if len(found) != 3:
        process.kill()
        raise SystemExit("the emulator did not print its banner")
    port = int(found["base URL"].rsplit(":", 1)[1])
    return process, port, {"x-api-key": found["x-api-key"], "Authorization": f"Bearer {found['Authorization']}"}


async def wait_ready(port: int, headers: dict[str, str]) -> None:
    for _ in range(200):
        try:
            conn = await Connection.open(port, headers)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        status = await conn.request("GET", "/v1/me")
        conn.close()
        if status == 200:
            return
        raise SystemExit(f"GET /v1/me answered {status}")
    raise SystemExit("the emulator did not accept connections")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="operations per scenario (after warm-up)")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time bound per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--followers", type=int, default=10_000, help="seed size of the demo user's followers")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as folder:
        process, port, headers = start_emulator(Path(folder) / "bench.db", args.followers)
        try:
            asyncio.run(wait_ready(port, headers))
            artist = "B000S2A8NE"
            scenarios = [
                ("GET /v1/me/followers?limit=100", [("GET", "/v1/me/followers?limit=100")]),
                ("PUT+DELETE /v1/me/followed/artists/{id}", [("PUT", f"/v1/me/followed/artists/{artist}"),
                                                              ("DELETE", f"/v1/me/followed/artists/{artist}")]),
            ]  # fmt: skip
            results = [
                asyncio.run(run_scenario(name, port, headers, steps, args.requests, args.max_seconds, args.connections))
                for name, steps in scenarios
            ]
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    setting = f"{args.connections} connections, loopback, seed followers={args.followers}, cpus={os.cpu_count()}"
    print(f"emulator benchmark: {setting}")
    row = "{:<42} {:>6} {:>7} {:>8} {:>8} {:>8} {:>6}"
    print(row.format("scenario", "ops", "s", "ops/s", "p50 ms", "p99 ms", "errors"))
    for r in results:
        print(row.format(r.scenario, r.operations, r.seconds, r.per_second, r.p50_ms, r.p99_ms, r.errors))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
