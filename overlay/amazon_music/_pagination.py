"""The paginators: ``Paginator`` for ``for`` (AmazonMusic), ``AsyncPaginator`` for ``async for`` (AsyncAmazonMusic).

Iterating yields items across pages, fetching lazily and holding one page at a time; ``.pages()`` yields whole pages
(the generated connection models). ``limit`` is the page size, ``max_items`` stops early, ``cursor`` starts from a
saved ``pageInfo.token`` or a saved ``resume_point``.

``resume_point`` is where the latest walk stopped, however it stopped (max_items, ``break``, an exception): a string to
save, which given back as ``cursor=`` continues at exactly the next unseen item, in this process or another. It is
the cursor of the page being read and how many of its items were seen (``am-resume.1.<operation>.<offset>.<cursor>``,
or ``am-resume.1.<operation>.end`` once the listing is read to its end). A resumed walk first fetches those seen
items again as one page of ``offset`` items (dropped), then carries on from that page's token: the pages it yields are
whole pages of the server's. ``next_cursor`` is the token after the last page fetched (items of that page may be
unseen). An item counts as seen once it has been handed out.

A page that says ``hasNextPage: true`` without a token, or repeats the token it was fetched with, is an error rather
than an endless loop; a token on a page that says ``hasNextPage: false`` is ignored.

The walks are plain iterator objects, one state machine for sync and async, rather than (async) generators: an
abandoned async generator keeps its page until the event loop gets round to finalizing it, an object is freed at once.
The sync and async paginators are two classes so that a type checker catches ``for`` over an async listing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Generic, TypeVar

from ._errors import MalformedResponseError, ValidationError

__all__ = ["RESUME_PREFIX", "AsyncPaginator", "Paginator", "SplitPage", "is_resume_point", "resume_point_token"]

T = TypeVar("T")
P = TypeVar("P")

FetchPage = Callable[[str | None, int | None], P]
AsyncFetchPage = Callable[[str | None, int | None], Awaitable[P]]
# A page's items, whether another page follows, and its token.
SplitPage = Callable[[P], tuple[Sequence[T], bool, str | None]]

RESUME_PREFIX = "am-resume.1."
_END = "end"


def is_resume_point(value: object) -> bool:
    """Whether ``value`` is a paginator's resume_point (rather than a server's pageInfo.token)."""
    return isinstance(value, str) and value.startswith(RESUME_PREFIX)


def resume_point_token(text: str) -> str | None:
    """The page token a resume point carries (None at the end of a listing): the client checks it as a cursor."""
    _, _, rest = text[len(RESUME_PREFIX) :].partition(".")
    return rest.partition(".")[2] or None


def _parse_resume_point(operation: str, text: str) -> tuple[str | None, int, bool]:
    """(cursor of the page, items of it already seen, whether the listing was read to its end); ValidationError."""
    name, _, rest = text[len(RESUME_PREFIX) :].partition(".")
    if name != operation:
        raise ValidationError("cursor", f"is a resume point of {name or 'nothing'}, not of {operation}")
    if rest == _END:
        return None, 0, True
    offset, dot, page_cursor = rest.partition(".")
    if not dot or not offset.isascii() or not offset.isdigit() or len(offset) > 6:
        raise ValidationError("cursor", "is not a resume point (pass paginator.resume_point as it was given)")
    return page_cursor or None, int(offset), False


class _Listing(Generic[T, P]):
    """What both paginators share: the arguments, the page checks, and where the latest walk stands."""

    def __init__(
        self,
        operation: str,
        split: SplitPage[P, T],
        *,
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> None:
        self.operation = operation
        self._split = split
        self.limit = limit
        self.max_items = max_items
        self.cursor = cursor
        self.next_cursor: str | None = None
        if is_resume_point(cursor):
            assert cursor is not None
            self._start_cursor, self._start_offset, self._start_ended = _parse_resume_point(operation, cursor)
        else:
            self._start_cursor, self._start_offset, self._start_ended = cursor, 0, False
        # where the latest walk stands: the page it reads (its cursor and length, None before it arrives), how many
        # of its items were seen, and the token after it (None at the end)
        self._page_cursor = self._start_cursor
        self._page_length: int | None = None
        self._offset = self._start_offset
        self._ended = self._start_ended
        # a walk that stops early needs no page larger than what it will yield (nor its last page, see _request)
        self._request_limit = limit if max_items is None or (limit is not None and limit <= max_items) else max_items

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.operation}, limit={self.limit!r}, max_items={self.max_items!r}, "
            f"cursor={self.cursor!r})"
        )

    @property
    def resume_point(self) -> str:
        """Where to continue after the latest walk, at exactly the next unseen item; pass it back as ``cursor=``."""
        if self._ended:
            return f"{RESUME_PREFIX}{self.operation}.{_END}"
        if self._page_length is None or self._offset < self._page_length:
            page_cursor, offset = self._page_cursor, self._offset
        elif self.next_cursor is not None:
            page_cursor, offset = self.next_cursor, 0
        else:
            return f"{RESUME_PREFIX}{self.operation}.{_END}"
        return f"{RESUME_PREFIX}{self.operation}.{offset}.{page_cursor or ''}"

    @property
    def exhausted(self) -> bool:
        """Whether the latest walk saw the listing's last item (its resume point yields nothing)."""
        return self.resume_point.endswith(f".{_END}")

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
        self._page_cursor, self._page_length, self._offset, self._ended = cursor, len(items), 0, False
        return items, next_cursor


