from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Artist")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "id",
        "name",
        "url",
    }
)


@_attrs_define
class Artist:
    """An artist.

    Attributes:
        id (str):
        name (str | Unset):
        url (str | Unset):
    """

    id: str
    name: str | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("id", self.id),
            ("name", self.name),
            ("url", self.url),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"Artist({shown})"

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        id = src_dict["id"]

        name = src_dict.get("name", UNSET)

        url = src_dict.get("url", UNSET)

        artist = cls(
            id,
            name,
            url,
        )

        if len(src_dict) > 1 and not src_dict.keys() <= _KNOWN_KEYS:
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            artist.additional_properties = d
        return artist

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
