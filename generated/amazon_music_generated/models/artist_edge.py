from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ArtistEdge")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "node",
    }
)


@_attrs_define
class ArtistEdge:
    """
    Attributes:
        node (Artist): An artist.
    """

    node: Artist
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("node", self.node),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"ArtistEdge({shown})"

    def to_dict(self) -> dict[str, Any]:
        node = self.node.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "node": node,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        node = Artist.from_dict(src_dict["node"])

        artist_edge = cls(
            node,
        )

        if len(src_dict) > 1:  # every required key was read above
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            artist_edge.additional_properties = d
        return artist_edge

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# After the class: the models refer to each other, so an import at the top could be circular.
from ..models.artist import Artist  # noqa: E402
