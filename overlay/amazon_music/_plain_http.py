"""Credentials never go over plain http to another machine unless the caller says so.

A bearer token (and, to the token endpoint, the client secret and the refresh token) sent over http can be read by
anyone on the path. ``refuse_plain_http`` allows https anywhere, http to this machine (loopback addresses,
``localhost`` and ``*.localhost``, and RFC 6761 ``*.invalid`` names, which no resolver answers, as the in-process
testing kit uses), and anything else only with the explicit opt-in: ``allow_insecure_http=True`` on the auth object
(``StaticToken``, ``LWAAuth``, ``exchange_code``) or ``AMAZON_MUSIC_ALLOW_INSECURE_HTTP=1`` in the environment.
"""

from __future__ import annotations

import ipaddress
import os

import httpx

from ._errors import ConfigurationError

__all__ = ["ALLOW_INSECURE_HTTP_ENV", "allows_insecure_http", "refuse_plain_http"]

ALLOW_INSECURE_HTTP_ENV = "AMAZON_MUSIC_ALLOW_INSECURE_HTTP"


def allows_insecure_http(allow: bool | None) -> bool:
    """The caller's choice; when it made none, the environment's (``AMAZON_MUSIC_ALLOW_INSECURE_HTTP=1``)."""
    if allow is not None:
        return allow
    return os.environ.get(ALLOW_INSECURE_HTTP_ENV, "").strip().lower() in ("1", "true", "yes")


def _stays_on_this_machine(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith((".localhost", ".invalid")) or name == "invalid":
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_plain_http(url: httpx.URL | str, what: str, *, allow: bool) -> None:
    """ConfigurationError naming ``what`` when credentials would go to ``url`` over plain http to another machine."""
    parsed = httpx.URL(url)
    if parsed.scheme != "http" or allow or _stays_on_this_machine(parsed.host):
        return
    raise ConfigurationError(
        f"{what}: refusing to send credentials over plain http to {parsed.host}; use https, or opt in with "
        f"allow_insecure_http=True (or {ALLOW_INSECURE_HTTP_ENV}=1)"
    )
