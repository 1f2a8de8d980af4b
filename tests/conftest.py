"""Hooks for the whole test run. Kept to what must run in the pytest-xdist controller, which loads no conftest below
this one (or in every worker): the summary of how many schemathesis cases ran per operation
(tests/contract/test_schemathesis.py), the refusal of repeated test ids, the tests marked ``long_running`` handed out
first, and the scheduling that keeps each
consumer-matrix module (tests/publish/test_consumer_*.py) on one worker, so that its tools (Prism, the JVM, the
emulator) start once per run.

The contract tests record their counts in ``user_properties`` (keys below, spelled the same there); xdist ships them
with each report to the controller, where this hook adds them up and prints one line per operation.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from _pytest.terminal import TerminalReporter
from xdist.scheduler import LoadScopeScheduling

# Modules whose tests share costly module-scoped tools: all of a module's tests go to one worker.
ONE_WORKER_MODULES = "tests/publish/test_consumer_"

CASES_PROPERTY = "schemathesis_cases"
STATUSES_PROPERTY = "schemathesis_statuses"


def pytest_terminal_summary(terminalreporter: TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    per_operation: dict[str, Counter[str]] = {}
    statuses: dict[str, Counter[str]] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            # The counts are recorded after the test body, so the teardown report is the one that carries them.
            if getattr(report, "when", None) != "teardown":
                continue
            for name, value in getattr(report, "user_properties", []):
                if name in (CASES_PROPERTY, STATUSES_PROPERTY):
                    operation, counts = value
                    table = per_operation if name == CASES_PROPERTY else statuses
                    table.setdefault(operation, Counter()).update(counts)
    if not per_operation:
        return
    terminalreporter.section("schemathesis cases per operation")
    width = max(len(operation) for operation in per_operation)
    for operation in sorted(per_operation):
        counts = per_operation[operation]
        phases = ", ".join(f"{phase} {count}" for phase, count in sorted(counts.items()))
        answers = ", ".join(f"{status} {count}" for status, count in sorted(statuses.get(operation, {}).items()))
        terminalreporter.write_line(f"{operation:<{width}}  {sum(counts.values()):>6}  ({phases}) -> {answers}")
    total = sum(sum(counts.values()) for counts in per_operation.values())
    terminalreporter.write_line(f"{'total':<{width}}  {total:>6}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test has an id of its own: pytest-xdist hands tests out by id, so a repeated id runs once (as the
    schemathesis operation tests did with pytest 9, whose ids lost the operation until a parameter came back)."""
    repeated = sorted(nodeid for nodeid, count in Counter(item.nodeid for item in items).items() if count > 1)
    if repeated:
        raise pytest.UsageError(f"test ids repeated (pytest-xdist would run one of each): {', '.join(repeated)}")
    # Long tests first: a worker then ends on short ones, not on a long test handed out last while the other idles.
    items.sort(key=lambda item: item.get_closest_marker("long_running") is None)


class _ConsumerModulesTogether(LoadScopeScheduling):  # type: ignore[misc]
    """xdist's default (each test its own unit), except that a consumer-matrix module is one unit.

    (`--dist loadgroup` with xdist_group marks would say the same, but with pytest 9 it groups nothing.)
    """

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        return module if module.startswith(ONE_WORKER_MODULES) else nodeid


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling | None:
    return _ConsumerModulesTogether(config, log) if config.getoption("dist") == "load" else None
