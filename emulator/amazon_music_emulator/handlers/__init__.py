"""Operation handlers by tag, listings by declaration (listings.py); ``HANDLERS`` maps every operationId of the spec
to its handler."""

from __future__ import annotations

from amazon_music_emulator.handlers import follows, listings, me, users
from amazon_music_emulator.handlers._common import Handler, HandlerRequest

__all__ = ["HANDLERS", "Handler", "HandlerRequest"]

HANDLERS: dict[str, Handler] = {**me.HANDLERS, **follows.HANDLERS, **users.HANDLERS, **listings.HANDLERS}
