"""Argument checks run before any request, so a bad argument costs no round trip and names itself in the error.

The bounds and patterns are the spec's (components/parameters and components/schemas).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum

from ._errors import ValidationError

__all__ = [
    "MAX_IDS_PER_REQUEST",
    "MAX_PAGE_SIZE",
    "MAX_PODCAST_PAGE_SIZE",
    "asin",
    "asin_list",
    "cursor",
    "display_name",
    "max_items",
    "page_limit",
    "user_id",
    "user_id_list",
    "visibility",
]

MAX_PAGE_SIZE = 100
MAX_PODCAST_PAGE_SIZE = 36  # GET /v1/users/{id}/followed/podcasts/shows (errata user-podcasts-limit)
MAX_IDS_PER_REQUEST = 100
MAX_NAME_LENGTH = 100
MAX_CURSOR_LENGTH = 1024

_USER_ID = re.compile(r"[a-z0-9]{1,64}")
_ASIN = re.compile(r"[A-Z0-9]{10}")
_CURSOR = re.compile(r"[A-Za-z0-9+/=_.-]+")
_VISIBILITIES = ("PUBLIC", "PRIVATE")


def _text(value: object, argument: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(argument, f"expected a string, got {type(value).__name__}")
    if not value:
        raise ValidationError(argument, "must not be empty")
    return value


def user_id(value: object, argument: str = "id") -> str:
    """An Amazon Music user ID: 1 to 64 lowercase letters and digits."""
    text = _text(value, argument)
    if not _USER_ID.fullmatch(text):
        raise ValidationError(argument, f"{text[:80]!r} is not a user ID (1 to 64 lowercase letters and digits)")
    return text


def asin(value: object, argument: str = "id") -> str:
    """An ASIN (artist, playlist and track IDs): 10 uppercase letters and digits."""
    text = _text(value, argument)
    if not _ASIN.fullmatch(text):
        raise ValidationError(argument, f"{text[:80]!r} is not an ASIN (10 uppercase letters and digits)")
    return text


def _id_sequence(values: object, argument: str) -> list[str]:
    """A list from a sequence of IDs or one comma-separated string (a bare string is never split into characters)."""
    if isinstance(values, str):
        return values.split(",")
    if isinstance(values, bytes) or not isinstance(values, Iterable):
        raise ValidationError(argument, f"expected a list of IDs, got {type(values).__name__}")
    return list(values)


def asin_list(values: object, argument: str) -> str:
    """1 to 100 ASINs, joined with commas as the API takes them."""
    items = _id_sequence(values, argument)
    if not items:
        raise ValidationError(argument, "needs at least one ID")
    if len(items) > MAX_IDS_PER_REQUEST:
        raise ValidationError(argument, f"{len(items)} IDs is more than the maximum of {MAX_IDS_PER_REQUEST}")
    return ",".join(asin(item, f"{argument}[{index}]") for index, item in enumerate(items))


def user_id_list(values: object, argument: str = "ids") -> list[str]:
    """One or more user IDs, repeats dropped (the API returns a repeated ID once), first occurrence order kept."""
    items = _id_sequence(values, argument)
    if not items:
        raise ValidationError(argument, "needs at least one user ID")
    checked = (user_id(item, f"{argument}[{index}]") for index, item in enumerate(items))
    return list(dict.fromkeys(checked))


def _count(value: object, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(argument, f"expected an integer, got {type(value).__name__}")
    return value


def page_limit(value: object, maximum: int = MAX_PAGE_SIZE, argument: str = "limit") -> int | None:
    """A page size between 1 and ``maximum``; None leaves the API's default."""
    if value is None:
        return None
    count = _count(value, argument)
    if not 1 <= count <= maximum:
        raise ValidationError(argument, f"{count} is outside 1..{maximum}")
    return count


def max_items(value: object, argument: str = "max_items") -> int | None:
    """How many items to yield at most (0 yields none); None walks to the end."""
    if value is None:
        return None
    count = _count(value, argument)
    if count < 0:
        raise ValidationError(argument, f"{count} is negative")
    return count


def cursor(value: object, argument: str = "cursor") -> str | None:
    """A saved ``pageInfo.token``: opaque, but of the spec's alphabet and length."""
    if value is None:
        return None
    text = _text(value, argument)
    if len(text) > MAX_CURSOR_LENGTH or not _CURSOR.fullmatch(text):
        raise ValidationError(argument, "is not a page token (pass pageInfo.token of a previous page)")
    return text


def display_name(value: object, argument: str = "name") -> str:
    """A display name of 1 to 100 characters."""
    text = _text(value, argument)
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError(argument, f"{len(text)} characters is more than the maximum of {MAX_NAME_LENGTH}")
    return text


def visibility(value: object, argument: str) -> str:
    """PUBLIC or PRIVATE, given as a string or as the generated Visibility enum."""
    text = value.value if isinstance(value, Enum) else value
    if text not in _VISIBILITIES:
        raise ValidationError(argument, f"{text!r} is not one of {', '.join(_VISIBILITIES)}")
    return str(text)
