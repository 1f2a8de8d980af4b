"""Emulated Login with Amazon: the authorization endpoint and the token endpoint, outside the User spec.

``GET /ap/oa`` grants consent at once, for the user named by the ``user_id`` query parameter (an emulator extension)
or the demo user, and redirects to ``redirect_uri`` with ``code`` and ``state``. PKCE: ``code_challenge_method``
S256 or plain (plain when absent, as LWA). A missing or unknown ``client_id`` or a ``redirect_uri`` not registered for
the client is answered with 400 and no redirect (RFC 6749 section 4.1.2.1); other errors are redirected as
``error`` and ``error_description``. Registered loopback return URLs match on any port (RFC 8252 section 7.3), with
the same path and query and no userinfo. HEAD is refused (405) like any method but GET: it would mint a code.

``POST /auth/o2/token`` (``application/x-www-form-urlencoded`` only, each parameter at most once) handles grant
types ``authorization_code`` (client_secret, or code_verifier for PKCE, or both) and ``refresh_token`` (with an
optional ``scope``: the granted scope or a part of it). Codes are single-use and live 5 minutes; a refresh rotates the
refresh token. What RFC 6749 and RFC 9700 ask of a replay is done: a code used twice revokes the tokens of its first
exchange, and a rotated refresh token used again revokes every token of its grant. Without a client_secret (PKCE only)
no refresh token is issued. Every answer carries ``scope``. Errors follow RFC 6749 section 5.2: ``{"error":
"invalid_grant", "error_description": "..."}``; no client credentials, or wrong ones, are 401 invalid_client. The
client_id names the tenant: a code or refresh token of another tenant is unknown to its client (invalid_grant), and
such a code stays unused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.types import Receive, Scope, Send

from amazon_music_emulator.auth import REFRESH_TOKEN_PREFIX, AuthService, TokenGrant, expand_scopes
from amazon_music_emulator.bodies import BodyTooLarge, read_body
from amazon_music_emulator.seed import DEMO_USER_ID, hash_secret
from amazon_music_emulator.state import state_of
from amazon_music_emulator.store import AuthCodeRecord, SecurityProfileRecord, TenantStore

__all__ = ["AUTHORIZE_PATH", "CODE_TTL", "TOKEN_PATH", "LoginWithAmazon", "pkce_challenge"]

AUTHORIZE_PATH = "/ap/oa"
TOKEN_PATH = "/auth/o2/token"
CODE_TTL = 300
# scheme://loopback-host, an optional port, and the rest; userinfo cannot match (an @ before the host).
_LOOPBACK_REDIRECT = re.compile(r"(https?://(?:127\.0\.0\.1|localhost|\[::1\]))(?::[0-9]{1,5})?(/.*)?", re.ASCII)
_PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_FORM_TYPE = "application/x-www-form-urlencoded"
_CLOSE = [(b"connection", b"close")]
_NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


def pkce_challenge(verifier: str, method: str = "S256") -> str:
    if method == "plain":
        return verifier
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _redirect_allowed(redirect_uri: str, registered: tuple[str, ...]) -> bool:
    """The URI is registered for the client, or is a registered loopback URI with a port added (RFC 8252 section
    7.3): nothing else may differ, so a query, userinfo or fragment added to a loopback URI is refused."""
    if redirect_uri in registered:
        return True
    match = _LOOPBACK_REDIRECT.fullmatch(redirect_uri)
    return match is not None and match.group(1) + (match.group(2) or "") in registered


class LoginWithAmazon:
    """The two endpoints as one ASGI app; the emulator instance comes from the scope."""

    paths = frozenset({AUTHORIZE_PATH, TOKEN_PATH})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        expected = "GET" if path == AUTHORIZE_PATH else "POST"
        if method != expected:
            # HEAD /ap/oa included: a HEAD must not mint a code any more than it may show one.
            await _send_json(
                send,
                405,
                {"error": "invalid_request", "error_description": f"method: use {expected} on {path}"},
                [(b"allow", expected.encode())],
            )
            return
        auth = state_of(scope).auth
        if path == AUTHORIZE_PATH:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
            await self._authorize(auth, query, send)
            return
        try:
            raw = await read_body(receive)
        except BodyTooLarge as error:
            await _send_json(send, 413, {"error": "invalid_request", "error_description": error.message}, _CLOSE)
            return
        try:
            grant = self._token(auth, _token_form(scope, raw), _basic_credentials(scope))
        except OAuthError as error:
            headers = list(_NO_STORE)
            if error.status == 401:
                headers.append((b"www-authenticate", b'Basic realm="Login with Amazon"'))
            await _send_json(
                send, error.status, {"error": error.error, "error_description": error.description}, headers
            )
            return
        await _send_json(send, 200, grant, list(_NO_STORE))

    # -- GET /ap/oa ------------------------------------------------------------------------------------------------

    async def _authorize(self, auth: AuthService, query: dict[str, str], send: Send) -> None:
        client_id = query.get("client_id", "")
        profile = auth.store.get_security_profile(client_id=client_id) if client_id else None
        if profile is None:
            description = "client_id: missing" if not client_id else "client_id: unknown client"
            await _send_json(send, 400, {"error": "invalid_request", "error_description": description}, list(_NO_STORE))
            return
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri or not _redirect_allowed(redirect_uri, profile.redirect_uris):
            description = (
                "redirect_uri: missing" if not redirect_uri else "redirect_uri: not registered for this client"
            )
            await _send_json(send, 400, {"error": "invalid_request", "error_description": description}, list(_NO_STORE))
            return
        state = query.get("state")
        try:
            code, scope = self._issue_code(auth, profile, query, redirect_uri)
        except OAuthError as error:
            params = {"error": error.error, "error_description": error.description}
            await _redirect(send, redirect_uri, params, state)
            return
        await _redirect(send, redirect_uri, {"code": code, "scope": scope}, state)

    @staticmethod
    def _issue_code(
        auth: AuthService, profile: SecurityProfileRecord, query: dict[str, str], redirect_uri: str
    ) -> tuple[str, str]:
        if query.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "response_type: must be code")
        try:
            scopes = auth.check_scopes(query.get("scope", "").split())
        except ValueError as exc:
            raise OAuthError("invalid_scope", str(exc)) from None
        challenge = query.get("code_challenge")
        method = query.get("code_challenge_method")
        if method is not None and method not in ("S256", "plain"):
            raise OAuthError("invalid_request", "code_challenge_method: must be S256 or plain")
        if challenge is None and method is not None:
            raise OAuthError("invalid_request", "code_challenge: missing (code_challenge_method was given)")
        if challenge is not None:
            if not _PKCE_VALUE.match(challenge):
                raise OAuthError("invalid_request", "code_challenge: must be 43 to 128 characters of [A-Za-z0-9._~-]")
            method = method or "plain"
        user_id = query.get("user_id") or DEMO_USER_ID
        tenant = auth.store.tenant(profile.tenant)
        if tenant.get_user(user_id) is None:
            raise OAuthError("access_denied", f"user_id: no user {user_id} in this emulator")
        code = secrets.token_urlsafe(32)
        scope = " ".join(scopes)
        record = AuthCodeRecord(
            profile.client_id, user_id, scope, redirect_uri, challenge, method, time.time() + CODE_TTL
        )
        tenant.insert_auth_code(hash_secret(code), record)
        return code, scope

    # -- POST /auth/o2/token ---------------------------------------------------------------------------------------

    def _token(self, auth: AuthService, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, object]:
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "grant_type: missing")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError("unsupported_grant_type", f"grant_type: {grant_type} is not supported")
        if basic is not None and "client_secret" in form:
            raise OAuthError("invalid_request", "client_secret: sent twice (Authorization: Basic and the form)")
        client_id = form.get("client_id") or (basic[0] if basic else "")
        client_secret = form.get("client_secret") or (basic[1] if basic else None)
        if not client_id:
            raise OAuthError("invalid_client", "client_id: missing (send client_id, or Authorization: Basic)", 401)
        profile = auth.store.get_security_profile(client_id=client_id)
        if profile is None:
            raise OAuthError("invalid_client", "client_id: unknown client", 401)
        if client_secret is not None and not hmac.compare_digest(
            hash_secret(client_secret), profile.client_secret_hash
        ):
            raise OAuthError("invalid_client", "client_secret: does not match the client", 401)
        if grant_type == "authorization_code":
            return self._exchange_code(auth, profile, form, confidential=client_secret is not None)
        if client_secret is None:
            raise OAuthError("invalid_client", "client_secret: missing (needed to refresh)", 401)
        return self._refresh(auth, profile, form)

    @staticmethod
    def _exchange_code(
        auth: AuthService, profile: SecurityProfileRecord, form: dict[str, str], *, confidential: bool
    ) -> dict[str, object]:
        code = form.get("code")
        if not code:
            raise OAuthError("invalid_request", "code: missing")
        if not form.get("redirect_uri"):
            raise OAuthError("invalid_request", "redirect_uri: missing")
        code_hash = hash_secret(code)
        tenant = auth.store.tenant(profile.tenant)  # a code of another tenant is unknown here, and stays unused
        record = tenant.consume_auth_code(code_hash)
        if record is None:
            # RFC 6749 section 4.1.2: a code used twice revokes the tokens its first use issued.
            revoked = tenant.revoke_family(code_hash)
            raise OAuthError(
                "invalid_grant", "code: unknown or already used" + ("; its tokens are now revoked" if revoked else "")
            )
        if record.expires_at <= time.time():
            raise OAuthError("invalid_grant", "code: expired")
        if record.client_id != profile.client_id:
            raise OAuthError("invalid_grant", "code: was issued to another client")
        if record.redirect_uri != form["redirect_uri"]:
            raise OAuthError("invalid_grant", "redirect_uri: does not match the authorization request")
        verifier = form.get("code_verifier")
        if record.code_challenge is not None:
            if not verifier:
                raise OAuthError("invalid_grant", "code_verifier: missing (the authorization used PKCE)")
            expected = pkce_challenge(verifier, record.code_challenge_method or "plain")
            if not hmac.compare_digest(expected, record.code_challenge):
                raise OAuthError("invalid_grant", "code_verifier: does not match the code_challenge")
        elif verifier is not None:
            # RFC 9700 section 2.1.1: a code_verifier for a code issued without a code_challenge is refused.
            raise OAuthError("invalid_grant", "code_verifier: the authorization request sent no code_challenge")
        elif not confidential:
            raise OAuthError("invalid_client", "client_secret: missing (or use PKCE with code_verifier)", 401)
        grant = auth.mint(
            record.user_id,
            record.scope.split(),
            api_key=profile.api_key,
            with_refresh_token=confidential,
            family=code_hash,
        )
        return _token_response(grant)

    @staticmethod
    def _refresh(auth: AuthService, profile: SecurityProfileRecord, form: dict[str, str]) -> dict[str, object]:
        refresh_token = form.get("refresh_token")
        if not refresh_token:
            raise OAuthError("invalid_request", "refresh_token: missing")
        token_hash = hash_secret(refresh_token)
        tenant = auth.store.tenant(profile.tenant)  # a refresh token of another tenant is unknown here
        record = tenant.get_token(token_hash) if refresh_token.startswith(REFRESH_TOKEN_PREFIX) else None
        if record is None or record.kind != "refresh":
            raise OAuthError("invalid_grant", "refresh_token: unknown")
        if record.client_id != profile.client_id:
            raise OAuthError("invalid_grant", "refresh_token: was issued to another client")
        family = tenant.token_family(token_hash) or token_hash
        if record.revoked:
            raise _replayed(tenant, family)
        granted = record.scope.split()
        scopes = _refresh_scopes(form.get("scope"), granted, auth.known_scopes)
        try:
            grant = auth.mint(
                record.user_id,
                scopes,
                api_key=record.api_key,
                revoke_refresh_token=token_hash,
                family=family,
                refresh_scopes=granted,
            )
        except LookupError:
            raise _replayed(tenant, family) from None  # used by a concurrent request a moment ago
        return _token_response(grant)


def _replayed(tenant: TenantStore, family: str) -> OAuthError:
    """RFC 9700 section 4.14.2: a rotated refresh token used again revokes every token of its grant."""
    tenant.revoke_family(family)
    return OAuthError("invalid_grant", "refresh_token: already used; every token of its grant is now revoked")


def _refresh_scopes(asked: str | None, granted: list[str], known: tuple[str, ...]) -> list[str]:
    """The scopes a refresh asks for (RFC 6749 section 6): the grant's when absent, else a part of them."""
    if asked is None:
        return granted
    scopes = asked.split()
    if not scopes:
        raise OAuthError("invalid_scope", "scope: empty (leave it out to keep the granted scope)")
    allowed = expand_scopes(granted, known)
    extra = [scope for scope in scopes if scope not in allowed]
    if extra:
        raise OAuthError("invalid_scope", f"scope: {extra[0]} was not granted (granted: {' '.join(granted)})")
    return scopes


