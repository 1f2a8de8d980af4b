"""Ways in: serve() (a real loopback server for code that does not speak httpx), the transports, headers()."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import httpx
import pytest

from amazon_music import AmazonMusic, ServerError
from amazon_music.testing import Emulator, emulate


def get(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_serve_answers_plain_http_over_loopback_and_stops_on_exit() -> None:
    with emulate(seed=False) as emulator:
        base_url = emulator.serve()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base_url)
        assert emulator.serve() == base_url  # one server per emulator
        status, body = get(f"{base_url}/v1/me", emulator.headers())
        assert (status, body["data"]["user"]["name"]) == (200, "Tony Starked")

        fan = emulator.add_user("Fan")  # the served app is the same emulator: arranged state shows at once
        emulator.follow(fan, emulator.demo_user)
        status, body = get(f"{base_url}/v1/me/followers", emulator.headers())
        assert [edge["node"]["id"] for edge in body["data"]["user"]["followers"]["edges"]] == [fan]

        emulator.faults(1.0, status=503)  # and so are the knobs
        status, body = get(f"{base_url}/v1/me", emulator.headers())
        assert (status, body["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{base_url}/openapi.json", timeout=5)


def test_our_client_over_the_served_url(amazon_music_emulator: Emulator) -> None:
    base_url = amazon_music_emulator.serve()
    with AmazonMusic(amazon_music_emulator.api_key, token=amazon_music_emulator.token(), base_url=base_url) as music:
        assert music.me().id == amazon_music_emulator.demo_user
        amazon_music_emulator.faults(1.0, status=500)
        with pytest.raises(ServerError):
            AmazonMusic(amazon_music_emulator.api_key, token="Atza|x", base_url=base_url, max_retries=0).me()


def test_any_httpx_client_through_the_sync_transport(amazon_music_emulator: Emulator) -> None:
    with httpx.Client(transport=amazon_music_emulator.transport, base_url="https://api.music.amazon.dev") as http:
        response = http.get("/v1/me", headers=amazon_music_emulator.headers())
        assert response.status_code == 200
        assert response.json()["data"]["user"]["id"] == amazon_music_emulator.demo_user
        assert http.get("/v1/me").status_code == 401  # no credentials: the emulator's auth is real


async def test_any_httpx_client_through_the_async_transport(amazon_music_emulator: Emulator) -> None:
    async with httpx.AsyncClient(transport=amazon_music_emulator.async_transport, base_url="http://any.host") as http:
        jane = "uj7wxenmftr26zlg7eo4maa744"
        response = await http.get(f"/v1/users/{jane}", headers=amazon_music_emulator.headers())
        assert response.json()["data"]["user"]["name"] == "Jane M"
