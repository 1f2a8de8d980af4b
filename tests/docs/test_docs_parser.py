"""The docs parser reports what the docs snapshot says, raw, slips included."""

from __future__ import annotations

import pytest
from docs_parser import DocsParseError, DocsSnapshot, parse_docs, parse_json_leniently

# Every documented operation: its title, where the docs put it, and where that came from. "heading" paths come from
# the METHOD/path lines under the title; the others from the request example, the page's only statement of the path.
DOCUMENTED_OPERATIONS = [
    ("Get Current User", "GET /v1/me", "example"),
    ("Update Current User", "PUT /v1/me", "example"),
    ("Get Current User's Library Tracks", "GET /v1/me/library/tracks", "example"),
    ("Get Current User Followers", "GET /v1/me/followers", "example"),
    ("Get Current User's Followed Users", "GET /v1/me/followed/users", "example"),
    ("Get Current User's Followed Playlists", "GET /v1/me/followed/playlists", "heading"),
    ("Add Followed Artist For Current User", "PUT /v1/me/followed/artists/{id}", "heading"),
    ("Remove Followed Artist From Current User", "DELETE /v1/me/followed/artists/{id}", "heading"),
    ("Add Followed User For Current User", "PUT /v1/me/followed/users/{id}", "heading"),
    ("Remove Followed User From Current User", "DELETE /v1/me/followed/users/{id}", "heading"),
    ("Get Current User's Followed Podcast Shows", "GET /v1/me/followed/podcasts/shows", "heading"),
    ("Get User", "GET /v1/users/{id}", "example"),
    ("Get Multiple Users", "GET /v1/users", "example"),
    ("Get User's Followers", "GET /v1/users/{id}/followers", "heading"),
    ("Get User's Followed Users", "GET /v1/users/{id}/followed/users", "heading"),
    ("Get User's Followed Artists", "GET /v1/users/{id}/followed/artists", "heading"),
    ("Get User's Followed Podcast Shows", "GET /v1/users/{id}/followed/podcasts/shows", "heading"),
]

TABLE_HEADER = "Name |\nData Type |\nRequired |\nDescription |\n"


def test_every_operation_is_found_with_its_method_and_path(docs: DocsSnapshot) -> None:
    found = [(operation.title, operation.endpoint, operation.path_source) for operation in docs.operations]
    assert found == DOCUMENTED_OPERATIONS
    assert docs.title == "Web API User V1.0"


def test_scopes_path_and_query_parameters(docs: DocsSnapshot) -> None:
    assert docs.operation("Update Current User").scopes == ("music::profile:read",)
    assert docs.operation("Get User").scopes == ("music::catalog",)
    followed = docs.operation("Get User's Followed Podcast Shows")
    assert [(p.name, p.type, p.required) for p in followed.path_params] == [("id", "string", True)]
    limit = {p.name: p for p in followed.query_params}["limit"]
    assert (limit.type, limit.required, limit.default, limit.minimum, limit.maximum) == ("number", False, 36, 1, 36)
    assert [p.name for p in followed.query_params] == ["artistIds", "limit", "cursor"]
    tracks_limit = docs.operation("Get Current User's Library Tracks").query_params[1]
    assert (tracks_limit.name, tracks_limit.default, tracks_limit.minimum, tracks_limit.maximum) == (
        "limit",
        100,
        1,
        100,
    )


def test_an_id_list_bound_is_a_count_not_a_maximum(docs: DocsSnapshot) -> None:
    (ids,) = docs.operation("Get Multiple Users").query_params
    assert (ids.name, ids.type, ids.required, ids.max_items, ids.maximum) == ("ids", "string", True, 100, None)


def test_body_fields_with_required_and_enum(docs: DocsSnapshot) -> None:
    fields = docs.operation("Update Current User").body_fields
    assert [(f.name, f.type, f.required, f.enum) for f in fields] == [
        ("name", "string", True, ()),
        ("visibility", "string", True, ("PUBLIC", "PRIVATE")),
        ("playbackVisibility", "string", True, ("PUBLIC", "PRIVATE")),
    ]


