"""The search page in real Chromium, on the real archive served from the sub-path /gk-archive/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import REPO, archive_urls_with_breaks

UNIQUE_WORDS = {  # each in exactly one report's narrative (checked below), from both old and new reports
    "高龄补贴": "410204-wuyi/2021",
    "业委会": "410204-wuyi/2021",
    "低保金": "410204-wuyi/2021",
    "锦湖大路": "220102-xingfu/2021",
    "灵活就业": "410711-huayuan/2022",
    "特困认定": "410711-huayuan/2022",
    "市长信箱": "410711-huayuan/2022",
    "义务教育": "410202-longting-gov-office/2021",
    "七步法": "410302-dongnanyu/2021",
    "民法典": "350128-pingtan/2020",
    "招商引资": "350128-pingtan/2020",
    "核酸": "350128-pingtan/2022",
    "电动自行车": "350128-haitan/2025",
    "坛南湾": "350128-shichangjianguanju/2021",
    "国际旅游岛": "350128-lvyouwentiju/2025",
    "信用平潭": "350128-nongyenongcunju/2022",
}


def narratives() -> dict[str, str]:
    return {
        f"{p.parent.name}/{p.stem}": p.read_text(encoding="utf-8")
        for p in sorted((REPO / "content" / "reports").glob("*/*.md"))
    }


def test_each_word_occurs_in_exactly_one_narrative() -> None:
    texts = narratives()
    assert len(texts) == len(list((REPO / "content" / "reports").glob("*/*.yaml")))
    for word, report in UNIQUE_WORDS.items():
        assert 2 <= len(word) <= 6
        assert [k for k, t in texts.items() if word in t] == [report], word


def open_search(page, site_url: str, query: str = "") -> None:
    page.goto(site_url + "search/" + (f"?q={query}" if query else ""))
    page.wait_for_selector("#search-app[data-ready]", state="attached")


def wait_search(page) -> None:
    """Until the search for the URL's current query has been shown."""
    page.wait_for_function("document.querySelector('#search-app').dataset.searched === location.search")


def found_count(page) -> int:
    """The number of reports the status line says were found ("找到 N 份…")."""
    return int(re.search(r"找到 (\d+) 份", page.inner_text("#search-status")).group(1))


def result_links(page) -> list[str]:
    """The reports listed, in order (each result's title link)."""
    return page.eval_on_selector_all("#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))")


def open_filters(page) -> None:
    """Unfold the filter panel (its files load then) and wait until its counts are shown."""
    if not page.evaluate("document.querySelector('#search-refine').open"):
        page.click("#search-refine > summary")
    page.wait_for_selector("#search-refine[data-loaded]", state="attached")
    wait_search(page)


def report_href(report: str) -> str:
    agency, year = report.split("/")
    return f"/gk-archive/reports/{agency}/{year}/"


@pytest.mark.parametrize("word", sorted(UNIQUE_WORDS))
def test_unique_word_finds_its_report_in_the_top_three(page, site_url: str, word: str) -> None:
    open_search(page, site_url, word)
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    links = result_links(page)
    assert report_href(UNIQUE_WORDS[word]) in links[:3], (word, links)
    assert page.locator("#search-results mark").count() > 0  # the excerpt highlights the match


def test_typing_shows_report_links_and_the_url_carries_q(page, site_url: str) -> None:
    open_search(page, site_url)
    page.fill("#search-q", "行政复议")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    links = result_links(page)
    assert links and all(re.fullmatch(r"/gk-archive/reports/[^/]+/\d{4}/", h) for h in links), links
    query = parse_qs(urlsplit(page.url).query)
    assert query["q"] == ["行政复议"]
    assert urlsplit(page.url).path == "/gk-archive/search/"
    # The header's search box shows the same query.
    assert page.input_value("#site-q") == "行政复议"


