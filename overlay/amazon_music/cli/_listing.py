"""Listings: one page by default, ``--all`` for every page, ``--max-items`` to stop early; a table, or JSON Lines.

Without --all a listing shows one page and, when there is more, says on stderr how to get it (--all, or --cursor with
the next page's token). JSON Lines are written as pages arrive, so ``--all --json | jq`` starts at once; only when
stdout and the progress bar share a terminal are they held until the bar is done.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click

from ._output import ListingProgress, note, print_json_line, print_table
from ._views import columns, label, row, to_json
from ._views import count as plural

__all__ = ["ListingOptions", "listing_params", "print_items", "show_listing"]


@dataclass(frozen=True)
class ListingOptions:
    limit: int | None
    max_items: int | None
    all_pages: bool
    cursor: str | None
    as_json: bool

    @classmethod
    def pop_from(cls, values: dict[str, Any]) -> ListingOptions:
        """The listing's options, taken out of a command's parameter values."""
        return cls(*(values.pop(name) for name in ("limit", "max_items", "all_pages", "cursor", "as_json")))

    @property
    def walks(self) -> bool:
        """Whether more than the first page may be fetched."""
        return self.all_pages or self.max_items is not None

    def paging(self) -> dict[str, Any]:
        return {"limit": self.limit, "max_items": self.max_items, "cursor": self.cursor}


def listing_params(page_min: int, page_max: int) -> list[click.Parameter]:
    """--limit (the spec's bounds of the operation's limit), --max-items, --all, --cursor and --json."""
    return [
        click.Option(
            ["--limit"],
            type=click.IntRange(page_min, page_max),
            metavar="N",
            help=f"Page size, {page_min} to {page_max}.",
        ),
        click.Option(
            ["--all", "all_pages"], is_flag=True, help="Every page (a progress bar on stderr when it is a terminal)."
        ),
        click.Option(["--max-items"], type=click.IntRange(1), metavar="N", help="Stop after N items (walks pages)."),
        click.Option(
            ["--cursor"], metavar="TOKEN", help="Start here: a previous listing's next-page token or resume point."
        ),
        click.Option(["--json", "as_json"], is_flag=True, help="JSON Lines: one item per line."),
    ]


def print_items(items: Sequence[Any], noun: str, total: int | None = None) -> None:
    """Items as a table: a column for each field they carry, a caption with their count."""
    rows = [to_json(item) for item in items]
    fields = columns(rows)
    print_table(
        [label(field) for field in fields],
        (row(data, fields) for data in rows),
        caption=plural(len(rows) if total is None else total, noun),
    )


def show_listing(
    paginator: Any,
    items_of: Callable[[Any], Sequence[Any]],
    noun: str,
    options: ListingOptions,
    *,
    title: str,
) -> None:
    """Walk ``paginator`` (an amazon_music Paginator) as the options say and print what it yields."""
    progress = ListingProgress(title) if options.walks and ListingProgress.wanted() else None
    stream = options.as_json and not (progress is not None and sys.stdout.isatty())
    held: list[Any] = []
    count = pages = 0
    try:
        for page in paginator.pages():
            items = list(items_of(page))
            if options.max_items is not None:
                items = items[: options.max_items - count]
            count += len(items)
            pages += 1
            if stream:
                for item in items:
                    print_json_line(to_json(item))
                sys.stdout.flush()
            else:
                held.extend(items)
            if progress is not None:
                progress.update(count, pages)
            if not options.walks:
                break
    finally:
        if progress is not None:
            progress.finish(count, pages)
    if options.as_json:
        for item in held:
            print_json_line(to_json(item))
        sys.stdout.flush()
    else:
        print_items(held, noun, count)
    next_cursor = paginator.next_cursor
    if not options.walks and next_cursor:
        note(f"more on the next page: add --all, or --cursor {next_cursor}")
    elif options.max_items is not None and count >= options.max_items and next_cursor:
        note(f"stopped at {plural(count, noun)} (--max-items); continue with --cursor {paginator.resume_point}")