def test_response_tables_are_reported_as_written(docs: DocsSnapshot) -> None:
    names = {operation.title: [field.name for field in operation.response_fields] for operation in docs.operations}
    assert names["Add Followed Artist For Current User"] == ["followedArtist"]  # the example says followArtist
    assert names["Get Multiple Users"] == ["user"]  # the example says users
    assert names["Update Current User"] == ["updateUser"]


def test_request_examples_are_reported_raw(docs: DocsSnapshot) -> None:
    podcasts = docs.operation("Get Current User's Followed Podcast Shows").request_example
    assert podcasts is not None
    assert (podcasts.kind, podcasts.method, podcasts.url) == (
        "url",
        None,
        "https://api.music.amazon.dev/v1/albums?ids=abcd1234,XYZABC123",
    )
    assert (podcasts.path, podcasts.query) == ("/v1/albums", ("ids",))
    followed_users = docs.operation("Get User's Followed Users").request_example
    assert followed_users is not None
    assert (followed_users.path, followed_users.query) == ("/v1/users/{id}/followed", ("limit",))
    update = docs.operation("Update Current User").request_example
    assert update is not None and update.body is not None
    assert update.body.value == {"name": "New Name", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}


def test_curl_examples_without_line_continuations_are_flagged(docs: DocsSnapshot) -> None:
    broken = [op.title for op in docs.operations if op.request_example and not op.request_example.continued]
    assert broken == [
        "Add Followed Artist For Current User",
        "Remove Followed Artist From Current User",
        "Add Followed User For Current User",
        "Remove Followed User From Current User",
    ]


def test_the_invalid_json_example_is_recorded_and_read_leniently(docs: DocsSnapshot) -> None:
    invalid = [(op.title, ex) for op in docs.operations for ex in op.response_examples if not ex.valid]
    assert [title for title, _ in invalid] == ["Get Multiple Users"]
    example = invalid[0][1]
    assert example.problem is not None and "trailing comma on line 765" in example.problem
    assert isinstance(example.value, dict)
    assert [user["id"] for user in example.value["data"]["users"]] == [
        "k35wo4lm34maumbz2vir6xgs7a",
        "q4rno6sdfhqers7dnoiq",
    ]
    assert all(len(op.response_examples) == 1 for op in docs.operations)


def test_unrepairable_json_keeps_its_problem() -> None:
    example = parse_json_leniently('{"a": ', line=10)
    assert (example.valid, example.value) == (False, None)
    assert example.problem is not None and "line 10" in example.problem


def test_a_comma_inside_a_string_is_not_removed() -> None:
    example = parse_json_leniently('{"a": "x,]", "b": [1, 2,]}')
    assert example.value == {"a": "x,]", "b": [1, 2]}


def test_only_the_group_heading_is_left_uninterpreted(docs: DocsSnapshot) -> None:
    leftovers = {op.title: op.unrecognised for op in docs.operations if op.unrecognised}
    assert leftovers == {"Get Current User's Followed Podcast Shows": ("Non-current User",)}


def test_pagination_mentions(docs: DocsSnapshot) -> None:
    assert docs.operation("Add Followed Artist For Current User").mentions_pagination
    assert not docs.operation("Remove Followed Artist From Current User").mentions_pagination


def _operation(body: str) -> str:
    return "Title\nGET\n/me/thing\nAuthorization Scope: [music::catalog]\nWords.\n" + body


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("Nothing here\n", 1, "no operation found"),
        (_operation("Header Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nNo |\nX. |\n"), 6, "unknown table"),
        (_operation("Query Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nMaybe |\nX. |\n"), 15, "Required is"),
        (_operation("Query Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nNo |\nno closing bar\n"), 16, "closing"),
        (_operation("Example\nwget http://x\n"), 7, "neither a curl command nor a URL"),
        (_operation("Responses\nExample\nnot json\n"), 8, "not JSON"),
        ("Title\nAuthorization Scope: [a]\nWords.\n", 1, "neither a METHOD/path line nor a request example"),
    ],
)
def test_malformed_docs_raise_an_error_naming_the_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(DocsParseError) as caught:
        parse_docs(text, source="snap.txt")
    assert caught.value.line == line
    assert problem in str(caught.value)
    assert str(caught.value).startswith(f"snap.txt:{line}: ")