def test_the_index_files_the_page_preloads_are_fetched_once(page, site_url: str) -> None:
    """The page's <head> starts fetching the manifest and Pagefind's script before its own script
    runs; the script must then use those responses, not ask again (a preload whose mode does not match
    the fetch is fetched twice, and the preload only costs bytes)."""
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(urlsplit(r.url).path))
    page.goto(site_url + "search/?q=行政复议")
    wait_search(page)
    preloads = page.eval_on_selector_all(
        "link[rel=preload], link[rel=modulepreload]", "els => els.map(e => new URL(e.href).pathname)"
    )
    assert sorted(preloads) == ["/gk-archive/pagefind/pagefind.js", "/gk-archive/pagefind/shards.json"]
    assert {p: fetched.count(p) for p in preloads} == {p: 1 for p in preloads}
    assert page.locator("#search-results > li").count() > 0


def test_an_input_method_word_is_searched_when_its_composition_ends(page, site_url: str) -> None:
    """Typing Chinese through an input method shows the letters being composed (xingzheng) in the box;
    they are not searched. The word the composition enters (行政复议) is."""
    open_search(page, site_url)
    page.evaluate(
        """() => {
          const box = document.getElementById("search-q");
          for (const letters of ["x", "xing", "xingzheng"]) {
            box.value = letters;
            box.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, inputType: "insertCompositionText" }));
          }
        }"""
    )
    page.wait_for_timeout(600)  # four times the typing pause: a search of the letters would have begun
    assert "q=" not in page.url and page.locator("#search-results > li").count() == 0
    page.evaluate(
        """() => {
          const box = document.getElementById("search-q");
          box.value = "行政复议";
          box.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, inputType: "insertCompositionText" }));
          box.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "行政复议" }));
        }"""
    )
    wait_search(page)
    assert parse_qs(urlsplit(page.url).query)["q"] == ["行政复议"]
    assert page.locator("#search-results > li").count() > 0


