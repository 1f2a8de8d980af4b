"""The emulator as an ASGI app: ``create_app()`` opens (and seeds) a store and returns an ``EmulatorApp``.

A request's way through it::

    EmulatorApp (CORS when asked for; the body bound: a declared length above it is a 413, see bodies.py)
        │  ─────── /ap/oa, /auth/o2/token ──> lwa.LoginWithAmazon
        │  ─────── /openapi.json, /openapi.yaml ──> the spec, with this emulator listed first under servers
        │  ─────── /healthz (the process answers), /readyz (its database answers) ──> 200, or 503 (not in the spec)
        └─> faults.FaultsMiddleware (paths under /v1/: latency, rate limit, random 429/503)
              └─> connexion (routing.connexion_stack: /docs, routing, security, validation, error shapes)
                    └─> routing.Dispatcher ──> handlers/* ──> store (SQLite or PostgreSQL) and cursors

The ``EmulatorApp`` also gives tests and the testing kit a handle on the state: ``app.store`` (the default tenant's
view; ``app.store.tenant(name)`` another's), ``app.auth`` (``app.mint_token(...)``), ``app.create_tenant(...)``, and
``app.faults``, whose knobs can be changed while the app serves. A request's tenant is its API key's (auth.py).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterable, Sequence
from typing import Literal

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from amazon_music_emulator import specfile
from amazon_music_emulator.auth import DEFAULT_TOKEN_TTL, AuthService, TokenGrant
from amazon_music_emulator.bodies import DEFAULT_MAX_BODY_BYTES, BodyTooLarge, bounded_receive, declared_length
from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.faults import FaultSettings, FaultsMiddleware
from amazon_music_emulator.lwa import LoginWithAmazon
from amazon_music_emulator.routing import DOCS_PATH, connexion_stack
from amazon_music_emulator.seed import DEMO_API_KEY, DEMO_USER_ID, SeedConfig, open_store
from amazon_music_emulator.state import SCOPE_KEY, EmulatorState
from amazon_music_emulator.store import DEFAULT_TENANT, Store, StoreUnavailable
from amazon_music_emulator.tenants import TenantCredentials, UnknownTenant, create_tenant

__all__ = ["EmulatorApp", "create_app"]

# What a browser page on an allowed origin may send and read (--cors-origin).
CORS_METHODS = ("GET", "HEAD", "PUT", "DELETE", "POST")
CORS_REQUEST_HEADERS = ("authorization", "x-api-key", "content-type")
CORS_EXPOSED_HEADERS = ("retry-after", "www-authenticate")

_SPEC_ROUTES = {
    "/openapi.json": (specfile.served_spec_json, b"application/json"),
    "/openapi.yaml": (specfile.served_spec_yaml, b"application/yaml"),
}

# Probes for a load balancer or an orchestrator, outside auth and faults: the status each answers when all is well.
_PROBES = {"/healthz": "ok", "/readyz": "ready"}


class EmulatorApp:
    """One emulator: its store, auth and fault knobs, served as an ASGI app."""

    def __init__(
        self,
        state: EmulatorState,
        faults: FaultSettings,
        *,
        validate_responses: bool = False,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        cors_origins: Sequence[str] = (),
    ) -> None:
        self.state = state
        self.faults = faults
        self.validate_responses = validate_responses
        self.max_body_bytes = max_body_bytes
        self.cors_origins = tuple(cors_origins)
        self._api = FaultsMiddleware(connexion_stack(validate_responses), faults)
        self._lwa = LoginWithAmazon()
        self._serve: ASGIApp = self._route
        if self.cors_origins:
            # Opt-in only; no credentials mode (the API's credentials are headers, never cookies), so * stays safe.
            self._serve = CORSMiddleware(
                self._route,
                allow_origins=self.cors_origins,
                allow_methods=CORS_METHODS,
                allow_headers=CORS_REQUEST_HEADERS,
                expose_headers=CORS_EXPOSED_HEADERS,
                allow_credentials=False,
                max_age=600,
            )

    def __repr__(self) -> str:
        return f"EmulatorApp(store={self.store!r}, faults={self.faults!r})"

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def auth(self) -> AuthService:
        return self.state.auth

    def mint_token(
        self,
        user_id: str = DEMO_USER_ID,
        scopes: Iterable[str] | None = None,
        *,
        ttl: int | None = None,
        api_key: str | None = None,
        tenant: str = DEFAULT_TENANT,
    ) -> TokenGrant:
        """An access token (and refresh token) for a seeded user of ``tenant``; every scope by default. The token is
        bound to ``api_key`` (by default: the demo key, or the tenant's first API key)."""
        if api_key is None:
            api_key = DEMO_API_KEY if tenant == DEFAULT_TENANT else _first_api_key(self.store, tenant)
        return self.state.auth.mint(user_id, scopes, ttl=ttl, api_key=api_key)

    def create_tenant(self, name: str, *, seed: str = "demo") -> TenantCredentials:
        """A new tenant in this emulator's store (see tenants.py); ValueError names a bad name or seed."""
        return create_tenant(self.store, name, seed)

    def close(self) -> None:
        self.state.store.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        await self._serve(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope = {**scope, SCOPE_KEY: self.state}
        path = scope["path"]
        try:
            receive = self._bounded(scope, receive)
        except ApiError as error:
            await _send_error(send, path, error)
            return
        if path in LoginWithAmazon.paths:
            await self._lwa(scope, receive, send)
        elif path in _SPEC_ROUTES and scope["method"] in ("GET", "HEAD"):
            render, content_type = _SPEC_ROUTES[path]
            body = render()
            headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif path in _PROBES and scope["method"] in ("GET", "HEAD"):
            ready = path != "/readyz" or await asyncio.to_thread(self.store.ping)
            body = json.dumps({"status": _PROBES[path] if ready else "unavailable"}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200 if ready else 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        elif path == "/" and scope["method"] in ("GET", "HEAD"):
            headers = [(b"location", f"{DOCS_PATH}/".encode()), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 307, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
        else:
            await self._api(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """A server's lifespan (``serve``): on PostgreSQL, the serving loop's pool opens at startup, so that requests
        wait for the database without holding the loop (store.Store.run_async), and closes at shutdown, after the
        requests in flight were answered. An app used without a lifespan runs its store calls synchronously."""
        opened = False
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    opened = await self.store.open_async_pool()
                except StoreUnavailable as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if opened:
                    await self.store.close_async_pool()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _bounded(self, scope: Scope, receive: Receive) -> Receive:
        """``receive`` within the body bound: a declared length above it is refused before anything is read, and a
        body of undeclared length (chunked) is cut off once it passes the bound."""
        length = declared_length(scope)
        if length is not None:
            if length > self.max_body_bytes:
                raise BodyTooLarge(self.max_body_bytes)
            return receive  # the server delivers no more than the declared length
        return bounded_receive(receive, self.max_body_bytes)


def _first_api_key(store: Store, tenant: str) -> str:
    profiles = store.tenant(tenant).security_profiles()
    if not profiles:
        raise UnknownTenant(f"tenant: no tenant {tenant!r}")
    return profiles[0].api_key


async def _send_error(send: Send, path: str, error: ApiError) -> None:
    """An error before routing: the API's error shape, or RFC 6749's on the Login with Amazon endpoints."""
    if path in LoginWithAmazon.paths:
        body = json.dumps({"error": "invalid_request", "error_description": error.message}).encode()
    else:
        body = error.body()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(name.encode("latin-1"), value.encode("latin-1")) for name, value in error.headers.items()]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_app(
    db: str | os.PathLike[str] = ":memory:",
    *,
    seed: SeedConfig | Literal[False] | None = None,
    reset: bool = False,
    fault_rate: float = 0.0,
    latency_ms: float = 0.0,
    rate_limit: int = 0,
    fault_seed: int = 0,
    token_ttl: int = DEFAULT_TOKEN_TTL,
    validate_responses: bool = False,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    cors_origins: Sequence[str] = (),
) -> EmulatorApp:
    """An emulator on the store at ``db`` (``:memory:`` for tests), seeded on first use.

    ``seed`` sizes the synthetic population (``SeedConfig(followers=10_000)`` for benchmarks), or ``False`` for a bare
    store (the demo user and API keys only: tests arrange the rest); ``reset`` empties and reseeds an existing store.
    ``fault_rate``, ``latency_ms``, ``rate_limit`` and ``fault_seed`` set the fault knobs (see faults.py);
    ``validate_responses`` checks every response against the spec (tests turn it on); ``max_body_bytes`` bounds
    request bodies (a larger one is answered 413, see bodies.py); ``cors_origins`` lets browser pages from those origins
    (``*``: any) call the emulator, which answers no cross-origin request otherwise.
    """
    if token_ttl <= 0:
        raise ValueError(f"token_ttl: must be a positive number of seconds, not {token_ttl}")
    if max_body_bytes <= 0:
        raise ValueError(f"max_body_bytes: must be a positive number of bytes, not {max_body_bytes}")
    store = open_store(db, seed, reset=reset)
    auth = AuthService(store, specfile.oauth_scopes(), token_ttl=token_ttl)
    faults = FaultSettings(
        fault_rate=fault_rate,
        latency_ms=latency_ms,
        rate_limit=rate_limit,
        seed=fault_seed,
        shared_log=store if store.is_postgres else None,  # on PostgreSQL, every process holds the limit together
    )
    state = EmulatorState(store, auth)
    return EmulatorApp(
        state,
        faults,
        validate_responses=validate_responses,
        max_body_bytes=max_body_bytes,
        cors_origins=cors_origins,
    )
