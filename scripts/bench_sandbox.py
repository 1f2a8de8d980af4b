"""The shared sandbox's figures (issue #17): a mixed workload of many tenants on SQLite and PostgreSQL, over loopback.

    python scripts/bench_sandbox.py [--rate 500] [--seconds 8] [--connections 16] [--rate-connections 8]
                                    [--saturation-seconds 4] [--rounds 2] [--tenants 10] [--configs ...]
                                    [--postgres-via tcp|unix] [--max-total-seconds 330] [--json FILE]

Three configurations, each on a database of its own: SQLite in one ``serve`` process; PostgreSQL in one; PostgreSQL
in two ``serve`` processes on two ports, one database, behind a round-robin in the load generator (request i goes to
process i mod 2; in the closed loop, connection i). PostgreSQL is a throwaway cluster (initdb / pg_ctl in a temporary
folder, as tests/postgres_cluster.py starts one, reached on its unix socket as a sandbox on the database's host would
reach it, or with ``--postgres-via tcp`` over TCP on 127.0.0.1, removed after) with its durability defaults kept:
fsync, full_page_writes and synchronous_commit on, so an acknowledged write is on disk.

Tenants: ``provision`` makes ``--tenants`` worlds with ``amazon-music-emulator tenant create --seed demo`` when the
command has a ``tenant`` group, else it falls back to as many users of the one default tenant, each with a token of
its own (``token --user ID``); the output says which ("10 tenants" or "10 users of one tenant").

The workload is read from the operations table (amazon_music_generated.operations, generated from the spec): reads
are its GET operations (the current user, every listing's first page at the spec's default limit, a user, users by
ID), writes its other operations (PUT /v1/me with the user's own values, follow and unfollow of users and artists,
all idempotent); each request draws a credential at random, then a read (80 %) or a write (20 %), then the operation
and its target. Every answer must be 2xx: any other status, or a broken connection, is an error, and a measurement
with errors is not a figure. The generator is cheap on purpose (the 2 CPUs are shared by the servers, PostgreSQL and
itself): raw asyncio streams on uvloop, requests built before the clock starts, HTTP/1.1 keep-alive connections.

Per configuration and round, after a warm-up:
- saturation: ``--connections`` connections in a closed loop (each sends its next request when the last answer has
  arrived) for ``--saturation-seconds``: requests per second, p50/p99 latency;
- fixed rate: an open loop sending ``--rate`` requests per second on a fixed schedule for ``--seconds``, over
  ``--rate-connections`` connections per process; a request's latency runs from its scheduled send time, so a
  request that waited for a free connection (or for a late generator) counts its wait, and coordinated omission
  does not flatter p99. The generator's own lateness is reported beside it.
Configurations take turns within a round, so load from anything else on the machine falls on each alike. Only
127.0.0.1 is contacted; every run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from bench_emulator import HOST, cpu_seconds, free_port, read_banner, running

from amazon_music_generated.operations import OPERATIONS, Operation

ROOT = Path(__file__).resolve().parents[1]
EMULATOR = [sys.executable, "-m", "amazon_music_emulator"]
WRITE_SHARE = 0.2
TARGET_RATE = 500.0
TARGET_P99_MS = 20.0  # at TARGET_RATE, two processes on PostgreSQL
TARGETS_PER_KIND = 20  # users and artists each credential follows and unfollows
WARMUP_SECONDS = 2.0
COMMAND_TIMEOUT = 120.0  # seconds for one provisioning command, however busy the machine
SCHEDULE_LENGTH = 20_000  # requests drawn before the clock starts, then reused in turn
CONFIGS = ("sqlite", "postgres", "postgres-x2")
CONFIG_NAMES = {
    "sqlite": "SQLite, 1 process",
    "postgres": "PostgreSQL, 1 process",
    "postgres-x2": "PostgreSQL, 2 processes",
}


# -- provisioning -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """What one simulated developer sends: their world (tenant), API key, token and user. Never printed."""

    tenant: str
    api_key: str
    access_token: str
    user_id: str

    def __repr__(self) -> str:
        return f"Credentials(tenant={self.tenant!r}, user_id={self.user_id!r})"


@dataclass
class Provisioned:
    credentials: list[Credentials]
    label: str  # "10 tenants", or "10 users of one tenant" before the tenant commands exist


def emulator_command(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``amazon-music-emulator ARGS``; a failure raises with its last line of stderr (stdout may hold secrets)."""
    completed = subprocess.run(
        [*EMULATOR, *arguments], cwd=ROOT, capture_output=True, text=True, check=False, timeout=COMMAND_TIMEOUT
    )
    if check and completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"amazon-music-emulator {arguments[0]} failed ({completed.returncode}): {last[:300]}")
    return completed


