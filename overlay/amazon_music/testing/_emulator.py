"""emulate(): the Amazon Music emulator in this process, seeded and arranged from the test, no socket and no key.

A context manager (``with emulate() as emulator:``) and a decorator (``@emulate()``); the ``Emulator`` handle it gives
builds clients wired to the in-process app, mints tokens, arranges users and their follows, and turns fault knobs.
The emulator package is imported when the first emulator starts, never by ``import amazon_music``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import random
import re
import string
import uuid
import warnings
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

import httpx

from .._client import AmazonMusic, AsyncAmazonMusic
from ._transport import SyncASGITransport

if TYPE_CHECKING:
    from amazon_music_emulator.app import EmulatorApp
    from amazon_music_emulator.faults import FaultSettings
    from amazon_music_emulator.store import Store

    from ._server import LoopbackServer

__all__ = ["Emulator", "KnobChange", "emulate", "emulate_options", "seed_sizes"]

R = TypeVar("R")

# The in-process clients' base URL: any host reaches the app through the transport; .invalid never resolves, so a
# client built with this URL but without the transport fails instead of calling someone's server.
IN_PROCESS_BASE_URL: Final = "http://emulator.amazon-music.invalid"
# What a decorated function names to receive the running emulator.
HANDLE_PARAMETER: Final = "emulator"
# emulate()'s options besides the seed sizes, which are the emulator's (seed_sizes()).
_KNOB_OPTIONS: Final = frozenset(
    {
        "seed",
        "fault_rate",
        "fault_status",
        "retry_after",
        "latency_ms",
        "rate_limit",
        "fault_seed",
        "token_ttl",
        "validate_responses",
    }
)
_MISSING_EXTRA = "amazon_music.testing needs the emulator: pip install 'amazon-music-webapi[emulator]'"
_USER_ID = re.compile(r"[a-z0-9]{1,64}")
_ASIN = re.compile(r"[A-Z0-9]{10}")
_SHOW_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
_VISIBILITIES = ("PUBLIC", "PRIVATE")


@functools.cache
def seed_sizes() -> tuple[str, ...]:
    """The demo user's list sizes emulate() takes: the emulator seed's, one per listing of its store and ``spare``.
    (Reading them loads the seed module only, not the server stack.)"""
    from amazon_music_emulator.seed import SeedConfig

    return tuple(field.name for field in dataclasses.fields(SeedConfig) if field.name != "random_seed")


def emulate_options() -> frozenset[str]:
    """Every option emulate() and the pytest marker take."""
    return _KNOB_OPTIONS | frozenset(seed_sizes())


def _load_emulator() -> Any:
    """The emulator's create_app, imported on first use (connexion warns about its own httpx use on import)."""
    try:
        with warnings.catch_warnings():  # the server stack's warnings about its own dependencies: not the user's
            warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            from amazon_music_emulator.app import create_app
    except ImportError as exc:
        missing = (exc.name or "").partition(".")[0] or str(exc)
        raise ImportError(f"{_MISSING_EXTRA} (missing: {missing})") from exc
    return create_app


class KnobChange:
    """What a fault knob call changed. Ignore it to keep the change, or use it in ``with`` to undo it at the end."""

    def __init__(self, undo: Callable[[], None]) -> None:
        self._undo = undo

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._undo()


