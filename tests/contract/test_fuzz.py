"""`make fuzz`'s script: the schemathesis CLI against a running emulator, reports written, credentials never shown.

The emulator runs from its own command line on a free loopback port (conftest.running_emulator); the script gets the
credentials from the environment only, as `make fuzz API_KEY=... TOKEN=...` passes them. Both tests run on SQLite
only: they check the script (what it sends, reports, hides), which no backend changes; the emulator's conformance on
PostgreSQL is test_schemathesis.py's.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from contract_support import RunningEmulator, start_emulator, stop

from amazon_music_generated.operations import OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fuzz.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load_script()


def _run(
    emulator: RunningEmulator, report_dir: Path, *extra: str, max_examples: int = 5
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AMAZON_MUSIC_API_KEY": emulator.api_key,
        "AMAZON_MUSIC_ACCESS_TOKEN": emulator.access_token,
    }
    env.pop("ALLOW_WRITES", None)
    command = [sys.executable, str(SCRIPT), "--base-url", emulator.base_url, "--report-dir", str(report_dir)]
    return subprocess.run(
        [*command, "--max-examples", str(max_examples), *extra], env=env, capture_output=True, text=True, timeout=600
    )


@pytest.mark.long_running
@pytest.mark.parametrize("running_emulator", ["sqlite"], indirect=True)
def test_fuzz_against_running_emulator_exits_0_and_writes_reports(
    running_emulator: RunningEmulator, tmp_path: Path
) -> None:
    result = _run(running_emulator, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]

    suite = ET.parse(tmp_path / "fuzz-junit.xml").getroot()
    cases = suite.findall(".//testcase")
    assert len(cases) == len(OPERATIONS) + 1  # one per operation, and the stateful scenarios
    assert not suite.findall(".//failure") and not suite.findall(".//error")
    assert (tmp_path / "fuzz-html" / "index.html").stat().st_size > 0
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅ {phase}", output), phase
    assert f"Tested: {len(OPERATIONS)}" in output

    written = output + "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file())
    assert running_emulator.access_token not in written
    assert running_emulator.api_key not in written


@pytest.mark.long_running
def test_safe_only_sends_nothing_but_safe_methods(tmp_path: Path) -> None:
    emulator, process = start_emulator(tmp_path / "emulator", access_log=True)
    try:
        result = _run(emulator, tmp_path / "reports", "--safe-only", max_examples=3)
    finally:
        stop(process)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert "safe requests only (GET)" in result.stdout
    methods = set(re.findall(r'"(GET|PUT|POST|DELETE|PATCH|OPTIONS|TRACE|HEAD|QUERY) /v1/', emulator.log.read_text()))
    assert "GET" in methods
    assert methods <= {"GET", "OPTIONS", "TRACE"}


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.53", True),
        ("::1", True),
        ("localhost", True),
        ("api.music.amazon.dev", False),
        ("10.0.0.5", False),
        ("localhost.evil.example", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert fuzz.is_loopback(host) is loopback


def _command(base_url: str, *flags: str) -> list[str]:
    args = fuzz.parse_args(["--base-url", base_url, *flags])
    safe = args.safe_only or (not fuzz.is_loopback(args.base_url.split("/")[2].split(":")[0]) and not args.allow_writes)
    return list(fuzz.schemathesis_command(args, Path("c.toml"), Path("j.xml"), Path("h"), safe_only=safe))


def test_live_host_gets_get_only_unless_writes_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALLOW_WRITES", raising=False)
    live = _command("https://api.music.amazon.dev")
    assert live[live.index("--include-method") + 1] == "GET"
    assert "--include-method" not in _command("https://api.music.amazon.dev", "--allow-writes")
    assert "--include-method" not in _command("http://127.0.0.1:8080")
    monkeypatch.setenv("ALLOW_WRITES", "1")
    assert "--include-method" not in _command("https://api.music.amazon.dev")


def test_config_carries_placeholders_not_credentials(tmp_path: Path) -> None:
    config = fuzz.build_config(with_api_key=True, with_token=True, safe_only=True, cache_dir=tmp_path)
    assert config["headers"] == {
        "x-api-key": "${AMAZON_MUSIC_API_KEY}",
        "Authorization": "Bearer ${AMAZON_MUSIC_ACCESS_TOKEN}",
    }
    assert config["phases"]["coverage"]["unexpected-methods"] == ["options", "trace"]
    # The project's exceptions come along, and the document written is TOML that reads back the same.
    assert tomllib.loads(fuzz.toml_document(config)) == config
    assert len(config["operations"]) == len(tomllib.loads((ROOT / "schemathesis.toml").read_text())["operations"])


def test_bad_base_url_is_refused_naming_the_option() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--base-url", "ftp://example"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "--base-url" in result.stderr
