"""Client benchmarks (issue 7): the typed client against raw httpx doing the same work, as ratios.

1. Overhead. Per-call time of ``AmazonMusic.me()`` and of one followers page (limit=100) against a raw ``httpx.Client``
   sending the same request and ``json.loads``-ing the body, and the same for ``AsyncAmazonMusic`` against a raw
   ``httpx.AsyncClient``: on the in-process emulator (one process, same transport) and over loopback (the emulator
   serving from a subprocess on 127.0.0.1, so the two share no interpreter). Rounds are interleaved (raw, generated,
   client, raw, ...) so drift hits all alike. The generated client alone (its ``sync_detailed`` on a plain httpx
   client) runs alongside, so the table tells the cost of the generated parsing from the cost of the overlay's layers
   (``overlay us`` = client - generated).
2. Parsing. ``FollowersResponse.from_dict`` on a decoded 100-edge page against ``json.loads`` of the same body
   (``--parse-only``: this alone, e.g. with another generated package first on PYTHONPATH; scripts/bench.py does so
   with the generator's stock templates, for the before/after of spec/templates/).
3. Walk. A 10,000-item walk of the followers over loopback, in items per second, against a hand-written httpx loop
   (json.loads, follow pageInfo.token); and the peak traced memory (tracemalloc) of a 10,000-item walk against a
   1,000-item walk, over loopback too (the client's allocations only): a walk holds a page at a time, so the peak
   must not grow with its length (the longer walk meets more pages, so its largest page is a little larger).
4. ``users(ids)`` with 1,000 IDs: ``AsyncAmazonMusic``'s concurrent chunks (100 IDs a request, ``users_concurrency``
   in flight) against the same client sending its chunks one after another (``users_concurrency=1``), over loopback
   against an emulator started with ``--latency-ms 50``; and, when the default bound is below the number of chunks,
   with every chunk in flight (what the bound costs).

Every figure is a median over rounds, with its spread (min-max) over the same rounds. Only 127.0.0.1 is contacted.

    python scripts/bench_client.py [--rounds 15] [--calls 150] [--short-walk 1000] [--long-walk 10000]
                                   [--walk-rounds 3] [--ids 1000] [--latency-ms 50] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

# the emulator's server libraries warn about their own dependencies on import: noise in a benchmark's output
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=r".*is deprecated", category=UserWarning)

from amazon_music import AmazonMusic, AsyncAmazonMusic  # noqa: E402
from amazon_music.testing import SyncASGITransport  # noqa: E402
from amazon_music_emulator.app import EmulatorApp, create_app  # noqa: E402
from amazon_music_emulator.seed import DEMO_API_KEY, SeedConfig  # noqa: E402

IN_PROCESS_URL = "http://emulator.bench.invalid"  # .invalid: never a network host, so plain http is fine
HOST = "127.0.0.1"
WALK_LONG = 10_000
WALK_SHORT = 1_000
PAGE = 100
SERVER_START_TIMEOUT = 60.0

CONTENDERS = ("raw", "generated", "client")


# -- timing ---------------------------------------------------------------------------------------------------------


def per_call(work: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        work()
    return (time.perf_counter() - started) / calls


async def per_call_async(work: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await work()
    return (time.perf_counter() - started) / calls


def spread(values: list[float]) -> dict[str, float]:
    """Median and range of a figure over rounds."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def ratios(numerators: list[float], denominators: list[float]) -> dict[str, float]:
    """The ratio of the medians, and the range of the per-round ratios."""
    per_round = [n / d for n, d in zip(numerators, denominators, strict=True)]
    return {
        "ratio": statistics.median(numerators) / statistics.median(denominators),
        "ratio_min": min(per_round),
        "ratio_max": max(per_round),
    }


# -- the emulator over loopback ---------------------------------------------------------------------------------------


class ServedEmulator:
    """Where ``served_emulator`` serves: base URL and demo credentials."""

    def __init__(self, url: str, api_key: str, token: str) -> None:
        self.url = url
        self.api_key = api_key
        self.token = token

    @property
    def headers(self) -> dict[str, str]:
        return {"x-api-key": self.api_key, "authorization": f"Bearer {self.token}"}


