"""Where output goes: data on stdout (rich tables, or JSON / JSON Lines), everything else on stderr.

The progress bar is drawn on stderr only, and only when stderr is a terminal; it never touches stdout.
Values from the API are shown as plain text (never read as rich markup).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["ListingProgress", "note", "print_json", "print_json_line", "print_record", "print_table"]

_PLAIN_WIDTH = 120  # tables written to a pipe or file: wide enough that IDs never wrap


def _print(*renderables: Any) -> None:
    """Print to stdout; for a pipe or a file, plain text at a fixed width without the padding rich adds."""
    from rich.console import Console

    console = Console(file=sys.stdout, highlight=False, markup=False, emoji=False)
    if console.is_terminal:
        console.print(*renderables)
        return
    console = Console(file=sys.stdout, highlight=False, markup=False, emoji=False, width=_PLAIN_WIDTH)
    with console.capture() as captured:
        console.print(*renderables)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    sys.stdout.flush()


def note(message: str) -> None:
    """A line for the person at the terminal (stderr), never part of the data."""
    print(message, file=sys.stderr, flush=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_json_line(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, caption: str | None = None) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, caption=caption, caption_justify="left", show_edge=False, pad_edge=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    _print(table)


def print_record(pairs: Sequence[tuple[str, str]], *, title: str | None = None) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in pairs:
        table.add_row(Text(label), Text(value))
    _print(*([Text(title, style="bold")] if title else []), table)


class ListingProgress:
    """A bar on stderr while pages arrive: items and pages so far (the API does not say how many in all)."""

    def __init__(self, what: str) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress: Progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed} items, {task.fields[pages]} pages"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr, highlight=False),
            redirect_stdout=False,  # stdout is data: the bar never writes there
            redirect_stderr=True,  # log lines print above the bar instead of through it
        )
        self._task: TaskID = self._progress.add_task(what, total=None, pages=0)
        self._progress.start()

    @staticmethod
    def wanted() -> bool:
        return sys.stderr.isatty()

    def update(self, items: int, pages: int) -> None:
        self._progress.update(self._task, completed=items, pages=pages)

    def finish(self, items: int, pages: int) -> None:
        self._progress.update(self._task, completed=items, total=max(items, 1), pages=pages)
        self._progress.stop()

    def stop(self) -> None:
        self._progress.stop()