class Emulator:
    """A running emulator and what a test does with it (see ``emulate()`` for the options).

    Clients: ``client(user=)``, ``async_client(user=)``; any httpx client: ``transport``, ``async_transport`` and
    ``headers(user=)``; other code: ``serve()`` (a loopback URL). Credentials: ``api_key``, ``token(user=)``.
    Arrange: ``add_user``, ``add_artist``, ``add_playlist``, ``add_track``, ``add_podcast_show``, ``follow``,
    ``like``. Faults: ``faults(rate, status=)``, ``latency(ms)``, ``rate_limit(n)``, at any moment.
    """

    def __init__(self, **options: Any) -> None:
        unknown = sorted(set(options) - _KNOB_OPTIONS - (emulate_options() if set(options) - _KNOB_OPTIONS else set()))
        if unknown:
            known = ", ".join(sorted(emulate_options()))
            raise TypeError(f"emulate(): unknown option {unknown[0]!r} (known: {known})")
        self._options = options
        self._app: EmulatorApp | None = None
        self._clients: list[AmazonMusic] = []
        self._transport: SyncASGITransport | None = None
        self._async_transport: httpx.ASGITransport | None = None
        self._server: LoopbackServer | None = None
        self._ids = random.Random(0)  # arranged IDs are the same in every run of a test
        self._names = 0

    def __repr__(self) -> str:
        state = "running" if self._app is not None else "not running"
        served = f", served at {self._server.url}" if self._server is not None else ""
        return f"<Emulator {state}{served}>"

    # -- lifecycle ----------------------------------------------------------------------------------------------------

    def __enter__(self) -> Emulator:
        if self._app is not None:
            raise RuntimeError("emulate(): this emulator is already running; start another with a new emulate()")
        self._app = _build_app(self._options)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server, close the clients and transports made here, and drop the store. Safe to call twice."""
        app, self._app = self._app, None
        if app is None:
            return
        clients, self._clients = self._clients, []
        for client in clients:
            client.close()
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self._async_transport = None
        app.close()

    def __call__(self, func: Callable[..., R]) -> Callable[..., R]:
        """Decorate ``func`` to run inside a fresh emulator per call; a parameter named ``emulator`` receives it."""
        options = self._options
        signature = inspect.signature(func)
        wants_handle = HANDLE_PARAMETER in signature.parameters
        wrapper: Callable[..., Any]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with Emulator(**options) as emulator:
                    if wants_handle:
                        kwargs[HANDLE_PARAMETER] = emulator
                    return await func(*args, **kwargs)

            wrapper = run_async
        else:

            @functools.wraps(func)
            def run(*args: Any, **kwargs: Any) -> Any:
                with Emulator(**options) as emulator:
                    if wants_handle:
                        kwargs[HANDLE_PARAMETER] = emulator
                    return func(*args, **kwargs)

            wrapper = run
        if wants_handle:  # hidden from callers that read the signature (pytest would look for a fixture by that name)
            kept = [p for p in signature.parameters.values() if p.name != HANDLE_PARAMETER]
            cast(Any, wrapper).__signature__ = signature.replace(parameters=kept)
        return cast(Callable[..., R], wrapper)

    # -- the app and credentials --------------------------------------------------------------------------------------

    @property
    def app(self) -> EmulatorApp:
        """The emulator's ASGI app (``.store``, ``.auth``, ``.faults``): for what the helpers here do not cover."""
        if self._app is None:
            raise RuntimeError("emulator: not running; use it as `with emulate() as emulator:` or @emulate()")
        return self._app

    @property
    def store(self) -> Store:
        return self.app.store

    @property
    def api_key(self) -> str:
        """The demo security profile ID, sent as x-api-key."""
        from amazon_music_emulator.seed import DEMO_API_KEY

        return DEMO_API_KEY

    @property
    def demo_user(self) -> str:
        """The user clients and tokens act as unless told otherwise (the docs' "Tony Starked")."""
        from amazon_music_emulator.seed import DEMO_USER_ID

        return DEMO_USER_ID

    @property
    def base_url(self) -> str:
        """The base URL in-process clients use (with ``transport``); ``serve()`` gives a real one."""
        return IN_PROCESS_BASE_URL

    def token(self, user: str | None = None, *, scopes: Iterable[str] | None = None, ttl: int | None = None) -> str:
        """An access token for ``user`` (the demo user by default): every scope unless ``scopes`` names some.

        ``ttl`` is its lifetime in seconds (default: the emulator's ``token_ttl``). ValueError names a bad argument.
        """
        scope_list = None if scopes is None else ([scopes] if isinstance(scopes, str) else list(scopes))
        grant = self.app.mint_token(user or self.demo_user, scope_list, ttl=ttl)
        return grant.access_token

    def headers(self, user: str | None = None, *, scopes: Iterable[str] | None = None) -> dict[str, str]:
        """The x-api-key and Authorization headers of a request as ``user``, for any HTTP client."""
        return {"x-api-key": self.api_key, "Authorization": f"Bearer {self.token(user, scopes=scopes)}"}

    # -- clients and transports ---------------------------------------------------------------------------------------

    def client(self, user: str | None = None, *, scopes: Iterable[str] | None = None, **options: Any) -> AmazonMusic:
        """An AmazonMusic acting as ``user``, wired to this emulator without a socket; closed with the emulator.

        ``options`` go to AmazonMusic (``max_retries``, ``retry_policy``, ``timeout``; ``auth``/``token`` replace the
        minted token).
        """
        client = AmazonMusic(
            self.api_key,
            **self._credentials(user, scopes, options),
            base_url=self.base_url,
            transport=SyncASGITransport(self.app),
            **options,
        )
        self._clients.append(client)
        return client

    def async_client(
        self, user: str | None = None, *, scopes: Iterable[str] | None = None, **options: Any
    ) -> AsyncAmazonMusic:
        """An AsyncAmazonMusic acting as ``user``, wired to this emulator without a socket (options as ``client``).

        It holds no connection: ``await client.aclose()`` or ``async with`` are welcome but not needed.
        """
        return AsyncAmazonMusic(
            self.api_key,
            **self._credentials(user, scopes, options),
            base_url=self.base_url,
            transport=self.async_transport,
            **options,
        )

    def _credentials(self, user: str | None, scopes: Iterable[str] | None, options: dict[str, Any]) -> dict[str, Any]:
        if "transport" in options or "base_url" in options:
            raise TypeError("client(): transport and base_url are the emulator's; use serve() for a URL of your own")
        if "auth" in options or "token" in options:
            return {}
        return {"token": self.token(user, scopes=scopes)}

    @property
    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport into the emulator, for any httpx.Client (base_url: any host, paths under /v1)."""
        app = self.app
        if self._transport is None:
            self._transport = SyncASGITransport(app)
        return self._transport

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An async httpx transport into the emulator, for any httpx.AsyncClient."""
        app = self.app
        if self._async_transport is None:
            self._async_transport = httpx.ASGITransport(app=app)
        return self._async_transport

    def serve(self) -> str:
        """Serve the emulator on a loopback port (uvicorn, in a thread) until the emulator stops; its base URL."""
        app = self.app
        if self._server is None:
            from ._server import LoopbackServer

            server = LoopbackServer(app)
            server.start()
            self._server = server
        return self._server.url

    # -- arrange ------------------------------------------------------------------------------------------------------

    def add_user(
        self,
        name: str | None = None,
        *,
        visibility: str = "PUBLIC",
        playback_visibility: str | None = None,
        tier: str = "UNLIMITED",
        id: str | None = None,
    ) -> str:
        """Add a user (PUBLIC or PRIVATE; playback visibility as ``visibility`` unless given); its ID."""
        from amazon_music_emulator.seed import PROFILE_IMAGE
        from amazon_music_emulator.store import UserRecord

        visibility = _visibility(visibility, "visibility")
        playback = (
            visibility if playback_visibility is None else _visibility(playback_visibility, "playback_visibility")
        )
        if not isinstance(tier, str) or not tier:
            raise ValueError(f"tier: expected a tier name such as 'UNLIMITED', not {tier!r}")
        user_id = self._new_id(id, _USER_ID, "user ID (lowercase letters and digits, up to 64)", self._user_id)
        record = UserRecord(user_id, self._name(name, "User"), tier, visibility, playback, PROFILE_IMAGE)
        self.store.add_user(record)
        return user_id

    def add_artist(self, name: str | None = None, *, id: str | None = None) -> str:
        """Add an artist to the catalog; its ASIN."""
        artist_id = self._new_id(id, _ASIN, "ASIN (10 capital letters and digits)", self._asin)
        self.store.add_artist(artist_id, self._name(name, "Artist"))
        return artist_id

    def add_playlist(self, name: str | None = None, *, id: str | None = None) -> str:
        """Add a playlist to the catalog; its ASIN."""
        playlist_id = self._new_id(id, _ASIN, "ASIN (10 capital letters and digits)", self._asin)
        self.store.add_playlist(playlist_id, self._name(name, "Playlist"))
        return playlist_id

    def add_track(self, title: str | None = None, *, id: str | None = None) -> str:
        """Add a track to the catalog; its ASIN. ``like(user, track)`` puts it in a library."""
        track_id = self._new_id(id, _ASIN, "ASIN (10 capital letters and digits)", self._asin)
        self.store.add_track(track_id, self._name(title, "Track"))
        return track_id

    def add_podcast_show(self, title: str | None = None, *, id: str | None = None) -> str:
        """Add a podcast show; its ID (a UUID)."""
        show_id = self._new_id(id, _SHOW_ID, "podcast show ID (letters, digits and '-', up to 64)", self._uuid)
        self.store.add_podcast_show(show_id, self._name(title, "Podcast"))
        return show_id

    def follow(self, who: str, target: str) -> bool:
        """Make user ``who`` follow ``target`` (a user, artist, playlist or podcast show); False if it already did."""
        self._require_user(who, "who")
        kind = self.store.kind_of(target) if isinstance(target, str) else None
        if kind == "user":
            if target == who:
                raise ValueError(f"target: user {who!r} cannot follow themselves")
            return self.store.follow_user(who, target)
        if kind == "artist":
            return self.store.follow_artist(who, target)
        if kind == "playlist":
            return self.store.follow_playlist(who, target)
        if kind == "podcast_show":
            return self.store.follow_podcast_show(who, target)
        if kind == "track":
            raise ValueError(f"target: {target!r} is a track; like(user, track) puts it in a library")
        raise ValueError(f"target: no user, artist, playlist or podcast show {target!r} in this emulator")

    def like(self, user: str, track: str, *, uploaded: bool = False, purchased: bool = False) -> bool:
        """Put ``track`` in ``user``'s library (what library_tracks() lists); False if it was there already."""
        self._require_user(user, "user")
        if not isinstance(track, str) or self.store.kind_of(track) != "track":
            raise ValueError(f"track: no track {track!r} in this emulator (add_track() makes one)")
        return self.store.save_library_track(user, track, uploaded=uploaded, purchased=purchased)

    def _require_user(self, user_id: object, argument: str) -> None:
        if not isinstance(user_id, str) or self.store.kind_of(user_id) != "user":
            raise ValueError(f"{argument}: no user {user_id!r} in this emulator (add_user() makes one)")

    def _name(self, given: str | None, kind: str) -> str:
        if given is not None:
            if not isinstance(given, str) or not given.strip():
                raise ValueError(f"name: expected a non-empty string, not {given!r}")
            return given
        self._names += 1
        return f"Test {kind} {self._names}"

    def _new_id(self, given: str | None, shape: re.Pattern[str], described: str, make: Callable[[], str]) -> str:
        store = self.store
        if given is None:
            while True:
                candidate = make()
                if store.kind_of(candidate) is None:
                    return candidate
        if not isinstance(given, str) or not shape.fullmatch(given):
            raise ValueError(f"id: expected a {described}, not {given!r}")
        existing = store.kind_of(given)
        if existing is not None:
            article = "an" if existing == "artist" else "a"
            raise ValueError(f"id: {given!r} is already {article} {existing.replace('_', ' ')} in this emulator")
        return given

    def _user_id(self) -> str:
        return "".join(self._ids.choices(string.ascii_lowercase + string.digits, k=26))

    def _asin(self) -> str:
        return "B0" + "".join(self._ids.choices(string.ascii_uppercase + string.digits, k=8))

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # -- fault knobs --------------------------------------------------------------------------------------------------

    def faults(
        self, rate: float, status: int | Iterable[int] | None = None, *, retry_after: int | None = None
    ) -> KnobChange:
        """Answer a share ``rate`` (0 to 1) of API requests with a fault of ``status``: one of 429, 500, 502, 503 and
        504, or several, drawn evenly (429 and 503 until told otherwise). A 429 carries Retry-After: ``retry_after``
        seconds (1 until told otherwise; 0 keeps tests that retry fast). ``faults(0)`` turns faults off."""
        knobs = self.app.faults
        before = (knobs.fault_rate, knobs.fault_statuses, knobs.retry_after)
        try:
            knobs.fault_rate = rate
            if status is not None:
                _set_statuses(knobs, status, "status")
            if retry_after is not None:
                knobs.retry_after = retry_after
        except ValueError:  # a bad argument changes nothing
            knobs.fault_rate, knobs.fault_statuses, knobs.retry_after = before
            raise

        def undo() -> None:
            knobs.fault_rate, knobs.fault_statuses, knobs.retry_after = before

        return KnobChange(undo)

    def latency(self, ms: float) -> KnobChange:
        """Add ``ms`` milliseconds before every API request is answered; ``latency(0)`` removes it."""
        knobs = self.app.faults
        before = knobs.latency_ms
        knobs.latency_ms = ms

        def undo() -> None:
            knobs.latency_ms = before

        return KnobChange(undo)

    def rate_limit(self, n: int) -> KnobChange:
        """Allow ``n`` API requests per second per API key, then 429 with Retry-After; ``rate_limit(0)`` lifts it."""
        knobs = self.app.faults
        before = knobs.rate_limit
        knobs.rate_limit = n

        def undo() -> None:
            knobs.rate_limit = before

        return KnobChange(undo)