def has_tenants() -> bool:
    return emulator_command("tenant", "--help", check=False).returncode == 0


def provision(db: str, count: int) -> Provisioned:
    """``count`` tenants (``tenant create --seed demo``), or, without the tenant commands, ``count`` users of the
    default tenant; each with an access token holding every scope. ``db`` is created and seeded as needed."""
    # the database created, migrated and seeded once, before any concurrent command
    seeded = json.loads(emulator_command("token", "--db", db, "--create", "--json").stdout)
    with ThreadPoolExecutor(max_workers=4) as pool:
        if has_tenants():
            names = [f"bench-{index}" for index in range(count)]
            return Provisioned(list(pool.map(lambda name: _tenant_credentials(db, name), names)), f"{count} tenants")
        demo_user = _demo_user_id()
        user_ids = [demo_user, *(u for u in _user_ids(db, count + 1) if u != demo_user)][:count]
        if len(user_ids) < count:
            raise RuntimeError(f"the default tenant has {len(user_ids)} users; {count} are needed")
        tokens = list(pool.map(lambda user: _user_token(db, user), user_ids))
    credentials = [
        Credentials("default", str(seeded["api_key"]), token, user)
        for user, token in zip(user_ids, tokens, strict=True)
    ]
    return Provisioned(credentials, f"{count} users of one tenant")


def _tenant_credentials(db: str, name: str) -> Credentials:
    created = json.loads(emulator_command("tenant", "create", name, "--seed", "demo", "--json", "--db", db).stdout)
    granted = json.loads(emulator_command("token", "--db", db, "--tenant", name, "--json").stdout)
    api_key = str(granted.get("api_key") or created["api_key"])
    return Credentials(name, api_key, str(granted["access_token"]), str(created["user_id"]))


def _user_token(db: str, user_id: str) -> str:
    return str(json.loads(emulator_command("token", "--db", db, "--user", user_id, "--json").stdout)["access_token"])


def _user_ids(db: str, count: int) -> list[str]:
    from amazon_music_emulator.store import Store

    with Store(db) as store:
        return store.user_ids(count)


def _demo_user_id() -> str:
    from amazon_music_emulator.seed import DEMO_USER_ID

    return DEMO_USER_ID


# -- the workload, from the operations table --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    operation_id: str
    is_write: bool
    data: bytes = field(repr=False)  # the whole HTTP/1.1 request, credentials included


@dataclass
class World:
    """What one credential's requests are made from: its profile (for PUT /v1/me) and the IDs it may follow."""

    profile: dict[str, Any]
    targets: dict[str, list[str]]  # kind ("user", "artist") -> IDs


def reads() -> list[Operation]:
    return [op for op in OPERATIONS if op.http_method == "GET"]


def writes() -> list[Operation]:
    return [op for op in OPERATIONS if op.http_method != "GET"]


