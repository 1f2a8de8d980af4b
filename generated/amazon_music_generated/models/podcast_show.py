from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PodcastShow")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "id",
        "title",
        "url",
    }
)


@_attrs_define
class PodcastShow:
    """A podcast show; its ID is a UUID.

    Attributes:
        id (str):
        title (str | Unset):
        url (str | Unset):
    """

    id: str
    title: str | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("id", self.id),
            ("title", self.title),
            ("url", self.url),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"PodcastShow({shown})"

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        title = self.title

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if title is not UNSET:
            field_dict["title"] = title
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        id = src_dict["id"]

        title = src_dict.get("title", UNSET)

        url = src_dict.get("url", UNSET)

        podcast_show = cls(
            id,
            title,
            url,
        )

        if len(src_dict) > 1 and not src_dict.keys() <= _KNOWN_KEYS:
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            podcast_show.additional_properties = d
        return podcast_show

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
