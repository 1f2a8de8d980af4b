"""Non-2xx responses become the typed error tree; bodies of any shape give a clear error, never a KeyError."""

from __future__ import annotations

import httpx
import pytest
import respx
from overlay_support import DEMO_USER, error_body

from amazon_music import (
    AmazonMusic,
    AmazonMusicError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AsyncAmazonMusic,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenError,
    UnprocessableEntityError,
    ValidationError,
    _errors,
)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "BAD_REQUEST", BadRequestError),
        (401, "INVALID_AUTH_TOKEN", AuthenticationError),
        (403, "AUTH_NO_MUSIC_ACCOUNT_FOUND", PermissionDeniedError),
        (404, "NOT_FOUND", NotFoundError),
        (405, "METHOD_NOT_ALLOWED", APIStatusError),
        (422, "UNPROCESSABLE", UnprocessableEntityError),
        (429, "THROTTLED", RateLimitError),
        (500, "INTERNAL_SERVER_ERROR", ServerError),
        (501, "NOT_IMPLEMENTED", ServerError),
    ],
)
def test_each_status_raises_its_class(
    client: AmazonMusic, api: respx.MockRouter, status: int, code: str, expected: type[APIStatusError]
) -> None:
    api.get("/v1/me").respond(status, json=error_body(status, code, "what went wrong"))
    policy_retries = client._http._transport.transport.policy.max_retries  # type: ignore[attr-defined]
    with pytest.raises(expected) as caught:
        client.me()
    error = caught.value
    assert type(error) is expected
    assert isinstance(error, APIStatusError)
    assert (error.status, error.code, error.message) == (status, code, "what went wrong")
    assert error.response is not None and error.response.status_code == status
    assert str(error) == f"{status} {code}: what went wrong"
    retried = status in (429, 500)
    assert api.calls.call_count == (policy_retries + 1 if retried else 1)


def test_request_id_is_read_from_the_amzn_header(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get(f"/v1/users/{DEMO_USER}").respond(
        404, json=error_body(404, "NOT_FOUND", f"id: no user {DEMO_USER}"), headers={"x-amzn-RequestId": "req-42"}
    )
    with pytest.raises(NotFoundError) as caught:
        client.user(DEMO_USER)
    assert caught.value.request_id == "req-42"
    assert "(request id req-42)" in str(caught.value)


def test_request_id_is_none_without_the_header(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get("/v1/me").respond(400, json=error_body(400, "BAD_REQUEST", "limit: 0 is less than the minimum of 1"))
    with pytest.raises(BadRequestError) as caught:
        client.me()
    assert caught.value.request_id is None


@pytest.mark.parametrize(
    ("message", "scope"),
    [
        ("The access token lacks the scope music::favorites required by this operation.", "music::favorites"),
        ("missing scope: music::profile:read", "music::profile:read"),
        ("No Amazon Music account was found for this customer.", None),
    ],
)
def test_permission_denied_names_the_missing_scope(
    client: AmazonMusic, api: respx.MockRouter, message: str, scope: str | None
) -> None:
    api.get("/v1/me").respond(403, json=error_body(403, "FORBIDDEN", message))
    with pytest.raises(PermissionDeniedError) as caught:
        client.me()
    assert caught.value.missing_scope == scope


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service Unavailable</html>",
        b"",
        b'{"error": "not an object"}',
        b'{"message": "no error key"}',
        b"[1, 2, 3]",
        b'{"error": {"status": 404}}',
    ],
)
def test_error_bodies_of_any_shape_give_a_typed_error(client: AmazonMusic, api: respx.MockRouter, body: bytes) -> None:
    api.get(f"/v1/users/{DEMO_USER}").respond(404, content=body, headers={"content-type": "application/json"})
    with pytest.raises(NotFoundError) as caught:
        client.user(DEMO_USER)
    assert caught.value.status == 404
    assert caught.value.message  # the reason phrase at least


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"{}",
        b'{"data": {}}',
        b'{"data": {"user": {"name": "no id"}}}',
        b'{"data": {"user": {"id": "x", "visibility": "SOMETIMES"}}}',
        b'{"data": null}',
        b"[]",
    ],
)
def test_malformed_success_bodies_raise_malformed_response_error(
    client: AmazonMusic, api: respx.MockRouter, body: bytes
) -> None:
    api.get("/v1/me").respond(200, content=body, headers={"content-type": "application/json"})
    with pytest.raises(MalformedResponseError) as caught:
        client.me()
    error = caught.value
    assert not isinstance(error, KeyError)
    assert str(error).startswith("me: the 200 response is not a UserResponse")
    assert error.response is not None and error.response.content == body


