"""connexion security handlers for the spec's two schemes, both checked by ``auth.AuthService``.

connexion drops a security requirement whose scheme has no info function (and then answers 401 to everything), so
the emulator supplies a handler class per scheme type instead of ``x-apikeyInfoFunc``/``x-tokenInfoFunc`` strings:
the handlers find the emulator instance in the request's scope. Scopes are checked here rather than by connexion, to
apply "a write scope includes its read scope" and to name the missing scope in the 403.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionRequest
from connexion.security import AbstractSecurityHandler

from amazon_music_emulator.auth import API_KEY_HEADER
from amazon_music_emulator.state import state_of

__all__ = ["PRINCIPAL_KEY", "SECURITY_MAP", "ApiKeyHandler", "LwaTokenHandler"]

PRINCIPAL_KEY = "principal"
_API_KEY_CHECK = "amazon_music_emulator.api_key_check"  # the scope key the API key check hands its lookup on in
_API_KEY = API_KEY_HEADER.encode("latin-1")

# connexion awaits what a verifier returns: the checks run on the event loop's PostgreSQL pool when it has one.
Verifier = Callable[[ConnexionRequest], Awaitable[dict[str, Any]]]


def _header(request: ConnexionRequest, name: bytes) -> str | None:
    """The first value of a header (``name`` lower-case, as ASGI gives names), read from the scope directly: the
    request's Starlette ``Headers`` would be built for the lookup on every request."""
    for key, value in request.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class ApiKeyHandler(AbstractSecurityHandler):  # type: ignore[misc]
    """``x-api-key``: a known security profile ID."""

    def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Verifier:
        header = security_scheme["name"].lower().encode("latin-1")

        async def verify(request: ConnexionRequest) -> dict[str, Any]:
            checked = await state_of(request.scope).auth.check_api_key.aio(
                _header(request, header), _header(request, b"authorization")
            )
            request.scope[_API_KEY_CHECK] = checked
            return {"api_key": checked.profile.api_key}

        return verify


class LwaTokenHandler(AbstractSecurityHandler):  # type: ignore[misc]
    """``Authorization: Bearer Atza|...``: a live access token, minted for this API key, with the scopes needed."""

    def get_fn(self, security_scheme: dict[str, Any], required_scopes: list[str]) -> Verifier:
        required = tuple(required_scopes)

        async def verify(request: ConnexionRequest) -> dict[str, Any]:
            auth = state_of(request.scope).auth
            principal = await auth.authenticate.aio(
                _header(request, _API_KEY), _header(request, b"authorization"), request.scope.get(_API_KEY_CHECK)
            )
            auth.require_scopes(principal, required)
            return {"sub": principal.user_id, PRINCIPAL_KEY: principal}

        return verify


SECURITY_MAP: dict[str, type[AbstractSecurityHandler]] = {"apiKey": ApiKeyHandler, "oauth2": LwaTokenHandler}
