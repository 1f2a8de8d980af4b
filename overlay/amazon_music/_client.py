"""AmazonMusic and AsyncAmazonMusic: one thin method per operation over the generated client.

A call's way: method (arguments checked) -> generated ``sync_detailed``/``asyncio_detailed`` -> httpx client whose
``send`` is the error boundary (non-2xx -> the typed error tree, transport failures -> APIConnectionError) -> Auth
(bearer token, refresh) -> ErrataTransport (the docs' second shapes) -> RetryTransport -> the network. The generated
code then parses the body into its models, which the method returns; a body of the wrong shape becomes a
MalformedResponseError, never a KeyError.

The generated package is imported on first use, so ``import amazon_music`` stays light.
"""

from __future__ import annotations

import abc
import contextvars
import functools
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

import httpx

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
from ._pagination import (
    AnyPaginator,
    AsyncListings,
    AsyncPaginator,
    Paginator,
    SplitPage,
    SyncListings,
    is_resume_point,
    listing_method,
)
from ._tokens import TokenStore
from ._transport import RETRY_AFTER_EXTENSION, AsyncRetryTransport, RetryPolicy, RetryTransport, parse_retry_after

if TYPE_CHECKING:
    from amazon_music_generated.client import AuthenticatedClient
    from amazon_music_generated.models import (
        Artist,
        FollowArtistResult,
        FollowedArtistsConnection,
        FollowedPlaylistsConnection,
        FollowedPodcastShowsConnection,
        FollowedUsersConnection,
        FollowersConnection,
        FollowUserResult,
        LibraryTrackEdge,
        LibraryTracksConnection,
        PageInfo,
        Playlist,
        PodcastShow,
        User,
        Visibility,
    )
    from amazon_music_generated.types import Response

__all__ = ["AmazonMusic", "AsyncAmazonMusic"]

M = TypeVar("M")
N = TypeVar("N")
P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")
N_co = TypeVar("N_co", covariant=True)
E_co = TypeVar("E_co", covariant=True)

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


def _parsed(operation: str, expected: type[M], response: Response[Any]) -> M:
    parsed = response.parsed
    if not isinstance(parsed, expected):
        raise _malformed(operation, expected, None)
    return parsed


# -- what every listing has in common ------------------------------------------------------------------------------


class _Edge(Protocol[N_co]):
    @property
    def node(self) -> N_co: ...


class _Connection(Protocol[E_co]):
    @property
    def page_info(self) -> PageInfo: ...

    @property
    def edges(self) -> Sequence[E_co]: ...


def _page_info(info: PageInfo) -> tuple[bool, str | None]:
    token = info.token
    return info.has_next_page, token if isinstance(token, str) else None


def _nodes(connection: _Connection[_Edge[N]]) -> tuple[list[N], bool, str | None]:
    has_next_page, token = _page_info(connection.page_info)
    return [edge.node for edge in connection.edges], has_next_page, token


def _edges(connection: LibraryTracksConnection) -> tuple[list[LibraryTrackEdge], bool, str | None]:
    has_next_page, token = _page_info(connection.page_info)
    return list(connection.edges), has_next_page, token


def _unset(value: M | None) -> Any:
    """None (not given) as the generated code's UNSET, which leaves the parameter out of the request."""
    if value is None:
        from amazon_music_generated.types import UNSET

        return UNSET
    return value


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@functools.cache
def _user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"amazon-music-webapi/{version('amazon-music-webapi')}"
    except PackageNotFoundError:
        return "amazon-music-webapi"


def _update_request(name: str, visibility: Visibility | str, playback_visibility: Visibility | str) -> Any:
    from amazon_music_generated.models import UpdateUserRequest
    from amazon_music_generated.models import Visibility as VisibilityEnum

    return UpdateUserRequest(
        name=check.display_name(name),
        visibility=VisibilityEnum(check.visibility(visibility, "visibility")),
        playback_visibility=VisibilityEnum(check.visibility(playback_visibility, "playback_visibility")),
    )


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


# -- the listings, once for both clients -------------------------------------------------------------------------


class _Operation(Protocol):
    """A generated operation module, as a listing uses it."""

    @property
    def sync_detailed(self) -> Callable[..., Response[Any]]: ...

    @property
    def asyncio_detailed(self) -> Callable[..., Awaitable[Response[Any]]]: ...


