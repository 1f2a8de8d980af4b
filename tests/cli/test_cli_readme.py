"""The README's "Command line" and "Python" sections show real output: run what they show and compare."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from cli_support import ROOT, Cli, Home, subprocess_env

from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_CLIENT_ID

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def normalized(lines: list[str]) -> list[str]:
    return [re.sub(r"--cursor \S+", "--cursor TOKEN", line) for line in lines]


def test_the_command_line_section_shows_what_the_commands_print(run: Cli, token: str) -> None:
    transcript = blocks(section("Command line"), "text")[0]
    sessions = re.split(r"^\$ amazon-music ", transcript, flags=re.MULTILINE)[1:]
    checked = 0
    for session in sessions:
        command, *shown = session.rstrip("\n").split("\n")
        if command.startswith(("login", "whoami")) or ">" in command:  # a browser, the clock, a file: not replayed
            continue
        result = run(*command.split())
        actual = result.stdout.splitlines() + result.stderr.splitlines()
        if result.exit_code:
            actual.append(f"(exit {result.exit_code})")
        assert normalized(actual) == normalized(shown), command
        checked += 1
    assert checked == 6


def test_the_command_line_sections_config_file_is_valid(run: Cli, home: Home, token: str) -> None:
    config = tomllib.loads(blocks(section("Command line"), "toml")[0])
    assert config["api_key"] == DEMO_API_KEY and config["client_id"] == DEMO_CLIENT_ID
    home.write_config(**{**config, "base_url": home.base_url, "lwa_url": home.base_url})
    assert run("me").exit_code == 0


def test_the_python_sections_examples_print_what_it_says(home: Home, token: str) -> None:
    text = section("Python")
    assert f"AMAZON_MUSIC_API_KEY={DEMO_API_KEY}" in text
    examples, outputs = blocks(text, "python"), blocks(text, "text")
    assert len(examples) == len(outputs) == 2
    env = subprocess_env(
        {
            "AMAZON_MUSIC_BASE_URL": home.base_url,
            "AMAZON_MUSIC_API_KEY": DEMO_API_KEY,
            "AMAZON_MUSIC_ACCESS_TOKEN": token,
        }
    )
    for example, output in zip(examples, outputs, strict=True):
        result = subprocess.run(
            [sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout == output
        assert token not in result.stdout + result.stderr
