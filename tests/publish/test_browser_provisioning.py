"""Chromium provisioning never turns into a silent skip: without chromium (and without the means to install it),
scripts/ensure_chromium.sh stops `make test` with one line naming the install command, and tests/browser.py raises."""

from __future__ import annotations

import functools
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import INSTALL_COMMAND, BrowserError, render_dom
from publish_support import ROOT

ENSURE = ROOT / "scripts" / "ensure_chromium.sh"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base class names it `format`
        pass


def test_ensure_chromium_passes_where_chromium_runs() -> None:
    done = subprocess.run([str(ENSURE)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_ensure_chromium_without_chromium_or_apt_get_stops_with_the_install_command(tmp_path: Path) -> None:
    # A PATH with nothing but `id`: no apt-get, so even as root the script cannot install and must say so.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    id_command = shutil.which("id")
    assert id_command is not None
    (bin_dir / "id").symlink_to(id_command)
    bash = shutil.which("bash")
    assert bash is not None
    environment = {"PATH": str(bin_dir), "CHROMIUM": str(tmp_path / "no-chromium")}

    done = subprocess.run([bash, str(ENSURE)], capture_output=True, text=True, check=False, env=environment)

    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and INSTALL_COMMAND in lines[0] and "no-chromium" in lines[0]


def test_browser_helper_names_the_install_command_when_chromium_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>hello</p>", encoding="utf-8")
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(BrowserError, match=INSTALL_COMMAND):
        render_dom(page)


def test_browser_helper_reaches_loopback_only(tmp_path: Path) -> None:
    """Scripts run before the DOM is dumped; a page served on 127.0.0.1 loads from its own server (as the emulator's
    /docs will), while a request to any other host fails (offline by default)."""
    (tmp_path / "data.txt").write_text("loopback ok", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<body><script>"
        "const note = (id, text) => document.body.insertAdjacentHTML('beforeend', `<p id=${id}>${text}</p>`);"
        "fetch('/data.txt').then((r) => r.text()).then((t) => note('local', t), () => note('local', 'failed'));"
        "fetch('https://example.com/', {mode: 'no-cors'})"
        ".then(() => note('net', 'online'), () => note('net', 'offline'));"
        "</script></body>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        html = render_dom(f"http://127.0.0.1:{server.server_port}/page.html", wait_for=['id="local"', 'id="net"'])
    finally:
        server.shutdown()
        server.server_close()
    assert '<p id="local">loopback ok</p>' in html
    assert '<p id="net">offline</p>' in html
