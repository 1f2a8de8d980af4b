"""Tolerant reading of the errata shapes, with the docs' own examples; and every spec example read by the client."""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import yaml
from overlay_support import ROOT

from amazon_music import AmazonMusic, AsyncAmazonMusic, MalformedResponseError
from amazon_music._compat import RESPONSE_FIXES

SPEC = yaml.safe_load(Path(ROOT / "spec" / "amazon-music-user-v1.yaml").read_text(encoding="utf-8"))
ARTIST = "B000QKGN8W"


def docs_example(docs: Any, title: str) -> Any:
    examples = docs.operation(title).response_examples
    assert examples, title
    return copy.deepcopy(examples[0].value)


def spec_example(path: str, method: str) -> Any:
    content = SPEC["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    return copy.deepcopy(content["examples"]["docs"]["value"])


def test_update_me_reads_the_docs_bare_user(client: AmazonMusic, api: respx.MockRouter, docs: Any) -> None:
    bare = docs_example(docs, "Update Current User")
    assert "data" not in bare  # the docs' example really is the bare shape
    api.put("/v1/me").respond(200, json=bare)
    user = client.update_me(**UPDATE)
    assert user.id == "hznmiapzd7e43yl53qp6tvuw44"
    assert user.name is None
    assert user.tier == "UNLIMITED"
    assert user.playback_visibility is None
    assert user.images[0].image_type == "PROFILE"  # type: ignore[index]


@pytest.mark.parametrize("shape", ["spec", "table without envelope"])
def test_update_me_reads_the_other_shapes(client: AmazonMusic, api: respx.MockRouter, shape: str) -> None:
    enveloped = spec_example("/v1/me", "put")
    body = enveloped if shape == "spec" else enveloped["data"]
    api.put("/v1/me").respond(200, json=body)
    user = client.update_me(**UPDATE)
    assert user.id == "hznmiapzd7e43yl53qp6tvuw44"


def test_unfollow_artist_reads_the_docs_example_under_follow_artist(
    client: AmazonMusic, api: respx.MockRouter, docs: Any
) -> None:
    body = docs_example(docs, "Remove Followed Artist From Current User")
    assert list(body["data"]) == ["followArtist"]
    api.delete(f"/v1/me/followed/artists/{ARTIST}").respond(200, json=body)
    result = client.unfollow_artist(ARTIST)
    assert result.artist.id == ARTIST
    assert result.follow_state.value == "UNFOLLOW"


def test_unfollow_artist_reads_the_spec_key(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.delete(f"/v1/me/followed/artists/{ARTIST}").respond(
        200, json=spec_example("/v1/me/followed/artists/{id}", "delete")
    )
    assert client.unfollow_artist(ARTIST).follow_state.value == "UNFOLLOW"


@pytest.mark.parametrize("key", ["followArtist", "followedArtist"])
def test_follow_artist_reads_both_documented_keys(
    client: AmazonMusic, api: respx.MockRouter, docs: Any, key: str
) -> None:
    example = docs_example(docs, "Add Followed Artist For Current User")
    table = docs.operation("Add Followed Artist For Current User").response_fields
    assert key in {"followArtist"} | {field.name for field in table}
    body = {"data": {key: example["data"]["followArtist"]}}
    api.put(f"/v1/me/followed/artists/{ARTIST}").respond(200, json=body)
    result = client.follow_artist(ARTIST)
    assert (result.artist.name, result.follow_state.value) == ("Coldplay", "FOLLOW")


def test_a_compressed_bare_user_is_still_read(client: AmazonMusic, api: respx.MockRouter, docs: Any) -> None:
    content = gzip.compress(json.dumps(docs_example(docs, "Update Current User")).encode())
    api.put("/v1/me").respond(
        200, content=content, headers={"content-encoding": "gzip", "content-type": "application/json"}
    )
    user = client.update_me(**UPDATE)
    assert user.id == "hznmiapzd7e43yl53qp6tvuw44"


def test_the_fixes_touch_nothing_else(client: AmazonMusic, api: respx.MockRouter, docs: Any) -> None:
    api.get("/v1/me").respond(200, json=docs_example(docs, "Update Current User"))  # a bare user where GET has none
    with pytest.raises(MalformedResponseError):
        client.me()


def test_each_fix_answers_an_errata_entry_of_the_spec() -> None:
    recorded = {
        entry["id"]
        for path in SPEC["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for entry in operation.get("x-doc-errata", [])
    }
    assert {fix.errata for fix in RESPONSE_FIXES} <= recorded
    assert all(fix.reason for fix in RESPONSE_FIXES)


async def test_async_client_reads_the_errata_shapes(
    async_client: AsyncAmazonMusic, api: respx.MockRouter, docs: Any
) -> None:
    api.put("/v1/me").respond(200, json=docs_example(docs, "Update Current User"))
    api.delete(f"/v1/me/followed/artists/{ARTIST}").respond(
        200, json=docs_example(docs, "Remove Followed Artist From Current User")
    )
    user = await async_client.update_me(name="New Name", visibility="PUBLIC", playback_visibility="PUBLIC")
    assert user.id == "hznmiapzd7e43yl53qp6tvuw44"
    assert (await async_client.unfollow_artist(ARTIST)).follow_state.value == "UNFOLLOW"


# -- every spec example, through the method that reads it ---------------------------------------------------------

USER = "zz2hu7x4v2u2bhzyh5bsb4xvje"
UPDATE = {"name": "New Name", "visibility": "PUBLIC", "playback_visibility": "PUBLIC"}
# operationId: (method, path in the spec, the call that reads its example)
OPERATIONS: dict[str, tuple[str, str, Callable[[AmazonMusic], Any]]] = {
    "getCurrentUser": ("get", "/v1/me", lambda m: m.me()),
    "updateCurrentUser": ("put", "/v1/me", lambda m: m.update_me(**UPDATE)),
    "getCurrentUserLibraryTracks": ("get", "/v1/me/library/tracks", lambda m: list(m.library_tracks())),
    "getCurrentUserFollowers": ("get", "/v1/me/followers", lambda m: list(m.followers(max_items=2))),
    "getCurrentUserFollowedUsers": ("get", "/v1/me/followed/users", lambda m: list(m.followed_users(max_items=2))),
    "getCurrentUserFollowedPlaylists": ("get", "/v1/me/followed/playlists", lambda m: list(m.followed_playlists())),
    "followArtist": ("put", "/v1/me/followed/artists/{id}", lambda m: m.follow_artist(ARTIST)),
    "unfollowArtist": ("delete", "/v1/me/followed/artists/{id}", lambda m: m.unfollow_artist(ARTIST)),
    "followUser": ("put", "/v1/me/followed/users/{id}", lambda m: m.follow_user(USER)),
    "unfollowUser": ("delete", "/v1/me/followed/users/{id}", lambda m: m.unfollow_user(USER)),
    "getCurrentUserFollowedPodcastShows": (
        "get",
        "/v1/me/followed/podcasts/shows",
        lambda m: list(m.followed_podcast_shows()),
    ),
    "getUser": ("get", "/v1/users/{id}", lambda m: m.user(USER)),
    "getUsers": ("get", "/v1/users", lambda m: m.users([USER])),
    "getUserFollowers": ("get", "/v1/users/{id}/followers", lambda m: list(m.user_followers(USER, max_items=2))),
    "getUserFollowedUsers": (
        "get",
        "/v1/users/{id}/followed/users",
        lambda m: list(m.user_followed_users(USER, max_items=2)),
    ),
    "getUserFollowedArtists": (
        "get",
        "/v1/users/{id}/followed/artists",
        lambda m: list(m.user_followed_artists(USER, max_items=2)),
    ),
    "getUserFollowedPodcastShows": (
        "get",
        "/v1/users/{id}/followed/podcasts/shows",
        lambda m: list(m.user_followed_podcast_shows(USER)),
    ),
}


def test_the_table_covers_every_operation_of_the_spec() -> None:
    operation_ids = {
        operation["operationId"]
        for path in SPEC["paths"].values()
        for method, operation in path.items()
        if method in ("get", "put", "post", "delete", "patch")
    }
    assert operation_ids == set(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_spec_example_is_read_into_models(client: AmazonMusic, api: respx.MockRouter, operation_id: str) -> None:
    method, spec_path, call = OPERATIONS[operation_id]
    url_path = spec_path.replace("{id}", ARTIST if "/artists/" in spec_path else USER)
    body = spec_example(spec_path, method)
    route = api.route(method=method.upper(), path=url_path).mock(return_value=httpx.Response(200, json=body))
    result = call(client)
    assert route.call_count == 1
    assert result  # a model, or a non-empty list of models
    items = result if isinstance(result, list) else [result]
    assert all(type(item).__module__.startswith("amazon_music_generated.models") for item in items)
