from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Image")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "url",
        "height",
        "width",
        "imageType",
    }
)


@_attrs_define
class Image:
    """A picture, with its size in pixels (0 when unknown).

    Attributes:
        url (str):
        height (int | Unset):
        width (int | Unset):
        image_type (str | Unset): What the image shows, for instance PROFILE.
    """

    url: str
    height: int | Unset = UNSET
    width: int | Unset = UNSET
    image_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("url", self.url),
            ("height", self.height),
            ("width", self.width),
            ("image_type", self.image_type),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"Image({shown})"

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        height = self.height

        width = self.width

        image_type = self.image_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
            }
        )
        if height is not UNSET:
            field_dict["height"] = height
        if width is not UNSET:
            field_dict["width"] = width
        if image_type is not UNSET:
            field_dict["imageType"] = image_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        url = src_dict["url"]

        height = src_dict.get("height", UNSET)

        width = src_dict.get("width", UNSET)

        image_type = src_dict.get("imageType", UNSET)

        image = cls(
            url,
            height,
            width,
            image_type,
        )

        if len(src_dict) > 1 and not src_dict.keys() <= _KNOWN_KEYS:
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            image.additional_properties = d
        return image

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