def target_kind(operation: Operation, kinds: Sequence[str]) -> str:
    """What an operation's path ``{id}`` names: the kind of listed item its noun speaks of ("follow artist result")."""
    for kind in kinds:
        if kind in operation.noun.split():
            return kind
    raise ValueError(f"{operation.operation_id}: no kind of {', '.join(kinds)} in its noun {operation.noun!r}")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def listed_ids(operation: Operation, body: Any) -> list[str]:
    """The IDs on a listing's page, found where the operations table says its items are (result, edges, item_path)."""
    connection = body
    for step in operation.result:
        connection = connection[camel(step)]
    ids = []
    for edge in connection[camel(operation.edges or "edges")]:
        item = edge
        for step in operation.item_path:
            item = item[camel(step)]
        ids.append(str(item["id"]))
    return ids


def build_request(
    operation: Operation, credentials: Credentials, host: str, world: World, target: str | None = None
) -> Request:
    """One operation as HTTP/1.1 bytes: path ``{id}`` the target (or the user), required query lists the targets of
    its kind, a body from the user's profile (PUT /v1/me keeps what it holds); optional parameters at their default."""
    path = operation.path.replace("{id}", target or credentials.user_id)
    query, body = [], {}
    for parameter in operation.parameters:
        if parameter.location == "query" and parameter.required:
            count = min(parameter.max_count or 10, 10)
            ids = [credentials.user_id, *world.targets[operation.noun]][:count]
            query.append(f"{parameter.name}={','.join(ids)}")
        elif parameter.location == "body":
            body[parameter.name] = world.profile[parameter.name]
    if query:
        path += "?" + "&".join(query)
    payload = json.dumps(body).encode() if body else b""
    head = [
        f"{operation.http_method} {path} HTTP/1.1",
        f"Host: {host}",
        f"x-api-key: {credentials.api_key}",
        f"Authorization: Bearer {credentials.access_token}",
        f"Content-Length: {len(payload)}",
    ]
    if payload:
        head.append("Content-Type: application/json")
    data = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
    return Request(operation.operation_id, operation.http_method != "GET", data)


def requests_for(credentials: Credentials, host: str, world: World) -> tuple[list[Request], list[Request]]:
    """Every read of one credential, and every write with each of its targets."""
    read_requests = [build_request(op, credentials, host, world) for op in reads()]
    write_requests = []
    for op in writes():
        if any(p.location == "path" for p in op.parameters):
            kind = target_kind(op, list(world.targets))
            write_requests += [build_request(op, credentials, host, world, t) for t in world.targets[kind]]
        else:
            write_requests.append(build_request(op, credentials, host, world))
    return read_requests, write_requests


def schedule(per_credential: list[tuple[list[Request], list[Request]]], length: int, seed: int = 2026) -> list[Request]:
    """``length`` requests drawn in advance: a credential at random, then a write (WRITE_SHARE) or a read, then an
    operation (each write operation alike, whatever its number of targets), then its target."""
    rng = random.Random(seed)
    drawn = []
    for _ in range(length):
        read_requests, write_requests = rng.choice(per_credential)
        if rng.random() < WRITE_SHARE:
            by_operation: dict[str, list[Request]] = {}
            for request in write_requests:
                by_operation.setdefault(request.operation_id, []).append(request)
            drawn.append(rng.choice(rng.choice(list(by_operation.values()))))
        else:
            drawn.append(rng.choice(read_requests))
    return drawn


# -- the HTTP side ----------------------------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection: writes a pre-built request, reads the whole answer; its status."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
        if match is None:
            raise RuntimeError("an answer without Content-Length")
        return int(head[9:12]), await self.reader.readexactly(int(match.group(1)))

    def close(self) -> None:
        self.writer.close()


@dataclass
class Tally:
    """One measurement: latencies (seconds), wall time, errors by operation, the generator's lateness."""

    latencies: list[float] = field(default_factory=list)
    writes: int = 0
    seconds: float = 0.0
    errors: Counter[str] = field(default_factory=Counter)
    lateness: list[float] = field(default_factory=list)

    def record(self, request: Request, status: int | None, latency: float) -> None:
        self.latencies.append(latency)
        self.writes += request.is_write
        if status is None or not 200 <= status < 300:
            self.errors[f"{request.operation_id} {status or 'no answer'}"] += 1


