"""What the contract fuzzing found in the emulator, pinned down as plain tests so it stays fixed at any seed.

1. A path parameter ending in a newline (``/v1/users/abc%0A``) was routed by connexion but skipped its security and
   validation stages, and reached the dispatcher, which failed with 500 (KeyError), with or without credentials.
   It must answer 404 in the error shape, and never run a handler.
"""

from __future__ import annotations

import httpx
import pytest

from amazon_music_emulator import create_app

NEWLINE_PATHS = [
    ("GET", "/v1/users/%0A"),
    ("GET", "/v1/users/abc%0A"),
    ("GET", "/v1/users/zqll6htnhyb2welrqsrtrhdvaa%0A"),
    ("PUT", "/v1/me/followed/artists/j%C2%A7%0A"),
    ("DELETE", "/v1/me/followed/artists/B000QKGN8W%0A"),
    ("PUT", "/v1/me/followed/users/a%0A"),
    ("DELETE", "/v1/me/followed/users/%16%0A"),
]


@pytest.mark.parametrize("authenticated", [True, False], ids=["with credentials", "without credentials"])
@pytest.mark.parametrize(("method", "path"), NEWLINE_PATHS)
async def test_path_parameter_ending_in_newline_is_404_in_the_error_shape(
    method: str, path: str, authenticated: bool
) -> None:
    app = create_app(":memory:")
    grant = app.mint_token()
    headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"} if authenticated else {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://emulator") as client:
        response = await client.request(method, path, headers=headers)
    app.close()
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["status"] == "404"
    assert response.json()["error"]["code"] == "NOT_FOUND"
