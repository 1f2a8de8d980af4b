"""The per-test cost of the testing kit's fixtures: a fresh emulator (and client) set up and torn down, every test.

1. Direct: ``with emulate(...)`` entered and left, alone, with ``client()``, and with ``client()`` plus one ``me()``
   (the first request also starts the client's event-loop thread), for the default seed and for ``seed=False``.
2. As pytest sees it: an in-process pytest run of ``--tests`` generated tests that request ``amazon_music_client``,
   against the same number of tests that request nothing; the setup + teardown durations pytest reports per test.

Reported as median, p10-p90 and max in milliseconds. The first emulator of a process (the spec compiled by connexion,
the seed template built) is timed apart: every later one copies the template.

    python scripts/bench_testing_kit.py [--runs 200] [--tests 200] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# the emulator's server libraries warn about their own dependencies on import: noise in a benchmark's output
warnings.filterwarnings("ignore", category=DeprecationWarning)

from amazon_music.testing import Emulator, emulate  # noqa: E402


def spread(samples_s: list[float]) -> dict[str, float]:
    """Median, p10, p90 and max of samples in seconds, as milliseconds."""
    ordered = sorted(samples_s)
    deciles = statistics.quantiles(ordered, n=10, method="inclusive") if len(ordered) > 1 else [ordered[0]] * 9
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p10_ms": deciles[0] * 1000,
        "p90_ms": deciles[-1] * 1000,
        "max_ms": ordered[-1] * 1000,
        "samples": len(ordered),
    }


def timed(work: Callable[[], None], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def bench_direct(runs: int) -> list[dict[str, Any]]:
    def bare_emulator(seed: bool) -> Callable[[], None]:
        def work() -> None:
            with emulate(seed=seed):
                pass

        return work

    def with_client(seed: bool, call: bool) -> Callable[[], None]:
        def work() -> None:
            with emulate(seed=seed) as emulator:
                music = emulator.client()
                if call:
                    music.me()

        return work

    cases = {
        "emulator (seeded)": bare_emulator(True),
        "emulator + client (seeded)": with_client(True, False),
        "emulator + client + me() (seeded)": with_client(True, True),
        "emulator (seed=False)": bare_emulator(False),
        "emulator + client + me() (seed=False)": with_client(False, True),
    }
    for work in cases.values():  # warm: templates built, first-use imports done
        timed(work, 3)
    return [{"name": name, **spread(timed(work, runs))} for name, work in cases.items()]


class _Durations:
    """A pytest plugin that keeps each test's setup + teardown duration."""

    def __init__(self) -> None:
        self.per_test: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when in ("setup", "teardown"):
            self.per_test[report.nodeid] = self.per_test.get(report.nodeid, 0.0) + report.duration


def bench_pytest(tests: int) -> dict[str, Any]:
    body = "\n".join(
        f"def test_with_{n}(amazon_music_client):\n    pass\n\ndef test_without_{n}():\n    pass\n"
        for n in range(tests)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "test_fixture_cost.py"
        path.write_text(body, encoding="utf-8")
        durations = _Durations()
        args = [str(path), "-q", "-p", "no:cacheprovider", "-p", "no:warnings", "--rootdir", folder]
        args += ["-o", "asyncio_default_fixture_loop_scope=function"]
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            code = pytest.main(args, plugins=[durations])
    if code != 0:
        raise RuntimeError(f"the generated pytest run failed (exit {code}):\n{output.getvalue()}")
    with_fixture = [d for nodeid, d in durations.per_test.items() if "::test_with_" in nodeid]
    without = [d for nodeid, d in durations.per_test.items() if "::test_without_" in nodeid]
    return {"tests": tests, "with_fixture": spread(with_fixture), "without_fixture": spread(without)}


def first_emulator_ms() -> float:
    """The first emulator of this process: connexion compiles the spec, the seed template is built."""
    started = time.perf_counter()
    with emulate() as emulator:
        assert isinstance(emulator, Emulator)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=200, help="timed set-ups per direct case (default 200)")
    parser.add_argument("--tests", type=int, default=200, help="generated tests per kind in the pytest run (200)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.tests < 2:
        parser.error("--runs must be at least 1 and --tests at least 2")

    first = first_emulator_ms()
    direct = bench_direct(args.runs)
    through_pytest = bench_pytest(args.tests)

    print(f"testing kit: per-test cost of a fresh emulator, set up and torn down ({args.runs} runs per case)")
    print(f"first emulator in a process (spec compiled, seed template built): {first:.0f} ms, once")
    print(f"{'case':<40}{'median ms':>10}{'p10-p90 ms':>14}{'max ms':>9}")
    for row in direct:
        band = f"{row['p10_ms']:.2f}-{row['p90_ms']:.2f}"
        print(f"{row['name']:<40}{row['median_ms']:>10.2f}{band:>14}{row['max_ms']:>9.2f}")
    print(f"through pytest ({through_pytest['tests']} tests each; setup + teardown per test):")
    for label, key in (("amazon_music_client", "with_fixture"), ("no fixture", "without_fixture")):
        row = through_pytest[key]
        band = f"{row['p10_ms']:.2f}-{row['p90_ms']:.2f}"
        print(f"  {label:<38}{row['median_ms']:>10.2f}{band:>14}{row['max_ms']:>9.2f}")
    if args.json:
        figures = {"first_emulator_ms": first, "direct": direct, "pytest": through_pytest}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