async def exchange(conns: list[Connection], index: int, port: int, request: Request) -> int | None:
    """Send one request on conns[index]; a broken connection is replaced and counts as no answer (None)."""
    try:
        status, _ = await conns[index].send(request.data)
        return status
    except (OSError, asyncio.IncompleteReadError, RuntimeError, ValueError):
        conns[index].close()
        conns[index] = await Connection.open(port)
        return None


async def closed_loop(ports: list[int], requests: list[Request], connections: int, seconds: float) -> Tally:
    """``connections`` connections (connection i on ports[i mod len]), each sending its next request as soon as the
    last answer is in, for ``seconds``."""
    tally = Tally()
    conns = [await Connection.open(ports[i % len(ports)]) for i in range(connections)]
    position = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def client(index: int) -> None:
        nonlocal position
        port = ports[index % len(ports)]
        while time.perf_counter() < deadline:
            request = requests[position % len(requests)]
            position += 1
            sent = time.perf_counter()
            status = await exchange(conns, index, port, request)
            tally.record(request, status, time.perf_counter() - sent)

    try:
        await asyncio.gather(*(client(i) for i in range(connections)))
    finally:
        tally.seconds = time.perf_counter() - started
        for conn in conns:
            conn.close()
    return tally


async def open_loop(ports: list[int], requests: list[Request], per_port: int, rate: float, seconds: float) -> Tally:
    """``rate`` requests a second on a fixed schedule for ``seconds``, request i to ports[i mod len], each port's
    requests queued for ``per_port`` connections; latency from the scheduled send time, whatever it waited for."""
    tally = Tally()
    queues: list[asyncio.Queue[tuple[float, Request] | None]] = [asyncio.Queue() for _ in ports]
    conns = {port: [await Connection.open(port) for _ in range(per_port)] for port in ports}

    async def worker(port: int, index: int, queue: asyncio.Queue[tuple[float, Request] | None]) -> None:
        while (item := await queue.get()) is not None:
            scheduled, request = item
            status = await exchange(conns[port], index, port, request)
            tally.record(request, status, time.perf_counter() - scheduled)

    workers = [
        asyncio.ensure_future(worker(port, index, queue))
        for port, queue in zip(ports, queues, strict=True)
        for index in range(per_port)
    ]
    total = int(rate * seconds)
    started = time.perf_counter() + 0.005
    try:
        for i in range(total):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tally.lateness.append(max(0.0, time.perf_counter() - due))
            queues[i % len(ports)].put_nowait((due, requests[i % len(requests)]))
        for queue in queues:
            for _ in range(per_port):
                queue.put_nowait(None)
        await asyncio.gather(*workers)
    finally:
        tally.seconds = time.perf_counter() - started
        for worker_task in workers:
            worker_task.cancel()
        for conn in (c for port_conns in conns.values() for c in port_conns):
            conn.close()
    return tally


# Sends one pre-built request, answers (status, body): a connection's ``send``, or in the tests the app in-process.
Send = Callable[[bytes], Awaitable[tuple[int, bytes]]]


async def fetch_json(send: Send, host: str, credentials: Credentials, operation: Operation) -> Any:
    status, body = await send(build_request(operation, credentials, host, World({}, {})).data)
    if status != 200:
        raise RuntimeError(f"{operation.operation_id} for {credentials!r} answered {status} while discovering")
    return json.loads(body)


