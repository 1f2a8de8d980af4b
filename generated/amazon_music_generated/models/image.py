from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Image")


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
        d = dict(src_dict)
        url = d.pop("url")

        height = d.pop("height", UNSET)

        width = d.pop("width", UNSET)

        image_type = d.pop("imageType", UNSET)

        image = cls(
            url=url,
            height=height,
            width=width,
            image_type=image_type,
        )

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
