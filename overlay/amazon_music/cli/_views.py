"""How results show: tables whose columns come from the items themselves (the API's fields, by their JSON names), a
profile as label/value pairs, a follow result as one sentence; JSON is the API's own (the models' ``to_dict``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["columns", "count", "follow_sentence", "label", "record_fields", "row", "text", "to_json"]

# Fields a table leaves out: long, and one command away (--json shows them).
_HIDDEN = frozenset({"url", "images"})
_ACRONYMS = {"id": "ID", "url": "URL"}


def text(value: object) -> str:
    """A field for a table: empty when the API left it out (UNSET) or null; enums by value."""
    from amazon_music_generated.types import Unset

    if value is None or isinstance(value, Unset):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def to_json(item: Any) -> dict[str, Any]:
    """The item as the API sends it (camelCase names; fields the API left out stay out)."""
    data: dict[str, Any] = item.to_dict()
    return data


def label(name: str) -> str:
    """``playbackVisibility`` -> ``Playback visibility``; ``id`` -> ``ID``."""
    words = [word.lower() for word in re.findall(r"[a-z0-9]+|[A-Z][a-z0-9]*", name)]
    shown = [_ACRONYMS.get(word, word) for word in words] or [name]
    return " ".join([shown[0][:1].upper() + shown[0][1:], *shown[1:]])


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """An edge's node fields first, then the edge's own (a library track: ID, Title, Uploaded, Purchased)."""
    node = data.get("node")
    own = {key: value for key, value in data.items() if key != "node"}
    return {**node, **own} if isinstance(node, dict) else own


def columns(items: Sequence[dict[str, Any]]) -> list[str]:
    """The fields worth a column: every scalar field some item has, in the API's order."""
    seen: dict[str, None] = {}
    for item in items:
        for key, value in _flat(item).items():
            if key not in _HIDDEN and value is not None and not isinstance(value, dict | list):
                seen.setdefault(key)
    return list(seen) or ["id"]


def row(item: dict[str, Any], fields: Sequence[str]) -> list[str]:
    flat = _flat(item)
    return [_shown(flat.get(field)) for field in fields]


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(part.get("url", part)) if isinstance(part, dict) else str(part) for part in value)
    return str(value)


def count(number: int, noun: str) -> str:
    return f"{number} {noun if number == 1 else noun + 's'}"


def record_fields(item: Any) -> list[tuple[str, str]]:
    """An object (a profile) as label/value pairs, every field the API sent, lists of images by their URLs."""
    data = to_json(item)
    order = sorted(data, key=lambda key: isinstance(data[key], list))  # lists (images) last, each group in API order
    return [(label(key), _shown(data[key])) for key in order]


def follow_sentence(result: Any) -> str | None:
    """``Following artist Coldplay (B000QKGN8W)`` for a result that carries a followState, else None."""
    data = to_json(result)
    state = data.pop("followState", None)
    targets = [(key, value) for key, value in data.items() if isinstance(value, dict)]
    if state is None or len(targets) != 1:
        return None
    kind, target = targets[0]
    name = target.get("name")
    who = f"{name} ({target['id']})" if name else str(target.get("id"))
    return f"{'Following' if state == 'FOLLOW' else 'Not following'} {kind} {who}"