class _Listings(abc.ABC):
    """The listing methods of both clients: each says what to call, the client's _listing() how (sync or async)."""

    @abc.abstractmethod
    def _listing(
        self,
        operation: str,
        op: _Operation,
        expected: type[R],
        connection: Callable[[R], P],
        split: SplitPage[P, T],
        paging: dict[str, Any],
        **params: Any,
    ) -> AnyPaginator[T, P]:
        """A Paginator whose pages come from ``op`` with ``params`` (and the page's limit and cursor)."""

    @listing_method
    def library_tracks(
        self,
        *,
        track_ids: Iterable[str] | str | None = None,
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> AnyPaginator[LibraryTrackEdge, LibraryTracksConnection]:
        """The tracks in the current user's library, as edges (node, uploaded, purchased); with ``track_ids``, only
        those of them in the library."""
        from amazon_music_generated.api.me import get_current_user_library_tracks as op
        from amazon_music_generated.models import LibraryTracksResponse

        ids = check.asin_list(track_ids, "track_ids") if track_ids is not None else None
        return self._listing(
            "library_tracks",
            op,
            LibraryTracksResponse,
            lambda response: response.data.user.library_tracks,
            _edges,
            _paging(limit, max_items, cursor),
            track_ids=_unset(ids),
        )

    @listing_method
    def followers(
        self, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[User, FollowersConnection]:
        """The users who follow the current user."""
        from amazon_music_generated.api.me import get_current_user_followers as op
        from amazon_music_generated.models import FollowersResponse

        return self._listing(
            "followers",
            op,
            FollowersResponse,
            lambda response: response.data.user.followers,
            _nodes,
            _paging(limit, max_items, cursor),
        )

    @listing_method
    def followed_users(
        self, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[User, FollowedUsersConnection]:
        """The users the current user follows."""
        from amazon_music_generated.api.me import get_current_user_followed_users as op
        from amazon_music_generated.models import FollowedUsersResponse

        return self._listing(
            "followed_users",
            op,
            FollowedUsersResponse,
            lambda response: response.data.user.followed_users,
            _nodes,
            _paging(limit, max_items, cursor),
        )

    @listing_method
    def followed_playlists(
        self,
        *,
        playlist_ids: Iterable[str] | str | None = None,
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> AnyPaginator[Playlist, FollowedPlaylistsConnection]:
        """The playlists the current user follows; with ``playlist_ids``, only those of them."""
        from amazon_music_generated.api.me import get_current_user_followed_playlists as op
        from amazon_music_generated.models import FollowedPlaylistsResponse

        ids = check.asin_list(playlist_ids, "playlist_ids") if playlist_ids is not None else None
        return self._listing(
            "followed_playlists",
            op,
            FollowedPlaylistsResponse,
            lambda response: response.data.user.followed_playlists,
            _nodes,
            _paging(limit, max_items, cursor),
            playlist_ids=_unset(ids),
        )

    @listing_method
    def followed_podcast_shows(
        self, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[PodcastShow, FollowedPodcastShowsConnection]:
        """The podcast shows the current user follows."""
        from amazon_music_generated.api.me import get_current_user_followed_podcast_shows as op
        from amazon_music_generated.models import FollowedPodcastShowsResponse

        return self._listing(
            "followed_podcast_shows",
            op,
            FollowedPodcastShowsResponse,
            lambda response: response.data.user.followed_podcast_shows,
            _nodes,
            _paging(limit, max_items, cursor),
        )

    @listing_method
    def user_followers(
        self, id: str, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[User, FollowersConnection]:
        """A user's followers (a PRIVATE user's: PermissionDeniedError, except for that user)."""
        from amazon_music_generated.api.users import get_user_followers as op
        from amazon_music_generated.models import FollowersResponse

        user_id = check.user_id(id)
        return self._listing(
            "user_followers",
            op,
            FollowersResponse,
            lambda response: response.data.user.followers,
            _nodes,
            _paging(limit, max_items, cursor),
            id=user_id,
        )

    @listing_method
    def user_followed_users(
        self, id: str, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[User, FollowedUsersConnection]:
        """The users a user follows."""
        from amazon_music_generated.api.users import get_user_followed_users as op
        from amazon_music_generated.models import FollowedUsersResponse

        user_id = check.user_id(id)
        return self._listing(
            "user_followed_users",
            op,
            FollowedUsersResponse,
            lambda response: response.data.user.followed_users,
            _nodes,
            _paging(limit, max_items, cursor),
            id=user_id,
        )

    @listing_method
    def user_followed_artists(
        self,
        id: str,
        *,
        artist_ids: Iterable[str] | str | None = None,
        limit: int | None = None,
        max_items: int | None = None,
        cursor: str | None = None,
    ) -> AnyPaginator[Artist, FollowedArtistsConnection]:
        """The artists a user follows; with ``artist_ids``, only those of them."""
        from amazon_music_generated.api.users import get_user_followed_artists as op
        from amazon_music_generated.models import FollowedArtistsResponse

        user_id = check.user_id(id)
        ids = check.asin_list(artist_ids, "artist_ids") if artist_ids is not None else None
        return self._listing(
            "user_followed_artists",
            op,
            FollowedArtistsResponse,
            lambda response: response.data.user.followed_artists,
            _nodes,
            _paging(limit, max_items, cursor),
            id=user_id,
            artist_ids=_unset(ids),
        )

    @listing_method
    def user_followed_podcast_shows(
        self, id: str, *, limit: int | None = None, max_items: int | None = None, cursor: str | None = None
    ) -> AnyPaginator[PodcastShow, FollowedPodcastShowsConnection]:
        """The podcast shows a user follows (at most 36 a page)."""
        from amazon_music_generated.api.users import get_user_followed_podcast_shows as op
        from amazon_music_generated.models import FollowedPodcastShowsResponse

        user_id = check.user_id(id)
        return self._listing(
            "user_followed_podcast_shows",
            op,
            FollowedPodcastShowsResponse,
            lambda response: response.data.user.followed_podcast_shows,
            _nodes,
            _paging(limit, max_items, cursor, maximum=check.MAX_PODCAST_PAGE_SIZE),
            id=user_id,
        )


# -- the sync client ----------------------------------------------------------------------------------------------


class AmazonMusic(_Listings, SyncListings):
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

    def _call(self, operation: str, expected: type[M], call: Callable[..., Response[Any]], **kwargs: Any) -> M:
        _last_response.set(None)
        try:
            response = call(client=self._api, **kwargs)
            return _parsed(operation, expected, response)
        except AmazonMusicError:
            raise
        except _PARSE_ERRORS as exc:
            if _last_response.get() is None:  # failed before any response: not the body's fault
                raise
            raise _malformed(operation, expected, exc) from exc
        finally:
            _last_response.set(None)  # the body is parsed: do not keep it alive until the next call

    def _listing(
        self,
        operation: str,
        op: _Operation,
        expected: type[R],
        connection: Callable[[R], P],
        split: SplitPage[P, T],
        paging: dict[str, Any],
        **params: Any,
    ) -> Paginator[T, P]:
        def fetch(page_cursor: str | None, page_limit: int | None) -> P:
            response = self._call(
                operation, expected, op.sync_detailed, **params, limit=_unset(page_limit), cursor=_unset(page_cursor)
            )
            return connection(response)

        return Paginator(operation, split, fetch=fetch, **paging)

    # -- me -------------------------------------------------------------------------------------------------------

    def me(self) -> User:
        """The current user's profile (scope music::profile)."""
        from amazon_music_generated.api.me import get_current_user
        from amazon_music_generated.models import UserResponse

        return self._call("me", UserResponse, get_current_user.sync_detailed).data.user

    def update_me(self, *, name: str, visibility: Visibility | str, playback_visibility: Visibility | str) -> User:
        """Replace the current user's name, visibility and playback visibility; returns the updated profile."""
        from amazon_music_generated.api.me import update_current_user
        from amazon_music_generated.models import UpdateUserResponse

        body = _update_request(name, visibility, playback_visibility)
        response = self._call("update_me", UpdateUserResponse, update_current_user.sync_detailed, body=body)
        return response.data.update_user

    # -- follows --------------------------------------------------------------------------------------------------

    def follow_artist(self, id: str) -> FollowArtistResult:
        """Make the current user follow the artist (an ASIN). Idempotent."""
        from amazon_music_generated.api.follows import follow_artist
        from amazon_music_generated.models import FollowArtistResponse

        artist_id = check.asin(id)
        response = self._call("follow_artist", FollowArtistResponse, follow_artist.sync_detailed, id=artist_id)
        return response.data.follow_artist

    def unfollow_artist(self, id: str) -> FollowArtistResult:
        """Make the current user stop following the artist (an ASIN). Idempotent."""
        from amazon_music_generated.api.follows import unfollow_artist
        from amazon_music_generated.models import UnfollowArtistResponse

        artist_id = check.asin(id)
        response = self._call("unfollow_artist", UnfollowArtistResponse, unfollow_artist.sync_detailed, id=artist_id)
        return response.data.unfollow_artist

    def follow_user(self, id: str) -> FollowUserResult:
        """Make the current user follow another user. Idempotent; following yourself is a BadRequestError."""
        from amazon_music_generated.api.follows import follow_user
        from amazon_music_generated.models import FollowUserResponse

        user_id = check.user_id(id)
        return self._call("follow_user", FollowUserResponse, follow_user.sync_detailed, id=user_id).data.follow_user

    def unfollow_user(self, id: str) -> FollowUserResult:
        """Make the current user stop following another user. Idempotent."""
        from amazon_music_generated.api.follows import unfollow_user
        from amazon_music_generated.models import UnfollowUserResponse

        user_id = check.user_id(id)
        response = self._call("unfollow_user", UnfollowUserResponse, unfollow_user.sync_detailed, id=user_id)
        return response.data.unfollow_user

    # -- users ----------------------------------------------------------------------------------------------------

    def user(self, id: str) -> User:
        """A user's public profile."""
        from amazon_music_generated.api.users import get_user
        from amazon_music_generated.models import UserResponse

        user_id = check.user_id(id)
        return self._call("user", UserResponse, get_user.sync_detailed, id=user_id).data.user

    def users(self, ids: Iterable[str] | str) -> list[User]:
        """The public profiles of any number of users, in the order asked (unknown IDs left out, repeats once);
        sent 100 IDs a request."""
        checked = check.user_id_list(ids)
        found: list[User] = []
        for chunk in _chunks(checked, check.MAX_IDS_PER_REQUEST):
            found.extend(self._users_chunk(chunk))
        return found

    def _users_chunk(self, ids: Sequence[str]) -> list[User]:
        from amazon_music_generated.api.users import get_users
        from amazon_music_generated.models import UsersResponse

        return self._call("users", UsersResponse, get_users.sync_detailed, ids=",".join(ids)).data.users


def _paging(
    limit: int | None, max_items: int | None, cursor: str | None, maximum: int = check.MAX_PAGE_SIZE
) -> dict[str, Any]:
    """The checked paging arguments, as the Paginator takes them."""
    max_items = check.max_items(max_items)
    limit = check.page_limit(limit, maximum)
    if limit is None and max_items is not None and max_items > maximum:
        limit = maximum  # the server's default page is its maximum; a larger max_items must not become the page size
    # a resume point (the paginator's own) is checked by the paginator, a page token here
    return {
        "limit": limit,
        "max_items": max_items,
        "cursor": cursor if is_resume_point(cursor) else check.cursor(cursor),
    }


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


class AsyncAmazonMusic(_Listings, AsyncListings):
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

    async def _call(
        self, operation: str, expected: type[M], call: Callable[..., Awaitable[Response[Any]]], **kwargs: Any
    ) -> M:
        _last_response.set(None)
        try:
            response = await call(client=self._api, **kwargs)
            return _parsed(operation, expected, response)
        except AmazonMusicError:
            raise
        except _PARSE_ERRORS as exc:
            if _last_response.get() is None:  # failed before any response: not the body's fault
                raise
            raise _malformed(operation, expected, exc) from exc
        finally:
            _last_response.set(None)  # the body is parsed: do not keep it alive until the next call

    def _listing(
        self,
        operation: str,
        op: _Operation,
        expected: type[R],
        connection: Callable[[R], P],
        split: SplitPage[P, T],
        paging: dict[str, Any],
        **params: Any,
    ) -> AsyncPaginator[T, P]:
        async def fetch(page_cursor: str | None, page_limit: int | None) -> P:
            response = await self._call(
                operation, expected, op.asyncio_detailed, **params, limit=_unset(page_limit), cursor=_unset(page_cursor)
            )
            return connection(response)

        return AsyncPaginator(operation, split, fetch=fetch, **paging)

    # -- me -------------------------------------------------------------------------------------------------------

    async def me(self) -> User:
        """The current user's profile (scope music::profile)."""
        from amazon_music_generated.api.me import get_current_user
        from amazon_music_generated.models import UserResponse

        return (await self._call("me", UserResponse, get_current_user.asyncio_detailed)).data.user

    async def update_me(
        self, *, name: str, visibility: Visibility | str, playback_visibility: Visibility | str
    ) -> User:
        """Replace the current user's name, visibility and playback visibility; returns the updated profile."""
        from amazon_music_generated.api.me import update_current_user
        from amazon_music_generated.models import UpdateUserResponse

        body = _update_request(name, visibility, playback_visibility)
        response = await self._call("update_me", UpdateUserResponse, update_current_user.asyncio_detailed, body=body)
        return response.data.update_user

    # -- follows --------------------------------------------------------------------------------------------------

    async def follow_artist(self, id: str) -> FollowArtistResult:
        """Make the current user follow the artist (an ASIN). Idempotent."""
        from amazon_music_generated.api.follows import follow_artist
        from amazon_music_generated.models import FollowArtistResponse

        artist_id = check.asin(id)
        response = await self._call("follow_artist", FollowArtistResponse, follow_artist.asyncio_detailed, id=artist_id)
        return response.data.follow_artist

    async def unfollow_artist(self, id: str) -> FollowArtistResult:
        """Make the current user stop following the artist (an ASIN). Idempotent."""
        from amazon_music_generated.api.follows import unfollow_artist
        from amazon_music_generated.models import UnfollowArtistResponse

        artist_id = check.asin(id)
        response = await self._call(
            "unfollow_artist", UnfollowArtistResponse, unfollow_artist.asyncio_detailed, id=artist_id
        )
        return response.data.unfollow_artist

    async def follow_user(self, id: str) -> FollowUserResult:
        """Make the current user follow another user. Idempotent; following yourself is a BadRequestError."""
        from amazon_music_generated.api.follows import follow_user
        from amazon_music_generated.models import FollowUserResponse

        user_id = check.user_id(id)
        response = await self._call("follow_user", FollowUserResponse, follow_user.asyncio_detailed, id=user_id)
        return response.data.follow_user

    async def unfollow_user(self, id: str) -> FollowUserResult:
        """Make the current user stop following another user. Idempotent."""
        from amazon_music_generated.api.follows import unfollow_user
        from amazon_music_generated.models import UnfollowUserResponse

        user_id = check.user_id(id)
        response = await self._call("unfollow_user", UnfollowUserResponse, unfollow_user.asyncio_detailed, id=user_id)
        return response.data.unfollow_user

    # -- users ----------------------------------------------------------------------------------------------------

    async def user(self, id: str) -> User:
        """A user's public profile."""
        from amazon_music_generated.api.users import get_user
        from amazon_music_generated.models import UserResponse

        user_id = check.user_id(id)
        return (await self._call("user", UserResponse, get_user.asyncio_detailed, id=user_id)).data.user

    async def users(self, ids: Iterable[str] | str) -> list[User]:
        """The public profiles of any number of users, in the order asked (unknown IDs left out, repeats once);
        100 IDs a request, ``users_concurrency`` requests in flight at most."""
        checked = check.user_id_list(ids)
        chunks = list(_chunks(checked, check.MAX_IDS_PER_REQUEST))
        results = await _bounded_gather(
            [functools.partial(self._users_chunk, chunk) for chunk in chunks], self.users_concurrency
        )
        return [user for chunk_users in results for user in chunk_users]

    async def _users_chunk(self, ids: Sequence[str]) -> list[User]:
        from amazon_music_generated.api.users import get_users
        from amazon_music_generated.models import UsersResponse

        response = await self._call("users", UsersResponse, get_users.asyncio_detailed, ids=",".join(ids))
        return response.data.users
