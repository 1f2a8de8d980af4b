"""The drift tool (scripts/docs_diff.py) on altered copies of the docs snapshot: each alteration is reported exactly,
an erratum the docs no longer bear out is reported stale, and a file that is not the page is refused (exit 2).

The alterations start from the docs tests' frozen copy of the snapshot (tests/docs/snapshots/), so a docs update does
not move the text they alter; each asserts only the drift its alteration adds."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from build_errata import ROOT, SPEC_PATH
from docs_diff import (
    ADDED,
    CHANGED,
    DOCS_FIXTURE,
    MAJOR,
    MINOR,
    PATCH,
    REMOVED,
    STALE,
    Difference,
    compare,
    main,
    unexcused,
)
from docs_parser import DocsSnapshot, load_docs
from snapshot_edits import NEW_ENDPOINT, alter, without_operation

NEW_RESPONSE_ROW = """Data about the current Amazon Music user, including followers |
etag
|
string
|
No |
A version tag of the user's followers list |
"""


def stale(operation: str, endpoint: str, subject: str, erratum: str, now: str, recorded: str | None) -> Difference:
    return Difference(operation, endpoint, subject, "erratum", STALE, now, recorded, erratum)


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
            "probeOnly\n|\nstring\n|\nNo |\nA probe. |\ncursor\n|\n",
        ),
        [
            Difference(
                "getCurrentUserFollowers",
                "GET /v1/me/followers",
                "query:probeOnly",
                "parameter",
                ADDED,
                "probeOnly",
                None,
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
        "a removed endpoint",
        lambda text: without_operation(text, "Get User's Followers", "Get User's Followed Users"),
        [
            Difference(
                "getUserFollowers",
                "GET /v1/users/{id}/followers",
                "operation",
                "operation",
                REMOVED,
                None,
                "getUserFollowers",
            )
        ],
    ),
    (
        "a renamed response field",
        lambda text: alter(text, "Get User", '"name": "Test Test"', '"displayName": "Test Test"'),
        [
            Difference(
                "getUser",
                "GET /v1/users/{id}",
                "response",
                "renamed key",
                CHANGED,
                "data.user.displayName",
                "data.user.name",
                "data.user.name",
            )
        ],
    ),
    (
        "a new enum value",
        lambda text: alter(text, "Update Current User", "‘PUBLIC’ and ‘PRIVATE’", "‘PUBLIC’, ‘FRIENDS’ and ‘PRIVATE’"),
        [
            Difference(
                "updateCurrentUser",
                "PUT /v1/me",
                "body:visibility",
                "enum",
                CHANGED,
                "PUBLIC, FRIENDS, PRIVATE",
                "PUBLIC, PRIVATE",
            )
        ],
    ),
    (
        "a reworded bound: the same values, no drift",
        lambda text: alter(
            text,
            "Get Current User Followers",
            "(default: 100). Minimum of 1, maximum of 100.",
            "between 1 and 100 (default: 100).",
        ),
        [],
    ),
    (
        "a bound in words the parser cannot read: not understood, not 'not stated'",
        lambda text: alter(text, "Get Current User Followers", "maximum of 100.", "maximum of one hundred."),
        [
            Difference(
                "getCurrentUserFollowers",
                "GET /v1/me/followers",
                "query:limit",
                "maximum",
                CHANGED,
                "not understood: 'maximum of one hundred'",
                "100",
            )
        ],
    ),
    # -- errata: each one is checked against what the docs say now ---------------------------------------------------
    (
        "an example that now parses: its erratum is stale",
        lambda text: alter(text, "Get Multiple Users", "},\n]", "}\n]"),
        [stale("getUsers", "GET /v1/users", "example", "users-invalid-json", "the example now parses", "invalid JSON")],
    ),
    (
        "a table key that now matches its example: its erratum is stale",
        lambda text: alter(text, "Add Followed Artist For Current User", "followedArtist\n", "followArtist\n"),
        [
            stale(
                "followArtist",
                "PUT /v1/me/followed/artists/{id}",
                "response",
                "follow-artist-key",
                "the response table now names followArtist",
                "followedArtist",
            )
        ],
    ),
    (
        "a curl path that is now right: its erratum is stale",
        lambda text: alter(text, "Get User's Followed Users", "/followed?limit=2", "/followed/users?limit=2"),
        [
            stale(
                "getUserFollowedUsers",
                "GET /v1/users/{id}/followed/users",
                "example",
                "user-followed-users-path",
                "the request example now calls /v1/users/{id}/followed/users",
                "/v1/users/{id}/followed",
            )
        ],
    ),
    (
        "a bound the docs now state: the document-wide erratum is stale",
        lambda text: text.replace(
            "Artist IDs to limit the results to", "Artist IDs to limit the results to. Maximum: 100 IDs"
        ),
        [
            stale(
                "document-wide",
                "document-wide",
                "query:artistIds",
                "artist-ids-bounds",
                "the docs now state query:artistIds max_items 100 (the erratum: not stated)",
                None,
            )
        ],
    ),
    (
        "a scope the docs change under an erratum that names it: reported, and the erratum stale",
        lambda text: alter(text, "Get Current User's Library Tracks", "[music::profile:read]", "[music::library:read]"),
        [
            Difference(
                "getCurrentUserLibraryTracks",
                "GET /v1/me/library/tracks",
                "scope",
                "scopes",
                CHANGED,
                "music::library:read",
                "music::profile:read",
            ),
            stale(
                "getCurrentUserLibraryTracks",
                "GET /v1/me/library/tracks",
                "scope",
                "library-tracks-scope",
                "the docs now say music::library:read, not music::profile:read",
                "music::profile:read",
            ),
        ],
    ),
    (
        "a docs change to a value an erratum records: the erratum no longer excuses",
        lambda text: alter(text, "Update Current User", "[music::profile:read]", "[music::library:read]"),
        [
            Difference(
                "updateCurrentUser", "PUT /v1/me", "scope", "scopes", CHANGED, "music::library:read", "music::profile"
            ),
            stale(
                "updateCurrentUser",
                "PUT /v1/me",
                "scope",
                "me-put-scope",
                "the docs now say music::library:read, not music::profile:read",
                "music::profile:read",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("alteration", "expected"), [a[1:] for a in ALTERATIONS], ids=[a[0] for a in ALTERATIONS])
def test_each_alteration_is_reported_exactly(
    tmp_path: Path, frozen_text: str, spec: dict[str, Any], alteration: Any, expected: list[Difference]
) -> None:
    assert new_drift(tmp_path, frozen_text, alteration(frozen_text), spec) == expected


def test_the_unaltered_snapshot_reports_no_drift(docs: DocsSnapshot, spec: dict[str, Any]) -> None:
    drift = unexcused(compare(docs, spec))
    assert drift == [], "\n".join(d.message() for d in drift)


def test_the_command_prints_no_drift_for_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([str(DOCS_FIXTURE)])
    out = capsys.readouterr().out
    assert (code, out) == (0, "no drift\n"), out


def test_the_command_reports_drift_and_exits_1(
    tmp_path: Path, frozen_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(alter(frozen_text, "Get Current User Followers", "(default: 100)", "(default: 50)"))
    code = main([str(snapshot)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("drift: ")
    assert "  ~ getCurrentUserFollowers (GET /v1/me/followers): query:limit default: docs 50, spec 100 [minor]\n" in out
    assert re.search(r"\nthe spec needs at least a (minor|major) version bump to follow these docs$", out), out


def test_a_stale_erratum_is_drift_in_the_report(
    tmp_path: Path, frozen_text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(alter(frozen_text, "Get Multiple Users", "},\n]", "}\n]"))
    assert main([str(snapshot)]) == 1
    out = capsys.readouterr().out
    assert (
        "stale errata:\n  ! getUsers (GET /v1/users): erratum users-invalid-json no longer applies:"
        " the example now parses" in out
    )


def test_json_format_parses(tmp_path: Path, frozen_text: str, capsys: pytest.CaptureFixture[str]) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(alter(frozen_text, "Get User's Followers", "[music::catalog]", "[music::favorites:read]"))
    code = main([str(snapshot), "--spec", str(SPEC_PATH), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["drift"] is True and report["level"] == MAJOR
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
            "level": "major",
            "message": "getUserFollowers (GET /v1/users/{id}/followers): scope: docs music::favorites:read, "
            "spec music::catalog",
        }
    ]
    assert {d["excused_by"] for d in report["excused"]} >= {"limit-type", "me-put-scope", "user-podcasts-artist-ids"}


def test_show_excused_lists_the_errata(capsys: pytest.CaptureFixture[str], frozen_text: str, tmp_path: Path) -> None:
    snapshot = tmp_path / "docs.txt"
    snapshot.write_text(frozen_text)
    main([str(snapshot), "--show-excused"])
    out = capsys.readouterr().out
    assert (
        "updateCurrentUser (PUT /v1/me): scope: docs music::profile:read, spec music::profile [erratum me-put-scope]"
        in out
    )


# The level each kind of change asks of the spec's version (semantic versioning of the contract it describes).
LEVELS = {
    "an added endpoint": MINOR,
    "an added parameter": MINOR,
    "a changed default": MINOR,
    "a new enum value": MINOR,
    "a changed bound": MAJOR,  # lowered maximum
    "a changed type": MAJOR,
    "a removed parameter": MAJOR,
    "a removed endpoint": MAJOR,
    "a renamed response field": MAJOR,
    "a changed scope": MAJOR,
    "an example that now parses: its erratum is stale": PATCH,
}


@pytest.mark.parametrize("name", LEVELS)
def test_each_change_is_classified_major_minor_or_patch(
    tmp_path: Path, frozen_text: str, spec: dict[str, Any], name: str
) -> None:
    alteration: Callable[[str], str] = next(a[1] for a in ALTERATIONS if a[0] == name)
    drift = new_drift(tmp_path, frozen_text, alteration(frozen_text), spec)
    assert drift and {d.level for d in drift} == {LEVELS[name]}, [(d.message(), d.level) for d in drift]


def test_a_new_required_parameter_is_major(tmp_path: Path, frozen_text: str, spec: dict[str, Any]) -> None:
    row = "probeOnly\n|\nstring\n|\nYes |\nA probe. |\ncursor\n|\n"
    drift = new_drift(tmp_path, frozen_text, alter(frozen_text, "Get Current User Followers", "cursor\n|\n", row), spec)
    assert [(d.subject, d.kind, d.level) for d in drift] == [("query:probeOnly", ADDED, MAJOR)]


def _truncated(text: str) -> str:
    return text[: text.index('"edgeCount": 2')]  # inside the JSON example of "Get Current User Followers"


HTML_PAGE = "<!DOCTYPE html>\n<html><head><title>Web API User V1.0</title></head><body>...</body></html>\n"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.txt"], "docs_diff: cannot read missing.txt: No such file or directory"),
        (["{docs}", "--spec", "missing.yaml"], "docs_diff: cannot read the spec missing.yaml"),
        (["{empty}"], "{empty}:1: not the User v1 page"),
        (["{truncated}"], "{truncated}:{truncated_lines}: the JSON example opened at line"),
        (["{html}"], "{html}:1: an HTML page ('<!DOCTYPE html>'), not the text snapshot"),
    ],
)
def test_a_file_that_is_not_the_page_is_refused_with_exit_2(
    tmp_path: Path, frozen_text: str, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    files = {"empty": tmp_path / "empty.txt", "truncated": tmp_path / "cut.txt", "html": tmp_path / "page.html"}
    files["empty"].write_text("Amazon Music Web API\nNothing documented.\n")
    files["truncated"].write_text(_truncated(frozen_text))
    files["html"].write_text(HTML_PAGE)
    names = {key: str(path) for key, path in files.items()} | {
        "docs": str(DOCS_FIXTURE),
        "truncated_lines": str(len(_truncated(frozen_text).splitlines())),
    }
    code = main([argument.format(**names) for argument in arguments])
    captured = capsys.readouterr()
    assert code == 2
    assert message.format(**names) in captured.err
    assert captured.err.rstrip().splitlines()[-1].startswith("docs_diff: refused")
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.parametrize(
    ("snapshot", "status", "verdict"),
    [
        ("truncated", 2, "docs-diff: REFUSED: "),
        ("drift", 1, "docs-diff: DRIFT: "),
    ],
)
def test_make_docs_diff_says_last_which_failure_it_was(
    tmp_path: Path, frozen_text: str, snapshot: str, status: int, verdict: str
) -> None:
    path = tmp_path / "docs.txt"
    text = (
        _truncated(frozen_text)
        if snapshot == "truncated"
        else alter(frozen_text, "Get User", "[music::catalog]", "[x]")
    )
    path.write_text(text)
    result = subprocess.run(
        ["make", "--no-print-directory", "docs-diff", f"DOCS={path}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = result.stderr.rstrip().splitlines()
    assert result.returncode == 2  # make's own status for any failed recipe
    assert lines[-2].startswith(verdict), result.stderr
    assert lines[-1].endswith(f"docs-diff] Error {status}"), result.stderr