async def discover(send: Send, host: str, provisioned: list[Credentials]) -> list[World]:
    """Each credential's world, read through the API: its profile from GET /v1/me, and the users and artists it may
    follow from the first pages of its tenant's first user's listings of each kind."""
    kinds = ("user", "artist")
    listings = [op for op in reads() if op.paged and op.noun in kinds]
    me = next(op for op in reads() if not op.parameters and op.path.endswith("/me"))
    pools: dict[str, dict[str, list[str]]] = {}
    for credentials in provisioned:
        if credentials.tenant not in pools:
            found: dict[str, list[str]] = {kind: [] for kind in kinds}
            for op in listings:
                found[op.noun] += listed_ids(op, await fetch_json(send, host, credentials, op))
            pools[credentials.tenant] = found
        pools[credentials.tenant]["user"] += [credentials.user_id]
    worlds = []
    for credentials in provisioned:
        profile = (await fetch_json(send, host, credentials, me))["data"]["user"]
        targets = {}
        for kind, ids in pools[credentials.tenant].items():
            unique = [i for i in dict.fromkeys(ids) if i != credentials.user_id]
            if not unique:
                raise RuntimeError(f"{credentials!r}: no {kind} to follow in its tenant")
            targets[kind] = random.Random(credentials.user_id).sample(unique, min(TARGETS_PER_KIND, len(unique)))
        worlds.append(World(profile, targets))
    return worlds


# -- servers and PostgreSQL -------------------------------------------------------------------------------------------


