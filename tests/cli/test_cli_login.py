"""login, whoami, logout end to end against the emulator's Login with Amazon (/ap/oa, /auth/o2/token)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from cli_support import Browser, Cli, FakeBrowser, Home, cli_command, follow_all, subprocess_env

from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_USER_ID


def mode(path: os.PathLike[str]) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def saved_tokens(home: Home) -> dict[str, object]:
    data: dict[str, object] = json.loads(home.token_file.read_text())
    return data


def login(run: Cli, browser: FakeBrowser, act: Browser = follow_all, *args: str) -> tuple[int, str, list[str]]:
    """`amazon-music login` with ``act`` as the browser; (exit code, the error line or "", the URLs it opened)."""
    opened: list[str] = []

    def recording(url: str) -> None:
        opened.append(url)
        act(url)

    browser.act = recording
    result = run("login", "--timeout", "10", *args)
    browser.finish()
    if result.exit_code == 0:
        return 0, result.stderr, opened
    # the URL it printed first, then the error: one line, no traceback
    assert "Traceback" not in result.stderr
    *before, last = result.stderr.splitlines()
    assert before[0].startswith("Opening the browser") and last.startswith("amazon-music: error: ")
    return result.exit_code, last, opened


def test_login_saves_tokens_0600_and_commands_use_them(run: Cli, home: Home, browser: FakeBrowser) -> None:
    code, output, opened = login(run, browser)
    assert code == 0, output
    assert "Logged in" in output and "renewed automatically" in output
    query = parse_qs(urlsplit(opened[0]).query)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/callback", query["redirect_uri"][0])
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["client_id"] == [DEMO_CLIENT_ID] and query["response_type"] == ["code"]
    assert query["scope"] == ["music::profile music::favorites music::catalog"]
    assert mode(home.token_file) == 0o600 and mode(home.login_record) == 0o600
    tokens = saved_tokens(home)
    assert str(tokens["access_token"]).startswith("Atza|") and str(tokens["refresh_token"]).startswith("Atzr|")
    assert json.loads(run("me", "--json").stdout)["id"] == DEMO_USER_ID


def test_whoami_shows_user_scopes_and_expiry_never_the_token(run: Cli, home: Home, browser: FakeBrowser) -> None:
    assert login(run, browser)[0] == 0
    table = run("whoami")
    assert table.exit_code == 0
    assert "Tony Starked (zqll6htnhyb2welrqsrtrhdvaa)" in table.stdout
    assert "music::profile music::favorites music::catalog" in table.stdout
    assert re.search(r"Expires\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 59 min", table.stdout)
    assert "automatic" in table.stdout and str(home.token_file) in table.stdout
    info = json.loads(run("whoami", "--json").stdout)
    assert info["user"] == {"id": DEMO_USER_ID, "name": "Tony Starked"}
    assert info["scopes"] == ["music::profile", "music::favorites", "music::catalog"]
    assert info["refreshable"] is True and info["expiresAt"].endswith("+00:00")
    saved = saved_tokens(home)
    run.assert_no_secrets([str(saved["access_token"]), str(saved["refresh_token"])])


def test_an_expired_access_token_is_refreshed_and_saved(run: Cli, home: Home, browser: FakeBrowser) -> None:
    assert login(run, browser)[0] == 0
    tokens = saved_tokens(home)
    home.token_file.write_text(json.dumps({**tokens, "expires_at": time.time() - 10}))
    result = run("me", "--json")
    assert result.exit_code == 0, result.stderr
    renewed = saved_tokens(home)
    assert renewed["access_token"] != tokens["access_token"]
    assert renewed["refresh_token"] != tokens["refresh_token"]  # the emulator rotates refresh tokens
    assert float(renewed["expires_at"]) > time.time() + 3000  # type: ignore[arg-type]
    assert mode(home.token_file) == 0o600
    secrets = [str(value) for value in (*tokens.values(), *renewed.values()) if str(value).startswith("Atz")]
    run.assert_no_secrets(secrets)


def test_without_a_client_secret_the_login_has_no_refresh_and_expires(
    run: Cli, home: Home, browser: FakeBrowser
) -> None:
    home.write_config(base_url=home.base_url, api_key=DEMO_API_KEY, client_id=DEMO_CLIENT_ID, lwa_url=home.base_url)
    code, output, _ = login(run, browser)
    assert code == 0 and "no refresh token" in output
    assert "none: log in again" in run("whoami").stdout
    home.token_file.write_text(json.dumps({**saved_tokens(home), "expires_at": time.time() - 10}))
    result = run("me")
    assert result.exit_code == 3 and "expired" in result.error_line and "amazon-music login" in result.error_line


def test_a_refused_consent_is_exit_3_and_saves_nothing(run: Cli, home: Home, browser: FakeBrowser) -> None:
    # the emulator refuses (access_denied, redirected back with the state) when asked for a user it does not have
    code, error, _ = login(run, browser, lambda url: follow_all(f"{url}&user_id=nosuchuser"))
    assert code == 3
    assert "Login with Amazon refused: access_denied" in error and "nothing was saved" in error
    assert not home.token_file.exists() and not home.login_record.exists()


def test_a_user_who_clicks_cancel_is_exit_3(run: Cli, home: Home, browser: FakeBrowser) -> None:
    def cancel(url: str) -> None:
        query = parse_qs(urlsplit(url).query)
        back = {"error": "access_denied", "error_description": "The user cancelled", "state": query["state"][0]}
        httpx.get(f"{query['redirect_uri'][0]}?{urlencode(back)}", timeout=10)

    code, error, _ = login(run, browser, cancel)
    assert code == 3 and "access_denied (The user cancelled)" in error
    assert not home.token_file.exists()


def test_a_redirect_with_a_bad_state_is_refused(run: Cli, home: Home, browser: FakeBrowser) -> None:
    pages: list[httpx.Response] = []

    def forge_state(url: str) -> None:
        with httpx.Client(timeout=10) as client:
            redirect = client.get(url)  # the emulator consents and redirects with a real code ...
            assert redirect.status_code == 302
            location = urlsplit(redirect.headers["location"])
            query = {key: values[0] for key, values in parse_qs(location.query).items()}
            assert query["code"]
            query["state"] = "forged-by-someone-else"  # ... which arrives with another state
            pages.append(client.get(urlunsplit(location._replace(query=urlencode(query)))))

    code, error, _ = login(run, browser, forge_state)
    assert code == 3 and "state does not match" in error
    assert pages[0].status_code == 400 and "Login failed" in pages[0].text
    assert not home.token_file.exists()


def test_other_paths_on_the_loopback_are_404_and_the_wait_goes_on(run: Cli, browser: FakeBrowser) -> None:
    statuses: list[int] = []

    def with_favicon(url: str) -> None:
        redirect_uri = parse_qs(urlsplit(url).query)["redirect_uri"][0]
        statuses.append(httpx.get(redirect_uri.replace("/callback", "/favicon.ico"), timeout=10).status_code)
        statuses.append(follow_all(url).status_code)

    assert login(run, browser, with_favicon)[0] == 0
    assert statuses == [404, 200]


def test_login_times_out_when_no_browser_comes_back(run: Cli, home: Home, browser: FakeBrowser) -> None:
    result = run("login", "--timeout", "1")  # the browser does nothing
    assert result.exit_code == 3 and "no redirect came back within 1 s" in result.stderr.splitlines()[-1]
    assert not home.token_file.exists()


def test_login_needs_a_client_id(run: Cli, home: Home) -> None:
    home.write_config(base_url=home.base_url, api_key=DEMO_API_KEY)
    result = run("login", "--no-browser")
    assert result.exit_code == 2 and "--client-id" in result.error_line


def test_login_asks_for_the_scopes_given(run: Cli, home: Home, browser: FakeBrowser) -> None:
    code, _, opened = login(run, browser, follow_all, "--scope", "music::profile:read")
    assert code == 0
    assert parse_qs(urlsplit(opened[0]).query)["scope"] == ["music::profile:read"]
    assert "music::profile:read" in run("whoami").stdout
    assert run("me").exit_code == 4  # GET /v1/me needs music::profile


def test_no_browser_prints_the_url_and_waits(run: Cli, home: Home, emulator: EmulatorApp) -> None:
    env = subprocess_env({"AMAZON_MUSIC_CONFIG": str(home.config), "AMAZON_MUSIC_TOKEN_FILE": str(home.token_file)})
    process = subprocess.Popen(
        [*cli_command(), "login", "--no-browser", "--timeout", "20"], env=env, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    lines = [process.stderr.readline(), process.stderr.readline()]
    assert lines[0].startswith("Open this URL in a browser")
    assert follow_all(lines[1].strip()).status_code == 200
    rest = process.stderr.read()
    assert process.wait(timeout=20) == 0
    run.record(*lines, rest)
    assert "Logged in" in rest and home.token_file.exists()


def test_logout_deletes_the_login(run: Cli, home: Home, browser: FakeBrowser) -> None:
    assert login(run, browser)[0] == 0
    result = run("logout")
    assert result.exit_code == 0 and str(home.token_file) in result.stderr
    assert not home.token_file.exists() and not home.login_record.exists()
    assert run("me").exit_code == 3
    again = run("logout")
    assert again.exit_code == 0 and "Not logged in" in again.stderr


def test_the_environment_beats_the_saved_login(
    run: Cli, home: Home, browser: FakeBrowser, emulator: EmulatorApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert login(run, browser)[0] == 0
    monkeypatch.setenv("AMAZON_MUSIC_ACCESS_TOKEN", emulator.mint_token("uj7wxenmftr26zlg7eo4maa744").access_token)
    table = run("whoami")
    assert "Jane M" in table.stdout and "env AMAZON_MUSIC_ACCESS_TOKEN" in table.stdout
    assert "unknown (not recorded with the token)" in table.stdout


def test_a_damaged_token_file_is_exit_3_naming_the_file(run: Cli, home: Home) -> None:
    home.token_file.write_text('{"access_token": 42}')
    home.token_file.chmod(0o644)
    result = run("me")
    # issue 14.12: the file others could read was repaired, and the command said so in one line
    warning, error = result.stderr.splitlines()
    assert warning == f"amazon-music: warning: {home.token_file} was readable by others (mode 0644); it is now 0600"
    assert result.exit_code == 3 and str(home.token_file) in error and "access_token" in error
    assert mode(home.token_file) == 0o600
