"""One paginator for every listing, for ``for`` (AmazonMusic) and ``async for`` (AsyncAmazonMusic) alike.

Iterating yields items across pages, fetching lazily and holding one page at a time; ``.pages()`` yields whole pages
(the generated connection models). ``limit`` is the page size, ``max_items`` stops early, ``cursor`` resumes from a
saved ``pageInfo.token``; ``next_cursor`` is the token after the last page fetched, to save for later.
A page that says ``hasNextPage: true`` without a token, or repeats the token it was fetched with, is an error rather
than an endless loop; a token on a page that says ``hasNextPage: false`` is ignored.

The walks are plain iterator objects, one state machine for sync and async, rather than (async) generators: an
abandoned async generator keeps its page until the event loop gets round to finalizing it, an object is freed at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from ._errors import MalformedResponseError

__all__ = ["Paginator"]

T = TypeVar("T")
P = TypeVar("P")

FetchPage = Callable[[str | None, int | None], P]
AsyncFetchPage = Callable[[str | None, int | None], Awaitable[P]]
# A page's items, whether another page follows, and its token.
SplitPage = Callable[[P], tuple[Sequence[T], bool, str | None]]


class Paginator(Generic[T, P]):
    """Items of a listing across its pages. Made by the client's listing methods; iterate it, or call .pages()."""

    def __init__(
        self,
        operation: str,
        split: SplitPage[P, T],
        *,
        fetch: FetchPage[P] | None = None,
        afetch: AsyncFetchPage[P] | None = None,
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> None:
        self.operation = operation
        self._split = split
        self._fetch = fetch
        self._afetch = afetch
        self.limit = limit
        self.max_items = max_items
        self.cursor = cursor
        self.next_cursor: str | None = None
        # a walk that stops early needs no page larger than what it will yield
        self._request_limit = limit if max_items is None or (limit is not None and limit <= max_items) else max_items

    def __repr__(self) -> str:
        return (
            f"Paginator({self.operation}, limit={self.limit!r}, max_items={self.max_items!r}, cursor={self.cursor!r})"
        )

    def __iter__(self) -> _ItemWalk[T, P]:
        if self._fetch is None:
            raise TypeError(f"{self.operation} belongs to an AsyncAmazonMusic: use `async for`")
        return _ItemWalk(self)

    def __aiter__(self) -> _ItemWalk[T, P]:
        if self._afetch is None:
            raise TypeError(f"{self.operation} belongs to an AmazonMusic: use `for` (AsyncAmazonMusic has `async for`)")
        return _ItemWalk(self)

    def pages(self) -> _Pages[T, P]:
        """Whole pages (the generated connection models), for ``for`` or ``async for``; max_items counts their items."""
        return _Pages(self)

    def _advance(self, page: P, cursor: str | None) -> tuple[Sequence[T], str | None]:
        """The page's items and the cursor of the next page (None at the end), checked."""
        items, has_next_page, token = self._split(page)
        if not has_next_page:
            next_cursor = None
        elif not token:
            raise MalformedResponseError(f"{self.operation}: pageInfo.hasNextPage is true but no token")
        elif token == cursor:
            raise MalformedResponseError(f"{self.operation}: the next page token repeats the current page's token")
        else:
            next_cursor = token
        self.next_cursor = next_cursor
        return items, next_cursor


class _Pages(Generic[T, P]):
    """The pages of a Paginator, for ``for`` and ``async for``."""

    def __init__(self, paginator: Paginator[T, P]) -> None:
        self._paginator = paginator

    def __iter__(self) -> _PageWalk[T, P]:
        iter(self._paginator)  # the same check as the items: a sync paginator only
        return _PageWalk(self._paginator)

    def __aiter__(self) -> _PageWalk[T, P]:
        self._paginator.__aiter__()
        return _PageWalk(self._paginator)


class _Walk(Generic[T, P]):
    """One walk's state: where it is, how many items it has seen, and whether another page is due."""

    def __init__(self, paginator: Paginator[T, P]) -> None:
        self._paginator = paginator
        self._cursor = paginator.cursor
        self._more = paginator.max_items != 0
        self._seen = 0

    def _fetch_sync(self) -> P:
        fetch = self._paginator._fetch
        assert fetch is not None  # checked by Paginator.__iter__
        return fetch(self._cursor, self._paginator._request_limit)

    async def _fetch_async(self) -> P:
        fetch = self._paginator._afetch
        assert fetch is not None  # checked by Paginator.__aiter__
        return await fetch(self._cursor, self._paginator._request_limit)

    def _accept(self, page: P) -> Sequence[T]:
        items, self._cursor = self._paginator._advance(page, self._cursor)
        self._seen += len(items)
        max_items = self._paginator.max_items
        self._more = self._cursor is not None and (max_items is None or self._seen < max_items)
        return items


class _PageWalk(_Walk[T, P]):
    def __iter__(self) -> _PageWalk[T, P]:
        return self

    def __next__(self) -> P:
        if not self._more:
            raise StopIteration
        page = self._fetch_sync()
        self._accept(page)
        return page

    def __aiter__(self) -> _PageWalk[T, P]:
        return self

    async def __anext__(self) -> P:
        if not self._more:
            raise StopAsyncIteration
        page = await self._fetch_async()
        self._accept(page)
        return page


class _ItemWalk(_Walk[T, P]):
    def __init__(self, paginator: Paginator[T, P]) -> None:
        super().__init__(paginator)
        self._remaining = paginator.max_items
        self._items: Sequence[T] = ()
        self._index = 0

    def _has_item(self) -> bool:
        return self._index < len(self._items) and (self._remaining is None or self._remaining > 0)

    def _take(self) -> T:
        item = self._items[self._index]
        self._index += 1
        if self._remaining is not None:
            self._remaining -= 1
        return item

    def _done(self) -> bool:
        return not self._more or (self._remaining is not None and self._remaining <= 0)

    def __iter__(self) -> _ItemWalk[T, P]:
        return self

    def __next__(self) -> T:
        while not self._has_item():
            if self._done():
                raise StopIteration
            self._items = ()  # let this page go before fetching the next: one page held at a time
            self._items, self._index = self._accept(self._fetch_sync()), 0
        return self._take()

    def __aiter__(self) -> _ItemWalk[T, P]:
        return self

    async def __anext__(self) -> T:
        while not self._has_item():
            if self._done():
                raise StopAsyncIteration
            self._items = ()
            self._items, self._index = self._accept(await self._fetch_async()), 0
        return self._take()
