"""Signed, opaque keyset cursors.

A cursor names the listing, the user whose list it is, and the last key of the page it follows; it is signed with the
store's own key (itsdangerous), so a tampered cursor, one from another listing or user, or one from another emulator
is refused with 400 naming ``cursor``. The encoding uses URL-safe base64 and dots only, well inside the spec's
cursor pattern ``^[A-Za-z0-9+/=_.-]+$`` and 1024 characters.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from amazon_music_emulator.errors import ApiError

__all__ = ["CursorCodec"]

_SALT = "amazon-music-emulator.cursor.v1"


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt=_SALT)

    def __repr__(self) -> str:
        return "CursorCodec([secure])"

    def encode(self, listing: str, owner_id: str, last_key: int) -> str:
        token = self._serializer.dumps([listing, owner_id, last_key])
        return token if isinstance(token, str) else token.decode()

    def decode(self, cursor: str, listing: str, owner_id: str) -> int:
        """The last key the cursor carries, after checking it was issued for this listing of this user."""
        try:
            payload = self._serializer.loads(cursor)
        except BadSignature:
            raise ApiError.bad_request(
                "cursor", "is not a cursor this API issued (pass pageInfo.token unchanged)"
            ) from None
        if (
            not isinstance(payload, list)
            or len(payload) != 3
            or not isinstance(payload[2], int)
            or isinstance(payload[2], bool)
        ):
            raise ApiError.bad_request("cursor", "is not a cursor this API issued")
        if payload[0] != listing or payload[1] != owner_id:
            raise ApiError.bad_request("cursor", "was issued for another listing or user")
        return payload[2]
