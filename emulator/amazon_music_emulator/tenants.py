"""Tenants: isolated worlds in one emulator database (see store.py for what the store promises of them).

``create_tenant(store, "acme", seed="demo")`` makes a tenant with a fresh security profile (API key, LWA client ID and
secret, all random) and returns its credentials; the client secret is stored hashed, so these credentials are the only
time it is shown. ``seed="demo"`` gives the tenant the default tenant's deterministic world (the same IDs);
``"empty"`` the demo user alone (so that a token can be minted). ``reset_tenant`` puts a tenant back to its seed, its
credentials kept; ``delete_tenant`` removes it and every row of it. The default tenant (today's single world, with the
fixed demo credentials) cannot be deleted.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field

from amazon_music_emulator.seed import DEMO_REDIRECT_URIS, DEMO_USER_ID, SEEDS, hash_secret, seed_rows
from amazon_music_emulator.store import DEFAULT_TENANT, SecurityProfileRecord, Store

__all__ = ["TenantCredentials", "UnknownTenant", "create_tenant", "delete_tenant", "reset_tenant"]


class UnknownTenant(LookupError):
    """No tenant of that name; the message names it."""


@dataclass(frozen=True)
class TenantCredentials:
    """What a new tenant's users need: its API key, its LWA client, and its demo user. The secret never shows in a
    repr."""

    tenant: str
    api_key: str
    client_id: str
    client_secret: str = field(repr=False)
    user_id: str

    def as_json(self) -> dict[str, str]:
        return {
            "tenant": self.tenant,
            "api_key": self.api_key,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "user_id": self.user_id,
        }


def create_tenant(store: Store, name: str, seed: str = "demo") -> TenantCredentials:
    """Make tenant ``name`` seeded with ``seed`` (one of ``SEEDS``), in one transaction; its credentials.

    ValueError names the bad argument: a name outside ``store.TENANT_NAME``, an unknown seed, or a name taken.
    """
    if seed not in SEEDS:
        raise ValueError(f"seed: expected one of {', '.join(SEEDS)}, not {seed!r}")
    credentials = TenantCredentials(
        tenant=name,
        api_key=f"amzn1.application.{secrets.token_hex(16)}",
        client_id=f"amzn1.application-oa2-client.{secrets.token_hex(16)}",
        client_secret=f"amzn1.oa2-cs.v1.{secrets.token_hex(32)}",
        user_id=DEMO_USER_ID,
    )
    profile = SecurityProfileRecord(
        credentials.api_key,
        credentials.client_id,
        hash_secret(credentials.client_secret),
        f"{name} app",
        DEMO_REDIRECT_URIS,
        name,
    )
    rows = dataclasses.replace(seed_rows(seed), security_profiles=(profile,), meta=())
    if not store.create_tenant(name, rows, seed):
        raise ValueError(f"tenant: {name!r} exists already")
    return credentials


def reset_tenant(store: Store, name: str) -> None:
    """Put tenant ``name`` back to its seed (its credentials kept, its tokens gone); UnknownTenant if there is none."""
    seed = store.tenant_seed(name)
    if seed is None or not store.reset_tenant(name, seed_rows(seed)):
        raise UnknownTenant(f"tenant: no tenant {name!r}")


def delete_tenant(store: Store, name: str) -> None:
    """Delete tenant ``name`` and its world; ValueError for the default tenant, UnknownTenant if there is none."""
    if name == DEFAULT_TENANT:
        raise ValueError(f"tenant: {DEFAULT_TENANT!r} cannot be deleted (a reset puts it back to its seed)")
    if not store.delete_tenant(name):
        raise UnknownTenant(f"tenant: no tenant {name!r}")