def test_result_link_opens_the_report_under_the_sub_path(page, site_url: str) -> None:
    open_search(page, site_url, "高龄补贴")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    first = page.locator("#search-results li h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url("**/gk-archive/reports/410204-wuyi/2021/")
    h1 = page.inner_text("h1")
    assert "2021" in h1 and h1.strip() == title.strip()


def test_a_filter_narrows_results(page, site_url: str) -> None:
    open_search(page, site_url, "政府信息")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    before = found_count(page)
    open_filters(page)
    page.check('#search-filters input[data-filter="year"][value="2022"]')
    wait_search(page)
    after = found_count(page)
    assert 0 < after < before
    assert all(link.endswith("/2022/") for link in result_links(page))
    links = result_links(page)
    assert links and all(h.endswith("/2022/") for h in links), links
    assert parse_qs(urlsplit(page.url).query)["year"] == ["2022"]
    # The select filters too: one province.
    page.uncheck('#search-filters input[data-filter="year"][value="2022"]')
    page.select_option('#search-filters select[data-filter="province"]', "吉林省")
    wait_search(page)
    assert result_links(page) == ["/gk-archive/reports/220102-xingfu/2021/"]


def test_on_a_phone_the_results_come_first_and_the_filters_fold(page, site_url: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_search(page, site_url, "政府信息")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    # The first result is on the first screen, not below six groups of filters.
    first = page.locator("#search-results li").first.bounding_box()
    assert first is not None and first["y"] + 40 < 844, first
    year_2022 = '#search-filters input[data-filter="year"][value="2022"]'
    assert not page.is_visible(year_2022)
    page.fill("#search-q", "")
    page.press("#search-q", "Enter")
    wait_search(page)
    # What to do next names the panel, not "on the left" (on a phone it is above the results).
    assert "“筛选和排序”" in page.inner_text("#search-status")
    page.click("#search-refine > summary")
    page.fill("#search-q", "政府信息")
    page.check(year_2022)
    wait_search(page)
    links = result_links(page)
    assert links and all(h.endswith("/2022/") for h in links), links
    assert page.inner_text("#search-refine > summary") == "筛选和排序（已选 1 项）"


def test_filters_chosen_in_the_address_open_the_panel(page, site_url: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    open_search(page, site_url, "政府信息&year=2021")
    wait_search(page)
    assert page.is_visible('#search-filters input[data-filter="year"][value="2021"]')
    assert page.is_checked('#search-filters input[data-filter="year"][value="2021"]')
    assert page.inner_text("#search-refine > summary") == "筛选和排序（已选 1 项）"


@pytest.mark.parametrize("query", ["高龄补贴", "业委会", "复工复产", "垃圾分类"])
def test_the_counts_beside_the_filters_add_up_to_the_results(page, site_url: str, query: str) -> None:
    # Queries whose results fit on the first page, so every result is counted here.
    open_search(page, site_url, query)
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    open_filters(page)
    links = result_links(page)
    assert len(links) < 10 and page.is_hidden("#search-more"), "every result is on the first page"
    shown = dict(
        page.eval_on_selector_all(
            '#search-filters input[data-filter="year"]',
            "els => els.map(e => [e.value, e.parentElement.querySelector('.count').textContent])",
        )
    )
    years = [h.rstrip("/").rsplit("/", 1)[1] for h in links]
    assert {year: f"（{years.count(year)}）" for year in shown} == shown, years


def test_a_word_the_browser_cuts_into_characters_finds_only_the_reports_with_the_word(
    page, site_url: str
) -> None:
    # The browser's segmenter cuts 业委会 into 业|委|会; searched so, it also matched four reports that
    # only share those characters. The word is in one report, and that is what is listed.
    open_search(page, site_url, "业委会")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert result_links(page) == [report_href(UNIQUE_WORDS["业委会"])]
    assert page.inner_text("#search-status").startswith("找到 1 份")


def test_breaks_filter_and_filter_only_browsing(page, site_url: str) -> None:
    open_search(page, site_url)
    open_filters(page)
    page.check('#search-filters input[data-filter="breaks"]')
    wait_search(page)
    broken = {"/gk-archive" + url for url in archive_urls_with_breaks()}
    assert found_count(page) == len(broken)
    assert set(result_links(page)) <= broken


def test_shared_url_restores_query_filters_and_sort(page, site_url: str) -> None:
    open_search(page, site_url, "政府信息&year=2021&year=2022&sort=year-asc")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert page.input_value("#search-q") == "政府信息"
    assert page.is_checked('#search-filters input[data-filter="year"][value="2021"]')
    links = result_links(page)
    years = [int(h.rstrip("/").rsplit("/", 1)[1]) for h in links]
    assert set(years) <= {2021, 2022} and years == sorted(years), links
    assert page.is_checked('#search-filters input[data-filter="year"][value="2022"]')


def test_quoted_query_is_searched_as_words(page, site_url: str) -> None:
    open_search(page, site_url, "%22高龄补贴%22")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert result_links(page)[0] == report_href(UNIQUE_WORDS["高龄补贴"])


def test_header_search_box_leads_to_the_search_page(page, site_url: str) -> None:
    page.goto(site_url)
    page.fill("#site-q", "低保金")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/gk-archive/search/?q=*")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert result_links(page)[0] == report_href(UNIQUE_WORDS["低保金"])


def test_without_javascript_the_page_says_so(browser, built_site_subpath: Path, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(site_url + "search/")
        text = pg.inner_text("main")
        assert "需要浏览器启用 JavaScript" in text
        hrefs = pg.eval_on_selector_all("main a", "els => els.map(a => a.getAttribute('href'))")
        assert "/gk-archive/years/" in hrefs and "/gk-archive/regions/" in hrefs
        # Only the notice and the links: the panel the script would fill stays hidden.
        assert pg.is_hidden("#search-app") and pg.is_hidden("#search-refine")
    finally:
        context.close()
