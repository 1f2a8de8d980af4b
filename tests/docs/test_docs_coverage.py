"""Docs coverage: everything the docs snapshot states is in the spec, and the spec states nothing the docs lack, except
differences the spec records as errata. One comparison (docs_diff.compare) serves this test and `make docs-diff`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from build_errata import SPEC_PATH, load_spec
from docs_diff import ADDED, CHANGED, REMOVED, STALE, Difference, compare, key_paths, spec_operations, unexcused
from docs_parser import DocsSnapshot

# The heading of each documented operation and the operation the spec gives it.
OPERATION_IDS = {
    "Get Current User": "getCurrentUser",
    "Update Current User": "updateCurrentUser",
    "Get Current User's Library Tracks": "getCurrentUserLibraryTracks",
    "Get Current User Followers": "getCurrentUserFollowers",
    "Get Current User's Followed Users": "getCurrentUserFollowedUsers",
    "Get Current User's Followed Playlists": "getCurrentUserFollowedPlaylists",
    "Add Followed Artist For Current User": "followArtist",
    "Remove Followed Artist From Current User": "unfollowArtist",
    "Add Followed User For Current User": "followUser",
    "Remove Followed User From Current User": "unfollowUser",
    "Get Current User's Followed Podcast Shows": "getCurrentUserFollowedPodcastShows",
    "Get User": "getUser",
    "Get Multiple Users": "getUsers",
    "Get User's Followers": "getUserFollowers",
    "Get User's Followed Users": "getUserFollowedUsers",
    "Get User's Followed Artists": "getUserFollowedArtists",
    "Get User's Followed Podcast Shows": "getUserFollowedPodcastShows",
}
LISTINGS = {
    "getCurrentUserLibraryTracks": "GET /v1/me/library/tracks",
    "getCurrentUserFollowers": "GET /v1/me/followers",
    "getCurrentUserFollowedUsers": "GET /v1/me/followed/users",
    "getCurrentUserFollowedPlaylists": "GET /v1/me/followed/playlists",
    "getCurrentUserFollowedPodcastShows": "GET /v1/me/followed/podcasts/shows",
    "getUserFollowers": "GET /v1/users/{id}/followers",
    "getUserFollowedUsers": "GET /v1/users/{id}/followed/users",
    "getUserFollowedArtists": "GET /v1/users/{id}/followed/artists",
    "getUserFollowedPodcastShows": "GET /v1/users/{id}/followed/podcasts/shows",
}

Spec = dict[str, Any]


def _report(differences: list[Difference]) -> str:
    return "\n".join(difference.message() for difference in differences)


def _drift(docs: DocsSnapshot, spec: Spec, subject_prefixes: tuple[str, ...]) -> list[Difference]:
    return [d for d in unexcused(compare(docs, spec)) if d.subject.startswith(subject_prefixes)]


def test_every_documented_operation_is_in_the_spec_and_no_other(docs: DocsSnapshot, spec: Spec) -> None:
    by_endpoint = {operation.endpoint: operation.operation_id for operation in spec_operations(spec)}
    assert {op.title: by_endpoint.get(op.endpoint) for op in docs.operations} == OPERATION_IDS
    assert len(by_endpoint) == len(docs.operations)
    assert _drift(docs, spec, ("operation",)) == []


def test_path_parameters(docs: DocsSnapshot, spec: Spec) -> None:
    drift = _drift(docs, spec, ("path:",))
    assert drift == [], _report(drift)


def test_query_parameters_with_type_default_and_bounds(docs: DocsSnapshot, spec: Spec) -> None:
    drift = _drift(docs, spec, ("query:",))
    assert drift == [], _report(drift)


def test_body_fields_with_required_and_enum(docs: DocsSnapshot, spec: Spec) -> None:
    drift = _drift(docs, spec, ("body:",))
    assert drift == [], _report(drift)


def test_scopes(docs: DocsSnapshot, spec: Spec) -> None:
    drift = _drift(docs, spec, ("scope",))
    assert drift == [], _report(drift)


def test_response_fields_and_example_structure(docs: DocsSnapshot, spec: Spec) -> None:
    """Each response table's fields are the spec's `data` keys; each JSON example (after the recorded errata) has the
    key structure of the example the spec attaches to that operation; each request example fits its operation."""
    drift = _drift(docs, spec, ("response", "example"))
    assert drift == [], _report(drift)
    operations = spec_operations(spec)
    assert all(key_paths(operation.response_example) for operation in operations), "an operation has no example"
    assert all(len(operation.response_examples) == 1 for operation in docs.operations)


def test_recorded_errata_excuse_exactly_the_differences_they_record(docs: DocsSnapshot, spec: Spec) -> None:
    excused = [d for d in compare(docs, spec) if d.excused_by is not None]
    by_erratum: dict[str, set[tuple[str, str, str]]] = {}
    for difference in excused:
        by_erratum.setdefault(str(difference.excused_by), set()).add(
            (difference.operation, difference.subject, difference.aspect)
        )
    # the root `query:limit` erratum covers number -> integer on every listing, and nothing else
    assert by_erratum["limit-type"] == {(operation, "query:limit", "type") for operation in LISTINGS}
    assert by_erratum["me-put-scope"] == {("updateCurrentUser", "scope", "scopes")}
    assert by_erratum["user-podcasts-artist-ids"] == {("getUserFollowedPodcastShows", "query:artistIds", "parameter")}


def _operations(spec: Spec) -> list[dict[str, Any]]:
    return [op for item in spec["paths"].values() for key, op in item.items() if key in ("get", "put", "delete")]


def _find_operation(spec: Spec, operation_id: str) -> dict[str, Any]:
    return next(op for op in _operations(spec) if op["operationId"] == operation_id)


def _new_drift(docs: DocsSnapshot, original: Spec, changed: Spec) -> list[Difference]:
    """What the change brought: the drift of the changed spec beyond the original's (which must not lose any)."""
    before, after = unexcused(compare(docs, original)), unexcused(compare(docs, changed))
    assert [d for d in before if d not in after] == []
    return [d for d in after if d not in before]


