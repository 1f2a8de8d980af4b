"""Argument checks run before any request, so a bad argument costs no round trip and names itself in the error.

Every bound, enum, pattern and length is the spec's, read from the operations table (amazon_music_generated.operations,
built from the spec at `make generate`); nothing here is typed by hand but the checks of the client's own paging
arguments (``max_items``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any

from ._errors import ValidationError

if TYPE_CHECKING:
    from amazon_music_generated.operations import Parameter

__all__ = ["argument", "id_list", "max_items"]


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(name, f"expected an integer, got {type(value).__name__}")
    return value


def _text(parameter: Parameter, value: object, name: str) -> str:
    """A string of the parameter's length and pattern (an empty one is never sent)."""
    if not isinstance(value, str):
        raise ValidationError(name, f"expected a string, got {type(value).__name__}")
    if not value:
        raise ValidationError(name, "must not be empty")
    if parameter.max_length is not None and len(value) > parameter.max_length:
        raise ValidationError(name, f"{len(value)} characters is more than the maximum of {parameter.max_length}")
    if parameter.min_length is not None and len(value) < parameter.min_length:
        raise ValidationError(name, f"{len(value)} characters is fewer than the minimum of {parameter.min_length}")
    if parameter.pattern is not None and not _pattern(parameter.pattern).search(value):
        raise ValidationError(name, f"{value[:80]!r} is not {_what(parameter)} (pattern {parameter.pattern})")
    return value


def _what(parameter: Parameter) -> str:
    """What the value should be, from the spec's description: "an Amazon Music user ID"."""
    if parameter.kind == "list":
        return "an ID of this list"
    first = re.split(r"[.;]\s", parameter.description + " ", maxsplit=1)[0].rstrip(".")
    return first[:1].lower() + first[1:] if first[:2] in ("A ", "An", "Th") else f"valid ({first})"


def _items(values: object, name: str) -> list[object]:
    """A list from a sequence of IDs or one comma-separated string (a bare string is never split into characters)."""
    if isinstance(values, str):
        return list(values.split(","))
    if isinstance(values, bytes) or not isinstance(values, Iterable):
        raise ValidationError(name, f"expected a list of IDs, got {type(values).__name__}")
    return list(values)


def id_list(parameter: Parameter, values: object, *, any_count: bool = False) -> list[str]:
    """The items of a list parameter, each checked; with ``any_count`` (a chunked parameter) repeats are dropped
    (the API returns a repeated ID once) and the count is not bounded, else at most the parameter's count."""
    name = parameter.python_name
    items = _items(values, name)
    if not items:
        raise ValidationError(name, "needs at least one ID")
    if not any_count and parameter.max_count is not None and len(items) > parameter.max_count:
        raise ValidationError(name, f"{len(items)} IDs is more than the maximum of {parameter.max_count}")
    checked = [_text(parameter, item, f"{name}[{index}]") for index, item in enumerate(items)]
    return list(dict.fromkeys(checked)) if any_count else checked


def argument(parameter: Parameter, value: object) -> Any:
    """The value as the request sends it (a list joined with commas, an enum by its value), or None when it is left
    out; a ValidationError naming the argument when the spec does not allow it."""
    name = parameter.python_name
    if value is None:
        if parameter.required:
            raise ValidationError(name, "is required")
        return None
    if parameter.enum:
        text = value.value if isinstance(value, Enum) else value
        if text not in parameter.enum:
            raise ValidationError(name, f"{text!r} is not one of {', '.join(parameter.enum)}")
        return text
    kind = parameter.kind
    if kind == "integer":
        number = _count(value, name)
        if (parameter.minimum is not None and number < parameter.minimum) or (
            parameter.maximum is not None and number > parameter.maximum
        ):
            raise ValidationError(name, f"{number} is outside {_bounds(parameter)}")
        return number
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(name, f"expected a number, got {type(value).__name__}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValidationError(name, f"expected True or False, got {type(value).__name__}")
        return value
    if kind == "list":
        return ",".join(id_list(parameter, value))
    return _text(parameter, value, name)


def _bounds(parameter: Parameter) -> str:
    low = "" if parameter.minimum is None else f"{parameter.minimum:g}"
    high = "" if parameter.maximum is None else f"{parameter.maximum:g}"
    return f"{low}..{high}"


def max_items(value: object, name: str = "max_items") -> int | None:
    """How many items to yield at most (0 yields none); None walks to the end."""
    if value is None:
        return None
    count = _count(value, name)
    if count < 0:
        raise ValidationError(name, f"{count} is negative")
    return count
