"""Authentication as httpx.Auth: a static bearer token, and a Login with Amazon token that refreshes itself.

LWAAuth refreshes shortly before the access token expires and once when the API answers 401 INVALID_ACCESS_TOKEN.
The refresh is single-flight: however many threads (sync clients) and tasks (async clients) find the token stale at
the same moment, one token request is sent and the others use its result. With a store shared by processes
(FileTokenStore), so are they: the refresh runs under the store's inter-process lock, after re-reading the store, and
is skipped when another process has renewed the token meanwhile (LWA rotates refresh tokens: two processes refreshing
with the same one would log each other out). The token request goes out through the
same client and transport as the API call that needed it (so retries, proxies and test transports apply to it too).

Also here: the PKCE helpers of the authorization-code flow (authorize URL, code exchange) and the regional hosts.
No repr, str, log line or error of this module shows a token, a code verifier or a client secret.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from ._errors import ConfigurationError, TokenError, connection_error
from ._plain_http import allows_insecure_http, refuse_plain_http
from ._tokens import LockingTokenStore, TokenSet, TokenStore

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "LWA_AUTHORIZE_URLS",
    "LWA_TOKEN_URLS",
    "PKCE",
    "LWAAuth",
    "StaticToken",
    "async_exchange_code",
    "build_authorize_url",
    "exchange_code",
    "generate_pkce",
]

# Login with Amazon's regions: North America, Europe, Far East.
LWA_TOKEN_URLS = {
    "NA": "https://api.amazon.com/auth/o2/token",
    "EU": "https://api.amazon.co.uk/auth/o2/token",
    "FE": "https://api.amazon.co.jp/auth/o2/token",
}
LWA_AUTHORIZE_URLS = {
    "NA": "https://www.amazon.com/ap/oa",
    "EU": "https://www.amazon.co.uk/ap/oa",
    "FE": "https://www.amazon.co.jp/ap/oa",
}
DEFAULT_TOKEN_LIFETIME = 3600.0  # seconds; what LWA grants when a response leaves expires_in out
TOKEN_REQUEST_EXTENSION = "amazon_music.token_request"  # marks token requests so responses can drop them from history
_DEFAULT_TIMEOUT = httpx.Timeout(30.0)


def _region_url(table: dict[str, str], region: str, argument: str = "region") -> str:
    try:
        return table[region.upper()]
    except KeyError:
        raise ConfigurationError(f"{argument}: {region!r} is not one of {', '.join(table)}") from None


class StaticToken(httpx.Auth):
    """Sends one access token as ``Authorization: Bearer``; it is never renewed. Over plain http only to this
    machine, unless ``allow_insecure_http`` (see _plain_http.py)."""

    def __init__(self, token: str, *, allow_insecure_http: bool | None = None) -> None:
        if not isinstance(token, str) or not token:
            raise ConfigurationError("token: an access token is required")
        self._header = f"Bearer {token}"
        self.allow_insecure_http = allows_insecure_http(allow_insecure_http)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        refuse_plain_http(request.url, "base_url", allow=self.allow_insecure_http)
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "StaticToken(token=[secure])"


class LWAAuth(httpx.Auth):
    """A Login with Amazon access token, renewed with the refresh token shortly before it expires and on a 401.

    Tokens come from ``store`` when it has them (the latest refresh wins over the arguments), else from the arguments;
    every refresh is saved back to ``store``. ``refresh_margin`` is how many seconds before expiry to renew.
    Use with asyncio (the async lock is asyncio's); one instance may serve sync and async clients at once, but a sync
    call made on an event loop's own thread waits for that loop's refresh and so blocks it: use the async client there.
    Tokens and the client secret go over plain http only to this machine, unless ``allow_insecure_http``.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        *,
        access_token: str | None = None,
        expires_at: float | None = None,
        token_url: str | None = None,
        region: str = "NA",
        store: TokenStore | None = None,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        allow_insecure_http: bool | None = None,
    ) -> None:
        if not isinstance(client_id, str) or not client_id:
            raise ConfigurationError("client_id: the security profile's client ID is required")
        self.client_id = client_id
        self._client_secret = client_secret or None
        self.token_url = token_url or _region_url(LWA_TOKEN_URLS, region)
        self.allow_insecure_http = allows_insecure_http(allow_insecure_http)
        refuse_plain_http(self.token_url, "token_url", allow=self.allow_insecure_http)
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._store = store
        stored = store.load() if store is not None else None
        self._tokens = stored or TokenSet(access_token or None, refresh_token or None, expires_at)
        if not self._tokens.access_token and not self._tokens.refresh_token:
            raise ConfigurationError("refresh_token: a refresh token (or an access token) is required")
        self._lock = threading.Lock()  # held while a refresh is in flight, by a thread or a task
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self._loop_locks_guard = threading.Lock()

    def __repr__(self) -> str:
        secret = "[secure]" if self._client_secret else None
        return (
            f"LWAAuth(client_id={self.client_id!r}, client_secret={secret}, token_url={self.token_url!r}, "
            f"tokens={self._tokens!r})"
        )

    @property
    def tokens(self) -> TokenSet:
        """The current tokens (their repr shows [secure])."""
        return self._tokens

    # -- when to refresh ------------------------------------------------------------------------------------------

    def _stale(self) -> bool:
        tokens = self._tokens
        if not tokens.access_token:
            return True
        return tokens.expires_at is not None and tokens.expires_at - self.refresh_margin <= self._clock()

    def _can_refresh(self) -> bool:
        return self._tokens.refresh_token is not None

    @staticmethod
    def _is_expired_token(response: httpx.Response) -> bool:
        """A 401 whose code says the access token expired (the one case a refresh can cure)."""
        try:
            body = json.loads(response.content)
        except ValueError:
            return False
        error = body.get("error") if isinstance(body, dict) else None
        return isinstance(error, dict) and error.get("code") == "INVALID_ACCESS_TOKEN"

    # -- the token request ----------------------------------------------------------------------------------------

    def _refresh_request(self, request: httpx.Request) -> httpx.Request:
        refresh_token = self._tokens.refresh_token
        if not refresh_token:
            raise ConfigurationError("refresh_token: the access token has expired and there is no refresh token")
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id}
        if self._client_secret:
            form["client_secret"] = self._client_secret
        extensions: dict[str, Any] = {TOKEN_REQUEST_EXTENSION: True}
        # a request built here gets no timeout from the client, so it borrows the one of the request it serves
        extensions["timeout"] = request.extensions.get("timeout", _DEFAULT_TIMEOUT.as_dict())
        return httpx.Request(
            "POST", self.token_url, data=form, headers={"Accept": "application/json"}, extensions=extensions
        )

    def _apply(self, response: httpx.Response) -> None:
        tokens = _read_token_response(response, self._clock, previous=self._tokens)
        self._tokens = tokens
        if self._store is not None:
            self._store.save(tokens)

    def _authorize(self, request: httpx.Request) -> str | None:
        refuse_plain_http(request.url, "base_url", allow=self.allow_insecure_http)
        token = self._tokens.access_token
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        return token

    # -- the flows ------------------------------------------------------------------------------------------------

    def _shared_lock(self) -> contextlib.AbstractContextManager[None]:
        """The store's inter-process refresh lock, when it has one."""
        if isinstance(self._store, LockingTokenStore):
            return self._store.refresh_lock()
        return contextlib.nullcontext()

    def _reload(self) -> None:
        """Adopt what the store holds now (under the refresh lock): another process may have refreshed."""
        stored = self._store.load() if self._store is not None else None
        if stored is not None and stored.access_token:
            self._tokens = stored

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._stale():
            with self._lock, self._shared_lock():
                self._reload()
                if self._stale():  # another thread or process may have refreshed while this one waited
                    token_response = yield self._refresh_request(request)
                    token_response.read()
                    self._apply(token_response)
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401 or not self._can_refresh():
            return
        response.read()
        if not self._is_expired_token(response):
            return
        with self._lock, self._shared_lock():
            self._reload()
            if self._tokens.access_token == used:  # nobody has replaced the token that failed yet
                token_response = yield self._refresh_request(request)
                token_response.read()
                self._apply(token_response)
        self._authorize(request)
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self._stale():
            async with self._async_lock():
                self._reload()
                if self._stale():
                    token_response = yield self._refresh_request(request)
                    await token_response.aread()
                    self._apply(token_response)
        used = self._authorize(request)
        response = yield request
        if response.status_code != 401 or not self._can_refresh():
            return
        await response.aread()
        if not self._is_expired_token(response):
            return
        async with self._async_lock():
            self._reload()
            if self._tokens.access_token == used:
                token_response = yield self._refresh_request(request)
                await token_response.aread()
                self._apply(token_response)
        self._authorize(request)
        yield request

    @contextlib.asynccontextmanager
    async def _async_lock(self) -> AsyncIterator[None]:
        """The refresh lock for a task: tasks of one loop queue on an asyncio.Lock; then the thread lock is taken
        without blocking the loop (polled), so threads and tasks of other loops are excluded as well; then the
        store's inter-process lock, in a worker thread."""
        import asyncio  # imported on first use: sync users never need it

        loop = asyncio.get_running_loop()
        with self._loop_locks_guard:
            loop_lock = self._loop_locks.get(loop)
            if loop_lock is None:
                loop_lock = self._loop_locks[loop] = asyncio.Lock()
        async with loop_lock:
            while not self._lock.acquire(blocking=False):
                await asyncio.sleep(0.005)
            try:
                shared = self._shared_lock()
                await asyncio.to_thread(shared.__enter__)  # another process's refresh must not block the loop
                try:
                    yield
                finally:
                    shared.__exit__(None, None, None)
            finally:
                self._lock.release()


