"""Every kind of page as a person sees it, on a 390-px phone and a 1280-px desktop, in real Chromium.

For each page type: the page never scrolls sideways; axe-core finds no accessibility violation of any
impact level; a full-page screenshot is written to tests/browser/screenshots/ (git-ignored) for a
reviewer to look at. Then the phone-specific promises: table 三 keeps its 总计 column in view, table 四
has its phone layout, print keeps the official layout, chart text is at least 12 CSS px with no
overlapping labels, and a report page's first table is near the top.

axe-core comes from the npm registry through package.json (`make setup` runs `npm ci`). Without it
these tests skip, or fail under GKGEN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gkgen.build import load_archive
from tests.helpers import REPO

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).parent / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}


@functools.cache
def _reports():
    return load_archive(REPO).archive.reports


def _pick():
    reports = _reports()
    broken = next((r for r in reports if r.breaks), reports[0])
    unchecked = next((r for r in reports if r.unchecked and not r.breaks), reports[-1])
    agency = max({r.agency.id for r in reports}, key=lambda a: sum(r.agency.id == a for r in reports))
    year = max(r.year for r in reports)
    code = next((r.agency.region_code for r in reports if r.agency.region_code), None)
    three = [r.id for r in reports if r.agency.id == agency][-3:]
    return broken, unchecked, agency, year, code, three


def _page_paths() -> dict[str, tuple[str, str | None]]:
    """Page type → (path under the site, a selector to wait for, if the page draws with a script)."""
    broken, unchecked, agency, year, code, three = _pick()
    paths: dict[str, tuple[str, str | None]] = {
        "home": ("", None),
        "regions": ("regions/", None),
        "levels": ("levels/", None),
        "years": ("years/", None),
        "year": (f"years/{year}/", None),
        "agency": (f"agencies/{agency}/", None),
        "report-breaks": (broken.url, None),
        "report-unchecked": (unchecked.url, None),
        "compare": ("compare/?" + "&".join(f"r={i}" for i in three), "table.compare-table"),
        "data": ("data/", None),
        "search": ("search/?q=%E5%B9%B3%E6%BD%AD", "#search-app[data-ready]"),
        "method": ("method/", None),
        "figures": ("figures/?figure=handled", "#explore-result table"),
        "figure": ("figures/handled/", None),
        "404": ("404.html", None),
    }
    if code:
        paths["province"] = (f"regions/{code[:2]}0000/", None)
        paths["county"] = (f"regions/{code}/", None)
    return paths


PAGES = _page_paths()


def _require_axe() -> None:
    if AXE.is_file():
        return
    if os.environ.get("GKGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GKGEN_REQUIRE_BROWSER=1 but {AXE} is missing: run `make setup` (npm ci)", pytrace=False)
    pytest.skip("axe-core is not installed (make setup runs npm ci)")


@pytest.fixture(params=sorted(WIDTHS), scope="module")
def sized(request, browser) -> Iterator[tuple[str, object]]:
    """A browser context at one of the two widths, shared by the module's tests at that width."""
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield request.param, context
    finally:
        context.close()


def _open(context, url: str, wait: str | None):
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def request(req) -> None:
        if req.url.startswith(("http:", "https:")) and urlsplit(req.url).hostname != "127.0.0.1":
            problems.append(f"request to another host: {req.url}")

    page.on("request", request)
    response = page.goto(url)
    if wait:
        page.wait_for_selector(wait, state="attached")
    page.wait_for_load_state("load")
    return page, problems, response


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_page_reads_on_phone_and_desktop(sized, site_url: str, kind: str) -> None:
    _require_axe()
    size, context = sized
    path, wait = PAGES[kind]
    page, problems, _response = _open(context, site_url + path, wait)
    try:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{kind} at {size}: the page scrolls sideways ({width[0]} > {width[1]})"
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{kind}-{size}.png"), full_page=True)
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        assert violations == [], f"{kind} at {size}: {violations}"
        assert problems == [], problems
    finally:
        page.close()


