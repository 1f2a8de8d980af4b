"""The generated models' from_dict, as the custom templates in spec/templates/ make it (issue 7: faster parsing).

The templates change how from_dict reads a body, not what it returns: these pin the behaviour the overlay and users
rely on, which a template change could break (unknown keys kept, absent and null told apart, tolerant unions,
KeyError naming a missing required field).
"""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

import pytest

from amazon_music_generated.models import FollowersResponse, PageInfo, User, UserEdge, UserResponse, Visibility
from amazon_music_generated.types import UNSET


def node(i: int) -> dict[str, Any]:
    return {"id": f"user{i:04d}", "name": f"User {i}", "url": f"https://music.amazon.com/profiles/user{i:04d}"}


def followers_page(edges: int = 3) -> dict[str, Any]:
    return {
        "data": {
            "user": {
                "id": "me",
                "followers": {
                    "pageInfo": {"hasNextPage": True, "token": "next"},
                    "edgeCount": edges,
                    "edges": [{"node": node(i)} for i in range(edges)],
                },
            }
        }
    }


def test_a_page_parses_into_nodes_in_order_and_round_trips() -> None:
    body = followers_page(5)
    page = FollowersResponse.from_dict(body)
    connection = page.data.user.followers
    assert [edge.node.id for edge in connection.edges] == [f"user{i:04d}" for i in range(5)]
    assert connection.page_info.has_next_page is True and connection.page_info.token == "next"
    assert page.to_dict() == body


def test_unknown_keys_are_kept_at_every_level_and_written_back() -> None:
    body = followers_page(2)
    body["requestId"] = "r1"
    body["data"]["user"]["followers"]["edges"][1]["cursor"] = "c1"
    body["data"]["user"]["followers"]["edges"][1]["node"]["badge"] = {"kind": "new"}
    page = FollowersResponse.from_dict(body)
    assert page.additional_properties == {"requestId": "r1"}
    second = page.data.user.followers.edges[1]
    assert second.additional_properties == {"cursor": "c1"}
    assert second.node.additional_properties == {"badge": {"kind": "new"}}
    assert second.node["badge"] == {"kind": "new"}
    assert page.data.user.followers.edges[0].node.additional_keys == []
    assert page.to_dict() == body


def test_from_dict_leaves_its_input_alone_and_accepts_any_mapping() -> None:
    body = followers_page(2)
    body["data"]["user"]["extra"] = 1
    before = copy.deepcopy(body)
    page = FollowersResponse.from_dict(MappingProxyType(body))
    assert body == before
    page.data.user.additional_properties["added"] = 2  # the model's dict is its own, not the body's
    assert "added" not in body["data"]["user"]


def test_models_without_unknown_keys_do_not_share_their_additional_properties() -> None:
    first, second = (User.from_dict({"id": "a"}), User.from_dict({"id": "b"}))
    first["note"] = "x"
    assert second.additional_properties == {} and first.additional_properties == {"note": "x"}


def test_absent_null_and_present_fields_are_told_apart() -> None:
    absent = User.from_dict({"id": "a"})
    assert absent.name is UNSET and absent.playback_visibility is UNSET and absent.images is UNSET
    nulls = User.from_dict({"id": "a", "name": None, "playbackVisibility": None})
    assert nulls.name is None and nulls.playback_visibility is None
    full = User.from_dict(
        {
            "id": "a",
            "name": "Ann",
            "images": [{"url": "https://img.example/a.png", "height": 1, "width": 2}],
            "visibility": "PRIVATE",
            "playbackVisibility": "PUBLIC",
        }
    )
    assert full.visibility is Visibility.PRIVATE and full.playback_visibility is Visibility.PUBLIC
    assert isinstance(full.images, list) and full.images[0].url == "https://img.example/a.png"
    assert nulls.to_dict() == {"id": "a", "name": None, "playbackVisibility": None}


def test_a_nullable_enum_keeps_a_value_it_does_not_know_as_is() -> None:
    # the union's tolerance: an unknown value is not an error there (a plain enum field raises, see below)
    user = User.from_dict({"id": "a", "playbackVisibility": "FRIENDS_ONLY"})
    assert user.playback_visibility == "FRIENDS_ONLY"
    with pytest.raises(ValueError, match="FRIENDS_ONLY"):
        User.from_dict({"id": "a", "visibility": "FRIENDS_ONLY"})


@pytest.mark.parametrize(
    ("model", "body", "missing"),
    [
        (User, {"name": "no id"}, "id"),
        (UserEdge, {"cursor": "x"}, "node"),
        (PageInfo, {"token": "t"}, "hasNextPage"),
        (UserResponse, {"data": {"user": {"name": "no id"}}}, "id"),
    ],
)
def test_a_missing_required_field_raises_key_error_naming_it(model: Any, body: dict[str, Any], missing: str) -> None:
    with pytest.raises(KeyError) as caught:
        model.from_dict(body)
    assert caught.value.args == (missing,)


@pytest.mark.parametrize("wrong", ["a string", ["a", "list"], 42, None])
def test_a_non_object_where_an_object_belongs_raises_a_parse_error(wrong: object) -> None:
    # the overlay turns these (KeyError, TypeError, ValueError, AttributeError) into MalformedResponseError
    with pytest.raises((TypeError, ValueError, AttributeError)):
        UserResponse.from_dict({"data": wrong})
