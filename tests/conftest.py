"""Shared fixtures: the real archive built once per session, and a small HTML reader.

``built_site`` builds content/ (the nine real reports) into a temporary folder with
``gkgen.build.build``; ``built_site_subpath`` builds it again as served from
``/gk-archive/``. Pages are read with the stdlib html.parser (no extra dependency).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gkgen import build
from tests.helpers import SUBPATH

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _build(out: Path, base_url: str | None = None) -> Path:
    stream = io.StringIO()
    code = build.build(REPO, out, base_url=base_url, stream=stream, incremental=False)  # no cache in the repo
    assert code == 0, stream.getvalue()
    return out


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("built") / "site")


@pytest.fixture(scope="session")
def built_site_subpath(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("built-sub") / "site", SUBPATH)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    parents: tuple[str, ...] = ()

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Page:
    """Every element of a page in document order, each with the text inside it."""

    html: str
    elements: list[Element] = field(default_factory=list)
    root_lang: str | None = None

    def all(self, tag: str | None = None, **attrs: str | None) -> list[Element]:
        found = []
        for el in self.elements:
            if tag and el.tag != tag:
                continue
            ok = True
            for key, value in attrs.items():
                key = key.replace("_", "-")
                if key not in el.attrs or (value is not None and el.attrs[key] != value):
                    ok = False
                    break
            if ok:
                found.append(el)
        return found

    def one(self, tag: str | None = None, **attrs: str | None) -> Element:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"expected one <{tag} {attrs}>, found {len(found)}"
        return found[0]

    @property
    def text(self) -> str:
        return self.elements[0].text if self.elements else ""


class _Reader(HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        el = Element(tag, dict(attrs), parents=tuple(e.tag for e in self.open))
        self.page.elements.append(el)
        if tag == "html":
            self.page.root_lang = el.get("lang")
        if tag not in VOID:
            self.open.append(el)

    def handle_startendtag(self, tag, attrs):
        self.page.elements.append(Element(tag, dict(attrs), parents=tuple(e.tag for e in self.open)))

    def handle_endtag(self, tag):
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        for el in self.open:
            el.text += data


def parse_html(text: str) -> Page:
    page = Page(text)
    reader = _Reader(page)
    reader.feed(text)
    reader.close()
    return page


def read_page(site: Path, rel: str) -> Page:
    path = site / rel
    if rel.endswith("/") or path.is_dir():
        path = path / "index.html"
    return parse_html(path.read_text(encoding="utf-8"))


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


# What `make test-fast` leaves out (`pytest -m "not slow"`): tests that open a browser, build the whole
# real archive, re-import every real report, fuzz, kill builds, or rebuild archives step by step. `make test` runs everything.
SLOW_MODULES = {
    "test_archive_sources",
    "test_fuzz",
    "test_atomic",
    "test_golden",
    "test_html_valid",
    "test_incremental",
    "test_serve",
}
SLOW_FIXTURES = {"built_site", "built_site_subpath"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if "browser" in path.parts or path.stem in SLOW_MODULES or SLOW_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
