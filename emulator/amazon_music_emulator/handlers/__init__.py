"""Operation handlers by tag; ``HANDLERS`` maps every operationId of the spec to its handler."""

from __future__ import annotations

from amazon_music_emulator.handlers import follows, me, users
from amazon_music_emulator.handlers._common import Handler, HandlerRequest

__all__ = ["HANDLERS", "Handler", "HandlerRequest"]

HANDLERS: dict[str, Handler] = {**me.HANDLERS, **follows.HANDLERS, **users.HANDLERS}
