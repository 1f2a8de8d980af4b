"""scripts/bench_sandbox.py's logic: the workload it reads from the spec, the requests it builds (each answered 2xx by
the emulator), its open loop timing from the schedule, its provisioning, and bench.py's rows from its figures. The
measurements themselves belong to `make bench`."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from amazon_music_emulator import EmulatorApp, create_app
from amazon_music_generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]


def _import(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(ROOT / "scripts"))


@pytest.fixture(scope="module")
def sandbox() -> ModuleType:
    return _import("bench_sandbox")


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return _import("bench")


@pytest.fixture
def emulator() -> Iterator[EmulatorApp]:
    app = create_app(":memory:")
    yield app
    app.close()


def asgi_send(app: EmulatorApp) -> Any:
    """The script's Send, answered by the app in-process: the pre-built HTTP/1.1 bytes parsed back into a request."""

    async def send(data: bytes) -> tuple[int, bytes]:
        head, _, body = data.partition(b"\r\n\r\n")
        request_line, *header_lines = head.decode().split("\r\n")
        method, target, _ = request_line.split(" ")
        headers = dict(line.split(": ", 1) for line in header_lines)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            response = await client.request(method, target, headers=headers, content=body)
        return response.status_code, response.content

    return send


def credentials_for(sandbox: ModuleType, app: EmulatorApp, count: int) -> list[Any]:
    """The fallback's credentials in-process: the demo user first, then other users of the one tenant."""
    demo = app.mint_token()
    others = [u for u in app.store.user_ids(count + 1) if u != demo.user_id][: count - 1]
    grants = [demo, *(app.mint_token(user_id=u) for u in others)]
    return [sandbox.Credentials("default", g.api_key, g.access_token, g.user_id) for g in grants]


def test_reads_are_the_spec_s_get_operations_and_writes_the_rest(sandbox: ModuleType) -> None:
    reads = {op.operation_id for op in sandbox.reads()}
    writes = {op.operation_id for op in sandbox.writes()}
    assert reads == {op.operation_id for op in OPERATIONS if op.http_method == "GET"}
    assert reads | writes == {op.operation_id for op in OPERATIONS} and not reads & writes


def test_every_built_request_is_answered_2xx_by_the_emulator(sandbox: ModuleType, emulator: EmulatorApp) -> None:
    send = asgi_send(emulator)
    credentials = credentials_for(sandbox, emulator, 3)
    worlds = asyncio.run(sandbox.discover(send, "127.0.0.1", credentials))
    for person, world in zip(credentials, worlds, strict=True):
        assert world.targets["user"] and world.targets["artist"]
        assert person.user_id not in world.targets["user"]
        reads, writes = sandbox.requests_for(person, "127.0.0.1", world)
        assert {r.operation_id for r in reads} == {op.operation_id for op in sandbox.reads()}
        assert {r.operation_id for r in writes} == {op.operation_id for op in sandbox.writes()}
        for request in reads + writes:
            status, body = asyncio.run(send(request.data))
            assert 200 <= status < 300, (request.operation_id, status, body[:300])


def test_put_me_sends_back_what_the_user_holds(sandbox: ModuleType, emulator: EmulatorApp) -> None:
    send = asgi_send(emulator)
    person = credentials_for(sandbox, emulator, 1)[0]
    before = emulator.store.get_user(person.user_id)
    (world,) = asyncio.run(sandbox.discover(send, "127.0.0.1", [person]))
    _, writes = sandbox.requests_for(person, "127.0.0.1", world)
    (put_me,) = [r for r in writes if not r.data.startswith((b"PUT /v1/me/", b"DELETE "))]
    assert asyncio.run(send(put_me.data))[0] == 200
    assert emulator.store.get_user(person.user_id) == before


def test_the_schedule_mixes_a_fifth_of_writes_over_every_credential(sandbox: ModuleType) -> None:
    def request(operation_id: str, is_write: bool, owner: int) -> Any:
        return sandbox.Request(operation_id, is_write, f"{operation_id} {owner}".encode())

    per_credential = [
        ([request(f"read{i}", False, owner) for i in range(4)], [request(f"write{i}", True, owner) for i in range(3)])
        for owner in range(10)
    ]
    drawn = sandbox.schedule(per_credential, 20_000)
    share = sum(r.is_write for r in drawn) / len(drawn)
    assert 0.18 < share < 0.22
    assert {r.data.split()[1] for r in drawn} == {str(owner).encode() for owner in range(10)}
    operations = Counter(r.operation_id for r in drawn)
    assert set(operations) == {f"read{i}" for i in range(4)} | {f"write{i}" for i in range(3)}


