"""Every request example of the documentation, sent to the emulator with a demo token, answers 200 with a body of
the documented shape: the same keys and nesting as the docs' example, after the spec's errata decisions; on each store
backend.

Compared: the keys of every object and the nesting of objects and lists (leaf values are data, not shape). Two rules
apply on top, each stated where it is used: ``pageInfo.token`` follows ``hasNextPage`` (its presence depends on the
data), and the full profile (tier, visibility settings, image type) that the spec promises on profile reads is allowed
where the docs' example shows less.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from emulator_support import BACKENDS, DOCS_FIXTURE, ROOT, SPEC
from store_backends import in_process_location

from amazon_music_emulator import EmulatorApp

sys.path.insert(0, str(ROOT / "scripts"))
from docs_parser import DocsOperation, load_docs

DOCS = load_docs(DOCS_FIXTURE)

# The spec's errata (x-doc-errata ids) this walk applies, each to the docs' request or example.
URL_ERRATA = {"Get Current User's Followed Podcast Shows": "followed-podcasts-curl"}  # the example is an albums URL
PATH_ERRATA = {"Get User's Followed Users": "user-followed-users-path"}  # the example drops /users
EXAMPLE_ERRATA = {
    "Update Current User": "me-put-envelope",  # the example is a bare User; the table wraps it
    "Remove Followed Artist From Current User": "unfollow-artist-key",  # the example reuses followArtist
}
# Profile reads: the spec's descriptions promise tier and visibility settings where the docs' examples omit them,
# and every profile image carries its imageType (the PUT /me example shows it).
PROFILE_FIELDS = {"tier", "visibility", "playbackVisibility"}
ALLOWED_EXTRA = {
    "Get Current User": {("data", "user"): PROFILE_FIELDS, ("data", "user", "images", "[]"): {"imageType"}},
    "Get User": {("data", "user", "images", "[]"): {"imageType"}},
    "Get Multiple Users": {
        ("data", "users", "[]"): PROFILE_FIELDS,
        ("data", "users", "[]", "images", "[]"): {"imageType"},
    },
}


def spec_errata_ids() -> set[str]:
    found = {entry["id"] for entry in SPEC.get("x-doc-errata", [])}
    for path_item in SPEC["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                found.update(entry["id"] for entry in operation.get("x-doc-errata", []))
    return found


def request_of(operation: DocsOperation) -> tuple[str, str, dict[str, str], Any]:
    """Method, path, query and body of the operation's documented request, with the errata applied."""
    example = operation.request_example
    assert example is not None, operation.title
    if operation.title in URL_ERRATA:
        return operation.method, operation.path, {}, None
    assert example.kind == "curl" and example.method == operation.method, operation.title
    url = urlsplit(example.url.replace("<base url>", "https://base.invalid"))
    concrete = url.path.split("/")
    template = operation.path.split("/")
    path = "/".join(
        concrete[i] if i < len(concrete) and part.startswith("{") else part for i, part in enumerate(template)
    )
    if operation.title not in PATH_ERRATA:
        assert path == url.path, (path, url.path)  # the docs' own path, unchanged
    body = example.body.value if example.body is not None else None
    return operation.method, path, dict(parse_qsl(url.query)), body


def expected_of(operation: DocsOperation) -> Any:
    (example,) = operation.response_examples
    value = example.value
    errata = EXAMPLE_ERRATA.get(operation.title)
    if errata == "me-put-envelope":
        return {"data": {"updateUser": value}}
    if errata == "unfollow-artist-key":
        assert isinstance(value, dict)
        return {"data": {"unfollowArtist": value["data"]["followArtist"]}}
    return value


