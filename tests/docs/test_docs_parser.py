"""The docs parser reports what the docs snapshot says, raw, slips included; it refuses a file that is not the page.

These tests read their own frozen copy of the snapshot (tests/docs/snapshots/), never the one `make docs-update`
replaces, so the line numbers and lists below stay true whatever the docs become.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_parser import DocsParseError, DocsSnapshot, Field, load_docs, parse_docs, parse_json_leniently

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


def test_every_operation_is_found_with_its_method_and_path(frozen_docs: DocsSnapshot) -> None:
    found = [(operation.title, operation.endpoint, operation.path_source) for operation in frozen_docs.operations]
    assert found == DOCUMENTED_OPERATIONS
    assert frozen_docs.title == "Web API User V1.0"


def test_scopes_path_and_query_parameters(frozen_docs: DocsSnapshot) -> None:
    assert frozen_docs.operation("Update Current User").scopes == ("music::profile:read",)
    assert frozen_docs.operation("Get User").scopes == ("music::catalog",)
    followed = frozen_docs.operation("Get User's Followed Podcast Shows")
    assert [(p.name, p.type, p.required) for p in followed.path_params] == [("id", "string", True)]
    limit = {p.name: p for p in followed.query_params}["limit"]
    assert (limit.type, limit.required, limit.default, limit.minimum, limit.maximum) == ("number", False, 36, 1, 36)
    assert [p.name for p in followed.query_params] == ["artistIds", "limit", "cursor"]
    tracks_limit = frozen_docs.operation("Get Current User's Library Tracks").query_params[1]
    assert (tracks_limit.name, tracks_limit.default, tracks_limit.minimum, tracks_limit.maximum) == (
        "limit",
        100,
        1,
        100,
    )


def test_an_id_list_bound_is_a_count_not_a_maximum(frozen_docs: DocsSnapshot) -> None:
    (ids,) = frozen_docs.operation("Get Multiple Users").query_params
    assert (ids.name, ids.type, ids.required, ids.max_items, ids.maximum) == ("ids", "string", True, 100, None)


def test_body_fields_with_required_and_enum(frozen_docs: DocsSnapshot) -> None:
    fields = frozen_docs.operation("Update Current User").body_fields
    assert [(f.name, f.type, f.required, f.enum) for f in fields] == [
        ("name", "string", True, ()),
        ("visibility", "string", True, ("PUBLIC", "PRIVATE")),
        ("playbackVisibility", "string", True, ("PUBLIC", "PRIVATE")),
    ]


def test_response_tables_are_reported_as_written(frozen_docs: DocsSnapshot) -> None:
    names = {
        operation.title: [field.name for field in operation.response_fields] for operation in frozen_docs.operations
    }
    assert names["Add Followed Artist For Current User"] == ["followedArtist"]  # the example says followArtist
    assert names["Get Multiple Users"] == ["user"]  # the example says users
    assert names["Update Current User"] == ["updateUser"]


def test_request_examples_are_reported_raw(frozen_docs: DocsSnapshot) -> None:
    podcasts = frozen_docs.operation("Get Current User's Followed Podcast Shows").request_example
    assert podcasts is not None
    assert (podcasts.kind, podcasts.method, podcasts.url) == (
        "url",
        None,
        "https://api.music.amazon.dev/v1/albums?ids=abcd1234,XYZABC123",
    )
    assert (podcasts.path, podcasts.query) == ("/v1/albums", ("ids",))
    followed_users = frozen_docs.operation("Get User's Followed Users").request_example
    assert followed_users is not None
    assert (followed_users.path, followed_users.query) == ("/v1/users/{id}/followed", ("limit",))
    update = frozen_docs.operation("Update Current User").request_example
    assert update is not None and update.body is not None
    assert update.body.value == {"name": "New Name", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}


def test_curl_examples_without_line_continuations_are_flagged(frozen_docs: DocsSnapshot) -> None:
    broken = [op.title for op in frozen_docs.operations if op.request_example and not op.request_example.continued]
    assert broken == [
        "Add Followed Artist For Current User",
        "Remove Followed Artist From Current User",
        "Add Followed User For Current User",
        "Remove Followed User From Current User",
    ]


def test_the_invalid_json_example_is_recorded_and_read_leniently(frozen_docs: DocsSnapshot) -> None:
    invalid = [(op.title, ex) for op in frozen_docs.operations for ex in op.response_examples if not ex.valid]
    assert [title for title, _ in invalid] == ["Get Multiple Users"]
    example = invalid[0][1]
    assert example.problem is not None and "trailing comma on line 765" in example.problem
    assert isinstance(example.value, dict)
    assert [user["id"] for user in example.value["data"]["users"]] == [
        "k35wo4lm34maumbz2vir6xgs7a",
        "q4rno6sdfhqers7dnoiq",
    ]
    assert all(len(op.response_examples) == 1 for op in frozen_docs.operations)


def test_unrepairable_json_keeps_its_problem() -> None:
    example = parse_json_leniently('{"a": ', line=10)
    assert (example.valid, example.value) == (False, None)
    assert example.problem is not None and "line 10" in example.problem


def test_a_comma_inside_a_string_is_not_removed() -> None:
    example = parse_json_leniently('{"a": "x,]", "b": [1, 2,]}')
    assert example.value == {"a": "x,]", "b": [1, 2]}


def test_only_the_group_heading_is_left_uninterpreted(frozen_docs: DocsSnapshot) -> None:
    leftovers = {op.title: op.unrecognised for op in frozen_docs.operations if op.unrecognised}
    assert leftovers == {"Get Current User's Followed Podcast Shows": ("Non-current User",)}


def test_pagination_mentions(frozen_docs: DocsSnapshot) -> None:
    assert frozen_docs.operation("Add Followed Artist For Current User").mentions_pagination
    assert not frozen_docs.operation("Remove Followed Artist From Current User").mentions_pagination


PAGE = "Web API User V1.0\n"
RESPONSE = "Responses\nAmazon Music response object containing:\n" + TABLE_HEADER + "user\n|\nUser\n|\nNo |\nU. |\n"


def _operation(body: str) -> str:
    return PAGE + "Title\nGET\n/me/thing\nAuthorization Scope: [music::catalog]\nWords.\n" + body


UNCLOSED_ROW = _operation("Query Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nNo |\nno closing bar\n")


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("Nothing here\n", 1, "not the User v1 page: no 'Web API User V1.0' title"),
        ("", 1, "the file is empty"),
        (" \n\n", 1, "the file is empty"),
        ("\n<!DOCTYPE html>\n<html><body>Web API User V1.0</body></html>\n", 2, "an HTML page"),
        (PAGE + "Nothing documented.\n", 1, "no operation found"),
        (_operation("Header Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nNo |\nX. |\n"), 7, "unknown table"),
        (_operation("Query Parameters\n" + TABLE_HEADER + "x\n|\nstring\n|\nMaybe |\nX. |\n"), 16, "Required is"),
        (UNCLOSED_ROW, UNCLOSED_ROW.splitlines().index("no closing bar") + 1, "closing"),
        (_operation("Query Parameters\n" + TABLE_HEADER + "x\n|\nstring\n"), 14, "table row 'x' is cut short"),
        (_operation("Query Parameters\nx\n|\nstring\n|\nNo |\nX. |\n"), 7, "is not followed by its table header"),
        (_operation("Example\nwget http://x\n"), 8, "neither a curl command nor a URL"),
        (_operation(RESPONSE + "Example\nnot json\n"), 20, "not JSON"),
        (_operation(RESPONSE + 'Example\n{\n"data": {\n"user": 1\n'), 22, "JSON example opened at line 20 is not"),
        (_operation(RESPONSE + "Example\n{}\n"), 20, ""),  # complete: checked below, never an error
        (_operation(RESPONSE), 18, "'Title' (line 2) has no response example before the end of the file"),
        (_operation("Responses\nExample\n{}\n"), 9, "'Title' (line 2) has no response table"),
        (PAGE + "Title\nAuthorization Scope: [a]\nWords.\n" + RESPONSE + "Example\n{}\n", 2, "neither a METHOD/path"),
    ],
)
def test_malformed_docs_raise_an_error_naming_the_line(text: str, line: int, problem: str) -> None:
    if not problem:
        assert parse_docs(text, source="snap.txt").operations[0].title == "Title"
        return
    with pytest.raises(DocsParseError) as caught:
        parse_docs(text, source="snap.txt")
    assert problem in str(caught.value)
    assert caught.value.line == line, str(caught.value)
    assert str(caught.value).startswith(f"snap.txt:{line}: ")


@pytest.mark.parametrize(
    ("data", "line", "problem"),
    [
        (b"Web API User V1.0\n\x00\x01\x02", 2, "binary data (a NUL byte at offset 18)"),
        (b"Web API User V1.0\nGet\n\xff\xfe\n", 3, "not UTF-8 text (byte 0xff at offset 22)"),
    ],
)
def test_a_binary_file_is_refused_naming_where(tmp_path: Path, data: bytes, line: int, problem: str) -> None:
    snapshot = tmp_path / "snap.bin"
    snapshot.write_bytes(data)
    with pytest.raises(DocsParseError) as caught:
        load_docs(snapshot)
    assert str(caught.value).startswith(f"{snapshot}:{line}: {problem}")


def _truncations(text: str) -> list[tuple[str, str]]:
    """The snapshot cut inside a table row, inside a JSON example, and right after a table heading."""
    table = text.index("Minimum of 1, maximum of 100. |")  # inside the library tracks' limit row
    json_example = text.index('"edgeCount": 2')  # inside the followers' JSON example
    heading = text.index("Query Parameters", json_example) + len("Query Parameters\n")
    return [("mid-table", text[:table]), ("mid-JSON", text[:json_example]), ("after a heading", text[:heading])]


@pytest.mark.parametrize("where", ["mid-table", "mid-JSON", "after a heading"])
def test_a_truncated_snapshot_is_refused_at_its_last_line(frozen_text: str, where: str) -> None:
    cut = dict(_truncations(frozen_text))[where]
    with pytest.raises(DocsParseError) as caught:
        parse_docs(cut, source="cut.txt")
    assert caught.value.line == len(cut.splitlines()), str(caught.value)


# -- bounds, however the docs word them --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("The maximum number of tracks to return (default: 100). Minimum of 1, maximum of 100.", (100, 1, 100, None)),
        ("The maximum number of tracks to return, between 1 and 100 (default: 100).", (100, 1, 100, None)),
        ("The number of tracks, from 1 to 100. Defaults to 100.", (100, 1, 100, None)),
        ("How many tracks: at least 1, at most 100 (default: 100).", (100, 1, 100, None)),
        ("Minimum: 1. Maximum: 100. Default: 100.", (100, 1, 100, None)),
        ("Up to 50 tracks; no fewer than 2.", (None, 2, 50, None)),
        ("A comma-separated list of IDs. Maximum: 100 IDs.", (None, None, None, 100)),
        ("A comma-separated list of IDs, up to 100 IDs.", (None, None, None, 100)),
    ],
)
def test_reworded_bounds_parse_the_same(description: str, expected: tuple[object, ...]) -> None:
    field = _limit_row(description)
    assert (field.default, field.minimum, field.maximum, field.max_items) == expected
    assert field.unparsed == ()


@pytest.mark.parametrize(
    ("description", "unparsed"),
    [
        ("The number of tracks, maximum of one hundred.", (("maximum", "maximum of one hundred"),)),
        ("The number of tracks, at least a few.", (("minimum", "at least a few"),)),
        ("Between one and a hundred tracks.", (("minimum", "Between one and a hundred tracks"),) * 1),
        ("IDs, up to a hundred IDs.", (("max_items", "up to a hundred IDs"),)),
    ],
)
def test_an_unreadable_bound_is_kept_as_not_understood(description: str, unparsed: tuple[tuple[str, str], ...]) -> None:
    field = _limit_row(description)
    assert field.unparsed[: len(unparsed)] == unparsed
    assert (field.minimum, field.maximum) == (None, None)


def _limit_row(description: str) -> Field:
    text = _operation("Query Parameters\n" + TABLE_HEADER + f"limit\n|\nnumber\n|\nNo |\n{description} |\n" + RESPONSE)
    text += "Example\n{}\n"
    (limit,) = parse_docs(text).operations[0].query_params
    return limit
