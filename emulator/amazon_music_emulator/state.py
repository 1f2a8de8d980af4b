"""What one emulator instance holds, and how a request reaches it: the ASGI scope carries it under ``SCOPE_KEY``.

The connexion middleware stack (routing, security, validation) is compiled from the spec once per process and shared
by every emulator instance; each request finds its own instance's state in its scope, and its tenant (the world its
API key belongs to: that tenant's store view and cursor key) in its principal (auth.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.store import Store, TenantStore

if TYPE_CHECKING:
    from amazon_music_emulator.auth import AuthService

__all__ = ["SCOPE_KEY", "EmulatorState", "TenantContext", "state_of"]

SCOPE_KEY = "amazon_music_emulator.state"


@dataclass
class EmulatorState:
    store: Store
    auth: AuthService


@dataclass(frozen=True, slots=True)
class TenantContext:
    """A request's tenant: its name, its view of the store, and the codec of its cursor key."""

    name: str
    store: TenantStore = field(repr=False, compare=False)
    cursors: CursorCodec = field(repr=False, compare=False)


def state_of(scope: dict[str, Any] | Any) -> EmulatorState:
    state = scope[SCOPE_KEY]
    assert isinstance(state, EmulatorState)
    return state
