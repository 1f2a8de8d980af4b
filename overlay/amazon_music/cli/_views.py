"""How each kind of item shows: its table columns, and its JSON (the API's own field names, from the models)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ARTISTS",
    "LIBRARY_TRACKS",
    "PLAYLISTS",
    "PODCAST_SHOWS",
    "PROFILES",
    "USERS",
    "View",
    "profile_fields",
    "text",
    "to_json",
]


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


def _field(name: str) -> Callable[[Any], str]:
    return lambda item: text(getattr(item, name))


def _node_field(name: str) -> Callable[[Any], str]:
    return lambda edge: text(getattr(edge.node, name))


@dataclass(frozen=True)
class View:
    noun: str  # singular, for messages
    plural: str
    columns: Sequence[tuple[str, Callable[[Any], str]]]

    def row(self, item: Any) -> list[str]:
        return [get(item) for _, get in self.columns]

    def count(self, number: int) -> str:
        return f"{number} {self.noun if number == 1 else self.plural}"


USERS = View("user", "users", (("ID", _field("id")), ("Name", _field("name"))))
PROFILES = View(
    "user",
    "users",
    (("ID", _field("id")), ("Name", _field("name")), ("Tier", _field("tier")), ("Visibility", _field("visibility"))),
)
ARTISTS = View("artist", "artists", (("ID", _field("id")), ("Name", _field("name"))))
PLAYLISTS = View("playlist", "playlists", (("ID", _field("id")), ("Name", _field("name"))))
PODCAST_SHOWS = View("podcast show", "podcast shows", (("ID", _field("id")), ("Title", _field("title"))))
LIBRARY_TRACKS = View(
    "track",
    "tracks",
    (
        ("ID", _node_field("id")),
        ("Title", _node_field("title")),
        ("Uploaded", lambda edge: text(edge.uploaded)),
        ("Purchased", lambda edge: text(edge.purchased)),
    ),
)


def profile_fields(user: Any) -> list[tuple[str, str]]:
    """A user's profile as label/value pairs."""
    from amazon_music_generated.types import Unset

    images = [] if isinstance(user.images, Unset) else [image.url for image in user.images]
    return [
        ("ID", text(user.id)),
        ("Name", text(user.name)),
        ("Tier", text(user.tier)),
        ("Visibility", text(user.visibility)),
        ("Playback visibility", text(user.playback_visibility)),
        ("URL", text(user.url)),
        ("Images", ", ".join(images)),
    ]