def compare(expected: Any, actual: Any, where: tuple[str, ...], allowed: dict[tuple[str, ...], set[str]]) -> list[str]:
    """Differences in keys and nesting between the docs' example and the emulator's body."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{'.'.join(where)}: an object in the docs, {type(actual).__name__} here"]
        problems = []
        if "hasNextPage" in expected:
            # The token rule, checked here: present exactly when there is a next page.
            if ("token" in actual) != actual.get("hasNextPage"):
                problems.append(
                    f"{'.'.join(where)}: token present={('token' in actual)} hasNextPage={actual.get('hasNextPage')}"
                )
            expected = {k: v for k, v in expected.items() if k != "token"}
            actual = {k: v for k, v in actual.items() if k != "token"}
        missing = set(expected) - set(actual)
        extra = set(actual) - set(expected) - allowed.get(where, set())
        problems += [f"{'.'.join(where)}: missing {sorted(missing)}"] if missing else []
        problems += [f"{'.'.join(where)}: extra {sorted(extra)}"] if extra else []
        for key in set(expected) & set(actual):
            problems += compare(expected[key], actual[key], (*where, key), allowed)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{'.'.join(where)}: a list in the docs, {type(actual).__name__} here"]
        if expected and not actual:
            return [f"{'.'.join(where)}: empty here, so its items' shape cannot be compared"]
        return [p for item in actual for p in compare(expected[0], item, (*where, "[]"), allowed)] if expected else []
    if isinstance(actual, (dict, list)):
        return [f"{'.'.join(where)}: a value in the docs, {type(actual).__name__} here"]
    return []


def test_the_walk_covers_every_documented_operation_and_its_errata_are_the_specs() -> None:
    assert len({op.endpoint for op in DOCS.operations}) == len(DOCS.operations) > 0
    used = set(URL_ERRATA.values()) | set(PATH_ERRATA.values()) | set(EXAMPLE_ERRATA.values())
    assert used <= spec_errata_ids()


@pytest.fixture(scope="module", params=BACKENDS)
def walk_results(request: pytest.FixtureRequest) -> Iterator[list[tuple[DocsOperation, httpx.Response]]]:
    """One emulator per store backend, the docs' requests in the docs' order (state carries over, as for a reader
    trying them)."""
    import asyncio

    from amazon_music_emulator import create_app

    async def run(app: EmulatorApp) -> list[tuple[DocsOperation, httpx.Response]]:
        grant = app.mint_token()
        headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
        results = []
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator.test") as client:
            for operation in DOCS.operations:
                method, path, query, body = request_of(operation)
                response = await client.request(method, path, params=query, json=body, headers=headers)
                results.append((operation, response))
        return results

    with in_process_location(request.param, request) as location:
        app = create_app(location, validate_responses=True)
        try:
            yield asyncio.run(run(app))
        finally:
            app.close()


@pytest.mark.parametrize("index", range(len(DOCS.operations)), ids=[op.title for op in DOCS.operations])
def test_docs_request_answers_200_with_the_documented_shape(
    walk_results: list[tuple[DocsOperation, httpx.Response]], index: int
) -> None:
    operation, response = walk_results[index]
    assert response.status_code == 200, (operation.title, response.text)
    problems = compare(expected_of(operation), response.json(), (), ALLOWED_EXTRA.get(operation.title, {}))
    assert problems == [], (operation.title, problems)


def test_the_comparison_notices_missing_extra_and_misnested_keys() -> None:
    assert compare({"a": {"b": 1}}, {"a": {"b": "x"}}, (), {}) == []  # values are data, not shape
    assert len(compare({"a": {"b": 1}}, {"a": {"c": 1}}, (), {})) == 2
    assert compare({"a": [{"x": 1}]}, {"a": []}, (), {}) != []
    assert compare({"a": [{"x": 1}]}, {"a": {"x": 1}}, (), {}) != []
    assert compare({"a": 1}, {"a": {"b": 1}}, (), {}) != []
    assert compare({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, (), {("a",): {"c"}}) == []
    assert compare({"hasNextPage": True, "token": "t"}, {"hasNextPage": False}, (), {}) == []
    assert compare({"hasNextPage": False}, {"hasNextPage": False, "token": "t"}, (), {}) != []