def _visibility(value: object, argument: str) -> str:
    if isinstance(value, str) and value.upper() in _VISIBILITIES:
        return value.upper()
    raise ValueError(f"{argument}: expected PUBLIC or PRIVATE, not {value!r}")


def _set_statuses(knobs: FaultSettings, status: int | Iterable[int], argument: str) -> None:
    """Set the fault statuses; ValueError naming ``argument`` when ``status`` is not one of the emulator's."""
    statuses = [status] if isinstance(status, int | str) else list(status)
    try:
        if any(isinstance(s, bool) or not isinstance(s, int) for s in statuses):
            raise ValueError(f"fault_statuses: expected HTTP statuses as integers, not {status!r}")
        knobs.fault_statuses = statuses
    except ValueError as exc:
        raise ValueError(f"{argument}:{str(exc).partition(':')[2]}") from None


def _build_app(options: dict[str, Any]) -> EmulatorApp:
    create_app = _load_emulator()
    from amazon_music_emulator.seed import SeedConfig

    seed = options.get("seed", True)
    if not isinstance(seed, bool):
        raise ValueError(f"seed: expected True (the demo data) or False (the demo user only), not {seed!r}")
    sizes = {name: options[name] for name in seed_sizes() if options.get(name) is not None}
    if sizes and not seed:
        raise ValueError(f"{next(iter(sizes))}: a seed size needs seed=True")
    app: EmulatorApp = create_app(
        ":memory:",
        seed=SeedConfig(**sizes) if seed else False,
        fault_rate=options.get("fault_rate", 0.0),
        latency_ms=options.get("latency_ms", 0.0),
        rate_limit=options.get("rate_limit", 0),
        fault_seed=options.get("fault_seed", 0),
        token_ttl=options.get("token_ttl", 3600),
        validate_responses=options.get("validate_responses", True),
    )
    try:
        if options.get("fault_status") is not None:
            _set_statuses(app.faults, options["fault_status"], "fault_status")
        if options.get("retry_after") is not None:
            app.faults.retry_after = options["retry_after"]
    except ValueError:
        app.close()
        raise
    return app