def _read_token_response(response: httpx.Response, clock: Callable[[], float], previous: TokenSet) -> TokenSet:
    """The new TokenSet from a token endpoint response, or TokenError with its RFC 6749 error (never the body)."""
    try:
        body: Any = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TokenError("invalid_response", "the token endpoint did not answer JSON", status_code=response.status_code)
    if response.status_code != 200 or not isinstance(body.get("access_token"), str):
        error = body.get("error")
        description = body.get("error_description")
        raise TokenError(
            error if isinstance(error, str) else "invalid_response",
            description if isinstance(description, str) else "no access_token in the token response",
            status_code=response.status_code,
        )
    expires_in = body.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) else None
    refresh_token = body.get("refresh_token")
    scope = body.get("scope")
    token_type = body.get("token_type")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else previous.refresh_token,
        expires_at=clock() + (lifetime if lifetime is not None else DEFAULT_TOKEN_LIFETIME),
        scope=scope if isinstance(scope, str) else previous.scope,
        token_type=token_type if isinstance(token_type, str) else previous.token_type,
    )


# -- the authorization-code flow with PKCE ------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class PKCE:
    """A PKCE pair: keep ``verifier`` for the code exchange, send ``challenge`` in the authorize URL."""

    verifier: str
    challenge: str
    method: str = "S256"

    def __repr__(self) -> str:
        return f"PKCE(verifier=[secure], challenge={self.challenge!r}, method={self.method!r})"

    __str__ = __repr__


