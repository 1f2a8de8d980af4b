"""Client overhead and walk memory, against the in-process emulator.

1. Per-call time of ``AmazonMusic.me()`` and of one followers page (limit=100) against a raw ``httpx.Client`` sending
   the same request and ``json.loads``-ing the body: same emulator, same process, same transport, rounds interleaved
   (raw, generated, client, raw, ...) so drift hits all alike. The same for ``AsyncAmazonMusic`` against a raw
   ``httpx.AsyncClient``. Reported as medians over rounds, with the spread of the client/raw ratio. The generated
   client as it comes (its ``sync_detailed`` on a plain httpx client) runs alongside, so the table tells the cost of
   the generated parsing from the cost of the overlay's layers (``overlay us`` = client - generated).
2. Peak traced memory (tracemalloc) of a 10,000-item walk of the followers against a 1,000-item walk: a walk holds one
   page at a time, so the peak must not grow with its length.

    python scripts/bench_client.py [--rounds 15] [--calls 200] [--short-walk 1000] [--long-walk 10000] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the emulator's server libraries warn about their own dependencies on import: noise in a benchmark's output
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", message=r".*is deprecated", category=UserWarning)

from asgi_bridge import SyncASGITransport  # noqa: E402

from amazon_music import AmazonMusic, AsyncAmazonMusic  # noqa: E402
from amazon_music_emulator.app import EmulatorApp, create_app  # noqa: E402
from amazon_music_emulator.seed import DEMO_API_KEY, SeedConfig  # noqa: E402

BASE_URL = "http://emulator.bench"
WALK_LONG = 10_000
WALK_SHORT = 1_000


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


CONTENDERS = ("raw", "generated", "client")


def summary(name: str, times: dict[str, list[float]]) -> dict[str, Any]:
    """Medians per contender; the client's ratio to raw per round gives the spread."""
    median = {contender: statistics.median(times[contender]) for contender in CONTENDERS}
    ratios = [c / r for r, c in zip(times["raw"], times["client"], strict=True)]
    return {
        "name": name,
        "raw_us": median["raw"] * 1e6,
        "generated_us": median["generated"] * 1e6,
        "client_us": median["client"] * 1e6,
        "overlay_us": (median["client"] - median["generated"]) * 1e6,
        "generated_ratio": median["generated"] / median["raw"],
        "ratio": median["client"] / median["raw"],
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


def bench_sync(app: EmulatorApp, token: str, rounds: int, calls: int) -> list[dict[str, Any]]:
    from amazon_music_generated.api.me import get_current_user, get_current_user_followers
    from amazon_music_generated.client import AuthenticatedClient

    headers = {"x-api-key": DEMO_API_KEY, "authorization": f"Bearer {token}"}
    bridge = SyncASGITransport(app)
    raw = httpx.Client(base_url=BASE_URL, headers=headers, transport=bridge)
    generated = AuthenticatedClient(base_url=BASE_URL, token=token, headers={"x-api-key": DEMO_API_KEY})
    generated.set_httpx_client(httpx.Client(base_url=BASE_URL, headers=headers, transport=bridge))
    music = AmazonMusic(DEMO_API_KEY, token=token, base_url=BASE_URL, transport=bridge)
    cases: dict[str, dict[str, Callable[[], object]]] = {
        "sync me()": {
            "raw": lambda: json.loads(raw.get("/v1/me").content),
            "generated": lambda: get_current_user.sync_detailed(client=generated).parsed,
            "client": music.me,
        },
        "sync followers page (100)": {
            "raw": lambda: json.loads(raw.get("/v1/me/followers", params={"limit": 100}).content),
            "generated": lambda: get_current_user_followers.sync_detailed(client=generated, limit=100).parsed,
            "client": lambda: next(iter(music.followers(limit=100).pages())),
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
        results.append(summary(name, times))
    raw.close()
    generated.get_httpx_client().close()
    music.close()
    return results


async def bench_async(app: EmulatorApp, token: str, rounds: int, calls: int) -> list[dict[str, Any]]:
    from amazon_music_generated.api.me import get_current_user, get_current_user_followers
    from amazon_music_generated.client import AuthenticatedClient

    headers = {"x-api-key": DEMO_API_KEY, "authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    raw = httpx.AsyncClient(base_url=BASE_URL, headers=headers, transport=transport)
    generated = AuthenticatedClient(base_url=BASE_URL, token=token, headers={"x-api-key": DEMO_API_KEY})
    generated.set_async_httpx_client(httpx.AsyncClient(base_url=BASE_URL, headers=headers, transport=transport))
    music = AsyncAmazonMusic(DEMO_API_KEY, token=token, base_url=BASE_URL, transport=transport)

    async def raw_me() -> object:
        return json.loads((await raw.get("/v1/me")).content)

    async def raw_page() -> object:
        return json.loads((await raw.get("/v1/me/followers", params={"limit": 100})).content)

    async def generated_me() -> object:
        return (await get_current_user.asyncio_detailed(client=generated)).parsed

    async def generated_page() -> object:
        return (await get_current_user_followers.asyncio_detailed(client=generated, limit=100)).parsed

    async def client_page() -> object:
        async for page in music.followers(limit=100).pages():
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
        results.append(summary(name, times))
    await raw.aclose()
    await generated.get_async_httpx_client().aclose()
    await music.aclose()
    return results


def walk_peak(music: AmazonMusic, items: int) -> tuple[int, int]:
    """(items walked, peak traced bytes above the level before the walk)."""
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    count = 0
    for _user in music.followers(limit=100, max_items=items):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return count, peak - before


def bench_memory(app: EmulatorApp, token: str, short_walk: int, long_walk: int, repeats: int = 3) -> dict[str, Any]:
    """Medians over interleaved short and long walks, after one long warm-up walk (first-use imports, and the bounded
    caches of urllib and httpx that a walk's URLs fill, are not the walk's)."""
    bridge = SyncASGITransport(app)
    short: list[int] = []
    long: list[int] = []
    with AmazonMusic(DEMO_API_KEY, token=token, base_url=BASE_URL, transport=bridge) as music:
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
        "long_items": long_walk,
        "long_peak_kib": long_peak / 1024,
        "growth": long_peak / short_peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds per case (default 15)")
    parser.add_argument("--calls", type=int, default=200, help="calls per round (default 200)")
    parser.add_argument("--short-walk", type=int, default=WALK_SHORT, help=f"items (default {WALK_SHORT:,})")
    parser.add_argument("--long-walk", type=int, default=WALK_LONG, help=f"items (default {WALK_LONG:,})")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    app = create_app(seed=SeedConfig(followers=args.long_walk + 10))
    token = app.mint_token().access_token
    try:
        overhead = bench_sync(app, token, args.rounds, args.calls)
        overhead += asyncio.run(bench_async(app, token, args.rounds, args.calls))
        memory = bench_memory(app, token, args.short_walk, args.long_walk)
    finally:
        app.close()

    print(f"per-call time against the in-process emulator ({args.rounds} interleaved rounds x {args.calls} calls):")
    print("raw = httpx + json.loads; generated = the generated client as it comes; client = amazon_music")
    columns = f"{'raw us':>9}{'generated':>11}{'client us':>11}{'overlay us':>12}{'gen/raw':>9}{'client/raw':>12}"
    print(f"{'case':<28}{columns}{'range':>13}")
    for row in overhead:
        spread = f"{row['ratio_min']:.2f}-{row['ratio_max']:.2f}"
        print(
            f"{row['name']:<28}{row['raw_us']:>9.1f}{row['generated_us']:>11.1f}{row['client_us']:>11.1f}"
            f"{row['overlay_us']:>12.1f}{row['generated_ratio']:>8.2f}x{row['ratio']:>11.2f}x{spread:>13}"
        )
    print()
    print("peak traced memory of a followers walk (limit=100), above the level before the walk")
    print(f"{memory['short_items']:>6} items: {memory['short_peak_kib']:8.1f} KiB")
    growth = f"({memory['growth']:.2f}x the short walk)"
    print(f"{memory['long_items']:>6} items: {memory['long_peak_kib']:8.1f} KiB  {growth}")
    if args.json:
        args.json.write_text(json.dumps({"overhead": overhead, "memory": memory}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
