"""Shared helpers of the emulator tests: the spec's error schema, error assertions, and listing walks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jsonschema
import yaml
from store_backends import BACKENDS as BACKENDS  # re-exported: a module on both backends says STORE_BACKENDS = BACKENDS

from amazon_music_emulator import specfile

ROOT = Path(__file__).resolve().parents[2]
DOCS_FIXTURE = ROOT / "tests" / "fixtures" / "docs_user_v1.txt"

SPEC: dict[str, Any] = yaml.safe_load(specfile.spec_path().read_text(encoding="utf-8"))


def _error_schema() -> dict[str, Any]:
    schemas = SPEC["components"]["schemas"]
    return {
        "type": "object",
        "required": ["error"],
        "properties": {"error": schemas["Error"]},
    }


ERROR_VALIDATOR = jsonschema.Draft4Validator(_error_schema())


def assert_error(response: httpx.Response, status: int, code: str | None = None, names: str | None = None) -> str:
    """The response is the documented error: this status, JSON, the spec's Error schema, status as a string; returns
    the message (which must contain ``names`` when given)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    ERROR_VALIDATOR.validate(body)
    error = body["error"]
    assert error["status"] == str(status)
    if code is not None:
        assert error["code"] == code, error
    message: str = error["message"]
    if names is not None:
        assert names in message, message
    return message


def connection_of(body: dict[str, Any]) -> dict[str, Any]:
    """The one connection object (followers, followedUsers, ...) in a listing response."""
    user = body["data"]["user"]
    (key,) = [k for k, v in user.items() if isinstance(v, dict) and "edges" in v]
    connection: dict[str, Any] = user[key]
    return connection


async def walk(client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every edge of a listing, page after page, checking the paging invariants on each page."""
    edges: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(1000):
        query = dict(params)
        if cursor is not None:
            query["cursor"] = cursor
        response = await client.get(url, headers=headers, params=query)
        assert response.status_code == 200, response.text
        connection = connection_of(response.json())
        assert connection["edgeCount"] == len(connection["edges"])
        page_info = connection["pageInfo"]
        assert ("token" in page_info) == page_info["hasNextPage"]
        edges.extend(connection["edges"])
        if not page_info["hasNextPage"]:
            return edges
        cursor = page_info["token"]
    raise AssertionError(f"{url}: more than 1000 pages")
