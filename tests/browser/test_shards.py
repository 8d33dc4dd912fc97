"""Sharded indexes merged in the browser (mergeIndex) find the same pages as one index.

Two copies of the built site are indexed, one as a single index and one in shards of at most three
pages, and served under /one/ and /sharded/ (the URLs of their search pages moved there).
The search page itself runs each query on both; the result sets must be equal.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from gkgen.outputs import search
from tests.helpers import SUBPATH

QUERIES = [
    "政府信息",
    "行政复议",
    "高龄补贴",
    "业委会",
    "疫苗",
    "平潭",
    "依申请公开",
    "街道",
    "2021",
    "公开 指南",
    "高龄 补贴",
    "特困认定",
]


def _copy(source: Path, target: Path, prefix: str, max_pages: int) -> int:
    shutil.copytree(source, target)
    shards = len(search.index_site(target, max_pages_per_shard=max_pages).shards)
    # The search page moves to its new home: every URL it names (its base, the index's manifest and
    # script, its own stylesheet and script) starts with the prefix it is served under.
    page = target / "search" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert f'content="{SUBPATH}"' in html
    page.write_text(html.replace(f'="{SUBPATH}', f'="{prefix}'), encoding="utf-8")
    return shards


@pytest.fixture(scope="module")
def two_sites(server, built_site_subpath: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    one = tmp_path_factory.mktemp("one-index") / "site"
    sharded = tmp_path_factory.mktemp("small-shards") / "site"
    assert _copy(built_site_subpath, one, "/one/", 1000) == 1
    assert _copy(built_site_subpath, sharded, "/sharded/", 3) >= 4
    server.mount("/one/", one)
    server.mount("/sharded/", sharded)
    return "/one/", "/sharded/"


def all_results(page, url: str) -> list[str]:
    """Every result of the search at ``url`` (report paths), with the filter panel opened (its counts)."""
    page.goto(url)
    page.wait_for_function("document.querySelector('#search-app').dataset.searched === location.search")
    if not page.evaluate("document.querySelector('#search-refine').open"):
        page.click("#search-refine > summary")
    page.wait_for_selector("#search-refine[data-loaded]", state="attached")
    page.wait_for_function("document.querySelector('#search-app').dataset.searched === location.search")
    load_everything(page)
    links = page.eval_on_selector_all(
        "#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))"
    )
    return [re.sub(r"^/[^/]+/", "/", h) for h in links]


def load_everything(page) -> None:
    """Clicks "显示更多结果" and "在更早的报告中继续查找" until every result of every shard is shown."""
    while page.is_visible("#search-more") or page.is_visible("#search-earlier"):
        count = page.locator("#search-results li").count()
        page.click("#search-more" if page.is_visible("#search-more") else "#search-earlier")
        page.wait_for_function(
            f"document.querySelectorAll('#search-results li').length > {count}"
            " || (document.querySelector('#search-more').hidden"
            " && document.querySelector('#search-earlier').hidden)"
        )


def filter_counts(page) -> dict[str, str]:
    """What the filter panel shows beside each value: {"year=2021": "（3）", "province=吉林省": "吉林省（1）"}."""
    boxes = page.eval_on_selector_all(
        "#search-filters input[data-filter]",
        "els => els.map(e => [e.dataset.filter + '=' + e.value, e.parentElement.querySelector('.count').textContent])",
    )
    options = page.eval_on_selector_all(
        "#search-filters option[data-value]",
        "els => els.map(o => [o.parentElement.dataset.filter + '=' + o.value, o.textContent])",
    )
    return dict(boxes + options)


# Words some shards lack used to be matched there by their parts or prefixes (Pagefind matches per
# index); the routing table (gkgen.outputs.search_routes) lets the page search only the shards holding every
# word, so every query is held to one index's results.
@pytest.mark.parametrize("query", [*QUERIES, None, ""])
def test_merged_shards_find_the_same_reports_as_one_index(page, server, two_sites, query) -> None:
    suffix = f"?q={quote(query)}" if query else "?year=2021&year=2022" if query is None else ""
    one = all_results(page, server.origin + two_sites[0] + "search/" + suffix)
    one_counts = filter_counts(page)
    sharded = all_results(page, server.origin + two_sites[1] + "search/" + suffix)
    assert sorted(sharded) == sorted(one), query
    # The counts beside the filters, too: each page counted once, whichever shards found it.
    assert filter_counts(page) == one_counts, query


def test_a_common_word_first_reads_the_newest_shards(page, server, two_sites) -> None:
    """The first search of a word every shard holds reads only the shards a first page needs, newest
    first; the status says the archive is not all searched yet, and the button brings the rest."""
    metas: set[str] = set()
    page.on("request", lambda r: r.url.endswith(".pf_meta") and metas.add(r.url))
    url = server.origin + two_sites[1] + "search/?q=" + quote("政府信息")
    page.goto(url)
    page.wait_for_function("document.querySelector('#search-app').dataset.searched === location.search")
    manifest = page.evaluate(f"fetch('{two_sites[1]}pagefind/shards.json').then(r => r.json())")
    shards = manifest["shards"]
    first = len(metas)
    assert 0 < first < len(shards), (first, len(shards))
    assert page.locator("#search-results li").count() == 10
    status = page.inner_text("#search-status")
    assert "尚未查找" in status and "已查找" in status, status
    # The shards read are the newest: no shard read is older than one left for later.
    year = lambda name: int(re.match(r"\d{4}", name).group(0)) if re.match(r"\d{4}", name) else 9999  # noqa: E731
    read = [s for s in shards if any(u.endswith(s["bundle"] + u.rsplit("/", 1)[-1]) for u in metas)]
    unread = [s for s in shards if s not in read]
    assert min(year(s["name"]) for s in read) >= max(year(s["name"]) for s in unread)
    shown = page.eval_on_selector_all(
        "#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))"
    )
    # Earlier reports are offered at once, beside the rest of the newest ones, and come next when asked.
    assert page.is_visible("#search-earlier")
    page.click("#search-earlier")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 10")
    later = page.eval_on_selector_all(
        "#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert later[:10] == shown and len(set(later)) == len(later)
    assert any(href not in shown for href in later[10:])
    load_everything(page)
    assert len(metas) == len(shards)
    assert "尚未查找" not in page.inner_text("#search-status")
    links = page.eval_on_selector_all(
        "#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert links[: len(shown)] == shown and len(links) == len(set(links)) > len(shown)


def test_a_phrase_of_common_words_opens_a_bounded_number_of_shards_at_first(page, server, two_sites) -> None:
    """公开, 信息 and 政府 are in every shard, the phrase 公开信息政府 in no report: the routing table
    (which knows words, not phrases) cannot narrow the shards, so the first search stops after 15 of
    them, says what it has not searched, and the button searches the rest (at 100,000 reports the
    search would otherwise open all 250 shards before saying anything)."""
    metas: set[str] = set()
    page.on("request", lambda r: r.url.endswith(".pf_meta") and metas.add(r.url))
    page.goto(server.origin + two_sites[1] + "search/?q=" + quote("公开信息政府"))
    page.wait_for_function("document.querySelector('#search-app').dataset.searched === location.search")
    shards = page.evaluate(f"fetch('{two_sites[1]}pagefind/shards.json').then(r => r.json())")["shards"]
    assert len(shards) > 30
    assert len(metas) == 15
    status = page.inner_text("#search-status")
    assert "找到 0 份" in status and "尚未查找" in status, status
    clicks = 0
    while page.is_visible("#search-earlier"):
        page.click("#search-earlier")
        page.wait_for_function("!document.querySelector('#search-earlier').disabled")
        clicks += 1
        assert len(metas) <= 15 * (clicks + 1)
    assert len(metas) == len(shards)
    assert page.inner_text("#search-status").startswith("没有找到"), page.inner_text("#search-status")
