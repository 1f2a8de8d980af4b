"""The command in a child process: the progress bar on a terminal (stderr only), and what importing costs."""

from __future__ import annotations

import ast
import json
import os
import pty
import re
import subprocess
import sys

from cli_support import ROOT, Cli, Home, cli_command, subprocess_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_with_stderr_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the command with stdout on a pipe and stderr on a pseudo-terminal; (exit code, stdout, terminal text)."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen([*cli_command(), *args], env=env, stdout=subprocess.PIPE, stderr=terminal)
    finally:
        os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    return process.wait(timeout=60), stdout, seen.decode("utf-8", "replace")


def child_env(home: Home, token: str) -> dict[str, str]:
    return subprocess_env(
        {"AMAZON_MUSIC_CONFIG": str(home.config), "AMAZON_MUSIC_ACCESS_TOKEN": token, "TERM": "xterm", "COLUMNS": "100"}
    )


def test_all_pages_draw_a_bar_on_the_terminal_and_nothing_but_data_on_stdout(run: Cli, home: Home, token: str) -> None:
    code, stdout, terminal = run_with_stderr_on_a_terminal(
        ["followers", "--all", "--limit", "25", "--json"], child_env(home, token)
    )
    run.record(stdout, terminal)
    assert code == 0
    followers = [json.loads(line) for line in stdout.splitlines()]
    assert len(followers) >= 250 and all(set(user) >= {"id", "name"} for user in followers)
    assert "\x1b" not in stdout and "items" not in stdout
    counts = re.findall(r"(\d+) items, (\d+) pages", ANSI.sub("", terminal))
    assert counts, "no progress bar on the terminal"
    assert counts[-1] == (str(len(followers)), str(-(-len(followers) // 25)))
    assert "followers" in terminal


def test_a_table_goes_to_stdout_while_the_bar_is_drawn(run: Cli, home: Home, token: str) -> None:
    code, stdout, terminal = run_with_stderr_on_a_terminal(["followed", "users", "--all"], child_env(home, token))
    run.record(stdout, terminal)
    assert code == 0
    assert "\x1b" not in stdout and stdout.rstrip().endswith("users")
    assert re.search(r"\d+ items, \d+ pages", ANSI.sub("", terminal))


def test_one_page_draws_no_bar_even_on_a_terminal(run: Cli, home: Home, token: str) -> None:
    code, stdout, terminal = run_with_stderr_on_a_terminal(["followers", "--limit", "5"], child_env(home, token))
    run.record(stdout, terminal)
    assert code == 0 and stdout.rstrip().endswith("5 users")
    assert "items," not in terminal and "more on the next page" in terminal


# The generated package's light modules (the operations table and the typed methods) load with the client; the
# generated client, models and api modules, and attrs, load on the first call.
HEAVY_GENERATED = (
    "('amazon_music_generated.client', 'amazon_music_generated.models', 'amazon_music_generated.api', 'attr')"
)


def test_importing_the_client_does_not_import_the_command() -> None:
    code = (
        "import sys, amazon_music\n"
        f"print(sorted(m for m in sys.modules if m.startswith(('amazon_music.cli',) + {HEAVY_GENERATED})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_cli_subpackage_imports_click_or_rich() -> None:
    """httpx may pull them in on its own (its CLI); our client modules never do."""
    overlay = ROOT / "overlay" / "amazon_music"
    for path in overlay.rglob("*.py"):
        if "cli" in path.relative_to(overlay).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] in ("click", "rich")], path


def test_the_command_imports_the_heavy_parts_only_when_a_command_runs() -> None:
    """What `amazon-music --help` need not load: the generated client, the login and settings machinery. (rich is
    not on the list: httpx imports it, and click, for its own command line whenever they are installed.)"""
    code = (
        "import sys\nfrom amazon_music.cli import cli\n"
        "print(sorted(m for m in sys.modules if m.startswith(('platformdirs', 'tomllib',"
        f" 'webbrowser', 'http.server', 'amazon_music.cli._loopback') + {HEAVY_GENERATED})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