_BANNER = re.compile(r"^\s+(base URL|x-api-key|Authorization)\s+(?:Bearer )?(\S+)", re.MULTILINE)


@contextmanager
def served_emulator(followers: int, latency_ms: float = 0.0) -> Iterator[ServedEmulator]:
    """``amazon-music-emulator serve`` in a subprocess on 127.0.0.1: a free port, a fresh store in a temp folder."""
    with tempfile.TemporaryDirectory(prefix="bench-client-") as folder:
        banner = Path(folder) / "banner.txt"
        command = [sys.executable, "-m", "amazon_music_emulator", "serve", "--host", HOST, "--port", "0", "--quiet"]
        command += ["--db", str(Path(folder) / "bench.db"), "--seed-size", f"followers={followers}"]
        command += ["--latency-ms", str(latency_ms)]
        # the banner goes to a file, not a pipe: nothing has to keep reading the server's output
        with banner.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, text=True)
        try:
            found: dict[str, str] = {}
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while len(found) < 3:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"bench_client: the emulator did not start ({' '.join(command)})")
                time.sleep(0.02)
                found = dict(_BANNER.findall(banner.read_text()))
            server = ServedEmulator(found["base URL"], found["x-api-key"], found["Authorization"])
            _wait_ready(server, deadline)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(server: ServedEmulator, deadline: float) -> None:
    with httpx.Client(base_url=server.url, headers=server.headers) as client:
        while True:
            try:
                status = client.get("/v1/me").status_code
            except httpx.TransportError:
                status = 0
            if status == 200:
                return
            if status or time.monotonic() > deadline:
                raise SystemExit(f"bench_client: GET /v1/me on the emulator answered {status or 'nothing'}")
            time.sleep(0.05)


# -- 1. overhead ------------------------------------------------------------------------------------------------------


def summary(name: str, via: str, times: dict[str, list[float]]) -> dict[str, Any]:
    """Medians per contender; the client's ratio to raw per round gives the spread."""
    median = {contender: statistics.median(times[contender]) for contender in CONTENDERS}
    return {
        "name": name,
        "via": via,
        "raw_us": median["raw"] * 1e6,
        "generated_us": median["generated"] * 1e6,
        "client_us": median["client"] * 1e6,
        "overlay_us": (median["client"] - median["generated"]) * 1e6,
        "generated_ratio": median["generated"] / median["raw"],
        **ratios(times["client"], times["raw"]),
    }


