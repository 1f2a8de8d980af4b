"""Errors: one line on stderr, no traceback, and the exit code --help documents; settings' precedence."""

from __future__ import annotations

import logging
import os
import re
import subprocess

import pytest
from cli_support import Cli, Home, cli_command, subprocess_env

from amazon_music.cli import ExitCode
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_API_KEY, OTHER_API_KEY, PRIVATE_USER_ID

CLOSED_PORT_URL = "http://127.0.0.1:9"  # discard: nothing listens there in a test sandbox


def test_help_documents_every_exit_code(run: Cli) -> None:
    result = run("--help")
    assert result.exit_code == 0
    documented = dict(re.findall(r"^\s+(\d)\s+(\w+)", result.stdout.split("Exit codes:")[1], re.MULTILINE))
    assert documented == {
        "0": "success",
        "1": "unexpected",
        "2": "usage",
        "3": "authentication",
        "4": "permission",
        "5": "not",
        "6": "rate",
        "7": "server",
    }
    assert [int(code) for code in documented] == [int(code) for code in ExitCode]


def test_every_command_has_help(run: Cli) -> None:
    for command in (
        ["me"], ["me", "update"], ["library", "tracks"], ["followers"], ["followed", "users"],
        ["followed", "playlists"], ["followed", "podcasts"], ["follow", "artist"], ["follow", "user"],
        ["unfollow", "artist"], ["unfollow", "user"], ["user", "show"], ["user", "followers"],
        ["user", "followed", "users"], ["user", "followed", "artists"], ["user", "followed", "podcasts"],
        ["users"], ["login"], ["logout"], ["whoami"],
    ):  # fmt: skip
        result = run(*command, "--help")
        assert result.exit_code == 0, command
        assert result.stdout.startswith(f"Usage: amazon-music {' '.join(command)}"), command


def test_usage_errors_are_one_line_with_exit_2(run: Cli, token: str) -> None:
    for args in (["followrs"], ["followers", "--limit", "0"], ["followers", "--bogus"], ["user", "BAD-ID"]):
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE, args
        assert result.error_line.startswith("amazon-music"), args
    assert "Did you mean" in run("followrs").error_line
    assert "id: 'BAD-ID' is not an Amazon Music user ID" in run("user", "BAD-ID").error_line


def test_not_logged_in_is_exit_3(run: Cli) -> None:
    result = run("me")
    assert result.exit_code == ExitCode.AUTH
    assert "not logged in" in result.error_line and "amazon-music login" in result.error_line


