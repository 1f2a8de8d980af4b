"""The one scope rule for a user's lists, whichever route reaches them (``/v1/me/...`` or ``/v1/users/{id}/...``).

A PUBLIC user's lists are public: any token with the ``/v1/users`` operations' scope reads them. A PRIVATE user's
lists are that user's alone, and are the same data as their ``/v1/me`` lists: reading them needs the scope the spec
gives the ``/v1/me`` lists of follows (``music::favorites:read``), by either route. Without this rule a token holding
only ``music::catalog`` read a PRIVATE user's own followers through ``/v1/users/{self}/followers``.
"""

from __future__ import annotations

import functools

from amazon_music_emulator import specfile
from amazon_music_emulator.auth import Principal, insufficient_scope
from amazon_music_emulator.errors import ApiError

__all__ = ["own_lists_scopes", "require_lists_access"]

_ME_LISTS_PREFIX = "/v1/me/follow"  # /v1/me/followers, /v1/me/followed/...: the current user's lists of follows


@functools.cache
def own_lists_scopes() -> tuple[str, ...]:
    """The scopes the spec requires to read the current user's lists of follows (GET /v1/me/follow...)."""
    scopes: dict[str, None] = {}
    for path, path_item in specfile.spec_dict()["paths"].items():
        operation = path_item.get("get")
        if path.startswith(_ME_LISTS_PREFIX) and operation is not None:
            for requirement in operation.get("security", []):
                scopes.update(dict.fromkeys(requirement.get("lwa", [])))
    if not scopes:
        raise RuntimeError(f"the spec has no GET {_ME_LISTS_PREFIX}... operation with an lwa scope")
    return tuple(scopes)


def require_lists_access(principal: Principal, owner_id: str, owner_visibility: str) -> None:
    """ApiError 403 unless ``principal`` may read the lists of user ``owner_id``: PRIVATE_USER for someone else's
    private lists, INSUFFICIENT_SCOPE for one's own private lists without the ``/v1/me`` lists' scope."""
    if owner_visibility != "PRIVATE":
        return
    if owner_id != principal.user_id:
        raise ApiError(403, "PRIVATE_USER", f"id: user {owner_id} is PRIVATE; their lists are visible to them only")
    missing = [scope for scope in own_lists_scopes() if scope not in principal.scopes]
    if missing:
        raise insufficient_scope(missing, "a PRIVATE user's own lists need")