def generate_pkce() -> PKCE:
    """A fresh S256 PKCE pair (RFC 7636): a 64-character verifier and its SHA-256 challenge."""
    verifier = secrets.token_urlsafe(48)  # 64 characters of the unreserved alphabet
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return PKCE(verifier=verifier, challenge=challenge)


def build_authorize_url(
    client_id: str,
    redirect_uri: str,
    scopes: Iterable[str],
    *,
    state: str,
    pkce: PKCE | None = None,
    region: str = "NA",
    authorize_url: str | None = None,
) -> str:
    """The Login with Amazon page to send the user to; it redirects to ``redirect_uri`` with ``code`` and ``state``."""
    if not client_id:
        raise ConfigurationError("client_id: the security profile's client ID is required")
    if not redirect_uri:
        raise ConfigurationError("redirect_uri: required")
    if not state:
        raise ConfigurationError("state: required (an unguessable value checked when the user comes back)")
    scope = " ".join(scopes)
    if not scope:
        raise ConfigurationError("scopes: at least one scope is required")
    params = {
        "client_id": client_id,
        "scope": scope,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if pkce is not None:
        params["code_challenge"] = pkce.challenge
        params["code_challenge_method"] = pkce.method
    base = authorize_url or _region_url(LWA_AUTHORIZE_URLS, region)
    return f"{base}?{urlencode(params)}"


def _code_request(
    code: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str | None,
    client_secret: str | None,
    token_url: str | None,
    region: str,
) -> tuple[str, dict[str, str]]:
    if not code:
        raise ConfigurationError("code: the authorization code from the redirect is required")
    if not code_verifier and not client_secret:
        raise ConfigurationError("code_verifier: required when there is no client_secret (PKCE)")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "client_id": client_id}
    if code_verifier:
        form["code_verifier"] = code_verifier
    if client_secret:
        form["client_secret"] = client_secret
    return token_url or _region_url(LWA_TOKEN_URLS, region), form


def exchange_code(
    code: str,
    *,
    client_id: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    client_secret: str | None = None,
    token_url: str | None = None,
    region: str = "NA",
    http_client: httpx.Client | None = None,
    clock: Callable[[], float] = time.time,
    allow_insecure_http: bool | None = None,
) -> TokenSet:
    """Trade an authorization code for tokens (without a client_secret, LWA gives no refresh token)."""
    url, form = _code_request(code, client_id, redirect_uri, code_verifier, client_secret, token_url, region)
    refuse_plain_http(url, "token_url", allow=allows_insecure_http(allow_insecure_http))
    client = http_client or httpx.Client(timeout=_DEFAULT_TIMEOUT)
    request = None
    try:
        request = client.build_request("POST", url, data=form, headers={"Accept": "application/json"})
        response = client.send(request)
    except httpx.TransportError as exc:
        raise connection_error(request, exc, "token request ") from exc
    finally:
        if http_client is None:
            client.close()
    return _read_token_response(response, clock, previous=TokenSet())


async def async_exchange_code(
    code: str,
    *,
    client_id: str,
    redirect_uri: str,
    code_verifier: str | None = None,
    client_secret: str | None = None,
    token_url: str | None = None,
    region: str = "NA",
    http_client: httpx.AsyncClient | None = None,
    clock: Callable[[], float] = time.time,
    allow_insecure_http: bool | None = None,
) -> TokenSet:
    """The async twin of exchange_code."""
    url, form = _code_request(code, client_id, redirect_uri, code_verifier, client_secret, token_url, region)
    refuse_plain_http(url, "token_url", allow=allows_insecure_http(allow_insecure_http))
    client = http_client or httpx.AsyncClient(timeout=_DEFAULT_TIMEOUT)
    request = None
    try:
        request = client.build_request("POST", url, data=form, headers={"Accept": "application/json"})
        response = await client.send(request)
    except httpx.TransportError as exc:
        raise connection_error(request, exc, "token request ") from exc
    finally:
        if http_client is None:
            await client.aclose()
    return _read_token_response(response, clock, previous=TokenSet())
