"""Every built page parses as HTML5 without a single parse error (WHATWG parsing algorithm, strict)."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest


def test_every_page_parses_without_errors(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        try:
            document = parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(built_site)}: {exc}")
        assert document.find("head/title") is not None, page