def _postgres_cluster_module() -> ModuleType:
    """tests/postgres_cluster.py (where the PostgreSQL binaries are, and how to get them), loaded by path."""
    path = ROOT / "tests" / "postgres_cluster.py"
    spec = importlib.util.spec_from_file_location("postgres_cluster", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


POSTGRES_SETTINGS = "PostgreSQL's defaults (fsync, full_page_writes, synchronous_commit on; shared_buffers 128MB)"


@contextmanager
def throwaway_postgres(via: str = "tcp") -> Iterator[tuple[Callable[[str], str], int]]:
    """A PostgreSQL cluster in a temporary folder listening on 127.0.0.1 (a free port) and on a unix socket there,
    with its durability defaults; as root it runs as the ``postgres`` account. Yields (database name -> the
    superuser's URL for it, over ``via``: tcp or unix; the postmaster's pid)."""
    import pwd

    cluster = _postgres_cluster_module()
    programs = Path(cluster.postgres_bin())
    if not (programs / "initdb").exists():
        raise RuntimeError(cluster.HOW_TO_GET_IT)
    account = pwd.getpwnam(cluster.SUPERUSER) if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="bench-sandbox-pg-"))
    port = free_port()
    uid, gid = (None, None) if account is None else (account.pw_uid, account.pw_gid)
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)

    def pg(program: str, *arguments: str) -> None:
        done = subprocess.run(
            [str(programs / program), *arguments], capture_output=True, text=True, check=False, user=uid, group=gid
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()[-300:]}")

    data = folder / "data"
    started = False
    try:
        pg("initdb", "-D", str(data), "-U", cluster.SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-k {folder} -c listen_addresses={HOST} -p {port}"
        pg("pg_ctl", "-D", str(data), "-l", str(folder / "log"), "-w", "-o", options, "start")
        started = True
        pid = int((data / "postmaster.pid").read_text().split()[0])
        if via == "unix":
            yield lambda name: f"postgresql://{cluster.SUPERUSER}@/{name}?host={folder}&port={port}", pid
        else:
            yield lambda name: f"postgresql://{cluster.SUPERUSER}@{HOST}:{port}/{name}", pid
    finally:
        if started:
            pg("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def create_database(url_for: Callable[[str], str], name: str) -> str:
    import psycopg

    with psycopg.connect(url_for("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # name: one of this script's constants
    return url_for(name)


@dataclass
class Config:
    key: str
    db: str
    processes: int
    ports: list[int] = field(default_factory=list)
    pids: list[int] = field(default_factory=list)
    provisioned: Provisioned | None = None
    requests: list[Request] = field(default_factory=list)
    fixed_rate_latencies: list[float] = field(default_factory=list)  # every round's, for the pooled percentiles

    @property
    def name(self) -> str:
        return CONFIG_NAMES[self.key]


def start_servers(config: Config, stack: ExitStack) -> None:
    for _ in range(config.processes):
        command = [*EMULATOR, "serve", "--host", HOST, "--port", "0", "--db", config.db, "--quiet"]
        server = stack.enter_context(running(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL))
        port, _ = read_banner(server)
        config.ports.append(port)
        config.pids.append(server.pid)


# -- figures ----------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def figures(kind: str, round_: int, tally: Tally, cpu: dict[str, float | None]) -> dict[str, Any]:
    count = len(tally.latencies)
    figure: dict[str, Any] = {
        "kind": kind,
        "round": round_,
        "requests": count,
        "writes": tally.writes,
        "seconds": round(tally.seconds, 3),
        "per_second": round(count / tally.seconds, 1) if tally.seconds else 0.0,
        "p50_ms": round(statistics.median(tally.latencies) * 1000, 2) if count else None,
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 2) if count else None,
        "max_ms": round(max(tally.latencies) * 1000, 2) if count else None,
        "errors": sum(tally.errors.values()),
        "errors_by_operation": dict(tally.errors),
        **{
            f"{who}_cpu_us": None if used is None else round(used / max(count, 1) * 1e6, 1) for who, used in cpu.items()
        },
    }
    if tally.lateness:
        figure["generator_late_p99_ms"] = round(percentile(tally.lateness, 0.99) * 1000, 2)
    return figure


def cpu_now(pids: Sequence[int]) -> float | None:
    """CPU seconds so far of the process trees of ``pids`` (all known, or None)."""
    used = [cpu_seconds(pid) for pid in pids]
    return None if any(u is None for u in used) else sum(u or 0.0 for u in used)


def own_cpu() -> float:
    """This process's CPU seconds alone (its process tree would hold the servers it started)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(
    config: Config, kind: str, round_: int, postgres_pid: int | None, run: Callable[[], Awaitable[Tally]]
) -> dict[str, Any]:
    """One measurement and the CPU time each side spent on it: the servers, PostgreSQL, the generator."""
    watched: dict[str, Callable[[], float | None]] = {"server": lambda: cpu_now(config.pids), "generator": own_cpu}
    if postgres_pid is not None:
        watched["postgres"] = lambda: cpu_now([postgres_pid])
    before = {who: read() for who, read in watched.items()}
    tally = await run()
    if kind == "fixed_rate":
        config.fixed_rate_latencies += tally.latencies
    cpu: dict[str, float | None] = {}
    for who, read in watched.items():
        start, end = before[who], read()
        cpu[who] = None if start is None or end is None else end - start
    return figures(kind, round_, tally, cpu)


# -- the run ----------------------------------------------------------------------------------------------------------


async def prepare(config: Config) -> None:
    assert config.provisioned is not None
    host = f"{HOST}:{config.ports[0]}"
    conn = await Connection.open(config.ports[0])
    try:
        worlds = await discover(conn.send, host, config.provisioned.credentials)
    finally:
        conn.close()
    per_credential = [
        requests_for(credentials, host, world)
        for credentials, world in zip(config.provisioned.credentials, worlds, strict=True)
    ]
    config.requests = schedule(per_credential, SCHEDULE_LENGTH)


async def measure_config(
    config: Config, round_: int, args: argparse.Namespace, postgres_pid: int | None
) -> list[dict[str, Any]]:
    """One round of one configuration: its saturation, then its latency at the fixed rate."""
    pg_pid = postgres_pid if config.key.startswith("postgres") else None
    saturation = await measure(
        config, "saturation", round_, pg_pid,
        lambda: closed_loop(config.ports, config.requests, args.connections, args.saturation_seconds),
    )  # fmt: skip
    fixed = await measure(
        config, "fixed_rate", round_, pg_pid,
        lambda: open_loop(config.ports, config.requests, args.rate_connections, args.rate, args.seconds),
    )  # fmt: skip
    return [
        {"config": config.key, "name": config.name, "processes": config.processes, **figure}
        for figure in (saturation, fixed)
    ]


async def run_all(
    configs: list[Config], args: argparse.Namespace, postgres_pid: int | None, results: list[dict[str, Any]]
) -> None:
    """Every configuration prepared and warmed up, then measured round by round (into ``results`` as they come)."""
    for config in configs:
        await prepare(config)
        await closed_loop(config.ports, config.requests, args.connections, WARMUP_SECONDS)  # warm-up
    for round_ in range(1, args.rounds + 1):
        for config in configs if round_ % 2 else configs[::-1]:
            print(f"bench_sandbox: round {round_}, {config.name} ...", file=sys.stderr, flush=True)
            results += await measure_config(config, round_, args, postgres_pid)


def pooled(config: Config) -> dict[str, Any]:
    """The fixed-rate percentiles over every round's requests together (more samples for p99 than one round has)."""
    latencies = config.fixed_rate_latencies
    if not latencies:
        return {"requests": 0, "p50_ms": None, "p99_ms": None}
    return {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 2),
    }


def summary(results: list[dict[str, Any]], pooled_by_config: dict[str, dict[str, Any]], rate: float) -> list[str]:
    """Per configuration: median saturation over the rounds, and the fixed rate's percentiles over all its rounds."""
    lines = ["saturation: medians over the rounds; fixed rate: percentiles over every round's requests"]
    row = "{:<26} {:>12} {:>9} {:>9}   {:>10} {:>9} {:>9} {:>9} {:>7}"
    lines.append(row.format("configuration", "saturation", "p50 ms", "p99 ms", f"at {rate:g}/s", "p50 ms", "p99 ms",
                            "late p99", "errors"))  # fmt: skip
    for key, figure in pooled_by_config.items():
        mine = [r for r in results if r["config"] == key]
        saturated = [r for r in mine if r["kind"] == "saturation"]
        fixed = [r for r in mine if r["kind"] == "fixed_rate"]
        if not saturated or not fixed:
            continue
        lines.append(row.format(
            CONFIG_NAMES[key],
            f"{statistics.median(r['per_second'] for r in saturated):,.0f} req/s",
            f"{statistics.median(r['p50_ms'] for r in saturated):.1f}",
            f"{statistics.median(r['p99_ms'] for r in saturated):.1f}",
            f"{statistics.median(r['per_second'] for r in fixed):,.0f} req/s",
            f"{figure['p50_ms']:.1f}",
            f"{figure['p99_ms']:.1f}",
            f"{max(r.get('generator_late_p99_ms', 0.0) for r in fixed):.1f}",
            sum(r["errors"] for r in mine),
        ))  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="requests per second of the open loop")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each open-loop measurement")
    parser.add_argument("--rate-connections", type=int, default=8, help="open-loop connections per process")
    parser.add_argument("--connections", type=int, default=16, help="closed-loop connections (saturation)")
    parser.add_argument("--saturation-seconds", type=float, default=4.0, help="length of each saturation measurement")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (each configuration measured once per round)")
    parser.add_argument("--tenants", type=int, default=10, help="tenants (or users of one tenant) sending requests")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"which of {', '.join(CONFIGS)} (comma-separated)")
    parser.add_argument(
        "--postgres-via", choices=("tcp", "unix"), default="unix", help="how the servers reach PostgreSQL (%(default)s)"
    )
    parser.add_argument("--max-total-seconds", type=float, default=330.0, help="bound on the measured part")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.configs.split(",") if k.strip()]
    if not keys or any(k not in CONFIGS for k in keys):
        parser.error(f"--configs: expected some of {', '.join(CONFIGS)}")
    positive = (args.rate, args.seconds, args.rate_connections, args.connections, args.saturation_seconds)
    if min(*positive, args.rounds, args.tenants) <= 0 or args.max_total_seconds <= 0:
        parser.error("every number must be positive")

    import uvloop

    started = time.perf_counter()
    timed_out = ""
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as folder, ExitStack() as stack:
        url_for, postgres_pid = None, None
        if any(k.startswith("postgres") for k in keys):
            url_for, postgres_pid = stack.enter_context(throwaway_postgres(args.postgres_via))
        configs = []
        for key in keys:
            processes = 2 if key.endswith("-x2") else 1
            if key == "sqlite":
                db = str(Path(folder) / "sandbox.db")
            else:
                assert url_for is not None
                db = create_database(url_for, f"bench_{key.replace('-', '_')}")
            configs.append(Config(key, db, processes))
        for config in configs:
            print(f"bench_sandbox: provisioning {config.name} ...", file=sys.stderr, flush=True)
            config.provisioned = provision(config.db, args.tenants)
            start_servers(config, stack)
        results: list[dict[str, Any]] = []
        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            try:
                runner.run(asyncio.wait_for(run_all(configs, args, postgres_pid, results), args.max_total_seconds))
            except TimeoutError:
                timed_out = f"the measurements took more than --max-total-seconds {args.max_total_seconds:g}"
                print(f"bench_sandbox: {timed_out}; what was measured before is below", file=sys.stderr)
    pooled_by_config = {config.key: pooled(config) for config in configs}
    label = configs[0].provisioned.label if configs[0].provisioned else "?"
    setting = {
        "tenants": label,
        "tenant_commands": label.endswith("tenants"),
        "rate": args.rate,
        "seconds": args.seconds,
        "rate_connections_per_process": args.rate_connections,
        "connections": args.connections,
        "saturation_seconds": args.saturation_seconds,
        "rounds": args.rounds,
        "write_share": WRITE_SHARE,
        "reads": [op.operation_id for op in reads()],
        "writes": [op.operation_id for op in writes()],
        "two_processes": "two serve processes on two ports, one PostgreSQL database, round-robin in the generator",
        "postgres": f"{POSTGRES_SETTINGS}, " + (f"TCP on {HOST}" if args.postgres_via == "tcp" else "a unix socket"),
        "cpus": os.cpu_count(),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    print(
        f"sandbox benchmark: {label}, {WRITE_SHARE:.0%} writes, {len(setting['reads'])} read and "
        f"{len(setting['writes'])} write operations from the spec; saturation: {args.connections} connections, closed "
        f"loop, {args.saturation_seconds:g} s; fixed rate: {args.rate:g}/s open loop, {args.seconds:g} s, "
        f"{args.rate_connections} connections per process; {args.rounds} rounds; cpus={os.cpu_count()}"
    )
    print(f"two processes: {setting['two_processes']}; PostgreSQL: {setting['postgres']}")
    row = "{:<24} {:<10} {:>5} {:>7} {:>7} {:>9} {:>8} {:>8} {:>8} {:>10} {:>10} {:>8} {:>6}"
    print(row.format("configuration", "kind", "round", "reqs", "s", "req/s", "p50 ms", "p99 ms", "max ms",
                     "server cpu", "pg cpu", "gen cpu", "errors"))  # fmt: skip
    for r in results:
        print(row.format(r["name"], r["kind"], r["round"], r["requests"], r["seconds"], r["per_second"], r["p50_ms"],
                         r["p99_ms"], r["max_ms"], _us(r.get("server_cpu_us")), _us(r.get("postgres_cpu_us")),
                         _us(r.get("generator_cpu_us")), r["errors"]))  # fmt: skip
    print()
    for line in summary(results, pooled_by_config, args.rate):
        print(line)
    errors = Counter[str]()
    for r in results:
        errors.update(r["errors_by_operation"])
    if errors:
        print("errors (not figures):", ", ".join(f"{k}: {v}" for k, v in errors.most_common()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"setting": setting, "results": results, "pooled": pooled_by_config}, indent=2) + "\n"
        )
    return 1 if errors or timed_out else 0


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} us"


if __name__ == "__main__":
    raise SystemExit(main())
