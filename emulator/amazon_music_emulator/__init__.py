"""A local, stateful emulator of the Amazon Music Web API (User v1), routed and validated from the OpenAPI spec.

``create_app()`` returns the ASGI app (serve it with uvicorn, or call it in-process with httpx's ASGITransport);
``amazon-music-emulator serve`` runs it. The modules: app (the ASGI app), routing (the spec, compiled by connexion),
handlers/ (one function per operationId), store (SQLite or PostgreSQL), seed, tenants (isolated worlds in one
database), auth and lwa (keys, tokens, Login with Amazon),
cursors, faults, errors, validation, security (connexion glue), proxy (the validation proxy).

The names below are loaded on first use, so that importing the package (as ``python -m amazon_music_emulator``
does before the command runs) does not import the server stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from amazon_music_emulator.app import EmulatorApp, create_app
    from amazon_music_emulator.auth import Principal, TokenGrant
    from amazon_music_emulator.faults import FaultSettings
    from amazon_music_emulator.seed import (
        DEMO_API_KEY,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_REDIRECT_URIS,
        DEMO_USER_ID,
        OTHER_API_KEY,
        PRIVATE_USER_ID,
        SeedConfig,
    )
    from amazon_music_emulator.store import Store, TenantStore
    from amazon_music_emulator.tenants import TenantCredentials

__all__ = [
    "DEMO_API_KEY",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_REDIRECT_URIS",
    "DEMO_USER_ID",
    "OTHER_API_KEY",
    "PRIVATE_USER_ID",
    "EmulatorApp",
    "FaultSettings",
    "Principal",
    "SeedConfig",
    "Store",
    "TenantCredentials",
    "TenantStore",
    "TokenGrant",
    "create_app",
]

_HOMES = {
    "EmulatorApp": "app",
    "create_app": "app",
    "Principal": "auth",
    "TokenGrant": "auth",
    "FaultSettings": "faults",
    "Store": "store",
    "TenantStore": "store",
    "TenantCredentials": "tenants",
    **dict.fromkeys(
        [
            "DEMO_API_KEY",
            "DEMO_CLIENT_ID",
            "DEMO_CLIENT_SECRET",
            "DEMO_REDIRECT_URIS",
            "DEMO_USER_ID",
            "OTHER_API_KEY",
            "PRIVATE_USER_ID",
            "SeedConfig",
        ],
        "seed",
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'amazon_music_emulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"amazon_music_emulator.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