def _token_form(scope: Scope, raw: bytes) -> dict[str, str]:
    """The token request's parameters: form-encoded, UTF-8, each at most once (RFC 6749 sections 3.2 and 4.1.3)."""
    content_type = next((value for name, value in scope["headers"] if name == b"content-type"), b"")
    media_type = content_type.decode("latin-1").split(";", 1)[0].strip().lower()
    if raw and media_type != _FORM_TYPE:
        shown = media_type or "none"
        raise OAuthError("invalid_request", f"Content-Type: must be {_FORM_TYPE}, not {shown}")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "body: is not UTF-8") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OAuthError("invalid_request", f"{name}: sent more than once")
        form[name] = value
    return form


def _token_response(grant: TokenGrant) -> dict[str, object]:
    body: dict[str, object] = {
        "access_token": grant.access_token,
        "token_type": "bearer",
        "expires_in": grant.expires_in,
        "scope": grant.scope,  # RFC 6749 section 5.1: said whenever it may differ from what was asked
    }
    if grant.refresh_token is not None:
        body["refresh_token"] = grant.refresh_token
    return body


def _basic_credentials(scope: Scope) -> tuple[str, str] | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            scheme, _, encoded = value.decode("latin-1").partition(" ")
            if scheme.lower() != "basic":
                return None
            try:
                user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
            except ValueError:
                return None
            return user, password
    return None


async def _send_json(send: Send, status: int, payload: dict[str, object], headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps(payload).encode()
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, redirect_uri: str, params: dict[str, str], state: str | None) -> None:
    if state is not None:
        params = {**params, "state": state}
    parts = urlsplit(redirect_uri)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
    headers = [(b"location", location.encode()), (b"content-length", b"0"), *_NO_STORE]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