def test_missing_field_is_named(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get("/v1/me").respond(200, json={"data": {}})
    with pytest.raises(MalformedResponseError, match=r"missing field 'user'"):
        client.me()


def test_a_success_status_the_spec_does_not_describe_is_malformed(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get("/v1/me").respond(204)
    with pytest.raises(MalformedResponseError, match="the 204 response is not a UserResponse"):
        client.me()


def test_connect_failure_after_retries_is_api_connection_error(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/me").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        client.me()
    assert not isinstance(caught.value, APITimeoutError)
    assert str(caught.value) == "GET https://api.music.amazon.dev/v1/me: no response (ConnectError: refused)"
    assert route.call_count == 4  # the first try and three retries


def test_timeout_after_retries_is_api_timeout_error(client: AmazonMusic, api: respx.MockRouter) -> None:
    api.get("/v1/me").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        client.me()


def test_a_write_error_is_not_retried(client: AmazonMusic, api: respx.MockRouter) -> None:
    route = api.get("/v1/me").mock(side_effect=httpx.WriteError("broken pipe"))
    with pytest.raises(APIConnectionError):
        client.me()
    assert route.call_count == 1


def test_every_error_is_an_amazon_music_error() -> None:
    public = [getattr(_errors, name) for name in _errors.__all__ if isinstance(getattr(_errors, name), type)]
    assert all(issubclass(cls, AmazonMusicError) for cls in public)
    assert issubclass(APITimeoutError, APIConnectionError)


def test_the_tree_in_the_docstring_names_every_class() -> None:
    doc = _errors.__doc__ or ""
    for name in _errors.__all__:
        if isinstance(getattr(_errors, name), type):
            assert name in doc, name


async def test_async_client_raises_the_same_errors(async_client: AsyncAmazonMusic, api: respx.MockRouter) -> None:
    api.get(f"/v1/users/{DEMO_USER}").respond(404, json=error_body(404, "NOT_FOUND", "no such user"))
    api.get("/v1/me").respond(200, json={"data": {}})
    with pytest.raises(NotFoundError):
        await async_client.user(DEMO_USER)
    with pytest.raises(MalformedResponseError, match="missing field 'user'"):
        await async_client.me()


# -- pickling and copying (issue 13.2) -----------------------------------------------------------------------------


def _every_error_class() -> list[type[AmazonMusicError]]:
    """AmazonMusicError and every subclass, found by walking the tree (a class added later is covered too)."""
    found: list[type[AmazonMusicError]] = []
    pending: list[type[AmazonMusicError]] = [AmazonMusicError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def _an_instance(cls: type[AmazonMusicError]) -> AmazonMusicError:
    request = httpx.Request("GET", "https://api.music.amazon.dev/v1/me")
    response = httpx.Response(418, json={"error": {"code": "X"}}, request=request)
    if issubclass(cls, RateLimitError):
        return cls("slow down", status=429, code="THROTTLED", request_id="r-1", response=response, retry_after=2.5)
    if issubclass(cls, APIStatusError):
        return cls("no such user", status=404, code="NOT_FOUND", request_id="r-1", response=response)
    if issubclass(cls, APIConnectionError):
        return cls("GET https://api.music.amazon.dev/v1/me: no response (ConnectError)", request=request)
    if issubclass(cls, MalformedResponseError):
        return cls("me: not a UserResponse", response=response)
    if issubclass(cls, TokenError):
        return cls("invalid_grant", "refresh_token: unknown", status_code=400)
    if issubclass(cls, ValidationError):
        return cls("limit", "101 is greater than the maximum of 100")
    return cls("client_id: required")


def _fields(error: AmazonMusicError) -> dict[str, object]:
    """What an error carries: its message, args and attributes (requests and responses by what they say)."""
    fields: dict[str, object] = {"str": str(error), "repr": repr(error), "args": error.args}
    for name, value in vars(error).items():
        if isinstance(value, httpx.Response):
            value = (value.status_code, value.content, value.request.url)
        elif isinstance(value, httpx.Request):
            value = (value.method, value.url)
        fields[name] = value
    return fields


@pytest.mark.parametrize("cls", _every_error_class(), ids=lambda cls: cls.__name__)
def test_every_error_pickles_and_copies_with_its_type_and_fields(cls: type[AmazonMusicError]) -> None:
    import copy
    import pickle

    error = _an_instance(cls)
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is cls
        assert _fields(clone) == _fields(error)


def test_the_walk_finds_every_public_error() -> None:
    import amazon_music

    classes = [value for value in vars(amazon_music).values() if isinstance(value, type)]
    public = {cls for cls in classes if issubclass(cls, Exception)}
    assert public <= set(_every_error_class()) | {amazon_music.InsecureTokenFileWarning}
    assert len(_every_error_class()) >= 15