def test_an_unknown_token_is_exit_3(run: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMAZON_MUSIC_ACCESS_TOKEN", "Atza|not-a-token-the-emulator-minted")
    result = run("me")
    assert result.exit_code == ExitCode.AUTH
    assert "401 INVALID_ACCESS_TOKEN" in result.error_line
    # issue 13.6: the hint names where the refused token came from, not "log in" when it came from the environment
    assert "the token came from AMAZON_MUSIC_ACCESS_TOKEN: set a valid one, or unset it" in result.error_line
    assert "amazon-music login" not in result.error_line


def test_a_missing_api_key_is_exit_3_and_names_where_to_put_it(run: Cli, home: Home, token: str) -> None:
    home.write_config(base_url=home.base_url)
    result = run("me")
    assert result.exit_code == ExitCode.AUTH
    assert "--api-key" in result.error_line and "AMAZON_MUSIC_API_KEY" in result.error_line


def test_a_missing_scope_is_exit_4_and_names_it(
    run: Cli, emulator: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMAZON_MUSIC_ACCESS_TOKEN", emulator.mint_token(scopes=["music::profile"]).access_token)
    assert run("me").exit_code == 0
    result = run("followers")
    assert result.exit_code == ExitCode.PERMISSION
    assert "music::favorites:read" in result.error_line and "--scope" in result.error_line


def test_a_private_user_is_exit_4(run: Cli, token: str) -> None:
    assert run("user", "followed", "podcasts", PRIVATE_USER_ID).exit_code == ExitCode.PERMISSION


def test_not_found_is_exit_5(run: Cli, token: str) -> None:
    result = run("user", "nosuchuser")
    assert result.exit_code == ExitCode.NOT_FOUND
    assert result.error_line == "amazon-music: error: 404 NOT_FOUND: id: no user nosuchuser"


def test_rate_limited_after_the_retries_is_exit_6(run: Cli, token: str, emulator: EmulatorApp) -> None:
    emulator.faults.rate_limit = 1
    result = run("--max-retries", "0", "followers", "--all", "--limit", "1")
    assert result.exit_code == ExitCode.RATE_LIMITED
    assert "429 THROTTLED" in result.error_line and "retry after 1 s" in result.error_line


def test_retries_are_shown_with_v_and_the_walk_completes(run: Cli, token: str, emulator: EmulatorApp) -> None:
    emulator.faults.rate_limit = 3
    level_before = logging.getLogger("amazon_music").level
    result = run("-v", "followed", "podcasts", "--all", "--limit", "5", "--json")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 40
    retries = result.stderr.splitlines()
    assert retries
    assert all(line.startswith("amazon-music: retrying GET /v1/me/followed/podcasts/shows in ") for line in retries)
    assert "Retry-After 1 s" in retries[0]
    every_request = run("-vv", "me")
    assert "GET /v1/me -> 200" in every_request.stderr
    logger = logging.getLogger("amazon_music")  # left as it was: the command may run inside a longer process
    assert logger.level == level_before
    assert not [handler for handler in logger.handlers if type(handler).__module__.startswith("amazon_music.cli")]


def test_a_server_error_is_exit_7(run: Cli, token: str, emulator: EmulatorApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emulator.faults, "draw_fault", lambda: 503)
    result = run("--max-retries", "0", "me")
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert "503 SERVICE_UNAVAILABLE" in result.error_line


def test_no_connection_is_exit_7_and_names_the_host(run: Cli, token: str) -> None:
    result = run("--base-url", CLOSED_PORT_URL, "--max-retries", "0", "me")
    assert result.exit_code == ExitCode.UNAVAILABLE
    assert result.error_line.startswith("amazon-music: error: GET http://127.0.0.1:9/v1/me: no response (ConnectError")


# -- settings: flags, then environment, then config file -------------------------------------------------------------


def test_flag_beats_environment_beats_config_file(
    run: Cli, home: Home, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(base_url=CLOSED_PORT_URL, api_key=OTHER_API_KEY, max_retries=0)
    assert run("me").exit_code == ExitCode.UNAVAILABLE  # the config file's base URL
    monkeypatch.setenv("AMAZON_MUSIC_BASE_URL", home.base_url)
    wrong_key = run("me")  # the environment's base URL, the config file's API key (another app's)
    assert wrong_key.exit_code == ExitCode.AUTH and "another x-api-key" in wrong_key.error_line
    monkeypatch.setenv("AMAZON_MUSIC_API_KEY", DEMO_API_KEY)
    assert run("me").exit_code == 0
    assert run("--base-url", CLOSED_PORT_URL, "me").exit_code == ExitCode.UNAVAILABLE  # the flag wins
    assert run("--api-key", OTHER_API_KEY, "me").exit_code == ExitCode.AUTH


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('base_url = "http://x"\ncolour = "blue"\n', "unknown key 'colour'"),
        ("base_url = \n", "not valid TOML"),
        ('max_retries = "three"\n', "max_retries must be a int"),
        ('base_url = "ftp://example.com"\n', "base_url (from config"),
    ],
)
def test_a_bad_config_file_is_a_usage_error_naming_the_key(run: Cli, home: Home, content: str, message: str) -> None:
    home.config.write_text(content)
    result = run("me")
    assert result.exit_code == ExitCode.USAGE
    assert message in result.error_line and str(home.config) in result.error_line


def test_a_missing_explicit_config_file_is_an_error(run: Cli, home: Home) -> None:
    result = run("--config", str(home.config.with_name("nope.toml")), "logout")
    assert result.exit_code == ExitCode.USAGE and "not found" in result.error_line


def test_a_config_file_with_the_secret_readable_by_others_is_warned_about(run: Cli, home: Home, token: str) -> None:
    home.config.chmod(0o644)
    result = run("me")
    assert result.exit_code == 0
    assert "readable by others" in result.stderr and "chmod 600" in result.stderr


def test_a_broken_pipe_ends_quietly(run: Cli, token: str) -> None:
    """`amazon-music followers --all --json | head -1`: the reader leaves; no error, no traceback."""
    env = subprocess_env({key: value for key, value in os.environ.items() if key.startswith("AMAZON_MUSIC_")})
    command = " ".join([*cli_command(), "followers", "--all", "--limit", "10", "--json", "| head -1"])
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], env=env, capture_output=True, text=True)
    run.record(result.stdout, result.stderr)
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""
    assert result.returncode == 0
