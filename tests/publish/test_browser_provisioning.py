"""Provisioning never turns into a silent skip: without chromium, Java or PostgreSQL (and without the means to install
them), `make browser`, `make java` and `make postgres` (scripts/ensure_debian_package.sh) stop `make test` with one
line naming the install command, and tests/browser.py raises."""

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

# make target, its Debian package, and the variable that points the target's check at another executable or folder.
PROVISIONED = [
    ("browser", "chromium", "CHROMIUM"),
    ("java", "default-jre-headless", "JAVA"),
    ("postgres", "postgresql", "PG_BIN"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # the base class names it `format`
        pass


def _make(target: str, environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make is not None
    command = [make, "-s", "-C", str(ROOT), target]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=environment)


@pytest.mark.parametrize("target", [target for target, _, _ in PROVISIONED])
def test_the_target_passes_where_its_tool_runs(target: str) -> None:
    done = _make(target)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize(("target", "package", "variable"), PROVISIONED)
def test_without_the_tool_or_apt_get_the_target_stops_with_the_install_command(
    tmp_path: Path, target: str, package: str, variable: str
) -> None:
    # A PATH with nothing but `id` and `bash`: no apt-get, so even as root the script cannot install and must say so.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("id", "bash"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    missing = tmp_path / f"no-{package}"
    done = _make(target, {"PATH": str(bin_dir), variable: str(missing)})

    assert done.returncode != 0
    assert done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]  # make's own last word
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and f"sudo apt-get install -y {package}" in lines[0]
    if target == "browser":
        assert INSTALL_COMMAND in lines[0] and str(missing) in lines[0]  # the command tests/browser.py names too


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
