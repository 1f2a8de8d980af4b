from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.visibility import Visibility
from ..types import Unset

T = TypeVar("T", bound="UpdateUserRequest")


@_attrs_define
class UpdateUserRequest:
    """
    Attributes:
        name (str): The new display name.
        visibility (Visibility): Who can see a profile or its playback.
        playback_visibility (Visibility): Who can see a profile or its playback.
    """

    name: str
    visibility: Visibility
    playback_visibility: Visibility

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("name", self.name),
            ("visibility", self.visibility),
            ("playback_visibility", self.playback_visibility),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"UpdateUserRequest({shown})"

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        visibility = self.visibility.value

        playback_visibility = self.playback_visibility.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "visibility": visibility,
                "playbackVisibility": playback_visibility,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        name = src_dict["name"]

        visibility = Visibility(src_dict["visibility"])

        playback_visibility = Visibility(src_dict["playbackVisibility"])

        update_user_request = cls(
            name,
            visibility,
            playback_visibility,
        )

        return update_user_request