class SlowServer:
    """A keep-alive HTTP server on 127.0.0.1 that answers each request after ``delay`` seconds: 503 for paths with
    "fail" in them, else 200."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self.serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.server is not None
        self.server.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(self.delay)
                status = b"503 Service Unavailable" if b"fail" in head.split(b"\r\n")[0] else b"200 OK"
                writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def test_open_loop_times_each_request_from_its_scheduled_send(sandbox: ModuleType) -> None:
    """One connection, answers taking 20 ms, requests due every 5 ms: the k-th waits for the k before it, and its
    latency counts that wait (a closed loop would report about 20 ms for each)."""
    delay, rate, count = 0.02, 200.0, 10
    requests = [sandbox.Request("getCurrentUser", False, b"GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n")]

    async def run() -> Any:
        async with SlowServer(delay) as port:
            return await sandbox.open_loop([port], requests, 1, rate, count / rate)

    tally = asyncio.run(run())
    assert len(tally.latencies) == count and not tally.errors
    # served one after another, the last answer comes at least count*delay after the first send was due
    assert max(tally.latencies) >= count * delay - (count - 1) / rate


def test_a_non_2xx_answer_is_an_error_named_by_its_operation(sandbox: ModuleType) -> None:
    requests = [
        sandbox.Request("getCurrentUser", False, b"GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n"),
        sandbox.Request("followUser", True, b"PUT /fail HTTP/1.1\r\nHost: x\r\n\r\n"),
    ]

    async def run() -> Any:
        async with SlowServer(0.0) as port:
            return await sandbox.closed_loop([port], requests, 1, 0.05)

    tally = asyncio.run(run())
    assert tally.writes and tally.errors == Counter({"followUser 503": tally.writes})


@pytest.mark.long_running
def test_provision_labels_tenants_or_the_fallback(sandbox: ModuleType, tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.db")
    provisioned = sandbox.provision(db, 2)
    expected = "2 tenants" if sandbox.has_tenants() else "2 users of one tenant"
    assert provisioned.label == expected
    assert len(provisioned.credentials) == 2
    assert len({(c.tenant, c.user_id) for c in provisioned.credentials}) == 2
    assert all(c.access_token not in repr(c) and c.api_key not in repr(c) for c in provisioned.credentials)


def test_a_built_request_s_repr_holds_no_credentials(sandbox: ModuleType) -> None:
    person = sandbox.Credentials("default", "amzn1.application.key", "Atza|token", "user1")
    body = {p.name: (p.enum or ("Name",))[0] for op in OPERATIONS for p in op.parameters if p.location == "body"}
    world = sandbox.World(body, {"user": ["user2"], "artist": ["B000000001"]})
    reads, writes = sandbox.requests_for(person, "127.0.0.1", world)
    for request in reads + writes:
        assert b"Atza|token" in request.data and b"application.key" in request.data
        assert "Atza|token" not in repr(request) and "application.key" not in repr(request)


def sandbox_figures(errors: int = 0, p99_x2: float = 12.0) -> dict[str, Any]:
    def result(config: str, name: str, kind: str, round_: int, p99: float) -> dict[str, Any]:
        return {"config": config, "name": name, "kind": kind, "round": round_, "per_second": 400.0 + round_,
                "p50_ms": 2.0, "p99_ms": p99, "errors": errors if config == "postgres-x2" else 0,
                "generator_late_p99_ms": 1.0}  # fmt: skip

    results = [
        result(config, name, kind, round_, p99_x2 + round_ if config == "postgres-x2" else 30.0)
        for round_ in (1, 2)
        for config, name in (("sqlite", "SQLite, 1 process"), ("postgres-x2", "PostgreSQL, 2 processes"))
        for kind in ("saturation", "fixed_rate")
    ]
    setting = {"connections": 16, "rate": 500.0, "tenants": "10 users of one tenant", "tenant_commands": False,
               "write_share": 0.2, "reads": ["getCurrentUser"], "writes": ["followUser"],
               "two_processes": "two serve processes", "postgres": "defaults"}  # fmt: skip
    pooled = {"sqlite": {"p50_ms": 2.0, "p99_ms": 30.0}, "postgres-x2": {"p50_ms": 2.0, "p99_ms": p99_x2}}
    return {"setting": setting, "results": results, "pooled": pooled}


def test_bench_judges_only_two_processes_on_postgres_against_the_target(bench: ModuleType) -> None:
    rows, notes = bench.sandbox_rows(bench.Piece("sandbox", [], figures=sandbox_figures(p99_x2=12.0)))
    judged = [r for r in rows if r.target]
    assert [(r.median, r.spread, r.verdict) for r in judged] == [("12.0 ms", "13.0-14.0 ms", "met")]
    assert "SQLite, 1 process" in rows[0].measure and rows[0].median == "402 req/s"
    assert "10 users of one tenant (no `tenant` command yet" in notes[0]
    rows, _ = bench.sandbox_rows(bench.Piece("sandbox", [], figures=sandbox_figures(p99_x2=25.0)))
    assert [r.verdict for r in rows if r.target] == ["MISSED"]


def test_bench_gives_no_figure_for_a_run_with_errors(bench: ModuleType) -> None:
    rows, _ = bench.sandbox_rows(bench.Piece("sandbox", [], figures=sandbox_figures(errors=3, p99_x2=12.0)))
    assert [r.verdict for r in rows if r.target] == ["FAILED (12 errors: not a figure)"]


def test_bench_reports_a_failed_sandbox_run(bench: ModuleType) -> None:
    rows, notes = bench.sandbox_rows(bench.Piece("sandbox", [], error="exit 1: initdb missing"))
    assert [r.verdict for r in rows] == ["FAILED (exit 1: initdb missing)"] and not notes
