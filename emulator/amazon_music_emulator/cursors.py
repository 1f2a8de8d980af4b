"""Signed, opaque keyset cursors.

A cursor names the listing, the user whose list it is, and the last key of the page it follows; it is signed with the
store's own key (itsdangerous, HMAC-SHA256), so a tampered cursor, one from another listing or user, or one from
another emulator is refused with 400 naming ``cursor``. The encoding is ``<payload>.<signature>``, both URL-safe
base64 without padding, well inside the spec's cursor pattern ``^[A-Za-z0-9+/=_.-]+$`` and 1024 characters.

Every listing page with a next page signs a cursor, so this is on the hot path: a ``Signer`` over an orjson payload
costs a sixth of itsdangerous's ``URLSafeSerializer`` (which also tries zlib on every payload, and whose default
digest takes hmac's pure-Python path).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import orjson
from itsdangerous import BadSignature, Signer

from amazon_music_emulator.errors import ApiError

__all__ = ["CursorCodec"]

_SALT = "amazon-music-emulator.cursor.v2"


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._signer = Signer(secret, salt=_SALT, digest_method=hashlib.sha256)

    def __repr__(self) -> str:
        return "CursorCodec([secure])"

    def encode(self, listing: str, owner_id: str, last_key: int) -> str:
        payload = base64.urlsafe_b64encode(orjson.dumps([listing, owner_id, last_key])).rstrip(b"=")
        return self._signer.sign(payload).decode("ascii")

    def decode(self, cursor: str, listing: str, owner_id: str) -> int:
        """The last key the cursor carries, after checking it was issued for this listing of this user."""
        try:
            payload = self._signer.unsign(cursor)
            decoded = orjson.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
        except (BadSignature, binascii.Error, orjson.JSONDecodeError, UnicodeEncodeError):
            raise ApiError.bad_request(
                "cursor", "is not a cursor this API issued (pass pageInfo.token unchanged)"
            ) from None
        if (
            not isinstance(decoded, list)
            or len(decoded) != 3
            or not isinstance(decoded[2], int)
            or isinstance(decoded[2], bool)
        ):
            raise ApiError.bad_request("cursor", "is not a cursor this API issued")
        if decoded[0] != listing or decoded[1] != owner_id:
            raise ApiError.bad_request("cursor", "was issued for another listing or user")
        return decoded[2]
