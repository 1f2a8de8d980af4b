"""AmazonMusic and AsyncAmazonMusic: the spec's operations, as typed methods over the generated client.

The methods themselves are generated from the spec (amazon_music_generated.overlay_methods, one per operation, with
the spec's summary, parameters and types); each hands its arguments to ``_request`` or ``_paginate`` here, which
check them against the operations table (amazon_music_generated.operations) and call the generated api module.

A call's way: method -> arguments checked (_validation, bounds and patterns from the table) -> generated
``sync_detailed``/``asyncio_detailed`` -> httpx client whose ``send`` is the error boundary (non-2xx -> the typed
error tree, transport failures -> APIConnectionError) -> Auth (bearer token, refresh) -> ErrataTransport (the docs'
second shapes) -> RetryTransport -> the network. The generated code then parses the body into its models; the method
returns the field the spec's ``x-result`` names, or a Paginator over the items ``x-page-items`` names. A body of the
wrong shape becomes a MalformedResponseError, never a KeyError.

The generated api modules and models are imported on first use, so ``import amazon_music`` stays light.
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import typing
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from enum import Enum
from operator import attrgetter
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx

from amazon_music_generated.operations import Operation
from amazon_music_generated.overlay_methods import AsyncOperations, SyncOperations

from . import _validation as check
from ._auth import TOKEN_REQUEST_EXTENSION, StaticToken
from ._compat import AsyncErrataTransport, ErrataTransport
from ._config import DEFAULT_BASE_URL, settings_from_env
from ._errors import (
    AmazonMusicError,
    ConfigurationError,
    MalformedResponseError,
    connection_error,
    error_from_response,
)
from ._pagination import AsyncPaginator, Paginator, SplitPage, is_resume_point, resume_point_token
from ._tokens import TokenStore
from ._transport import RETRY_AFTER_EXTENSION, AsyncRetryTransport, RetryPolicy, RetryTransport, parse_retry_after

if TYPE_CHECKING:
    from amazon_music_generated.client import AuthenticatedClient
    from amazon_music_generated.types import Response

__all__ = ["AmazonMusic", "AsyncAmazonMusic"]

M = TypeVar("M")

DEFAULT_TIMEOUT = 30.0
# 10 chunks of 100 cover 1,000 IDs in one round trip; retries absorb a 429 if the live limit is lower
DEFAULT_USERS_CONCURRENCY = 10

# The last 2xx response the error boundary let through in this thread or task: the generated parser reads it next.
_last_response: contextvars.ContextVar[httpx.Response | None] = contextvars.ContextVar(
    "amazon_music_last_response", default=None
)


# -- the error boundary -------------------------------------------------------------------------------------------


def _checked(response: httpx.Response) -> httpx.Response:
    if response.history:  # a refreshed call's history holds the token response: never hand it out
        response.history = [r for r in response.history if not r.request.extensions.get(TOKEN_REQUEST_EXTENSION)]
    if response.is_closed and response.is_stream_consumed:
        # httpx links a response and its stream both ways; once read, unlink them so the page is freed at once
        # rather than at the next cyclic collection (which is what keeps a long walk's peak memory flat)
        response.stream = httpx.ByteStream(response.content)
    if response.is_success:
        _last_response.set(response)
        return response
    retry_after = None
    if response.status_code == 429:
        retry_after = response.extensions.get(RETRY_AFTER_EXTENSION)
        if retry_after is None:  # a response that did not pass the retry layer
            retry_after = parse_retry_after(response.headers.get("retry-after"))
    raise error_from_response(response, retry_after=retry_after)


class _HTTPClient(httpx.Client):
    """httpx.Client whose send() raises the typed errors, so the generated code only ever parses 2xx bodies."""

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = super().send(request, **kwargs)
        except httpx.RequestError as exc:
            raise connection_error(request, exc) from exc
        return _checked(response)


class _AsyncHTTPClient(httpx.AsyncClient):
    """The async twin of _HTTPClient."""

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        try:
            response = await super().send(request, **kwargs)
        except httpx.RequestError as exc:
            raise connection_error(request, exc) from exc
        return _checked(response)


def _malformed(operation: str, expected: type[Any], exc: Exception | None) -> MalformedResponseError:
    response = _last_response.get()
    status = response.status_code if response is not None else "no"
    if isinstance(exc, KeyError):
        detail = f"missing field {exc.args[0]!r}" if exc.args else "a missing field"
    elif exc is not None:
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
    else:
        detail = "no body the spec describes"
    return MalformedResponseError(
        f"{operation}: the {status} response is not a {expected.__name__} ({detail})", response=response
    )


_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def _parsed(operation: str, expected: type[Any], response: Response[Any]) -> Any:
    parsed = response.parsed
    if not isinstance(parsed, expected):
        raise _malformed(operation, expected, None)
    return parsed


# -- an operation of the table, as the clients call it -------------------------------------------------------------


class _Bound:
    """What calling an operation needs from the generated package, imported on the operation's first call."""

    __slots__ = ("body_model", "enums", "expected", "module", "operation", "split", "unset")

    def __init__(self, operation: Operation) -> None:
        self.operation = operation
        self.module: Any = importlib.import_module(f"amazon_music_generated.api.{operation.tag}.{operation.module}")
        models = importlib.import_module("amazon_music_generated.models")
        self.unset: Any = importlib.import_module("amazon_music_generated.types").UNSET
        self.expected: type[Any] = getattr(models, operation.response_model)
        self.body_model: Callable[..., Any] | None = (
            getattr(models, operation.body_model) if operation.body_model else None
        )
        # the generated functions take enums as the generated Enum classes: found from their own annotations
        self.enums: dict[str, type[Enum]] = {
            p.python_name: getattr(models, p.enum_model) if p.enum_model else _enum_of(self.module, p.python_name)
            for p in operation.parameters
            if p.enum
        }
        self.split: SplitPage[Any, Any] | None = _splitter(operation) if operation.edges else None

    def request(self, arguments: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The generated function's keyword arguments: each argument checked, None left out, the body built."""
        kwargs: dict[str, Any] = {}
        body: dict[str, Any] = {}
        for parameter in self.operation.parameters:
            name = parameter.python_name
            if name in skip:
                continue
            value = check.argument(parameter, arguments[name])
            if value is None:  # left out of the request, rather than the generated code's default sent
                if parameter.location != "body":
                    kwargs[name] = self.unset
                continue
            if name in self.enums:
                value = self.enums[name](value)
            (body if parameter.location == "body" else kwargs)[name] = value
        if self.body_model is not None:
            kwargs["body"] = self.body_model(**body)
        return kwargs

    def chunks(self, arguments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The requests of a chunked operation (x-chunk-parameter): its list split by the parameter's maximum."""
        chunked = self.operation.chunk
        assert chunked is not None  # called for a chunked operation only
        parameter = next(p for p in self.operation.parameters if p.python_name == chunked)
        items = check.id_list(parameter, arguments[chunked], any_count=True)
        rest = self.request(arguments, skip=(chunked,))
        size = parameter.max_count or len(items)
        for start in range(0, len(items), size):
            yield {**rest, chunked: ",".join(items[start : start + size])}

    def result(self, parsed: Any) -> Any:
        for name in self.operation.result:
            parsed = getattr(parsed, name)
        return parsed


_bound_operations: dict[str, _Bound] = {}


def _bind(operation: Operation) -> _Bound:
    bound = _bound_operations.get(operation.operation_id)
    if bound is None:
        bound = _bound_operations[operation.operation_id] = _Bound(operation)
    return bound


def _enum_of(module: Any, name: str) -> type[Enum]:
    hint = typing.get_type_hints(module._get_kwargs)[name]
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return candidate
    raise TypeError(f"{module.__name__}: {name} is not an enum in the generated code")  # a generator change


def _splitter(operation: Operation) -> SplitPage[Any, Any]:
    """A page's items (x-page-items: each edge, or a field of it), whether another page follows, and its token."""
    edges = attrgetter(operation.edges or "edges")
    item = attrgetter(".".join(operation.item_path)) if operation.item_path else None

    def split(connection: Any) -> tuple[list[Any], bool, str | None]:
        info = connection.page_info
        token = info.token
        page = edges(connection)
        return (
            list(page) if item is None else list(map(item, page)),
            info.has_next_page,
            token if isinstance(token, str) else None,
        )

    return split


def _paging(operation: Operation, arguments: Mapping[str, Any], max_items: int | None) -> dict[str, Any]:
    """The checked paging arguments, as the Paginator takes them; the page size never above the spec's maximum."""
    parameters = {p.python_name: p for p in operation.parameters}
    maximum = operation.page_size
    checked_max_items = check.max_items(max_items)
    limit = check.argument(parameters["limit"], arguments["limit"])
    if limit is None and checked_max_items is not None and maximum is not None and checked_max_items > maximum:
        limit = maximum  # the server's default page is its maximum; a larger max_items must not become the page size
    cursor = arguments["cursor"]
    if is_resume_point(cursor):  # the paginator's own: its page token is checked here, the rest by the paginator
        check.argument(parameters["cursor"], resume_point_token(cursor))
    else:
        cursor = check.argument(parameters["cursor"], cursor)
    return {"limit": limit, "max_items": checked_max_items, "cursor": cursor}


class _Listing:
    """A listing's checked arguments: the paginator's paging, the split of a page, each page's request."""

    __slots__ = ("kwargs", "paging", "split", "unset")

    def __init__(self, bound: _Bound, arguments: Mapping[str, Any], max_items: int | None) -> None:
        self.paging = _paging(bound.operation, arguments, max_items)
        self.kwargs = bound.request(arguments, skip=("limit", "cursor"))
        assert bound.split is not None  # a listing has x-page-items
        self.split = bound.split
        self.unset = bound.unset

    def page(self, cursor: str | None, limit: int | None) -> dict[str, Any]:
        unset = self.unset
        return {
            **self.kwargs,
            "limit": unset if limit is None else limit,
            "cursor": unset if cursor is None else cursor,
        }


def _listing(operation: Operation, arguments: Mapping[str, Any], max_items: int | None) -> tuple[_Bound, _Listing]:
    bound = _bind(operation)
    return bound, _Listing(bound, arguments, max_items)


class _Parsing:
    """Around a call: a body of the wrong shape becomes a MalformedResponseError naming the operation; the response
    the error boundary kept for the parser is let go after."""

    __slots__ = ("bound",)

    def __init__(self, bound: _Bound) -> None:
        self.bound = bound
        _last_response.set(None)

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: Any) -> None:
        malformed = None
        # a parse error after a response is the body's fault; before any response (or a typed error) it is not
        if (
            isinstance(exc, _PARSE_ERRORS)
            and not isinstance(exc, AmazonMusicError)
            and _last_response.get() is not None
        ):
            malformed = _malformed(self.bound.operation.method, self.bound.expected, exc)
        _last_response.set(None)  # the body is parsed: do not keep it alive until the next call
        if malformed is not None:
            raise malformed from exc


@functools.cache
def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"amazon-music-webapi/{version('amazon-music-webapi')}"
    except PackageNotFoundError:
        return "amazon-music-webapi"


class _Settings:
    """What both clients check and keep from their constructor arguments."""

    def __init__(
        self,
        api_key: str | None,
        token: str | None,
        auth: httpx.Auth | None,
        base_url: str,
        max_retries: int,
        retry_policy: RetryPolicy | None,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ConfigurationError("api_key: the security profile ID (x-api-key) is required")
        if token is not None and auth is not None:
            raise ConfigurationError("token, auth: pass one of them, not both")
        if auth is None:
            if token is None:
                raise ConfigurationError("token: an access token (token=) or an httpx.Auth (auth=) is required")
            auth = StaticToken(token)
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base_url: {base_url!r} is not an http(s) URL")
        self.auth = auth
        self.base_url = base_url.rstrip("/")
        self.policy = retry_policy if retry_policy is not None else RetryPolicy(max_retries=max_retries)
        self.headers = {"x-api-key": api_key, "accept": "application/json", "user-agent": _user_agent()}


def _generated_client(base_url: str) -> AuthenticatedClient:
    from amazon_music_generated.client import AuthenticatedClient

    # the token field stays empty: the Authorization header is the httpx.Auth's job (set_httpx_client bypasses it)
    return AuthenticatedClient(base_url=base_url, token="")


# -- the sync client ----------------------------------------------------------------------------------------------


class AmazonMusic(SyncOperations):
    """The Amazon Music Web API (User v1), synchronous. Use as a context manager, or call close().

    ``api_key`` is the security profile ID; ``token`` a Login with Amazon access token, or ``auth`` any httpx.Auth
    (StaticToken, LWAAuth). ``transport`` replaces the network (an emulator, a mock); a RetryTransport given there
    is used as is, any other is wrapped in one made from ``retry_policy`` or ``max_retries`` (0: no retries).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        token: str | None = None,
        auth: httpx.Auth | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        settings = _Settings(api_key, token, auth, base_url, max_retries, retry_policy)
        self.base_url = settings.base_url
        self._auth = settings.auth
        retrying = (
            transport if isinstance(transport, RetryTransport) else RetryTransport(transport, policy=settings.policy)
        )
        self._http = _HTTPClient(
            base_url=settings.base_url,
            headers=settings.headers,
            auth=settings.auth,
            timeout=timeout,
            transport=ErrataTransport(retrying),
        )
        self._api = _generated_client(settings.base_url).set_httpx_client(self._http)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, store: TokenStore | None = None, **kwargs: Any
    ) -> Self:
        """A client as the amazon-music command would make it (amazon_music._config): AMAZON_MUSIC_* variables, then
        config.toml, then the login `amazon-music login` saved; other arguments as the constructor."""
        settings = settings_from_env(environ, store=store)
        kwargs.setdefault("max_retries", settings.max_retries)
        return cls(settings.api_key, auth=settings.auth, base_url=settings.base_url, **kwargs)

    def __repr__(self) -> str:
        return f"AmazonMusic(base_url={self.base_url!r}, auth={self._auth!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, bound: _Bound, kwargs: dict[str, Any]) -> Any:
        """One request; the parsed 200 body."""
        with _Parsing(bound):
            return _parsed(
                bound.operation.method, bound.expected, bound.module.sync_detailed(client=self._api, **kwargs)
            )

    def _request(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        bound = _bind(operation)
        if operation.chunk is None:
            return bound.result(self._call(bound, bound.request(arguments)))
        return [item for kwargs in bound.chunks(arguments) for item in bound.result(self._call(bound, kwargs))]

    def _paginate(self, operation: Operation, arguments: dict[str, Any], max_items: int | None) -> Any:
        """Every sync listing's Paginator is made here."""
        bound, listing = _listing(operation, arguments, max_items)

        def fetch(page_cursor: str | None, page_limit: int | None) -> Any:
            return bound.result(self._call(bound, listing.page(page_cursor, page_limit)))

        return Paginator(operation.method, listing.split, fetch=fetch, **listing.paging)


async def _bounded_gather(calls: Sequence[Callable[[], Awaitable[M]]], bound: int) -> list[M]:
    """Run the calls at most ``bound`` at a time; results in call order. The first error cancels the rest."""
    import asyncio  # imported on first use: sync users never need it

    semaphore = asyncio.Semaphore(bound)

    async def run(call: Callable[[], Awaitable[M]]) -> M:
        async with semaphore:
            return await call()

    tasks = [asyncio.ensure_future(run(call)) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


# -- the async client ---------------------------------------------------------------------------------------------


class AsyncAmazonMusic(AsyncOperations):
    """The Amazon Music Web API (User v1), for asyncio. Use as an async context manager, or await aclose().

    Arguments as AmazonMusic; ``transport`` is an httpx.AsyncBaseTransport (an AsyncRetryTransport is used as is),
    and ``users_concurrency`` bounds how many chunks of users() are in flight at once.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        token: str | None = None,
        auth: httpx.Auth | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        users_concurrency: int = DEFAULT_USERS_CONCURRENCY,
    ) -> None:
        settings = _Settings(api_key, token, auth, base_url, max_retries, retry_policy)
        if isinstance(users_concurrency, bool) or not isinstance(users_concurrency, int) or users_concurrency < 1:
            raise ConfigurationError(f"users_concurrency: expected an integer >= 1, got {users_concurrency!r}")
        self.base_url = settings.base_url
        self.users_concurrency = users_concurrency
        self._auth = settings.auth
        retrying = (
            transport
            if isinstance(transport, AsyncRetryTransport)
            else AsyncRetryTransport(transport, policy=settings.policy)
        )
        self._http = _AsyncHTTPClient(
            base_url=settings.base_url,
            headers=settings.headers,
            auth=settings.auth,
            timeout=timeout,
            transport=AsyncErrataTransport(retrying),
        )
        self._api = _generated_client(settings.base_url).set_async_httpx_client(self._http)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, store: TokenStore | None = None, **kwargs: Any
    ) -> Self:
        """A client as the amazon-music command would make it (amazon_music._config): AMAZON_MUSIC_* variables, then
        config.toml, then the login `amazon-music login` saved; other arguments as the constructor."""
        settings = settings_from_env(environ, store=store)
        kwargs.setdefault("max_retries", settings.max_retries)
        return cls(settings.api_key, auth=settings.auth, base_url=settings.base_url, **kwargs)

    def __repr__(self) -> str:
        return f"AsyncAmazonMusic(base_url={self.base_url!r}, auth={self._auth!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _call(self, bound: _Bound, kwargs: dict[str, Any]) -> Any:
        """One request; the parsed 200 body."""
        with _Parsing(bound):
            response = await bound.module.asyncio_detailed(client=self._api, **kwargs)
            return _parsed(bound.operation.method, bound.expected, response)

    async def _request(self, operation: Operation, arguments: dict[str, Any]) -> Any:
        bound = _bind(operation)
        if operation.chunk is None:
            return bound.result(await self._call(bound, bound.request(arguments)))
        calls = [functools.partial(self._call, bound, kwargs) for kwargs in bound.chunks(arguments)]
        pages = await _bounded_gather(calls, self.users_concurrency)
        return [item for page in pages for item in bound.result(page)]

    def _paginate(self, operation: Operation, arguments: dict[str, Any], max_items: int | None) -> Any:
        """Every async listing's paginator is made here (an AsyncPaginator once _pagination has one)."""
        bound, listing = _listing(operation, arguments, max_items)

        async def fetch(page_cursor: str | None, page_limit: int | None) -> Any:
            return bound.result(await self._call(bound, listing.page(page_cursor, page_limit)))

        return AsyncPaginator(operation.method, listing.split, fetch=fetch, **listing.paging)
