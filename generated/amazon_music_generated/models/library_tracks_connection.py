from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.library_track_edge import LibraryTrackEdge
    from ..models.page_info import PageInfo


T = TypeVar("T", bound="LibraryTracksConnection")


@_attrs_define
class LibraryTracksConnection:
    """
    Attributes:
        page_info (PageInfo): Where this page sits. `token` is present exactly when `hasNextPage` is true.
        edge_count (int): The number of edges on this page.
        edges (list[LibraryTrackEdge]):
    """

    page_info: PageInfo
    edge_count: int
    edges: list[LibraryTrackEdge]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

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
        from ..models.library_track_edge import LibraryTrackEdge  # noqa: PLC0415
        from ..models.page_info import PageInfo  # noqa: PLC0415

        d = dict(src_dict)
        page_info = PageInfo.from_dict(d.pop("pageInfo"))

        edge_count = d.pop("edgeCount")

        edges = []
        _edges = d.pop("edges")
        for edges_item_data in _edges:
            edges_item = LibraryTrackEdge.from_dict(edges_item_data)

            edges.append(edges_item)

        library_tracks_connection = cls(
            page_info=page_info,
            edge_count=edge_count,
            edges=edges,
        )

        library_tracks_connection.additional_properties = d
        return library_tracks_connection

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
