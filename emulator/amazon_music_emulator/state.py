"""What one emulator instance holds, and how a request reaches it: the ASGI scope carries it under ``SCOPE_KEY``.

The connexion middleware stack (routing, security, validation) is compiled from the spec once per process and shared
by every emulator instance; each request finds its own instance's state in its scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from amazon_music_emulator.auth import AuthService
from amazon_music_emulator.cursors import CursorCodec
from amazon_music_emulator.store import Store

__all__ = ["SCOPE_KEY", "EmulatorState", "state_of"]

SCOPE_KEY = "amazon_music_emulator.state"


@dataclass
class EmulatorState:
    store: Store
    auth: AuthService
    cursors: CursorCodec


def state_of(scope: dict[str, Any] | Any) -> EmulatorState:
    state = scope[SCOPE_KEY]
    assert isinstance(state, EmulatorState)
    return state
