"""What a search result says (passage, section, figure) and how a person reaches it, in real Chromium.

On the real archive served under /gk-archive/. The expected passages and figures are read from the
built report pages themselves, not written here.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlsplit

import html5lib
import pytest

from tests.browser.test_readers import AXE, _require_axe
from tests.browser.test_search_page import open_search, result_links, wait_search


def results_shown(page) -> None:
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")


def typed(page, site_url: str, query: str) -> list[str]:
    open_search(page, site_url)
    page.locator("#search-q").press_sequentially(query, delay=30)
    page.wait_for_function(
        "q => document.querySelector('#search-app').dataset.searched === location.search"
        " && new URLSearchParams(location.search).get('q') === q",
        arg=query,
    )
    return result_links(page)


@pytest.mark.parametrize("query", ["行政复议", "业委会", "高龄 补贴"])
def test_typing_enter_and_the_header_box_give_the_same_results(page, site_url: str, query: str) -> None:
    as_typed = typed(page, site_url, query)
    assert as_typed
    # Enter on the search page (the box already holds the query; the address stays the same, so the
    # mark of the last search is cleared first, to wait for this one).
    page.evaluate("delete document.querySelector('#search-app').dataset.searched")
    page.press("#search-q", "Enter")
    wait_search(page)
    assert result_links(page) == as_typed
    # The header's box on another page leads to the same list.
    page.goto(site_url + "years/")
    page.fill("#site-q", query)
    page.press("#site-q", "Enter")
    page.wait_for_url("**/gk-archive/search/?q=*")
    page.wait_for_selector("#search-app[data-ready]", state="attached")
    wait_search(page)
    assert result_links(page) == as_typed
    # Arriving with ?q= as well.
    open_search(page, site_url, quote(query))
    wait_search(page)
    assert result_links(page) == as_typed
    assert len(set(as_typed)) == len(as_typed)  # no report listed twice


def _report_html(site: Path, href: str) -> object:
    rel = href.removeprefix("/gk-archive/").split("#")[0]
    return html5lib.parse((site / rel / "index.html").read_bytes(), namespaceHTMLElements=False)


def _text(el) -> str:
    return re.sub(r"\s+", "", "".join(el.itertext()))


def test_the_passage_link_lands_on_the_section_with_the_words(
    page, site_url: str, built_site_subpath
) -> None:
    open_search(page, site_url, quote("业委会"))
    results_shown(page)
    passage = page.locator("#search-results li .excerpt a.passage").first
    href = passage.get_attribute("href")
    heading = passage.inner_text()
    excerpt = page.locator("#search-results li .excerpt").first.inner_text()
    assert (
        "业委会" in excerpt
        and page.locator("#search-results li .excerpt mark").first.inner_text() == "业委会"
    )
    path, _, anchor = href.partition("#")
    assert anchor, href
    # On the built page: the anchor is a section heading with that text, and its section holds the words.
    doc = _report_html(built_site_subpath, path)
    target = doc.find(f".//*[@id='{anchor}']")
    assert target is not None and target.tag == "h2" and _text(target) == re.sub(r"\s+", "", heading)
    section = doc.find(f".//section[@aria-labelledby='{anchor}']")
    assert section is not None and "业委会" in _text(section)
    passage.click()
    page.wait_for_url(f"**{path}#{anchor}")
    top = page.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top")
    assert -5 <= top < 200, top  # the browser scrolled to the section


@pytest.mark.parametrize(
    ("query", "figure"), [("行政复议", "review"), ("不予公开", "withheld"), ("行政诉讼", "litigation")]
)
def test_a_query_naming_a_figure_shows_each_reports_number(
    page, site_url: str, built_site_subpath, query: str, figure: str
) -> None:
    open_search(page, site_url, quote(query))
    results_shown(page)
    items = page.locator("#search-results > li")
    checked = 0
    for i in range(items.count()):
        item = items.nth(i)
        href = item.locator("h2 a").get_attribute("href")
        doc = _report_html(built_site_subpath, href)
        li = doc.find(f".//li[@data-figure='{figure}']")
        if li is None:  # a report without the tables: no figure to show
            assert item.locator(".result-figures").count() == 0
            continue
        label = _text(li.find(".//*[@class='fig-label']"))
        value = re.sub(r"[^\d—]", "", _text(li.find(".//*[@class='fig-value']")))
        shown = item.locator(".result-figures").inner_text()
        expected = "未填报" if value == "—" else f"{value} 件"
        assert f"{label} {expected}" in shown, (href, shown, label, value)
        checked += 1
    assert checked >= 5


def test_a_query_naming_no_figure_shows_none(page, site_url: str) -> None:
    open_search(page, site_url, quote("高龄补贴"))
    results_shown(page)
    assert page.locator("#search-results .result-figures").count() == 0


def test_boilerplate_passages_are_not_repeated(page, site_url: str) -> None:
    open_search(page, site_url, quote("行政复议"))
    results_shown(page)
    marks = page.eval_on_selector_all(
        "#search-results li .excerpt",
        "els => els.map(e => { const m = e.querySelector('mark'); if (!m) return null;"
        " const t = e.textContent, i = t.indexOf(m.textContent);"
        " return t.slice(Math.max(0, i - 8), i + m.textContent.length + 8); })",
    )
    around = [m for m in marks if m]
    assert len(around) == len(set(around)), around


def test_few_tab_stops_before_the_first_result(page, site_url: str) -> None:
    open_search(page, site_url, quote("政府信息"))
    results_shown(page)
    page.focus("#search-q")
    first = page.locator("#search-results li h2 a").first.get_attribute("href")
    stops = 0
    while page.evaluate("document.activeElement.getAttribute('href')") != first:
        page.keyboard.press("Tab")
        stops += 1
        assert stops <= 7, "the first result was not reached in 7 Tab presses"
    assert stops <= 3, stops  # the search button, the folded filter panel, the result


def test_the_two_search_forms_are_distinct_landmarks(page, site_url: str) -> None:
    _require_axe()
    open_search(page, site_url, quote("平潭"))
    names = page.eval_on_selector_all(
        "form[role=search]", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert len(names) == 2 and len(set(names)) == 2 and all(names), names
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['landmark-unique', 'region'],"
        " resultTypes: ['violations']})).violations.map(v => v.id)"
    )
    assert violations == []


def test_the_first_search_loads_no_filter_files(page, site_url: str) -> None:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(urlsplit(r.url).path))
    open_search(page, site_url, quote("行政复议"))
    results_shown(page)
    assert not [u for u in urls if "/filter/" in u]
    page.click("#search-refine > summary")
    page.wait_for_selector("#search-refine[data-loaded]", state="attached")
    assert [u for u in urls if "/filter/" in u]