def bench_sync(
    via: str,
    base_url: str,
    headers: dict[str, str],
    transport: httpx.BaseTransport | None,
    rounds: int,
    calls: int,
) -> list[dict[str, Any]]:
    from amazon_music_generated.api.me import get_current_user, get_current_user_followers
    from amazon_music_generated.client import AuthenticatedClient

    token = headers["authorization"].removeprefix("Bearer ")
    raw = httpx.Client(base_url=base_url, headers=headers, transport=transport)
    generated = AuthenticatedClient(base_url=base_url, token=token)
    generated.set_httpx_client(httpx.Client(base_url=base_url, headers=headers, transport=transport))
    music = AmazonMusic(headers["x-api-key"], token=token, base_url=base_url, transport=transport)
    cases: dict[str, dict[str, Callable[[], object]]] = {
        "sync me()": {
            "raw": lambda: json.loads(raw.get("/v1/me").content),
            "generated": lambda: get_current_user.sync_detailed(client=generated).parsed,
            "client": music.me,
        },
        "sync followers page (100)": {
            "raw": lambda: json.loads(raw.get("/v1/me/followers", params={"limit": PAGE}).content),
            "generated": lambda: get_current_user_followers.sync_detailed(client=generated, limit=PAGE).parsed,
            "client": lambda: next(iter(music.followers(limit=PAGE).pages())),
        },
    }
    results = []
    for name, works in cases.items():
        for contender in CONTENDERS:  # warm every path (imports, connection state, caches)
            per_call(works[contender], max(1, calls // 4))
        times: dict[str, list[float]] = {contender: [] for contender in CONTENDERS}
        for _ in range(rounds):
            for contender in CONTENDERS:
                times[contender].append(per_call(works[contender], calls))
        results.append(summary(name, via, times))
    raw.close()
    generated.get_httpx_client().close()
    music.close()
    return results


async def bench_async(
    via: str,
    base_url: str,
    headers: dict[str, str],
    transport: httpx.AsyncBaseTransport | None,
    rounds: int,
    calls: int,
) -> list[dict[str, Any]]:
    from amazon_music_generated.api.me import get_current_user, get_current_user_followers
    from amazon_music_generated.client import AuthenticatedClient

    token = headers["authorization"].removeprefix("Bearer ")
    raw = httpx.AsyncClient(base_url=base_url, headers=headers, transport=transport)
    generated = AuthenticatedClient(base_url=base_url, token=token)
    generated.set_async_httpx_client(httpx.AsyncClient(base_url=base_url, headers=headers, transport=transport))
    music = AsyncAmazonMusic(headers["x-api-key"], token=token, base_url=base_url, transport=transport)

    async def raw_me() -> object:
        return json.loads((await raw.get("/v1/me")).content)

    async def raw_page() -> object:
        return json.loads((await raw.get("/v1/me/followers", params={"limit": PAGE})).content)

    async def generated_me() -> object:
        return (await get_current_user.asyncio_detailed(client=generated)).parsed

    async def generated_page() -> object:
        return (await get_current_user_followers.asyncio_detailed(client=generated, limit=PAGE)).parsed

    async def client_page() -> object:
        async for page in music.followers(limit=PAGE).pages():
            return page
        return None

    cases: dict[str, dict[str, Callable[[], Awaitable[object]]]] = {
        "async me()": {"raw": raw_me, "generated": generated_me, "client": music.me},
        "async followers page (100)": {"raw": raw_page, "generated": generated_page, "client": client_page},
    }
    results = []
    for name, works in cases.items():
        for contender in CONTENDERS:
            await per_call_async(works[contender], max(1, calls // 4))
        times: dict[str, list[float]] = {contender: [] for contender in CONTENDERS}
        for _ in range(rounds):
            for contender in CONTENDERS:
                times[contender].append(await per_call_async(works[contender], calls))
        results.append(summary(name, via, times))
    await raw.aclose()
    await generated.get_async_httpx_client().aclose()
    await music.aclose()
    return results


# -- 2. parsing -------------------------------------------------------------------------------------------------------


def bench_parsing(app: EmulatorApp, token: str, rounds: int) -> dict[str, Any]:
    """from_dict on a decoded page against json.loads of its body, interleaved rounds of enough calls for ~20 ms."""
    from amazon_music_generated.models import FollowersResponse

    headers = {"x-api-key": DEMO_API_KEY, "authorization": f"Bearer {token}"}
    with httpx.Client(base_url=IN_PROCESS_URL, headers=headers, transport=SyncASGITransport(app)) as client:
        body = client.get("/v1/me/followers", params={"limit": PAGE}).content
    decoded = json.loads(body)
    edges = len(decoded["data"]["user"]["followers"]["edges"])
    calls = max(1, int(0.02 / per_call(lambda: json.loads(body), 20)))
    loads: list[float] = []
    from_dict: list[float] = []
    for _ in range(rounds):
        loads.append(per_call(lambda: json.loads(body), calls))
        from_dict.append(per_call(lambda: FollowersResponse.from_dict(decoded), calls))
    return {
        "edges": edges,
        "body_bytes": len(body),
        "json_loads_us": {k: v * 1e6 for k, v in spread(loads).items()},
        "from_dict_us": {k: v * 1e6 for k, v in spread(from_dict).items()},
        **ratios(from_dict, loads),
    }


# -- 3. walk ----------------------------------------------------------------------------------------------------------


def raw_walk(client: httpx.Client, items: int) -> int:
    """The hand-written loop: GET a page, json.loads it, touch each node, follow pageInfo.token."""
    count = 0
    params: dict[str, Any] = {"limit": PAGE}
    while count < items:
        connection = json.loads(client.get("/v1/me/followers", params=params).content)["data"]["user"]["followers"]
        for edge in connection["edges"][: items - count]:
            count += edge["node"]["id"] is not None
        if not connection["pageInfo"]["hasNextPage"]:
            break
        params = {"limit": PAGE, "cursor": connection["pageInfo"]["token"]}
    return count


def client_walk(music: AmazonMusic, items: int) -> int:
    count = 0
    for user in music.followers(limit=PAGE, max_items=items):
        count += user.id is not None
    return count


def bench_walk(server: ServedEmulator, items: int, rounds: int) -> dict[str, Any]:
    raw_rates: list[float] = []
    client_rates: list[float] = []
    with (
        httpx.Client(base_url=server.url, headers=server.headers) as raw,
        AmazonMusic(server.api_key, token=server.token, base_url=server.url) as music,
    ):
        raw_walk(raw, PAGE * 2)  # warm the connections and first-use imports
        client_walk(music, PAGE * 2)
        walks: list[tuple[Callable[[], int], list[float]]] = [
            (lambda: raw_walk(raw, items), raw_rates),
            (lambda: client_walk(music, items), client_rates),
        ]
        for _ in range(rounds):
            for walk, rates in walks:
                started = time.perf_counter()
                count = walk()
                elapsed = time.perf_counter() - started
                if count != items:
                    raise SystemExit(f"bench_client: a walk yielded {count} items, not {items}")
                rates.append(items / elapsed)
    return {
        "items": items,
        "raw_items_per_s": spread(raw_rates),
        "client_items_per_s": spread(client_rates),
        **ratios(client_rates, raw_rates),
    }


def walk_peak(music: AmazonMusic, items: int) -> tuple[int, int]:
    """(items walked, peak traced bytes above the level before the walk)."""
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    count = 0
    for _user in music.followers(limit=PAGE, max_items=items):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak - before


def bench_memory(server: ServedEmulator, short_walk: int, long_walk: int, repeats: int = 5) -> dict[str, Any]:
    """Medians over interleaved short and long walks, after one long warm-up walk (first-use imports, and the bounded
    caches of urllib and httpx that a walk's URLs fill, are not the walk's). Over loopback, so that only the client's
    allocations are traced: in-process, the emulator's own allocations while it serves would count as the walk's."""
    short: list[int] = []
    long: list[int] = []
    with AmazonMusic(server.api_key, token=server.token, base_url=server.url) as music:
        walk_peak(music, long_walk)
        for _ in range(repeats):
            for items, peaks in ((short_walk, short), (long_walk, long)):
                count, peak = walk_peak(music, items)
                assert count == items, (count, items)
                peaks.append(peak)
    short_peak, long_peak = statistics.median(short), statistics.median(long)
    return {
        "short_items": short_walk,
        "short_peak_kib": short_peak / 1024,
        "short_peak_kib_range": [min(short) / 1024, max(short) / 1024],
        "long_items": long_walk,
        "long_peak_kib": long_peak / 1024,
        "long_peak_kib_range": [min(long) / 1024, max(long) / 1024],
        "growth": long_peak / short_peak,
    }


# -- 4. users(ids) ----------------------------------------------------------------------------------------------------


async def bench_users(server: ServedEmulator, ids_wanted: int, latency_ms: float, rounds: int) -> dict[str, Any]:
    """The client as it comes (its default users_concurrency) against one request at a time; and, where the default
    bound is below the number of requests, with every request in flight at once (what the bound costs)."""
    credentials: dict[str, Any] = {"api_key": server.api_key, "token": server.token, "base_url": server.url}
    async with AsyncAmazonMusic(**credentials) as concurrent:
        ids = [user.id async for user in concurrent.followers(limit=PAGE, max_items=ids_wanted)]
        if len(ids) != ids_wanted:
            raise SystemExit(f"bench_client: the emulator has {len(ids)} followers, not {ids_wanted}")
        requests = -(-len(ids) // PAGE)
        clients = {"sequential": AsyncAmazonMusic(**credentials, users_concurrency=1), "concurrent": concurrent}
        if concurrent.users_concurrency < requests:
            clients["all in flight"] = AsyncAmazonMusic(**credentials, users_concurrency=requests)
        times: dict[str, list[float]] = {name: [] for name in clients}
        try:
            for music in clients.values():  # warm every client's connections
                await music.users(ids)
            for _ in range(rounds):
                for name, music in clients.items():
                    started = time.perf_counter()
                    found = await music.users(ids)
                    times[name].append(time.perf_counter() - started)
                    if len(found) != len(ids):
                        raise SystemExit(f"bench_client: users() found {len(found)} of {len(ids)} users")
        finally:
            for music in clients.values():
                if music is not concurrent:
                    await music.aclose()
    result = {
        "ids": len(ids),
        "requests": requests,
        "concurrency": concurrent.users_concurrency,
        "latency_ms": latency_ms,
        "sequential_ms": {k: v * 1e3 for k, v in spread(times["sequential"]).items()},
        "concurrent_ms": {k: v * 1e3 for k, v in spread(times["concurrent"]).items()},
        # what one request costs beyond the emulator's added latency, when the requests go one at a time
        "per_request_beyond_latency_ms": statistics.median(times["sequential"]) * 1e3 / requests - latency_ms,
        **ratios(times["sequential"], times["concurrent"]),
    }
    if "all in flight" in times:
        result["all_in_flight_ms"] = {k: v * 1e3 for k, v in spread(times["all in flight"]).items()}
        result["all_in_flight"] = ratios(times["sequential"], times["all in flight"])
    return result


# -- report -----------------------------------------------------------------------------------------------------------


def _range(low: float, high: float, digits: int = 2) -> str:
    return f"{low:.{digits}f}-{high:.{digits}f}"


def _figure(label: str, figure: dict[str, float], unit: str, digits: int = 1) -> str:
    """One figure: its median and, in brackets, its range over rounds."""
    median = f"{figure['median']:,.{digits}f} {unit}"
    return f"  {label:<22}{median:>14}  ({figure['min']:,.{digits}f}-{figure['max']:,.{digits}f})"


def _ratio(label: str, row: dict[str, Any]) -> str:
    return f"  {label:<22}{row['ratio']:>13.2f}x  ({_range(row['ratio_min'], row['ratio_max'])})"


def _parsing_lines(parsing: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"parsing a {parsing['edges']}-edge followers page ({parsing['body_bytes']:,} bytes), per call:",
            _figure("json.loads", parsing["json_loads_us"], "us"),
            _figure("from_dict", parsing["from_dict_us"], "us"),
            _ratio("from_dict / json.loads", parsing),
        ]
    )


def report(figures: dict[str, Any], rounds: int, calls: int) -> None:
    if "overhead" not in figures:
        print(_parsing_lines(figures["parsing"]))
        return
    print(f"per-call time ({rounds} interleaved rounds x {calls} calls; median, client/raw range over rounds)")
    print("raw = httpx + json.loads; generated = the generated client alone; client = amazon_music")
    columns = f"{'raw us':>9}{'generated':>11}{'client us':>11}{'overlay us':>12}{'gen/raw':>9}{'client/raw':>12}"
    print(f"{'case':<28}{'via':<12}{columns}{'range':>13}")
    for row in figures.get("overhead", []):
        times = f"{row['raw_us']:>9.1f}{row['generated_us']:>11.1f}{row['client_us']:>11.1f}{row['overlay_us']:>12.1f}"
        ratio = f"{row['generated_ratio']:>8.2f}x{row['ratio']:>11.2f}x{_range(row['ratio_min'], row['ratio_max']):>13}"
        print(f"{row['name']:<28}{row['via']:<12}{times}{ratio}")
    print()
    print(_parsing_lines(figures["parsing"]))
    if "walk" in figures:
        walk = figures["walk"]
        print()
        print(f"a {walk['items']:,}-item followers walk over loopback, items per second:")
        print(_figure("hand-written httpx", walk["raw_items_per_s"], "/s", 0))
        print(_figure("amazon_music", walk["client_items_per_s"], "/s", 0))
        print(_ratio("client / raw", walk))
    memory = figures.get("memory")
    if memory is None:
        return
    print()
    print("peak traced memory of a followers walk (limit=100), above the level before the walk")
    print(f"{memory['short_items']:>6} items: {memory['short_peak_kib']:8.1f} KiB")
    growth = f"({memory['growth']:.2f}x the short walk)"
    print(f"{memory['long_items']:>6} items: {memory['long_peak_kib']:8.1f} KiB  {growth}")
    if "users" in figures:
        users = figures["users"]
        print()
        print(
            f"async users() with {users['ids']:,} IDs ({users['requests']} requests), emulator latency "
            f"{users['latency_ms']:g} ms, over loopback:"
        )
        print(_figure("one request at a time", users["sequential_ms"], "ms"))
        print(_figure(f"{users['concurrency']} in flight", users["concurrent_ms"], "ms"))
        print(_ratio("speed-up", users))
        if "all_in_flight" in users:
            print(_figure(f"all {users['requests']} in flight", users["all_in_flight_ms"], "ms"))
            print(_ratio("speed-up", users["all_in_flight"]))
        print(f"  one request beyond the latency: {users['per_request_beyond_latency_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per case (default 15)")
    parser.add_argument("--calls", type=int, default=150, help="calls per round (default 150)")
    parser.add_argument("--short-walk", type=int, default=WALK_SHORT, help=f"items (default {WALK_SHORT:,})")
    parser.add_argument("--long-walk", type=int, default=WALK_LONG, help=f"items (default {WALK_LONG:,})")
    parser.add_argument("--walk-rounds", type=int, default=3, help="interleaved walks over loopback (default 3)")
    parser.add_argument("--ids", type=int, default=1000, help="IDs for users() (default 1000)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="emulator latency for users() (default 50)")
    parser.add_argument("--in-process-only", action="store_true", help="skip what needs the emulator served")
    parser.add_argument(
        "--parse-only", action="store_true", help="only the parsing figures (to compare generated packages)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    followers = max(args.long_walk, args.ids) + 10

    app = create_app(seed=SeedConfig(followers=followers))
    token = app.mint_token().access_token
    in_process_headers = {"x-api-key": DEMO_API_KEY, "authorization": f"Bearer {token}"}
    try:
        figures: dict[str, Any] = {"parsing": bench_parsing(app, token, max(args.rounds, 5))}
        if args.parse_only:
            return _finish(figures, args)
        bridge = SyncASGITransport(app)
        sizes = (args.rounds, args.calls)
        figures["overhead"] = bench_sync("in-process", IN_PROCESS_URL, in_process_headers, bridge, *sizes)
        asgi = httpx.ASGITransport(app=app)
        figures["overhead"] += asyncio.run(bench_async("in-process", IN_PROCESS_URL, in_process_headers, asgi, *sizes))
        bridge.close()
    finally:
        app.close()

    if not args.in_process_only:
        with served_emulator(followers) as server:
            figures["overhead"] += bench_sync("loopback", server.url, server.headers, None, *sizes)
            figures["overhead"] += asyncio.run(bench_async("loopback", server.url, server.headers, None, *sizes))
            figures["walk"] = bench_walk(server, args.long_walk, args.walk_rounds)
            figures["memory"] = bench_memory(server, args.short_walk, args.long_walk)
        with served_emulator(args.ids + 10, latency_ms=args.latency_ms) as slow:
            figures["users"] = asyncio.run(bench_users(slow, args.ids, args.latency_ms, max(3, args.walk_rounds)))

    return _finish(figures, args)


def _finish(figures: dict[str, Any], args: argparse.Namespace) -> int:
    import amazon_music_generated

    figures["setting"] = {
        "rounds": args.rounds,
        "calls": args.calls,
        "cpus": os.cpu_count(),
        "generated_package": str(Path(amazon_music_generated.__file__).parent),
    }
    report(figures, args.rounds, args.calls)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
