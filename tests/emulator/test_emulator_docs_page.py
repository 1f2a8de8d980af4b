"""/docs (Swagger UI, served offline) shows every operation of the spec in headless Chromium; the spec at /openapi.*."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from emulator_support import ROOT, SPEC
from live_server import serve

from amazon_music_emulator import create_app, specfile
from amazon_music_generated.operations import OPERATIONS as TABLE

sys.path.insert(0, str(ROOT / "tests"))
from browser import render_dom, visible_text

OPERATIONS = [
    (operation["tags"][0], operation["operationId"])
    for path_item in SPEC["paths"].values()
    for method, operation in path_item.items()
    if method in {"get", "put", "post", "delete"}
]


def test_docs_page_renders_every_operation_in_chromium() -> None:
    assert {operation_id for _, operation_id in OPERATIONS} == {operation.operation_id for operation in TABLE}
    app = create_app(":memory:")
    try:
        with serve(app) as base_url:
            markers = [f'id="operations-{tag}-{operation_id}"' for tag, operation_id in OPERATIONS]
            # Offline: any request beyond loopback fails, so a page needing a CDN would not render.
            dom = render_dom(f"{base_url}/docs/", wait_for=markers, budget_ms=15_000)
    finally:
        app.close()
    for marker in markers:
        assert dom.count(marker) == 1, marker
    text = visible_text(dom)
    assert "Amazon Music Web API - User v1" in text
    for path_item in SPEC["paths"].values():
        for method, operation in path_item.items():
            if method != "parameters":
                assert operation["summary"] in text, operation["summary"]
    for path in SPEC["paths"]:
        assert f'data-path="{path}"' in dom, path


async def test_openapi_json_and_yaml_are_the_spec_with_the_emulator_as_first_server() -> None:
    app = create_app(":memory:")
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e.test") as client:
            as_json = await client.get("/openapi.json")
            as_yaml = await client.get("/openapi.yaml")
            redirect = await client.get("/docs")
    finally:
        app.close()
    assert as_json.status_code == as_yaml.status_code == 200
    assert as_json.headers["content-type"].startswith("application/json")
    assert "yaml" in as_yaml.headers["content-type"]
    served = json.loads(as_json.content)
    assert served == yaml.safe_load(as_yaml.content)
    assert served["servers"][0]["url"] == "/"
    assert {k: v for k, v in served.items() if k != "servers"} == {k: v for k, v in SPEC.items() if k != "servers"}
    assert served["servers"][1:] == SPEC["servers"]
    assert redirect.status_code in (301, 302, 307) and redirect.headers["location"].endswith("/docs/")


def test_the_spec_is_found_beside_the_package_or_in_the_repository() -> None:
    path = specfile.spec_path()
    assert path.name == "amazon-music-user-v1.yaml"
    assert path.read_bytes() == (ROOT / "spec" / "amazon-music-user-v1.yaml").read_bytes()


def test_an_installed_package_reads_the_spec_it_ships(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A wheel carries the spec at amazon_music_emulator/spec/ (pyproject's force-include); that copy wins.
    shipped = tmp_path / "spec" / "amazon-music-user-v1.yaml"
    shipped.parent.mkdir()
    shipped.write_text("openapi: 3.0.3\n")
    monkeypatch.setattr(specfile.resources, "files", lambda package: tmp_path)
    assert specfile.spec_path() == shipped
