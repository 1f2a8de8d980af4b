"""The root command: global options, the -v log lines, and the boundary where every error becomes one line and an
exit code (see _exit.py); no traceback reaches the user unless AMAZON_MUSIC_DEBUG is set."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from . import _commands, _login
from ._exit import CREDENTIALS_SOURCE, EXIT_CODES_HELP, ExitCode, describe_error
from ._state import CliState

__all__ = ["cli", "main"]

PROG = "amazon-music"


class _StderrLog(logging.Handler):
    """Log lines on stderr, looked up at each line (so they print above a progress bar, which swaps stderr)."""

    def __init__(self, retries_only: bool) -> None:
        super().__init__(logging.DEBUG)
        self.retries_only = retries_only

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.retries_only and "retrying" not in message:
            return
        sys.stderr.write(f"{PROG}: {message}\n")
        sys.stderr.flush()


_saved_level: int | None = None


def _configure_logging(verbose: int) -> None:
    """-v: the client's retry decisions; -vv: every request too. Undone by _reset_logging when the command ends."""
    global _saved_level
    if verbose:
        logger = logging.getLogger("amazon_music")
        _saved_level = logger.level
        logger.addHandler(_StderrLog(retries_only=verbose == 1))
        logger.setLevel(logging.DEBUG)


def _reset_logging() -> None:
    """Leave the logger as it was (the command may run inside a longer process: a test, a script)."""
    global _saved_level
    logger = logging.getLogger("amazon_music")
    for handler in [handler for handler in logger.handlers if isinstance(handler, _StderrLog)]:
        logger.removeHandler(handler)
    if _saved_level is not None:
        logger.setLevel(_saved_level)
        _saved_level = None


def _one_line(message: str) -> str:
    return " ".join(message.split())


class _Root(click.Group):
    """Runs the command and turns what it raises into a line on stderr and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> int:
        code = self._run(args, prog_name or PROG, complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        source = CREDENTIALS_SOURCE.set(None)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning  # one line each, as the errors are
                return self._main(args, prog_name, complete_var, **extra)
        finally:
            CREDENTIALS_SOURCE.reset(source)
            _reset_logging()

    def _main(self, args: Sequence[str] | None, prog_name: str, complete_var: str | None, **extra: Any) -> int:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else prog_name
            _error(f"{where}: {exc.format_message()} (see '{where} --help')")
            return exc.exit_code
        except click.ClickException as exc:
            _error(f"{prog_name}: {exc.format_message()}")
            return exc.exit_code
        except (click.Abort, KeyboardInterrupt):
            _error(f"{prog_name}: interrupted")
            return 130
        except BrokenPipeError:
            _silence_stdout()
            return ExitCode.OK
        except Exception as exc:
            described = describe_error(exc)
            if os.environ.get("AMAZON_MUSIC_DEBUG"):
                import traceback

                traceback.print_exc()
            if described is None:
                _error(f"{prog_name}: unexpected error: {type(exc).__name__}: {exc} (AMAZON_MUSIC_DEBUG=1 shows more)")
                return ExitCode.ERROR
            code, message = described
            _error(f"{prog_name}: error: {message}")
            return code
        return result if isinstance(result, int) else ExitCode.OK

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # caught here: click's main would turn it into exit 1
            _silence_stdout()
            return ExitCode.OK


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: Any = None
) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _silence_stdout() -> None:
    """The reader went away (`| head`): point stdout at nothing, so that the flush at exit cannot fail too."""
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (a test's capture): nothing will flush it at exit
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fileno)
    os.close(devnull)


def _error(message: str) -> None:
    try:
        sys.stdout.flush()  # the data so far first, then the error after it
    except BrokenPipeError:
        _silence_stdout()
    print(_one_line(message), file=sys.stderr, flush=True)


@click.group(
    PROG,
    cls=_Root,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.option("--base-url", metavar="URL", help="The API [env AMAZON_MUSIC_BASE_URL; https://api.music.amazon.dev].")
@click.option("--api-key", metavar="KEY", help="The security profile ID (x-api-key) [env AMAZON_MUSIC_API_KEY].")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (TOML) [env AMAZON_MUSIC_CONFIG; config.toml in the user config folder].",
)
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False),
    help="Where login keeps the tokens (0600) [env AMAZON_MUSIC_TOKEN_FILE; tokens.json beside the config].",
)
@click.option("--max-retries", type=click.IntRange(0), help="Retries on 429, 5xx and network errors [3].")
@click.option("-v", "--verbose", count=True, help="-v: show retries on stderr; -vv: every request.")
@click.version_option(package_name="amazon-music-webapi", prog_name=PROG)
@click.pass_context
def cli(
    ctx: click.Context,
    base_url: str | None,
    api_key: str | None,
    config: Path | None,
    token_file: str | None,
    max_retries: int | None,
    verbose: int,
) -> None:
    """The Amazon Music Web API (User v1) from the command line.

    \b
    Start with `amazon-music login`, then for instance:
      amazon-music me
      amazon-music followers --all --json | jq -r .name
      amazon-music follow artist B000QKGN8W
      amazon-music user followed artists zqll6htnhyb2welrqsrtrhdvaa

    Settings come from flags, then AMAZON_MUSIC_* environment variables, then the config file, then the saved login
    (the same as AmazonMusic.from_env() in a script). Listings show one
    page as a table; --all walks every page, --json prints JSON (JSON Lines for listings). Errors are one line on
    stderr, and the exit code says what kind.
    """
    flags = {"base_url": base_url, "api_key": api_key, "token_file": token_file, "max_retries": max_retries}
    ctx.obj = CliState(flags=flags, config=config, verbose=verbose)
    _configure_logging(verbose)


_commands.register(cli)
_login.register(cli)


def main() -> None:
    """The console script."""
    cli.main(prog_name=PROG)
