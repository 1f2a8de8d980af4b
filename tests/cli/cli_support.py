"""The CLI tests' harness: the emulator on a real loopback socket (a fresh emulator per test behind one server), and
a runner that invokes `amazon-music` in-process and keeps every output, so that each test can end by checking that
no token or client secret was ever printed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result

from amazon_music.cli import cli
from amazon_music.testing._server import LoopbackServer
from amazon_music_emulator.app import EmulatorApp
from amazon_music_emulator.seed import DEMO_CLIENT_SECRET
from amazon_music_emulator.serving import HTTP_PROTOCOL

ROOT = Path(__file__).resolve().parents[2]
# Every token the emulator mints starts with one of these (LWA's own prefixes): finding one in an output is a leak.
SECRET_MARKERS = ("Atza|", "Atzr|", DEMO_CLIENT_SECRET)


class SwitchableApp:
    """An ASGI app that forwards to whichever emulator the current test set, so one server serves every test."""

    def __init__(self) -> None:
        self.app: EmulatorApp | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self.app is not None, "no emulator set for this test"
        await self.app(scope, receive, send)


@contextmanager
def serve(app: SwitchableApp) -> Iterator[str]:
    """The base URL of ``app`` served by uvicorn on 127.0.0.1 (a free port) until the block ends."""
    server = LoopbackServer(app, http=HTTP_PROTOCOL, lifespan="on", name="cli-emulator")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@dataclass
class Run:
    """One invocation's outcome."""

    exit_code: int
    stdout: str
    stderr: str

    @property
    def error_line(self) -> str:
        """The one line an error is; fails unless stderr is exactly one line."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {lines!r}"
        assert "Traceback" not in self.stderr
        return lines[0]


class Cli:
    """Runs `amazon-music ARGS` in-process (click's CliRunner) and records every output for the secrets check."""

    def __init__(self) -> None:
        self.outputs: list[str] = []

    def record(self, *texts: str) -> None:
        self.outputs.extend(texts)

    def __call__(self, *args: str, input: str | None = None, env: Mapping[str, str | None] | None = None) -> Run:
        result: Result = CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)
        self.record(result.stdout, result.stderr)
        return Run(result.exit_code, result.stdout, result.stderr)

    def assert_no_secrets(self, extra: Sequence[str] = ()) -> None:
        for output in self.outputs:
            for marker in (*SECRET_MARKERS, *extra):
                assert marker not in output, f"a secret ({marker[:5]}...) was printed"


def subprocess_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """The environment for `amazon-music` in a child process: no AMAZON_MUSIC_* but the ones given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AMAZON_MUSIC_")}
    env.update(overrides)
    return env


def cli_command() -> list[str]:
    """How to start the command in a child process: the console script installed beside this interpreter."""
    script = Path(sys.executable).parent / "amazon-music"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from amazon_music.cli import main; main()"]


def run_process(args: Sequence[str], env: Mapping[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*cli_command(), *args], env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass(frozen=True)
class Home:
    base_url: str
    config: Path
    token_file: Path

    @property
    def login_record(self) -> Path:
        return self.token_file.with_name("tokens.login.json")

    def write_config(self, **values: str | int) -> None:
        quoted = {key: value if isinstance(value, int) else f'"{value}"' for key, value in values.items()}
        lines = [f"{key} = {value}" for key, value in quoted.items()]
        self.config.write_text("\n".join(lines) + "\n")
        self.config.chmod(0o600)


Browser = Callable[[str], object]  # what a browser does with the URL it is sent to


class FakeBrowser:
    """Stands in for the web browser `login` opens: runs ``act(url)`` on a thread, as a real browser would."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []
        self.threads: list[threading.Thread] = []
        self.act: Browser = lambda url: None

    def open(self, url: str, *args: object, **kwargs: object) -> bool:
        def visit() -> None:
            try:
                self.act(url)
            except BaseException as exc:  # reported by the test, not lost on the thread
                self.errors.append(exc)

        thread = threading.Thread(target=visit, name="fake-browser", daemon=True)
        self.threads.append(thread)
        thread.start()
        return True

    def finish(self) -> None:
        """Wait for the visits to end; fail with what went wrong in them."""
        for thread in self.threads:
            thread.join(timeout=20)
        assert not self.errors, self.errors


def follow_all(url: str) -> httpx.Response:
    """What a browser does with the authorize URL when the user consents: follow the redirects to the loopback."""
    with httpx.Client(follow_redirects=True, timeout=10) as client:
        return client.get(url)
