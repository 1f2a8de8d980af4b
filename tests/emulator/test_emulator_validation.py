"""The spec's validation failures and routing errors: the documented error body, 4xx, a message naming the field."""

from __future__ import annotations

import httpx
import pytest
from emulator_support import assert_error

from amazon_music_emulator import DEMO_USER_ID, EmulatorApp


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/v1/me/followers?limit=500", "limit", "limit: 500 is greater than the maximum of 100"),
        ("/v1/me/followers?limit=0", "limit", "limit: 0 is less than the minimum of 1"),
        ("/v1/me/followers?limit=abc", "limit", None),
        ("/v1/me/followers?limit=2.5", "limit", None),
        ("/v1/me/followers?cursor=", "cursor", None),
        ("/v1/me/followers?cursor=a%20b", "cursor", None),
        ("/v1/me/followers?cursor=" + "a" * 1025, "cursor", None),
        ("/v1/me/followers?foo=1", "foo", "foo: is not a query parameter of this operation"),
        ("/v1/me?limit=1", "limit", None),
        ("/v1/me/followers?_=1700000000000", "_", "_: is not a query parameter of this operation"),
        ("/v1/users?ids=uj7wxenmftr26zlg7eo4maa744&ids=zqll6htnhyb2welrqsrtrhdvaa", "ids", "ids: is given 2 times"),
        ("/v1/me/followers?limit=5&limit=5", "limit", "limit: is given 2 times; it takes one value"),
        ("/v1/me/followers?cursor=abc&limit=5&cursor=abc&cursor=d", "cursor", "cursor: is given 3 times"),
        ("/v1/me/library/tracks?trackIds=nope", "trackIds", None),
        ("/v1/me/followed/playlists?playlistIds=B01LS62KK2,", "playlistIds", None),
        ("/v1/users/UPPERCASE", "id", None),
        ("/v1/me/followed/artists/lowercase1", "id", None),
        ("/v1/users?ids=Bad-Id", "ids", None),
    ],
)
async def test_parameter_errors_name_the_field(
    client: httpx.AsyncClient, headers: dict[str, str], path: str, field: str, message: str | None
) -> None:
    method = "PUT" if "/followed/artists/" in path else "GET"
    text = assert_error(await client.request(method, path, headers=headers), 400, "BAD_REQUEST")
    assert text.startswith(f"{field}: "), text
    if message is not None:
        assert text.startswith(message), text


async def test_more_than_100_ids_is_400_naming_ids(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    ids = ",".join(f"user{n}" for n in range(101))
    text = assert_error(await client.get("/v1/users", headers=headers, params={"ids": ids}), 400, "BAD_REQUEST")
    assert text.startswith("ids: ") and "101 given" in text, text
    asins = ",".join(f"B{n:09d}" for n in range(101))
    text = assert_error(await client.get("/v1/me/library/tracks", headers=headers, params={"trackIds": asins}), 400)
    assert text.startswith("trackIds: "), text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}, "name"),
        ({"name": "X", "playbackVisibility": "PUBLIC"}, "visibility"),
        ({"name": "X", "visibility": "PUBLIC"}, "playbackVisibility"),
        ({"name": "X", "visibility": "SECRET", "playbackVisibility": "PUBLIC"}, "visibility"),
        ({"name": "X", "visibility": "PUBLIC", "playbackVisibility": "public"}, "playbackVisibility"),
        ({"name": "", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}, "name"),
        ({"name": 5, "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}, "name"),
        ({"name": "X", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC", "extra": 1}, "extra"),
        ([], "body"),
    ],
)
async def test_body_errors_name_the_field(
    client: httpx.AsyncClient, headers: dict[str, str], body: object, field: str
) -> None:
    text = assert_error(await client.put("/v1/me", headers=headers, json=body), 400, "BAD_REQUEST")
    assert text.startswith(f"{field}: "), text


@pytest.mark.parametrize("raw", [b"{", b'{"name": "X",}', b"not json", b"\xff\xfe"])
async def test_malformed_json_is_400_naming_body(
    client: httpx.AsyncClient, headers: dict[str, str], raw: bytes
) -> None:
    response = await client.put("/v1/me", headers={**headers, "content-type": "application/json"}, content=raw)
    assert_error(response, 400, "BAD_REQUEST", names="body: ")


async def test_missing_body_is_400_naming_body(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    assert_error(await client.put("/v1/me", headers=headers), 400, "BAD_REQUEST", names="body: ")


async def test_wrong_content_type_is_415(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.put("/v1/me", headers={**headers, "content-type": "text/plain"}, content=b"name=X")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE", names="Content-Type")


async def test_unknown_route_is_404_in_the_error_shape(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    for path in ("/v1/nothing", "/v2/me", "/v1/me/followed/artists", "/nothing"):
        assert_error(await client.get(path, headers=headers), 404, "NOT_FOUND", names="path: ")


async def test_a_trailing_slash_is_an_unknown_path_not_a_redirect(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for path in ("/v1/me/", "/v1/users/zqll6htnhyb2welrqsrtrhdvaa/", "/v1/me/followers/"):
        assert_error(await client.get(path, headers=headers), 404, "NOT_FOUND", names="path: ")
    assert (await client.get("/v1/me", headers=headers)).status_code == 200


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.patch("/v1/me", headers=headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED", names="PATCH")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PUT"}
    response = await client.post(f"/v1/users/{DEMO_USER_ID}/followers", headers=headers)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    response = await client.get("/v1/me/followed/artists/B000QKGN8W", headers=headers)
    assert set(response.headers["allow"].split(", ")) == {"PUT", "DELETE"}


async def test_validation_runs_after_authentication(client: httpx.AsyncClient) -> None:
    # Without credentials, a bad parameter is not worth reporting yet: 401 comes first.
    assert_error(await client.get("/v1/me/followers?limit=500"), 401)


async def test_bad_input_never_gives_500(client: httpx.AsyncClient, headers: dict[str, str], app: EmulatorApp) -> None:
    weird = ["%00", "%FF", "..", "%2F", "a" * 5000, "\u00e9", "null", "-1", "1e3", "[]", "{}", "%22"]
    paths = [
        "/v1/me/followers?limit={}",
        "/v1/me/followers?cursor={}",
        "/v1/users/{}",
        "/v1/users?ids={}",
        "/v1/me/followed/artists/{}",
        "/v1/me/library/tracks?trackIds={}",
        "/v1/users/{}/followers?limit={}",
    ]
    for template in paths:
        for value in weird:
            for method in ("GET", "PUT", "DELETE"):
                response = await client.request(method, template.format(value, value), headers=headers)
                assert response.status_code < 500, (method, template, value, response.text)
                if response.status_code >= 400:
                    assert_error(response, response.status_code)
    for body in (b"", b"0", b"[1]", b'{"name": null}', b"\x00", b'{"name": "X"' + b" " * 100_000 + b"}"):
        response = await client.put("/v1/me", headers={**headers, "content-type": "application/json"}, content=body)
        assert 400 <= response.status_code < 500, (body[:20], response.text)
        assert_error(response, response.status_code)
