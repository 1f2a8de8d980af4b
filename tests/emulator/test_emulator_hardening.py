"""Bad input never gets a 500: the families an attack pass found (lone surrogates, deep nesting, non-JSON and oversize
bodies, odd IDs) on every operation of the spec, each answered with a 4xx in the documented error shape; and the one
scope rule for a user's own private lists, by either route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from emulator_support import SPEC, assert_error

from amazon_music_emulator import DEMO_USER_ID, EmulatorApp, create_app
from amazon_music_emulator.access import own_lists_scopes
from amazon_music_emulator.bodies import DEFAULT_MAX_BODY_BYTES, MAX_JSON_DEPTH

JANE = "uj7wxenmftr26zlg7eo4maa744"
ARTIST = "B01372OH53"
PRIVATE_USER = "k35wo4lm34masdsadevrs7a"
LONE_SURROGATE_UTF8 = "%ED%A0%80"  # U+D800 encoded as if it were a character: not UTF-8


def _operations() -> list[tuple[str, str, str, bool]]:
    """(operationId, method, path template, takes a body) for every operation of the spec."""
    found = []
    for template, path_item in SPEC["paths"].items():
        for method, operation in path_item.items():
            if method != "parameters":
                found.append((operation["operationId"], method.upper(), template, "requestBody" in operation))
    return found


OPERATIONS = _operations()
OPERATION_IDS = [operation[0] for operation in OPERATIONS]


def _url(template: str, identifier: str | None = None) -> str:
    """The path with a valid ID (or ``identifier``) in it, and the required query parameters filled in."""
    value = identifier or (ARTIST if "/artists/" in template else JANE)
    path = template.replace("{id}", value)
    return f"{path}?ids={JANE}" if template == "/v1/users" else path


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize(
    ("family", "content", "content_type"),
    [
        ("lone surrogate", b'{"name": "\\ud800", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}', None),
        ("deep nesting", b'{"name": ' + _deep(2000) + b"}", None),
        ("deep nesting under the decoder's limit", b'{"name": ' + _deep(MAX_JSON_DEPTH * 10) + b"}", None),
        ("not JSON", b"hello", None),
        ("not UTF-8", b'{"name": "\xff\xfe"}', None),
    ],
)
@pytest.mark.parametrize(("operation_id", "method", "template", "has_body"), OPERATIONS, ids=OPERATION_IDS)
async def test_a_bad_body_is_a_400_on_every_operation(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    operation_id: str,
    method: str,
    template: str,
    has_body: bool,
    family: str,
    content: bytes,
    content_type: str | None,
) -> None:
    sent = {**headers, "content-type": content_type or "application/json"}
    response = await client.request(method, _url(template), content=content, headers=sent)
    message = assert_error(response, 400, "BAD_REQUEST", names="body")
    if not has_body:
        assert "takes no request body" in message


@pytest.mark.parametrize(("operation_id", "method", "template", "has_body"), OPERATIONS, ids=OPERATION_IDS)
async def test_an_oversize_body_is_the_documented_413_on_every_operation(
    client: httpx.AsyncClient, headers: dict[str, str], operation_id: str, method: str, template: str, has_body: bool
) -> None:
    oversize = b"[" + b"1," * (DEFAULT_MAX_BODY_BYTES // 2) + b"1]"
    response = await client.request(
        method, _url(template), content=oversize, headers={**headers, "content-type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE", names=str(DEFAULT_MAX_BODY_BYTES))
    operation = SPEC["paths"][template][method.lower()]
    assert operation["responses"]["413"] == {"$ref": "#/components/responses/PayloadTooLarge"}


@pytest.mark.parametrize(
    ("operation_id", "method", "template", "has_body"),
    [operation for operation in OPERATIONS if "{id}" in operation[2]],
    ids=[operation[0] for operation in OPERATIONS if "{id}" in operation[2]],
)
@pytest.mark.parametrize("identifier", [LONE_SURROGATE_UTF8, "%00", "%F0%9F%8E%B5" * 50, "a" * 5000])
async def test_an_odd_id_is_a_400_on_every_operation_with_an_id(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    operation_id: str,
    method: str,
    template: str,
    has_body: bool,
    identifier: str,
) -> None:
    url = httpx.URL("http://emulator.test" + _url(template, identifier))
    content = b'{"name": "N", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}' if has_body else None
    assert_error(await client.request(method, url, content=content, headers=headers), 400, "BAD_REQUEST", names="id")


async def test_the_inputs_of_the_attack_pass(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    surrogate = b'{"name": "\\ud800", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}'
    json_headers = {**headers, "content-type": "application/json"}
    assert_error(await client.put("/v1/me", content=surrogate, headers=json_headers), 400, names="body")
    assert_error(await client.put("/v1/me", content=_deep(2000), headers=json_headers), 400, names="body")
    for path in (f"/v1/me/followed/artists/{ARTIST}", f"/v1/me/followed/users/{JANE}"):
        plain = await client.put(path, content=b"hello", headers={**headers, "content-type": "text/plain"})
        assert_error(plain, 400, "BAD_REQUEST", names="takes no request body")
    # The wrong media type on the operation with a body is refused as such, in the error shape.
    wrong_type = await client.put("/v1/me", content=b"hello", headers={**headers, "content-type": "text/plain"})
    assert_error(wrong_type, 415, "UNSUPPORTED_MEDIA_TYPE", names="Content-Type")
    # The store is untouched by all of it.
    assert (await client.get("/v1/me", headers=headers)).json()["data"]["user"]["name"] == "Tony Starked"


async def test_a_bad_content_length_is_a_400(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.get("/v1/me", headers={**headers, "content-length": "lots"})
    assert_error(response, 400, "BAD_REQUEST", names="Content-Length")


async def test_the_body_bound_is_configurable() -> None:
    app = create_app(":memory:", validate_responses=True, max_body_bytes=100)
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    body = {"name": "A name long enough to pass the 100 bytes", "visibility": "PUBLIC", "playbackVisibility": "PUBLIC"}
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test") as client:
            assert_error(await client.put("/v1/me", json=body, headers=headers), 413, "PAYLOAD_TOO_LARGE", names="100")
            small = {**body, "name": "Short"}
            assert (await client.put("/v1/me", json=small, headers=headers)).status_code == 200
            # A body of undeclared length (chunked) is cut off at the bound too.
            chunked = await client.post("/auth/o2/token", content=_chunks(b"x" * 40, 4))
            assert chunked.status_code == 413 and chunked.json()["error"] == "invalid_request"
    finally:
        app.close()
    with pytest.raises(ValueError, match="max_body_bytes"):
        create_app(":memory:", max_body_bytes=0)


async def _chunks(chunk: bytes, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield chunk


# -- one scope rule for a user's own private lists ---------------------------------------------------------------


def test_the_rule_takes_the_scope_of_the_me_lists_from_the_spec() -> None:
    me_lists = {
        scope
        for template, path_item in SPEC["paths"].items()
        if template.startswith("/v1/me/follow") and "get" in path_item
        for requirement in path_item["get"]["security"]
        for scope in requirement.get("lwa", [])
    }
    assert set(own_lists_scopes()) == me_lists == {"music::favorites:read"}


@pytest.fixture
def private_me(app: EmulatorApp) -> str:
    """The demo user, made PRIVATE."""
    user = app.store.get_user(DEMO_USER_ID)
    assert user is not None
    app.store.update_user(DEMO_USER_ID, name=user.name, visibility="PRIVATE", playback_visibility="PRIVATE")
    return DEMO_USER_ID


def _headers(app: EmulatorApp, *scopes: str) -> dict[str, str]:
    grant = app.mint_token(scopes=scopes)
    return {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}


@pytest.mark.parametrize("listing", ["followers", "followed/users", "followed/artists", "followed/podcasts/shows"])
async def test_own_private_lists_by_the_users_route_need_the_me_lists_scope(
    client: httpx.AsyncClient, app: EmulatorApp, private_me: str, listing: str
) -> None:
    catalog_only = await client.get(f"/v1/users/{private_me}/{listing}", headers=_headers(app, "music::catalog"))
    assert_error(catalog_only, 403, "INSUFFICIENT_SCOPE", names="music::favorites:read")
    assert "insufficient_scope" in catalog_only.headers["www-authenticate"]
    both = _headers(app, "music::catalog", "music::favorites:read")
    assert (await client.get(f"/v1/users/{private_me}/{listing}", headers=both)).status_code == 200


@pytest.mark.parametrize("listing", ["followers", "followed/users", "followed/playlists", "followed/podcasts/shows"])
async def test_own_private_lists_by_the_me_route_need_the_same_scope(
    client: httpx.AsyncClient, app: EmulatorApp, private_me: str, listing: str
) -> None:
    catalog_only = await client.get(f"/v1/me/{listing}", headers=_headers(app, "music::catalog"))
    assert_error(catalog_only, 403, "INSUFFICIENT_SCOPE", names="music::favorites:read")
    granted = await client.get(f"/v1/me/{listing}", headers=_headers(app, "music::favorites:read"))
    assert granted.status_code == 200


async def test_public_lists_and_other_users_private_lists_are_unchanged(
    client: httpx.AsyncClient, app: EmulatorApp
) -> None:
    catalog = _headers(app, "music::catalog")
    assert (await client.get(f"/v1/users/{DEMO_USER_ID}/followers", headers=catalog)).status_code == 200
    everything = _headers(app, "music::catalog", "music::favorites:read")
    refused = await client.get(f"/v1/users/{PRIVATE_USER}/followers", headers=everything)
    assert_error(refused, 403, "PRIVATE_USER", names=PRIVATE_USER)


# -- RFC 6750 challenges ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "challenge"),
    [
        ({}, 'Bearer realm="Amazon Music", error="invalid_request"'),
        ({"Authorization": None}, 'Bearer realm="Amazon Music"'),
        ({"Authorization": "Basic abc"}, 'Bearer realm="Amazon Music", error="invalid_request"'),
        ({"Authorization": "Bearer zzsecretzz"}, 'Bearer realm="Amazon Music", error="invalid_token"'),
        ({"Authorization": "Bearer Atza|zzsecretzz"}, 'Bearer realm="Amazon Music", error="invalid_token"'),
    ],
)
async def test_every_401_carries_a_bearer_challenge(
    client: httpx.AsyncClient, grant: Any, credentials: dict[str, str | None], challenge: str
) -> None:
    headers: dict[str, str] = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
    if not credentials:
        del headers["x-api-key"]
    for name, value in credentials.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    response = await client.get("/v1/me", headers=headers)
    assert_error(response, 401)
    header = response.headers["www-authenticate"]
    assert header.startswith(challenge), header
    if "error=" not in challenge:
        assert "error=" not in header  # RFC 6750 section 3.1: no error code when no credentials were sent
    assert "zzsecretzz" not in header and grant.access_token not in header


async def test_the_spec_documents_the_challenge() -> None:
    unauthorized = SPEC["components"]["responses"]["Unauthorized"]
    assert "WWW-Authenticate" in unauthorized["headers"]


# -- the reference page's headers and CORS (in process; a browser's view is in test_emulator_browser) --------------


async def test_docs_send_security_headers(client: httpx.AsyncClient) -> None:
    page = await client.get("/docs/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert (
        "frame-ancestors 'none'" in policy
        and "'sha256-" in policy
        and "'unsafe-inline'" not in policy.split("style-src")[0]
    )
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    asset = await client.get("/docs/swagger-ui.css")
    assert asset.headers["x-content-type-options"] == "nosniff"


async def test_cors_is_off_unless_asked_for(client: httpx.AsyncClient) -> None:
    preflight = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}
    response = await client.options("/v1/me", headers=preflight)
    assert "access-control-allow-origin" not in response.headers
    assert_error(response, 405)


@pytest.mark.parametrize("origins", [("http://localhost:3000",), ("*",)])
async def test_cors_for_the_origins_given(origins: tuple[str, ...]) -> None:
    app = create_app(":memory:", cors_origins=origins)
    grant = app.mint_token()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test") as client:
            asked = {
                "Origin": "http://localhost:3000",
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "authorization, x-api-key, content-type",
            }
            preflight = await client.options("/v1/me", headers=asked)
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] in ("http://localhost:3000", "*")
            assert "access-control-allow-credentials" not in preflight.headers
            headers = {"Origin": "http://localhost:3000", "x-api-key": grant.api_key}
            answer = await client.get("/v1/me", headers={**headers, "Authorization": f"Bearer {grant.access_token}"})
            assert answer.status_code == 200 and "access-control-allow-origin" in answer.headers
            if origins != ("*",):
                other = await client.options("/v1/me", headers={**asked, "Origin": "http://evil.example"})
                assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    finally:
        app.close()