def test_phone_tables_keep_their_key_column(browser, site_url: str) -> None:
    broken = _pick()[0]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(site_url + broken.url)
        # table 三: the container scrolls, its 总计 column stays inside the visible part at both ends
        box = page.locator("#section-requests .table-scroll").first
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        cue = page.locator("#section-requests .scroll-cue")
        assert cue.is_visible()
        total = page.locator("td[data-cell='requests.total.total']")
        for end in ("0", "e.scrollWidth"):
            box.evaluate(f"e => {{ e.scrollLeft = {end}; }}")
            outer = box.bounding_box()
            cell = total.bounding_box()
            assert (
                outer
                and cell
                and outer["x"] <= cell["x"]
                and cell["x"] + cell["width"] <= outer["x"] + outer["width"] + 1
            )
        # table 四: one row per kind of case on the phone, the official 15 columns hidden
        assert page.locator("#section-appeals .layout-narrow").is_visible()
        assert not page.locator("#section-appeals .layout-wide").is_visible()
        # the first table is one screen or so down, not below the narrative
        top = page.evaluate("document.querySelector('table.official').getBoundingClientRect().top + scrollY")
        assert top < 3000, top
        # print keeps the official layout
        page.emulate_media(media="print")
        assert page.locator("#section-appeals .layout-wide").is_visible()
        assert not page.locator("#section-appeals .layout-narrow").is_visible()
    finally:
        context.close()


def test_charts_read_on_a_phone(browser, site_url: str) -> None:
    agency = _pick()[2]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{site_url}agencies/{agency}/")
        found = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart')].map(svg => {
                const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                const texts = [...svg.querySelectorAll('text')];
                const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
                const boxes = [...svg.querySelectorAll('text.value, text.label, text.inbar')]
                    .map(t => t.getBoundingClientRect());
                let overlaps = 0;
                for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                    const a = boxes[i], b = boxes[j];
                    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
                        a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps++;
                }
                const figure = svg.closest('figure');
                const title = figure && figure.querySelector('figcaption');
                return {min: Math.min(...sizes), overlaps,
                        title: title ? title.getBoundingClientRect().height > 0 : false,
                        table: !!(figure && figure.querySelector('table'))};
            })"""
        )
        assert found, "no chart on the agency page"
        for chart in found:
            assert chart["min"] >= 12, chart
            assert chart["overlaps"] == 0, chart
            assert chart["title"] and chart["table"], chart
    finally:
        context.close()


def test_figure_explorer_filters_sorts_and_offers_that_view_as_csv(browser, site_url: str) -> None:
    year = _pick()[3]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True
    )
    try:
        page = context.new_page()
        page.goto(f"{site_url}figures/?figure=new&year={year}")
        page.wait_for_selector("#explore-result table")
        years = page.eval_on_selector_all(
            "#explore-result tbody td:nth-child(3)", "els => els.map(e => e.textContent)"
        )
        assert years and set(years) == {str(year)}
        page.click("#explore-result thead button:has-text('本年新收申请')")
        values = page.eval_on_selector_all(
            "#explore-result tbody td:nth-child(4)",
            "els => els.map(e => e.textContent.replace(/[^0-9]/g, ''))",
        )
        known = [int(v) for v in values if v]
        assert known == sorted(known, reverse=True)
        with page.expect_download() as download:
            page.click("#explore-result a[download]")
        text = Path(download.value.path()).read_text("utf-8-sig")
        assert len(text.strip().splitlines()) == len(values) + 1
        # any single cell, read from the chosen reports' own data; a break it takes part in is marked
        broken = _pick()[0]
        code = broken.breaks[0].anchor
        page.goto(f"{site_url}figures/?figure={code}&year={broken.year}")
        page.wait_for_selector("#explore-result td.flag-inline")
        cells = page.eval_on_selector_all("#explore-result tbody tr", "els => els.length")
        assert cells == sum(1 for r in _reports() if r.year == broken.year and code in r.format.codes)
    finally:
        context.close()


def test_official_tables_fit_a_desktop_screen(browser, site_url: str) -> None:
    """At 1280 px the official tables (table 四's fifteen columns included) show every cell unscrolled."""
    broken = _pick()[0]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(site_url + broken.url)
        boxes = page.eval_on_selector_all(
            ".tables .table-scroll",
            "els => els.filter(e => e.offsetParent).map(e => [e.scrollWidth, e.clientWidth])",
        )
        assert boxes and all(w <= c for w, c in boxes), boxes
    finally:
        context.close()
