"""The drift tool (scripts/docs_diff.py) on altered copies of the docs snapshot: each alteration is reported exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from build_errata import SPEC_PATH
from docs_diff import ADDED, CHANGED, DOCS_FIXTURE, REMOVED, Difference, compare, main, unexcused
from docs_parser import load_docs

NEW_ENDPOINT = """Get User's Followed Playlists
GET
/users/{id}/followed/playlists
Authorization Scope: [music::catalog]
Get a list of a public Amazon Music user's followed playlists.
Path Parameters
Name |
Data Type |
Required |
Description |
id
|
string
|
Yes |
The ID of the Amazon Music user whose followed playlists should be retrieved. |
Example
curl --request GET '<base url>/v1/users/zqll6htnhybrewrqsrtrhdvaa/followed/playlists' \\
--header 'x-api-key: <your security profile ID>' \\
--header 'Authorization: Bearer <your auth token>'
Responses
Amazon Music response object containing:
Name |
Data Type |
Required |
Description |
user
|
User
|
No |
Data about the specified Amazon Music user and their followed playlists |
Example
{
"data": {
"user": {
"id": "zqll6htnhybrewrqsrtrhdvaa",
"followedPlaylists": {"pageInfo": {"hasNextPage": false}, "edgeCount": 0, "edges": []}
}
}
}
"""

NEW_RESPONSE_ROW = """Data about the current Amazon Music user, including followers |
etag
|
string
|
No |
A version tag of the user's followers list |
"""


def alter(text: str, title: str, old: str, new: str) -> str:
    """The snapshot with the first `old` after the operation titled `title` replaced by `new`."""
    start = text.index(f"\n{title}\n")
    position = text.index(old, start)
    return text[:position] + new + text[position + len(old) :]


def drift_of(tmp_path: Path, text: str, spec: dict[str, Any]) -> list[Difference]:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(text, encoding="utf-8")
    return unexcused(compare(load_docs(snapshot), spec))


def new_drift(tmp_path: Path, original: str, altered: str, spec: dict[str, Any]) -> list[Difference]:
    """The drift the alteration brought; the drift of the unaltered snapshot (tested separately) stays as it was."""
    before = drift_of(tmp_path, original, spec)
    after = drift_of(tmp_path, altered, spec)
    assert [d for d in before if d not in after] == []
    return [d for d in after if d not in before]


ALTERATIONS = [
    (
        "an added endpoint",
        lambda text: text.rstrip("\n") + "\n" + NEW_ENDPOINT,
        [
            Difference(
                "GET /v1/users/{id}/followed/playlists",
                "GET /v1/users/{id}/followed/playlists",
                "operation",
                "operation",
                ADDED,
                "Get User's Followed Playlists",
                None,
            )
        ],
    ),
    (
        "a changed default",
        lambda text: alter(text, "Get Current User Followers", "(default: 100)", "(default: 50)"),
        [Difference("getCurrentUserFollowers", "GET /v1/me/followers", "query:limit", "default", CHANGED, "50", "100")],
    ),
    (
        "a changed bound",
        lambda text: alter(text, "Get User's Followers", "maximum of 100", "maximum of 50"),
        [
            Difference(
                "getUserFollowers", "GET /v1/users/{id}/followers", "query:limit", "maximum", CHANGED, "50", "100"
            )
        ],
    ),
    (
        "a changed type",
        lambda text: alter(text, "Get Multiple Users", "ids\n|\nstring\n", "ids\n|\narray\n"),
        [Difference("getUsers", "GET /v1/users", "query:ids", "type", CHANGED, "array", "string")],
    ),
    (
        "a removed parameter",
        lambda text: alter(
            text,
            "Get User's Followed Artists",
            "cursor\n|\nstring\n|\nNo |\nThe cursor/token for the page to continue pagination results from. |\n",
            "",
        ),
        [
            Difference(
                "getUserFollowedArtists",
                "GET /v1/users/{id}/followed/artists",
                "query:cursor",
                "parameter",
                REMOVED,
                None,
                "cursor",
            )
        ],
    ),
    (
        "an added parameter",
        lambda text: alter(
            text,
            "Get Current User Followers",
            "cursor\n|\n",
            "market\n|\nstring\n|\nNo |\nThe marketplace. |\ncursor\n|\n",
        ),
        [
            Difference(
                "getCurrentUserFollowers", "GET /v1/me/followers", "query:market", "parameter", ADDED, "market", None
            )
        ],
    ),
    (
        "a changed scope",
        lambda text: alter(text, "Get User's Followers", "[music::catalog]", "[music::favorites:read]"),
        [
            Difference(
                "getUserFollowers",
                "GET /v1/users/{id}/followers",
                "scope",
                "scopes",
                CHANGED,
                "music::favorites:read",
                "music::catalog",
            )
        ],
    ),
    (
        "a new response field in the table",
        lambda text: alter(
            text,
            "Get Current User Followers",
            "Data about the current Amazon Music user, including followers |\n",
            NEW_RESPONSE_ROW,
        ),
        [
            Difference(
                "getCurrentUserFollowers", "GET /v1/me/followers", "response", "field", ADDED, "etag", None, "etag"
            )
        ],
    ),
    (
        "a new response field in the example",
        lambda text: alter(
            text, "Get Current User Followers", '"name": "Tony Starked",\n', '"name": "Tony Starked",\n"tier": "X",\n'
        ),
        [
            Difference(
                "getCurrentUserFollowers",
                "GET /v1/me/followers",
                "response",
                "example key",
                ADDED,
                "data.user.tier",
                None,
                "data.user.tier",
            ),
        ],
    ),
    (
        "a docs fix that an erratum corrected: the correction stands aside",
        lambda text: alter(text, "Get Multiple Users", "},\n]", "}\n]"),
        [],
    ),
    (
        "a docs change to a value an erratum records: the erratum no longer excuses",
        lambda text: alter(text, "Update Current User", "[music::profile:read]", "[music::library:read]"),
        [
            Difference(
                "updateCurrentUser", "PUT /v1/me", "scope", "scopes", CHANGED, "music::library:read", "music::profile"
            )
        ],
    ),
]


@pytest.mark.parametrize(("alteration", "expected"), [a[1:] for a in ALTERATIONS], ids=[a[0] for a in ALTERATIONS])
def test_each_alteration_is_reported_exactly(
    tmp_path: Path, docs_text: str, spec: dict[str, Any], alteration: Any, expected: list[Difference]
) -> None:
    assert new_drift(tmp_path, docs_text, alteration(docs_text), spec) == expected


def test_the_unaltered_snapshot_reports_no_drift(docs_text: str, spec: dict[str, Any], tmp_path: Path) -> None:
    drift = drift_of(tmp_path, docs_text, spec)
    assert drift == [], "\n".join(d.message() for d in drift)


def test_the_command_prints_no_drift_for_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(DOCS_FIXTURE)])
    out = capsys.readouterr().out
    assert (code, out) == (0, "no drift\n"), out


def test_the_command_reports_drift_and_exits_1(
    tmp_path: Path, docs_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(alter(docs_text, "Get Current User Followers", "(default: 100)", "(default: 50)"))
    code = main([str(snapshot)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("drift: ")
    assert "  ~ getCurrentUserFollowers (GET /v1/me/followers): query:limit default: docs 50, spec 100\n" in out, out


def test_json_format_parses(tmp_path: Path, docs_text: str, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(alter(docs_text, "Get User's Followers", "[music::catalog]", "[music::favorites:read]"))
    code = main([str(snapshot), "--spec", str(SPEC_PATH), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["drift"] is True
    scope_changes = [d for d in report["differences"] if d["subject"] == "scope"]
    assert scope_changes == [
        {
            "operation": "getUserFollowers",
            "endpoint": "GET /v1/users/{id}/followers",
            "subject": "scope",
            "aspect": "scopes",
            "kind": "changed",
            "docs": "music::favorites:read",
            "spec": "music::catalog",
            "item": "",
            "excused_by": None,
            "message": "getUserFollowers (GET /v1/users/{id}/followers): scope: docs music::favorites:read, "
            "spec music::catalog",
        }
    ]
    assert {d["excused_by"] for d in report["excused"]} >= {"limit-type", "me-put-scope", "user-podcasts-artist-ids"}


def test_show_excused_lists_the_errata(capsys: pytest.CaptureFixture[str], docs_text: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(docs_text)
    main([str(snapshot), "--show-excused"])
    out = capsys.readouterr().out
    assert (
        "updateCurrentUser (PUT /v1/me): scope: docs music::profile:read, spec music::profile [erratum me-put-scope]"
        in out
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.txt"], "docs_diff: cannot read missing.txt: No such file or directory"),
        (["{docs}", "--spec", "missing.yaml"], "docs_diff: cannot read the spec missing.yaml"),
        (["{empty}"], "no operation found"),
    ],
)
def test_unreadable_input_exits_2_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("Amazon Music Web API\nNothing documented.\n")
    code = main([argument.format(docs=DOCS_FIXTURE, empty=empty) for argument in arguments])
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
