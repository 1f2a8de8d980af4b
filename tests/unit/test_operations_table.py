"""The operations table (amazon_music_generated.operations, generated from the spec) is what everything reads: its
facts are the spec's, the clients have a typed method for each entry, and no hand-written file counts the operations
itself."""

from __future__ import annotations

import dataclasses
import inspect
import re
import subprocess
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from amazon_music import AmazonMusic, AsyncAmazonMusic
from amazon_music_emulator.handlers.listings import ROUTES
from amazon_music_emulator.seed import SeedConfig
from amazon_music_emulator.store import LISTINGS
from amazon_music_generated.operations import OPERATIONS, Operation

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "spec" / "amazon-music-user-v1.yaml").read_text(encoding="utf-8"))
SPEC_OPERATIONS = {
    operation["operationId"]: (method.upper(), path, operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and "operationId" in operation
}
# Hand-written files, where a count or list of the operations must not be typed: the spec gives them. Left out:
# generated code, data (the docs snapshot), history (the changelog), measurements (BENCHMARKS.md), lock files.
HAND_WRITTEN_ROOTS = ("overlay", "emulator", "scripts", "tests", "examples", "spec/templates")
HAND_WRITTEN_FILES = ("README.md", "Makefile", "schemathesis.toml", "pyproject.toml", "redocly.yaml")
# The count as a word (not in a version, a date, a path or a fraction); spelt so that this file passes its own test.
LITERAL_COUNT = re.compile(r"(?<![\w.\-/#])" + str(16 + 1) + r"(?![\w.%])")


def _hand_written() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False).stdout
    names = tracked.split() if tracked else [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [
        ROOT / name
        for name in names
        if (name.startswith(HAND_WRITTEN_ROOTS) or name in HAND_WRITTEN_FILES)
        and "/fixtures/" not in name
        and "node_modules" not in name
        and (ROOT / name).is_file()
    ]


def test_no_hand_written_file_types_the_operation_count() -> None:
    files = _hand_written()
    assert any(path.name == "_client.py" for path in files)  # the control: the scan sees the overlay
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if LITERAL_COUNT.search(line)
    ]
    assert found == [], "count the operations from the spec (amazon_music_generated.operations):\n" + "\n".join(found)


def test_the_grep_would_see_a_count() -> None:
    count = str(16 + 1)  # spelt so that this file passes its own test
    assert LITERAL_COUNT.search(f"all {count} operations") and LITERAL_COUNT.search(f"assert len(ops) == {count}")
    assert not LITERAL_COUNT.search(f"ruff==0.{count}.6") and not LITERAL_COUNT.search(f"20{count}")


def test_the_table_has_every_operation_of_the_spec_with_its_facts() -> None:
    assert [op.operation_id for op in OPERATIONS] == list(SPEC_OPERATIONS)
    for op in OPERATIONS:
        method, path, raw = SPEC_OPERATIONS[op.operation_id]
        assert (op.http_method, op.path, op.method) == (method, path, raw["x-python-method"])
        assert op.command == tuple(raw["x-cli-command"].split())
        assert op.paged == ("x-page-items" in raw)


def _limit(raw: dict[str, Any]) -> dict[str, Any]:
    for parameter in raw.get("parameters", []):
        if "$ref" in parameter:
            parameter = SPEC["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        if parameter["name"] == "limit":
            return dict(parameter["schema"])
    raise AssertionError("no limit")


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.paged], ids=lambda op: op.operation_id)
def test_a_listings_page_size_is_its_limits_maximum(op: Operation) -> None:
    schema = _limit(SPEC_OPERATIONS[op.operation_id][2])
    limit = next(p for p in op.parameters if p.name == "limit")
    assert (limit.minimum, limit.maximum, limit.default) == (schema["minimum"], schema["maximum"], schema["default"])
    assert op.page_size == schema["maximum"]


@pytest.mark.parametrize("client", [AmazonMusic, AsyncAmazonMusic])
def test_each_operation_is_a_documented_method_with_a_keyword_per_parameter(client: type[Any]) -> None:
    for op in OPERATIONS:
        method = getattr(client, op.method)
        accepted = set(inspect.signature(method).parameters) - {"self"}
        assert {p.python_name for p in op.parameters} <= accepted, op.operation_id
        assert ("max_items" in accepted) == op.paged
        assert method.__doc__.startswith(op.summary), op.operation_id
        assert inspect.iscoroutinefunction(method) == (client is AsyncAmazonMusic and not op.paged)


def test_one_list_of_listing_names() -> None:
    """The emulator's store names its listings once; the seed has a size for each, the routes use only those."""
    sizes = {field.name for field in dataclasses.fields(SeedConfig)} - {"random_seed", "spare"}
    assert sizes == set(LISTINGS)
    assert {route.listing for route in ROUTES.values()} <= set(LISTINGS)
    assert set(ROUTES) == {op.operation_id for op in OPERATIONS if op.paged}


def test_emulate_takes_a_size_for_each_listing_of_the_store() -> None:
    """emulate()'s typed keywords (its overload, for mypy users) name the seed sizes the emulator has."""
    from amazon_music.testing import emulate
    from amazon_music.testing._emulator import emulate_options, seed_sizes

    keywords = {name for overload in typing.get_overloads(emulate) for name in inspect.signature(overload).parameters}
    assert set(seed_sizes()) <= keywords and set(seed_sizes()) <= emulate_options()
    assert set(seed_sizes()) == set(LISTINGS) | {"spare"}
