from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="FollowersConnection")
# The keys from_dict reads as fields; any other key of the body goes to additional_properties.
_KNOWN_KEYS = frozenset(
    {
        "pageInfo",
        "edgeCount",
        "edges",
    }
)


@_attrs_define
class FollowersConnection:
    """
    Attributes:
        page_info (PageInfo): Where this page sits. `token` is present exactly when `hasNextPage` is true.
        edge_count (int): The number of edges on this page.
        edges (list[UserEdge]):
    """

    page_info: PageInfo
    edge_count: int
    edges: list[UserEdge]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def __repr__(self) -> str:
        """The fields that are set: one absent from the body (UNSET) is left out, as are no additional properties."""
        fields: tuple[tuple[str, Any], ...] = (
            ("page_info", self.page_info),
            ("edge_count", self.edge_count),
            ("edges", self.edges),
            ("additional_properties", self.additional_properties or UNSET),
        )
        shown = ", ".join(f"{name}={value!r}" for name, value in fields if not isinstance(value, Unset))
        return f"FollowersConnection({shown})"

    def to_dict(self) -> dict[str, Any]:
        page_info = self.page_info.to_dict()

        edge_count = self.edge_count

        edges = []
        for edges_item_data in self.edges:
            edges_item = edges_item_data.to_dict()
            edges.append(edges_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pageInfo": page_info,
                "edgeCount": edge_count,
                "edges": edges,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        page_info = PageInfo.from_dict(src_dict["pageInfo"])

        edge_count = src_dict["edgeCount"]

        edges = [UserEdge.from_dict(edges_item_data) for edges_item_data in src_dict["edges"]]

        followers_connection = cls(
            page_info,
            edge_count,
            edges,
        )

        if len(src_dict) > 3:  # every required key was read above
            d = {key: value for key, value in src_dict.items() if key not in _KNOWN_KEYS}
            followers_connection.additional_properties = d
        return followers_connection

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
from ..models.page_info import PageInfo  # noqa: E402
from ..models.user_edge import UserEdge  # noqa: E402
