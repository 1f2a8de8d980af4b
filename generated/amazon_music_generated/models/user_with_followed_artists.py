from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.visibility import Visibility
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserWithFollowedArtists")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "id",
        "followedArtists",
        "name",
        "images",
        "tier",
        "visibility",
        "playbackVisibility",
        "url",
    }
)


@_attrs_define
class UserWithFollowedArtists:
    """A user and one page of the artists they follow.

    Attributes:
        id (str):
        followed_artists (FollowedArtistsConnection):
        name (None | str | Unset):
        images (list[Image] | Unset):
        tier (str | Unset): The subscription tier, for instance UNLIMITED.
        visibility (Visibility | Unset): Who can see a profile or its playback.
        playback_visibility (None | Unset | Visibility): Who can see the user's playback; null when never set.
        url (str | Unset):
    """

    id: str
    followed_artists: FollowedArtistsConnection
    name: None | str | Unset = UNSET
    images: list[Image] | Unset = UNSET
    tier: str | Unset = UNSET
    visibility: Visibility | Unset = UNSET
    playback_visibility: None | Unset | Visibility = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("id", self.id),
            ("followed_artists", self.followed_artists),
            ("name", self.name),
            ("images", self.images),
            ("tier", self.tier),
            ("visibility", self.visibility),
            ("playback_visibility", self.playback_visibility),
            ("url", self.url),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"UserWithFollowedArtists({shown})"

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        followed_artists = self.followed_artists.to_dict()

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        images: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.images, Unset):
            images = []
            for images_item_data in self.images:
                images_item = images_item_data.to_dict()
                images.append(images_item)

        tier = self.tier

        visibility: str | Unset = UNSET
        if not isinstance(self.visibility, Unset):
            visibility = self.visibility.value

        playback_visibility: None | str | Unset
        if isinstance(self.playback_visibility, Unset):
            playback_visibility = UNSET
        elif isinstance(self.playback_visibility, Visibility):
            playback_visibility = self.playback_visibility.value
        else:
            playback_visibility = self.playback_visibility

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "followedArtists": followed_artists,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if images is not UNSET:
            field_dict["images"] = images
        if tier is not UNSET:
            field_dict["tier"] = tier
        if visibility is not UNSET:
            field_dict["visibility"] = visibility
        if playback_visibility is not UNSET:
            field_dict["playbackVisibility"] = playback_visibility
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        id = src_dict["id"]

        followed_artists = FollowedArtistsConnection.from_dict(src_dict["followedArtists"])

        name = src_dict.get("name", UNSET)

        _images = src_dict.get("images", UNSET)
        images: list[Image] | Unset = UNSET
        if _images is not UNSET:
            images = [Image.from_dict(images_item_data) for images_item_data in _images]

        tier = src_dict.get("tier", UNSET)

        _visibility = src_dict.get("visibility", UNSET)
        visibility: Visibility | Unset
        if isinstance(_visibility, Unset):
            visibility = UNSET
        else:
            visibility = Visibility(_visibility)

        _playback_visibility = src_dict.get("playbackVisibility", UNSET)
        playback_visibility: None | Unset | Visibility
        if _playback_visibility is None or isinstance(_playback_visibility, Unset):
            playback_visibility = _playback_visibility
        else:

            def _parse_playback_visibility(data: object) -> None | Unset | Visibility:
                if data is None:
                    return data
                if isinstance(data, Unset):
                    return data
                try:
                    if not isinstance(data, str):
                        raise TypeError()
                    componentsschemas_playback_visibility_type_0 = Visibility(data)

                    return componentsschemas_playback_visibility_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(None | Unset | Visibility, data)

            playback_visibility = _parse_playback_visibility(_playback_visibility)

        url = src_dict.get("url", UNSET)

        user_with_followed_artists = cls(
            id,
            followed_artists,
            name,
            images,
            tier,
            visibility,
            playback_visibility,
            url,
        )

        if len(src_dict) > 2 and not src_dict.keys() <= _KNOWN_KEYS:
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            user_with_followed_artists.additional_properties = d
        return user_with_followed_artists

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
from ..models.followed_artists_connection import FollowedArtistsConnection  # noqa: E402
from ..models.image import Image  # noqa: E402
