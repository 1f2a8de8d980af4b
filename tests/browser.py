"""Headless Chromium for the browser checks: the rendered DOM of a page, and a screenshot of it.

    import sys; sys.path.insert(0, str(ROOT / "tests"))   # tests/ is not a package
    from browser import render_dom, screenshot, visible_text

    html = render_dom(ROOT / "dist/docs/index.html", wait_for='data-section-id="operation/getUser"')
    screenshot("http://127.0.0.1:8080/docs", ROOT / "reports/docs.png")

Runs Debian's chromium (/usr/bin/chromium, or $CHROMIUM) once per call, headless, with a throwaway profile. JavaScript
runs for a virtual-time budget (timers fast-forward, so a page that settles in 10 s of its own time takes far less),
then Chromium prints the DOM. By default the browser has no network beyond loopback: other hosts fail to resolve and
every proxied request goes to a closed port, so a page that needs a CDN shows it by not rendering.
A missing chromium raises BrowserError with the install command (`make test` provisions it:
`make browser`, scripts/ensure_debian_package.sh);
tests never skip for it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "CHROMIUM_FLAGS",
    "INSTALL_COMMAND",
    "BrowserError",
    "chromium_path",
    "render_dom",
    "screenshot",
    "section_ids",
    "text_by_section",
    "visible_text",
]

INSTALL_COMMAND = "apt-get install -y chromium"
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",  # containers run as root, where the sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # CI containers give /dev/shm 64 MB; Chromium crashes when it fills
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
)
# Loopback only: other names and addresses do not resolve (the MAP applies to IP literals too, hence the EXCLUDEs), and
# http(s) to any non-loopback host goes to a proxy on the discard port (Chromium never proxies loopback).
OFFLINE_FLAGS: tuple[str, ...] = (
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]",
    "--proxy-server=http://127.0.0.1:9",
)
DEFAULT_WINDOW = (1280, 2000)


class BrowserError(RuntimeError):
    """Chromium is missing, failed, timed out, or the page never showed what the caller waited for."""


def chromium_path() -> str:
    """The Chromium executable; BrowserError naming the install command when there is none."""
    candidate = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    found = shutil.which(candidate)
    if found is None:
        raise BrowserError(
            f"chromium not found at {candidate}; install it with `{INSTALL_COMMAND}` (make test does so as root)"
        )
    return found


def render_dom(
    target: str | Path,
    *,
    wait_for: str | Sequence[str] = (),
    budget_ms: int = 10_000,
    attempts: int = 3,
    offline: bool = True,
    window: tuple[int, int] = DEFAULT_WINDOW,
    timeout_s: float = 90,
) -> str:
    """The serialized DOM of `target` (URL or file) after its scripts ran for `budget_ms` of virtual time.

    `wait_for`: strings the DOM must contain (e.g. 'id="operation/getUser"'). Missing ones are retried with a doubled
    budget, `attempts` times in all; then BrowserError names what never appeared.
    """
    expected = [wait_for] if isinstance(wait_for, str) else list(wait_for)
    url = _as_url(target)
    budget = budget_ms
    missing = expected
    for _ in range(max(attempts, 1)):
        dom = _run(url, ["--dump-dom", f"--virtual-time-budget={budget}"], offline, window, timeout_s)
        missing = [marker for marker in expected if marker not in dom]
        if not missing:
            return dom
        budget *= 2
    raise BrowserError(f"{url}: never showed {missing!r} (last virtual-time budget {budget // 2} ms)")


def screenshot(
    target: str | Path,
    path: str | Path,
    *,
    budget_ms: int = 10_000,
    offline: bool = True,
    window: tuple[int, int] = DEFAULT_WINDOW,
    timeout_s: float = 90,
) -> Path:
    """A PNG of the first `window` pixels of `target` after `budget_ms` of virtual time, written to `path`."""
    output = Path(path).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.unlink(missing_ok=True)
    url = _as_url(target)
    _run(url, [f"--screenshot={output}", f"--virtual-time-budget={budget_ms}"], offline, window, timeout_s)
    if not output.is_file() or output.stat().st_size == 0:
        raise BrowserError(f"{url}: chromium wrote no screenshot to {output}")
    return output


def visible_text(html: str) -> str:
    """The text a reader sees: element text without <script>, <style>, <template> and <noscript>, spaces collapsed."""
    return " ".join(" ".join(_parse(html).text).split())


def section_ids(html: str) -> list[str]:
    """Every `data-section-id` attribute in document order (Redoc marks each operation with operation/<operationId>)."""
    return [section for section, _ in _parse(html).sections]


def text_by_section(html: str) -> dict[str, str]:
    """The visible text from each `data-section-id` element's start to the next one's (Redoc's sections are flat)."""
    parser = _parse(html)
    starts = [*parser.sections, ("", len(parser.text))]
    return {
        section: " ".join(" ".join(parser.text[start:end]).split())
        for (section, start), (_, end) in itertools.pairwise(starts)
    }


def _parse(html: str) -> _TextAndSections:
    parser = _TextAndSections()
    parser.feed(html)
    parser.close()
    return parser


def _as_url(target: str | Path) -> str:
    if isinstance(target, Path) or "://" not in target:
        path = Path(target).resolve()
        if not path.is_file():
            raise BrowserError(f"no such page: {path}")
        return path.as_uri()
    return target


def _run(url: str, action: list[str], offline: bool, window: tuple[int, int], timeout_s: float) -> str:
    executable = chromium_path()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [
            executable,
            *CHROMIUM_FLAGS,
            *(OFFLINE_FLAGS if offline else ()),
            f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}",
            *action,
            url,
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"chromium did not finish {url} within {timeout_s} s") from exc
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise BrowserError(f"chromium exited {done.returncode} on {url}:\n{tail}")
    return done.stdout


class _TextAndSections(HTMLParser):
    _HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.sections: list[tuple[str, int]] = []  # (data-section-id, index into text where it starts)
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden_depth += 1
        for name, value in attrs:
            if name == "data-section-id" and value is not None:
                self.sections.append((value, len(self.text)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.text.append(data)
