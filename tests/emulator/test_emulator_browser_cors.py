"""A real browser page on another origin calls the emulator: it succeeds with --cors-origin naming that origin, and the
browser blocks it without (headless Chromium, loopback only)."""

from __future__ import annotations

import html
import http.server
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from emulator_support import ROOT
from live_server import serve

from amazon_music_emulator import create_app

sys.path.insert(0, str(ROOT / "tests"))
from browser import render_dom

# The page's script: an authenticated GET (which needs a preflight: x-api-key and Authorization are not simple
# headers), its outcome written into the DOM for the test to read.
_PAGE = """<!DOCTYPE html>
<html><body><pre id="result">pending</pre>
<script>
fetch(%(url)s, {headers: %(headers)s})
  .then(response => response.json().then(body => "cors-result:" + response.status + ":" + body.data.user.name))
  .catch(error => "cors-result:failed:" + error.name)
  .then(text => { document.getElementById("result").textContent = text; });
</script></body></html>
"""


@contextmanager
def page_server() -> Iterator[tuple[str, list[bytes]]]:
    """A second origin on loopback serving one page at /: its origin (http://127.0.0.1:<port>), and a one-item list
    holding the page, to fill in once the emulator's URL is known."""
    page = [b""]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the method name http.server dispatches to
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(page[0])))
            self.end_headers()
            self.wfile.write(page[0])

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="page-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", page
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def call_from_the_page(cors_origins: tuple[str, ...] | None) -> str:
    """What the page on another origin got from GET /v1/me; ``cors_origins`` None: the page's own origin."""
    with page_server() as (origin, page):
        app = create_app(":memory:", cors_origins=(origin,) if cors_origins is None else cors_origins)
        try:
            grant = app.mint_token()
            headers = {"x-api-key": grant.api_key, "Authorization": f"Bearer {grant.access_token}"}
            with serve(app) as base_url:
                assert urlsplit(base_url).port != urlsplit(origin).port  # two origins
                script = _PAGE % {"url": json.dumps(f"{base_url}/v1/me"), "headers": json.dumps(headers)}
                page[0] = script.encode()
                dom = render_dom(f"{origin}/", wait_for="cors-result:", budget_ms=5_000)
        finally:
            app.close()
    start = dom.index("cors-result:")
    return html.unescape(dom[start : dom.index("<", start)])


def test_a_page_on_another_origin_calls_the_emulator_named_in_cors_origin() -> None:
    assert call_from_the_page(None) == "cors-result:200:Tony Starked"


def test_without_cors_origin_the_browser_blocks_the_call() -> None:
    blocked = call_from_the_page(())
    assert blocked.startswith("cors-result:failed"), blocked


def test_another_origin_than_the_one_named_is_blocked() -> None:
    blocked = call_from_the_page(("http://localhost:3000",))
    assert blocked.startswith("cors-result:failed"), blocked