class Paginator(_Listing[T, P]):
    """Items of a listing across its pages, for ``for``. Made by AmazonMusic's listing methods; iterate it, or call
    .pages(); save .resume_point to continue later."""

    def __init__(
        self,
        operation: str,
        split: SplitPage[P, T],
        *,
        fetch: FetchPage[P],
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> None:
        super().__init__(operation, split, limit=limit, max_items=max_items, cursor=cursor)
        self._fetch = fetch

    def __iter__(self) -> Iterator[T]:
        return _ItemWalk(self)

    def pages(self) -> _Pages[T, P]:
        """Whole pages (the generated connection models); max_items counts their items."""
        return _Pages(self)


class AsyncPaginator(_Listing[T, P]):
    """Items of a listing across its pages, for ``async for``. Made by AsyncAmazonMusic's listing methods; iterate it,
    or call .pages(); save .resume_point to continue later."""

    def __init__(
        self,
        operation: str,
        split: SplitPage[P, T],
        *,
        fetch: AsyncFetchPage[P],
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> None:
        super().__init__(operation, split, limit=limit, max_items=max_items, cursor=cursor)
        self._fetch = fetch

    def __aiter__(self) -> AsyncIterator[T]:
        return _AsyncItemWalk(self)

    def pages(self) -> _AsyncPages[T, P]:
        """Whole pages (the generated connection models); max_items counts their items."""
        return _AsyncPages(self)


class _Pages(Generic[T, P]):
    def __init__(self, paginator: Paginator[T, P]) -> None:
        self._paginator = paginator

    def __iter__(self) -> Iterator[P]:
        return _PageWalk(self._paginator)


class _AsyncPages(Generic[T, P]):
    def __init__(self, paginator: AsyncPaginator[T, P]) -> None:
        self._paginator = paginator

    def __aiter__(self) -> AsyncIterator[P]:
        return _AsyncPageWalk(self._paginator)


class _Walk(Generic[T, P]):
    """One walk's state: the page it reads, how many items it has yielded, and whether another page is due."""

    def __init__(self, listing: _Listing[T, P]) -> None:
        self._listing = listing
        self._cursor = listing._start_cursor
        # a resumed walk first re-reads the items already seen as one page of that size, to drop it
        self._skip = listing._start_offset
        self._more = listing.max_items != 0 and not listing._start_ended
        self._seen = 0
        self._remaining = listing.max_items
        self._items: Sequence[T] = ()
        self._index = 0
        listing._page_cursor, listing._page_length = listing._start_cursor, None
        listing._offset, listing._ended = listing._start_offset, listing._start_ended
        if listing._start_ended:
            listing.next_cursor = None

    def _request(self) -> tuple[str | None, int | None]:
        """The next fetch's cursor and limit; the previous page goes first: one page held at a time."""
        self._items = ()
        if self._skip:
            return self._cursor, self._skip
        limit, max_items = self._listing._request_limit, self._listing.max_items
        if max_items is not None and limit is not None:
            limit = min(limit, max_items - self._seen)  # the last page holds no item past max_items
        return self._cursor, limit

    def _accept(self, page: P) -> bool:
        """Take a fetched page; False when it was a page of already seen items, to drop."""
        items, self._cursor = self._listing._advance(page, self._cursor)
        if self._skip:
            self._skip = 0
            self._listing._offset = len(items)
            self._more = self._cursor is not None
            return False
        self._seen += len(items)
        max_items = self._listing.max_items
        self._more = self._cursor is not None and (max_items is None or self._seen < max_items)
        self._items, self._index = items, 0
        return True

    def _page_seen(self) -> None:
        """A page walk yields the page whole: every item of it is seen."""
        self._listing._offset = len(self._items)
        self._items = ()

    def _has_item(self) -> bool:
        return self._index < len(self._items) and (self._remaining is None or self._remaining > 0)

    def _take(self) -> T:
        item = self._items[self._index]
        self._index += 1
        self._listing._offset = self._index
        if self._remaining is not None:
            self._remaining -= 1
        return item

    def _items_done(self) -> bool:
        return not self._more or (self._remaining is not None and self._remaining <= 0)


class _PageWalk(_Walk[T, P]):
    def __init__(self, paginator: Paginator[T, P]) -> None:
        super().__init__(paginator)
        self._fetch = paginator._fetch

    def __iter__(self) -> _PageWalk[T, P]:
        return self

    def __next__(self) -> P:
        while self._more:
            page = self._fetch(*self._request())
            if self._accept(page):
                self._page_seen()
                return page
        raise StopIteration


class _AsyncPageWalk(_Walk[T, P]):
    def __init__(self, paginator: AsyncPaginator[T, P]) -> None:
        super().__init__(paginator)
        self._fetch = paginator._fetch

    def __aiter__(self) -> _AsyncPageWalk[T, P]:
        return self

    async def __anext__(self) -> P:
        while self._more:
            page = await self._fetch(*self._request())
            if self._accept(page):
                self._page_seen()
                return page
        raise StopAsyncIteration


class _ItemWalk(_Walk[T, P]):
    def __init__(self, paginator: Paginator[T, P]) -> None:
        super().__init__(paginator)
        self._fetch = paginator._fetch

    def __iter__(self) -> _ItemWalk[T, P]:
        return self

    def __next__(self) -> T:
        while not self._has_item():
            if self._items_done():
                raise StopIteration
            self._accept(self._fetch(*self._request()))
        return self._take()


class _AsyncItemWalk(_Walk[T, P]):
    def __init__(self, paginator: AsyncPaginator[T, P]) -> None:
        super().__init__(paginator)
        self._fetch = paginator._fetch

    def __aiter__(self) -> _AsyncItemWalk[T, P]:
        return self

    async def __anext__(self) -> T:
        while not self._has_item():
            if self._items_done():
                raise StopAsyncIteration
            self._accept(await self._fetch(*self._request()))
        return self._take()