@overload
def emulate(func: Callable[..., R], /) -> Callable[..., R]: ...


@overload
def emulate(
    *,
    seed: bool = True,
    followers: int | None = None,
    followed_users: int | None = None,
    followed_artists: int | None = None,
    followed_playlists: int | None = None,
    followed_podcast_shows: int | None = None,
    library_tracks: int | None = None,
    spare: int | None = None,
    fault_rate: float = 0.0,
    fault_status: int | Iterable[int] | None = None,
    retry_after: int | None = None,
    latency_ms: float = 0.0,
    rate_limit: int = 0,
    fault_seed: int = 0,
    token_ttl: int = 3600,
    validate_responses: bool = True,
) -> Emulator: ...


def emulate(func: Callable[..., Any] | None = None, /, **options: Any) -> Any:
    """The Amazon Music emulator in this process: ``with emulate() as emulator:``, or ``@emulate()`` on a function.

    Each ``with`` block (and each call of a decorated function) gets a fresh in-memory store: ``seed=True`` holds the
    demo data (the docs' users, artists, playlists, shows and tracks; the demo user has at least 250 followers, 150
    followed users, 120 followed artists and playlists, 40 podcast shows and 300 library tracks), ``seed=False`` the
    demo user and the demo API key only. The sizes (``followers=``, ``followed_users=``, ``followed_artists=``,
    ``followed_playlists=``, ``followed_podcast_shows=``, ``library_tracks=``, ``spare=``) set the demo user's list
    lengths; each distinct seed is built once per process, then copied (about a millisecond).

    Faults from the start: ``fault_rate`` (0 to 1) of API requests answered with ``fault_status`` (429 and 503 by
    default; 429 with Retry-After ``retry_after`` seconds), ``latency_ms`` added to each, ``rate_limit`` requests per
    second per API key; ``fault_seed`` picks the reproducible fault sequence. ``token_ttl``: minted tokens' lifetime.
    ``validate_responses`` checks every answer against the spec (on by default). Bad options raise ValueError.
    """
    if func is not None:
        if options or not callable(func):
            raise TypeError("emulate(): options are keywords: emulate(seed=False), or @emulate without parentheses")
        return Emulator()(func)
    return Emulator(**options)