def test_removing_a_documented_query_parameter_fails_coverage(docs: DocsSnapshot, spec: Spec, tmp_path: Path) -> None:
    text = SPEC_PATH.read_text(encoding="utf-8")
    marker = "      parameters:\n        - $ref: '#/components/parameters/UserIds'\n"
    assert text.count(marker) == 1
    copy_path = tmp_path / "spec.yaml"
    copy_path.write_text(text.replace(marker, ""), encoding="utf-8")
    changed = load_spec(copy_path)

    drift = _new_drift(docs, spec, changed)

    assert drift == [Difference("getUsers", "GET /v1/users", "query:ids", "parameter", ADDED, "ids", None)]
    assert drift[0].message() == "getUsers (GET /v1/users): query:ids parameter: in the docs, not in the spec"
    assert drift[0] in _drift(docs, changed, ("query:",))  # what test_query_parameters_... asserts empty


def _remove_scheme_scope(spec: Spec) -> None:
    del spec["components"]["securitySchemes"]["lwa"]["flows"]["authorizationCode"]["scopes"]["music::catalog"]


Mutation = Callable[[Spec], None]
D = Difference
MUTATIONS: list[tuple[str, Mutation, list[Difference] | None]] = [
    (
        "a spec-only query parameter",
        lambda s: (
            _find_operation(s, "getCurrentUser")
            .setdefault("parameters", [])
            .append({"name": "market", "in": "query", "schema": {"type": "string"}})
        ),
        [D("getCurrentUser", "GET /v1/me", "query:market", "parameter", REMOVED, None, "market")],
    ),
    (
        "a changed default",
        lambda s: s["components"]["parameters"]["PodcastShowsLimit"]["schema"].update(default=30),
        [
            D(
                "getUserFollowedPodcastShows",
                "GET /v1/users/{id}/followed/podcasts/shows",
                "query:limit",
                "default",
                CHANGED,
                "36",
                "30",
            )
        ],
    ),
    (
        "a lost bound",
        lambda s: s["components"]["parameters"]["UserIds"]["schema"].update(pattern="^[a-z0-9,]+$"),
        [D("getUsers", "GET /v1/users", "query:ids", "max_items", CHANGED, "100", None)],
    ),
    (
        "a missing body field",
        lambda s: s["components"]["schemas"]["UpdateUserRequest"]["properties"].pop("playbackVisibility"),
        [D("updateCurrentUser", "PUT /v1/me", "body:playbackVisibility", "field", ADDED, "playbackVisibility", None)],
    ),
    (
        "an optional body field the docs require",
        lambda s: s["components"]["schemas"]["UpdateUserRequest"].update(required=["name", "playbackVisibility"]),
        [D("updateCurrentUser", "PUT /v1/me", "body:visibility", "required", CHANGED, "required", "optional")],
    ),
    (
        "an extra enum value",
        lambda s: s["components"]["schemas"]["Visibility"].update(enum=["PUBLIC", "PRIVATE", "FRIENDS"]),
        [
            D(
                "updateCurrentUser",
                "PUT /v1/me",
                "body:visibility",
                "enum",
                CHANGED,
                "PUBLIC, PRIVATE",
                "PUBLIC, PRIVATE, FRIENDS",
            ),
            D(
                "updateCurrentUser",
                "PUT /v1/me",
                "body:playbackVisibility",
                "enum",
                CHANGED,
                "PUBLIC, PRIVATE",
                "PUBLIC, PRIVATE, FRIENDS",
            ),
        ],
    ),
    (
        "a changed scope",
        lambda s: _find_operation(s, "getUser").update(security=[{"apiKey": [], "lwa": ["music::profile"]}]),
        [D("getUser", "GET /v1/users/{id}", "scope", "scopes", CHANGED, "music::catalog", "music::profile")],
    ),
    (
        "an undeclared scope",
        _remove_scheme_scope,
        [
            D(op_id, endpoint, "scope", "declared", ADDED, "music::catalog", None, "music::catalog")
            for op_id, endpoint in [
                ("getUser", "GET /v1/users/{id}"),
                ("getUsers", "GET /v1/users"),
                ("getUserFollowers", "GET /v1/users/{id}/followers"),
                ("getUserFollowedUsers", "GET /v1/users/{id}/followed/users"),
                ("getUserFollowedArtists", "GET /v1/users/{id}/followed/artists"),
                ("getUserFollowedPodcastShows", "GET /v1/users/{id}/followed/podcasts/shows"),
            ]
        ],
    ),
    (
        "a missing operation",
        lambda s: s["paths"]["/v1/users"].pop("get"),
        [D("GET /v1/users", "GET /v1/users", "operation", "operation", ADDED, "Get Multiple Users", None)],
    ),
    (
        "a spec-only operation",
        lambda s: (
            s["paths"].setdefault("/v1/me/history", {}).update(get={"operationId": "getHistory", "responses": {}})
        ),
        [D("getHistory", "GET /v1/me/history", "operation", "operation", REMOVED, None, "getHistory")],
    ),
    (
        "a spec-only key in an example",
        lambda s: _find_operation(s, "getCurrentUserFollowers")["responses"]["200"]["content"]["application/json"][
            "examples"
        ]["docs"]["value"]["data"]["user"].update(tier="UNLIMITED"),
        [
            D(
                "getCurrentUserFollowers",
                "GET /v1/me/followers",
                "response",
                "example key",
                REMOVED,
                None,
                "data.user.tier",
                "data.user.tier",
            )
        ],
    ),
    (
        "an erratum whose docs value the docs do not state: it excuses nothing and is stale",
        lambda s: s["x-doc-errata"][0].update({"docs-value": "float"}),
        [
            *[
                D(operation_id, endpoint, "query:limit", "type", CHANGED, "number", "integer")
                for operation_id, endpoint in LISTINGS.items()
            ],
            D(
                "document-wide",
                "document-wide",
                "query:limit",
                "erratum",
                STALE,
                "the docs now state query:limit type number (the erratum: float)",
                "float",
                "limit-type",
            ),
        ],
    ),
    (
        "an erratum whose prose changes: its data still decides",
        lambda s: s["x-doc-errata"][0].update(docs="`limit` is typed `float` on every listing."),
        [],
    ),
    (
        "a correction whose erratum is gone",
        lambda s: _find_operation(s, "followArtist").update(
            {
                "x-doc-errata": [
                    e for e in _find_operation(s, "followArtist")["x-doc-errata"] if e["id"] != "follow-artist-key"
                ]
            }
        ),
        [
            D(
                "followArtist",
                "PUT /v1/me/followed/artists/{id}",
                "response",
                "field",
                ADDED,
                "followedArtist",
                None,
                "followedArtist",
            ),
            D(
                "followArtist",
                "PUT /v1/me/followed/artists/{id}",
                "response",
                "field",
                REMOVED,
                None,
                "followArtist",
                "followArtist",
            ),
        ],
    ),
    (
        "the envelope erratum gone: the bare example differs",
        lambda s: _find_operation(s, "updateCurrentUser").update(
            {
                "x-doc-errata": [
                    e for e in _find_operation(s, "updateCurrentUser")["x-doc-errata"] if e["id"] != "me-put-envelope"
                ]
            }
        ),
        None,  # checked below: many keys, so only their shape is asserted
    ),
]


