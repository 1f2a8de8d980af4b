"""Consumer matrix, row 2: openapi-core (an independent Python validator, pinned in the dev dependencies) checks
every request and answer of a full walk of the emulator (every operation, every page of every listing, and the
documented error answers) against the published bundle, and reports no mismatch. The planted answers prove it looks."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from consumer_support import TRAFFIC, RunningEmulator, credentials, listings, operation_of, walk
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from publish_support import operations
from werkzeug.datastructures import Headers, ImmutableMultiDict

# openapi-core checks the API key but has no oauth2 support: it says so once per request.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")


class OpenAPIRequest:
    """An httpx request as openapi-core's Request protocol reads it."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode("ascii"))),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode('ascii')}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "")


class OpenAPIResponse:
    """An httpx response as openapi-core's Response protocol reads it."""

    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.data = response.content
        self.content_type = response.headers.get("content-type", "")
        self.headers = Headers(dict(response.headers))


def _validator(bundle_json: dict[str, Any], base_url: str) -> OpenAPI:
    # The bundle names the live host; the walk talks to the emulator, so the one server is the emulator's URL.
    document = copy.deepcopy(bundle_json)
    document["servers"] = [{"url": base_url}]
    return OpenAPI.from_dict(document)


def _problems(openapi: OpenAPI, response: httpx.Response, *, request_too: bool) -> list[str]:
    found = []
    if request_too:
        result = openapi.unmarshal_request(OpenAPIRequest(response.request))
        found += [f"request: {error!r}" for error in result.errors]
    answer = openapi.unmarshal_response(OpenAPIRequest(response.request), OpenAPIResponse(response))
    found += [
        f"response {response.status_code}: {error!r} {getattr(error, '__cause__', '')}" for error in answer.errors
    ]
    return found


@pytest.fixture(scope="module")
def walked(consumer_emulator: RunningEmulator, bundle_json: dict[str, Any]) -> Iterator[list[httpx.Response]]:
    with httpx.Client(base_url=consumer_emulator.base_url, timeout=30.0) as client:
        yield walk(client, bundle_json, credentials(consumer_emulator))


def test_openapi_core_finds_no_mismatch_in_a_full_walk(
    walked: list[httpx.Response], consumer_emulator: RunningEmulator, bundle_json: dict[str, Any]
) -> None:
    openapi = _validator(bundle_json, consumer_emulator.base_url)
    problems = []
    for response in walked:
        # The walk's 400s and 401 answer requests the spec refuses (on purpose): their answers are checked.
        found = _problems(openapi, response, request_too=response.status_code not in (400, 401))
        problems += [f"{response.request.method} {response.request.url.raw_path.decode()}: {p}" for p in found]
    assert problems == []
    operations_walked = {operation_of(bundle_json, r.request.method, r.request.url.raw_path.decode()) for r in walked}
    assert operations_walked == set(operations(bundle_json))
    assert {r.status_code for r in walked} >= {200, 400, 401, 403, 404}
    assert len(walked) > len(TRAFFIC) + len(listings(bundle_json)), "the walk follows pages past the first"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (200, {"nope": 1}),
        (200, {"data": {"user": {"id": "zqll6htnhyb2welrqsrtrhdvaa", "playbackVisibility": "FRIENDS"}}}),
        (404, {"error": {"status": 404, "code": "NOT_FOUND", "message": "status is a string"}}),
    ],
)
def test_openapi_core_reports_a_planted_wrong_answer(bundle_json: dict[str, Any], status: int, body: Any) -> None:
    openapi = _validator(bundle_json, "http://127.0.0.1:9")
    request = httpx.Request("GET", "http://127.0.0.1:9/v1/me", headers={"x-api-key": "k", "authorization": "Bearer t"})
    response = httpx.Response(status, json=body, request=request)
    assert _problems(openapi, response, request_too=False) != []


@pytest.mark.parametrize("playback_visibility", ["PUBLIC", "PRIVATE", None])
def test_openapi_core_accepts_every_playback_visibility_the_spec_means(
    bundle_json: dict[str, Any], playback_visibility: str | None
) -> None:
    openapi = _validator(bundle_json, "http://127.0.0.1:9")
    request = httpx.Request("GET", "http://127.0.0.1:9/v1/me", headers={"x-api-key": "k", "authorization": "Bearer t"})
    user = {"id": "zqll6htnhyb2welrqsrtrhdvaa", "playbackVisibility": playback_visibility}
    response = httpx.Response(200, json={"data": {"user": user}}, request=request)
    assert _problems(openapi, response, request_too=False) == []
