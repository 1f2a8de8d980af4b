"""API keys, access and refresh tokens, and scopes.

Tokens look like Login with Amazon's (``Atza|...`` access tokens, ``Atzr|...`` refresh tokens) and are kept in the
store as SHA-256 hashes only. An access token is bound to the user, the scopes and the security profile (API key) it
was minted for, and lives ``token_ttl`` seconds (3600 by default, like LWA's). A write scope includes its read scope:
``music::profile`` grants ``music::profile:read``.

The checks, in the order a request meets them, and what each failure answers:

    x-api-key missing or unknown                      401 INVALID_API_KEY
    Authorization missing, or not "Bearer <token>"    401 INVALID_AUTH_TYPE
    token malformed (not an Atza| access token)       401 INVALID_AUTH_TOKEN
    token unknown, revoked, expired, or minted for    401 INVALID_ACCESS_TOKEN
      another API key
    token without the operation's scope               403 INSUFFICIENT_SCOPE (the message names the scope)

The API key check, given the request's Authorization header, looks the bearer token up in the same statement
(``Store.find_credentials``: one round trip for both, from one snapshot), with the token's user's row, and hands it on
in its ``ApiKeyCheck`` for ``authenticate`` to use within that request; the checks and their answers stay as in the
table. The principal carries that row (``Principal.user``), so a handler of the current user's data needs no round
trip to read it.

Every API request runs the first four checks, so their successes are remembered (API key -> security profile,
credentials -> principal) for as long as the store's generation stays the same: any write to the store, from this
process or another on the same file, makes the next request look them up again. Failures are never remembered, and a
remembered token still expires on time.

Tenants: an API key belongs to one tenant, and a token is looked up within the tenant of the request's API key only
(one statement, as before tenants), so a token of another tenant is unknown here: 401 INVALID_ACCESS_TOKEN. The
principal carries its tenant (``TenantContext``: its store view and cursor codec, one per tenant key, kept).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.errors import ApiError
from amazon_music_emulator.seed import DEMO_API_KEY, hash_secret
from amazon_music_emulator.state import TenantContext
from amazon_music_emulator.store import (
    FoundToken,
    Program,
    SecurityProfileRecord,
    Store,
    TokenRecord,
    UserRecord,
    statement_program,
)

__all__ = [
    "ACCESS_TOKEN_PREFIX",
    "API_KEY_HEADER",
    "DEFAULT_TOKEN_TTL",
    "REFRESH_TOKEN_PREFIX",
    "ApiKeyCheck",
    "AuthService",
    "Principal",
    "TokenGrant",
    "expand_scopes",
    "insufficient_scope",
    "unauthorized",
]

API_KEY_HEADER = "x-api-key"
REALM = "Amazon Music"
ACCESS_TOKEN_PREFIX = "Atza|"
REFRESH_TOKEN_PREFIX = "Atzr|"
DEFAULT_TOKEN_TTL = 3600
MAX_TOKEN_LENGTH = 2048  # LWA's documented bound for access tokens
_MAX_REMEMBERED = 1024  # successful checks remembered per kind; then the memory starts over
_K = TypeVar("_K")
_V = TypeVar("_V")
_TOKEN_BODY = re.compile(r"[A-Za-z0-9._~+/=|-]+")


def expand_scopes(scopes: Iterable[str], known: Iterable[str]) -> frozenset[str]:
    """The scopes a token holds, with each write scope's read scope added (``X`` grants ``X:read``)."""
    known_set = set(known)
    granted = set(scopes)
    granted.update(f"{scope}:read" for scope in list(granted) if f"{scope}:read" in known_set)
    return frozenset(granted)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a valid access token speaks for."""

    user_id: str
    api_key: str
    client_id: str
    scopes: frozenset[str]
    tenant: TenantContext
    # The token's user's row, read by the statement that found the token (None: no such user): the current user's
    # row without a round trip of its own, as fresh as the token check (remembered with it, and forgotten with it).
    user: UserRecord | None = field(compare=False)


@dataclass(frozen=True, slots=True)
class ApiKeyCheck:
    """A known API key's profile and, when the request carried a well-formed bearer token, that token as looked up
    with it (None: no such token in the profile's tenant), at the store generation of the lookup."""

    profile: SecurityProfileRecord
    token_hash: str | None = None
    token: FoundToken | None = None
    generation: tuple[int, ...] = ()


@dataclass(frozen=True)
class TokenGrant:
    """Freshly minted tokens. The token values never show in a repr."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int
    user_id: str
    scope: str
    api_key: str

    def as_json(self) -> dict[str, object]:
        return {
            "api_key": self.api_key,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "user_id": self.user_id,
            "scope": self.scope,
        }


def _new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(96)


class AuthService:
    def __init__(
        self,
        store: Store,
        known_scopes: Iterable[str],
        *,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.known_scopes = tuple(known_scopes)
        self.token_ttl = token_ttl
        self.clock = clock
        # Successful checks, each with the store generation it was made at (and the token's expiry).
        self._profiles: dict[str, tuple[tuple[int, ...], SecurityProfileRecord]] = {}
        self._principals: dict[tuple[str | None, str], tuple[tuple[int, ...], Principal, float | None]] = {}
        self._tenants: dict[tuple[str, str], TenantContext] = {}  # by (tenant, cursor key)

    def __repr__(self) -> str:
        return f"AuthService(store={self.store!r}, token_ttl={self.token_ttl})"

    @property
    def runner(self) -> Store:
        """The store the checks' programs run on (``statement_program``: ``check_api_key.aio(...)`` on the loop)."""
        return self.store

    # -- minting ---------------------------------------------------------------------------------------------------

    def check_scopes(self, scopes: Iterable[str]) -> tuple[str, ...]:
        """The scopes, deduplicated in order; ValueError naming the first unknown one."""
        result = tuple(dict.fromkeys(scopes))
        for scope in result:
            if scope not in self.known_scopes:
                raise ValueError(f"scope: unknown scope {scope!r} (known: {', '.join(self.known_scopes)})")
        if not result:
            raise ValueError("scope: at least one scope is needed")
        return result

    def mint(
        self,
        user_id: str,
        scopes: Iterable[str] | None = None,
        *,
        ttl: int | None = None,
        api_key: str = DEMO_API_KEY,
        with_refresh_token: bool = True,
        revoke_refresh_token: str | None = None,
        family: str | None = None,
        refresh_scopes: Iterable[str] | None = None,
    ) -> TokenGrant:
        """Mint an access token (and a refresh token) for a seeded user. ValueError names a bad argument.

        With ``revoke_refresh_token`` (a hash), that refresh token is revoked in the same transaction, and the mint
        fails with LookupError if it was no longer live: a refresh token is single-use. ``family`` names the grant the
        tokens descend from (a new one by default: see ``Store.revoke_family``); ``refresh_scopes``, the refresh
        token's scopes when they differ from the access token's (a refresh that asked for fewer keeps the grant's).
        """
        profile = self.store.get_security_profile(api_key=api_key)
        if profile is None:
            raise ValueError(f"api_key: no security profile with API key {api_key!r}")
        tenant = self.store.tenant(profile.tenant)
        if tenant.get_user(user_id) is None:
            raise ValueError(f"user: no user {user_id!r} in this emulator")
        granted = self.check_scopes(self.known_scopes if scopes is None else scopes)
        lifetime = self.token_ttl if ttl is None else ttl
        if lifetime <= 0:
            raise ValueError(f"ttl: must be a positive number of seconds, not {lifetime}")
        scope = " ".join(granted)
        refresh_scope = scope if refresh_scopes is None else " ".join(self.check_scopes(refresh_scopes))
        now = self.clock()
        access = _new_token(ACCESS_TOKEN_PREFIX)
        rows = [
            (
                hash_secret(access),
                TokenRecord("access", api_key, profile.client_id, user_id, scope, now + lifetime, False),
            )
        ]
        refresh = None
        if with_refresh_token:
            refresh = _new_token(REFRESH_TOKEN_PREFIX)
            rows.append(
                (
                    hash_secret(refresh),
                    TokenRecord("refresh", api_key, profile.client_id, user_id, refresh_scope, None, False),
                )
            )
        family = family or secrets.token_hex(16)
        if not tenant.insert_tokens(rows, revoke=revoke_refresh_token, family=family):
            raise LookupError("refresh_token: already used or revoked")
        return TokenGrant(access, refresh, lifetime, user_id, scope, api_key)

    # -- checking --------------------------------------------------------------------------------------------------

    @statement_program
    def check_api_key(self, api_key: str | None, authorization: str | None = None) -> Program[ApiKeyCheck]:
        """The API key's profile (with the bearer token of ``authorization`` looked up alongside), or ApiError 401."""
        if not api_key:
            raise unauthorized("INVALID_API_KEY", f"{API_KEY_HEADER}: missing; send your security profile ID")
        generation = self.store.generation()
        remembered = self._profiles.get(api_key)
        if remembered is not None and remembered[0] == generation:
            return ApiKeyCheck(remembered[1])
        token_hash = found = None
        try:
            token_hash = hash_secret(_bearer_token(authorization))
        except ApiError:  # authenticate answers for a bad Authorization header, after this check
            profile = yield from self.store.get_security_profile.program(api_key=api_key)
        else:
            profile, found = yield from self.store.find_credentials.program(api_key, token_hash)
        if profile is None:
            raise unauthorized("INVALID_API_KEY", f"{API_KEY_HEADER}: unknown security profile ID")
        _remember(self._profiles, api_key, (generation, profile))
        return ApiKeyCheck(profile, token_hash, found, generation)

    @statement_program
    def authenticate(
        self, api_key: str | None, authorization: str | None, checked: ApiKeyCheck | None = None
    ) -> Program[Principal]:
        """The principal of a request's credentials, or ApiError 401 with the documented code. ``checked``: this
        request's API key check, whose token lookup (if any) saves a round trip."""
        if authorization:
            generation = self.store.generation()
            remembered = self._principals.get((api_key, authorization))
            if remembered is not None and remembered[0] == generation:
                expires_at = remembered[2]
                if expires_at is None or expires_at > self.clock():
                    return remembered[1]
            principal, expires_at, looked_up_at = yield from self._authenticate(api_key, authorization, checked)
            # Remembered at the generation of the lookup: a write since then makes the next request look again.
            _remember(self._principals, (api_key, authorization), (looked_up_at or generation, principal, expires_at))
            return principal
        return (yield from self._authenticate(api_key, authorization, checked))[0]

    def _authenticate(
        self, api_key: str | None, authorization: str | None, checked: ApiKeyCheck | None
    ) -> Program[tuple[Principal, float | None, tuple[int, ...]]]:
        if not api_key:  # the token is looked up within the API key's tenant
            raise unauthorized("INVALID_API_KEY", f"{API_KEY_HEADER}: missing; send your security profile ID")
        token_hash = hash_secret(_bearer_token(authorization))
        if checked is not None and checked.token_hash == token_hash and checked.profile.api_key == api_key:
            found, looked_up_at = checked.token, checked.generation
        else:
            found, looked_up_at = (yield from self.store.find_access_token.program(token_hash, api_key)), ()
        if found is None or found.record.kind != "access" or found.record.revoked:
            raise unauthorized(
                "INVALID_ACCESS_TOKEN", "Authorization: unknown or revoked access token", bearer_error="invalid_token"
            )
        record = found.record
        if record.expires_at is not None and record.expires_at <= self.clock():
            raise unauthorized(
                "INVALID_ACCESS_TOKEN",
                "The access token has expired; refresh it and retry.",
                bearer_error="invalid_token",
            )
        if record.api_key != api_key:
            raise unauthorized(
                "INVALID_ACCESS_TOKEN",
                f"Authorization: the access token was issued for another {API_KEY_HEADER}",
                bearer_error="invalid_token",
            )
        principal = Principal(
            record.user_id,
            record.api_key,
            record.client_id,
            expand_scopes(record.scope.split(), self.known_scopes),
            self.tenant_context(record.tenant, found.cursor_secret),
            found.user,
        )
        return principal, record.expires_at, looked_up_at

    def tenant_context(self, name: str, cursor_secret: str) -> TenantContext:
        """Tenant ``name``'s context for its current cursor key (a reset of the tenant changes the key)."""
        context = self._tenants.get((name, cursor_secret))
        if context is None:
            context = TenantContext(name, self.store.tenant(name), CursorCodec(cursor_secret))
            _remember(self._tenants, (name, cursor_secret), context)
        return context

    def require_scopes(self, principal: Principal, required: Iterable[str]) -> None:
        missing = [scope for scope in required if scope not in principal.scopes]
        if missing:
            raise insufficient_scope(missing, "this operation needs")


def _bearer_token(authorization: str | None) -> str:
    """The access token of an Authorization header, or ApiError 401 INVALID_AUTH_TYPE / INVALID_AUTH_TOKEN."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise unauthorized(
            "INVALID_AUTH_TYPE",
            "Authorization: expected 'Bearer <access token>'" + ("" if authorization else ", got none"),
            bearer_error="invalid_request" if authorization else None,
        )
    token = token.strip()
    if (
        not token.startswith(ACCESS_TOKEN_PREFIX)
        or len(token) > MAX_TOKEN_LENGTH
        or len(token) == len(ACCESS_TOKEN_PREFIX)
        or not _TOKEN_BODY.fullmatch(token[len(ACCESS_TOKEN_PREFIX) :])
    ):
        raise unauthorized(
            "INVALID_AUTH_TOKEN",
            "Authorization: the bearer token is not a Login with Amazon access token (Atza|...)",
            bearer_error="invalid_token",
        )
    return token


def insufficient_scope(missing: list[str], needed_by: str) -> ApiError:
    """A 403 INSUFFICIENT_SCOPE naming the missing scopes, with its RFC 6750 section 3.1 challenge."""
    message = f"scope: {needed_by} {' and '.join(missing)}, which the access token lacks"
    challenge = _bearer_challenge("insufficient_scope", message) + f', scope="{" ".join(missing)}"'
    return ApiError(403, "INSUFFICIENT_SCOPE", message, {"WWW-Authenticate": challenge})


def unauthorized(code: str, message: str, *, bearer_error: str | None = "invalid_request") -> ApiError:
    """A 401 with its RFC 6750 section 3 challenge, so that generic OAuth clients can tell why (``bearer_error``
    None: no credentials were sent, and the challenge carries no error)."""
    return ApiError(401, code, message, {"WWW-Authenticate": _bearer_challenge(bearer_error, message)})


def _bearer_challenge(error: str | None, description: str) -> str:
    challenge = f'Bearer realm="{REALM}"'
    if error is None:
        return challenge
    # A quoted-string may not hold a double quote or a backslash unescaped; the messages never need them.
    text = description.replace("\\", "").replace('"', "'")
    return f'{challenge}, error="{error}", error_description="{text}"'


def _remember(memory: dict[_K, _V], key: _K, value: _V) -> None:
    if len(memory) >= _MAX_REMEMBERED:
        memory.clear()
    memory[key] = value
