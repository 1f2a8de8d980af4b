"""The Redoc reference page: self-contained (no CDN, nothing online), and in headless Chromium, with the network
closed, it shows every operation of the spec and every erratum next to its operation. A screenshot is kept in
reports/publish/."""

from __future__ import annotations

import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from browser import render_dom, screenshot, section_ids, text_by_section
from build_errata import read_errata
from publish_support import REPORTS, operations

from amazon_music_generated.operations import OPERATIONS

WINDOW = (1280, 1600)
ONLINE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class _Resources(HTMLParser):
    """What the static HTML would fetch: script src, link href, and url()/@import inside <style> and style=""."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fetched: list[str] = []
        self.csp: list[str] = []
        self.inline_scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "script":
            if "src" in values:
                self.fetched.append(values["src"])
            else:
                self.inline_scripts += 1
        if tag == "link" and "href" in values:
            self.fetched.append(values["href"])
        if tag in ("img", "iframe", "source") and "src" in values:
            self.fetched.append(values["src"])
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp.append(values.get("content", ""))
        self.fetched += re.findall(r"url\(\s*['\"]?([^'\")]+)", values.get("style", ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.fetched += re.findall(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", data)


def _squeezed(text: str) -> str:
    """Markdown's backticks and all whitespace out: what is left reads the same in source and rendered text."""
    return re.sub(r"[\s`]", "", text)


def test_page_needs_nothing_from_the_network(published: Path) -> None:
    page = (published / "docs" / "index.html").read_text(encoding="utf-8")
    resources = _Resources()
    resources.feed(page)
    assert [url for url in resources.fetched if ONLINE.match(url)] == []
    assert resources.fetched == [], "the page is one file: Redoc and the spec are inlined"
    assert resources.inline_scripts == 3, "the spec, Redoc's standalone bundle, Redoc.init"
    assert "Redoc.init(" in page
    # The browser itself refuses any load from elsewhere, whatever a script tries.
    assert len(resources.csp) == 1 and "default-src 'none'" in resources.csp[0]
    assert not re.search(r"https?:", resources.csp[0])


def test_rendered_page_shows_every_operation_and_its_errata(published: Path, bundle_json: dict[str, Any]) -> None:
    expected = operations(bundle_json)
    html = render_dom(
        published / "docs" / "index.html", wait_for=[f'data-section-id="operation/{name}"' for name in expected]
    )

    rendered = [section.removeprefix("operation/") for section in section_ids(html) if section.startswith("operation/")]
    assert sorted(rendered) == sorted(expected)  # each once (Redoc orders them by tag)
    assert len(expected) == len(OPERATIONS)
    sections = text_by_section(html)
    for operation_id, (path, method, operation) in expected.items():
        shown = sections[f"operation/{operation_id}"]
        assert operation["summary"] in shown, operation_id
        assert path in shown and method in shown.lower(), operation_id

    errata = read_errata(bundle_json)
    assert errata
    for erratum in errata:
        section = f"operation/{erratum.operation_id}" if erratum.operation_id else "section/Documentation-errata"
        shown = _squeezed(sections[section])
        for part in (erratum.id, erratum.docs, erratum.spec, erratum.reason):
            assert _squeezed(part) in shown, f"{erratum.id}: {part!r} is not shown in {section}"


def test_screenshot_of_the_rendered_page_is_kept(published: Path) -> None:
    target = REPORTS / "reference-page.png"

    screenshot(published / "docs" / "index.html", target, window=WINDOW)

    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == WINDOW
    assert _distinct_pixel_bytes(data) > 32, "the screenshot is blank: nothing rendered"


def _distinct_pixel_bytes(png: bytes) -> int:
    """How many byte values the decompressed image data holds (a blank page: a handful; rendered text: hundreds)."""
    position, chunks = 8, []
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        if kind == b"IDAT":
            chunks.append(png[position + 8 : position + 8 + length])
        position += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))
