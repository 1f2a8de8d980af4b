"""`make demo` runs scripts/demo.py; this runs it too: the whole tour, against its own emulator process."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from cli_support import ROOT, SECRET_MARKERS, subprocess_env

from amazon_music_generated.operations import OPERATIONS


@pytest.mark.long_running
def test_the_demo_tours_every_operation_and_exits_0() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        env=subprocess_env({}),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    count = len(OPERATIONS)
    assert re.search(rf"Done: {count} of {count} operations in [\d.]+ s; emulator stopped\.", result.stdout)
    for step in (
        "$ amazon-music login --no-browser",
        "$ amazon-music whoami",
        "$ amazon-music me update --name 'Tony Stark' --playback-visibility PRIVATE",
        "$ amazon-music followers --all --limit 25 --json > followers.jsonl",
        "$ amazon-music follow artist B01372OH53",
        "$ amazon-music unfollow user uj7wxenmftr26zlg7eo4maa744",
        "$ amazon-music user followers k35wo4lm34masdsadevrs7a",
        "$ amazon-music logout",
    ):
        assert step in result.stdout, step
    assert "Following artist Amber Signals (B01372OH53)" in result.stdout
    assert re.search(r"followers\.jsonl: 2[5-9]\d lines of JSON", result.stdout)
    assert "403 PRIVATE_USER" in result.stderr and "(exit 4)" in result.stdout
    assert "retrying GET /v1/me/followed/users" in result.stderr  # the throttled step retried
    assert "followed-users.jsonl: 150 lines" in result.stdout
    for marker in SECRET_MARKERS:
        assert marker not in output