@pytest.mark.parametrize(("mutation", "expected"), [(m, e) for _, m, e in MUTATIONS], ids=[n for n, _, _ in MUTATIONS])
def test_each_kind_of_spec_change_is_reported_exactly(
    docs: DocsSnapshot, spec: Spec, mutation: Mutation, expected: list[Difference] | None
) -> None:
    changed = copy.deepcopy(spec)
    mutation(changed)
    drift = _new_drift(docs, spec, changed)
    if expected is not None:
        assert sorted(drift, key=repr) == sorted(expected, key=repr), _report(drift)
        return
    assert drift and all(d.operation == "updateCurrentUser" and d.aspect == "example key" for d in drift)
    assert {d.item for d in drift if d.kind == ADDED} >= {"id", "tier", "images[].url"}
    assert {d.item for d in drift if d.kind == REMOVED} >= {"data", "data.updateUser", "data.updateUser.id"}


def test_yaml_round_trip_of_the_spec_compares_the_same(docs: DocsSnapshot, spec: Spec) -> None:
    """Guards the mutations above: a deep copy and a YAML round trip of the spec compare like the file itself."""
    round_tripped = yaml.safe_load(yaml.safe_dump(spec))
    assert compare(docs, round_tripped) == compare(docs, copy.deepcopy(spec)) == compare(docs, spec)
