"""sitemap.xml, the Atom feed, robots.txt, the 404 page and Open Graph metadata, as built."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gkgen import build
from tests.helpers import REPO, archive_urls_with_breaks

BASE = "https://example.org/gk-archive/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("furniture") / "site"
    assert build.build(REPO, out, base_url=BASE, stream=io.StringIO(), incremental=False) == 0
    return out


def test_sitemap_lists_every_page_with_absolute_urls(site: Path) -> None:
    root = ET.parse(site / "sitemap.xml").getroot()
    urls = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(u.startswith(BASE) for u in urls)
    pages = {
        BASE + p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("index.html")
    }
    assert set(urls) == pages
    assert BASE + "reports/350128-pingtan/2020/" in urls


def test_robots_points_at_the_sitemap(site: Path) -> None:
    assert (site / "robots.txt").read_text("utf-8").splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


def test_atom_feed_lists_reports_newest_first(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    reports = len(list((REPO / "content" / "reports").glob("*/*.yaml")))
    assert len(entries) == min(reports, 50)  # the newest reports, at most 50
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert len(set(links)) == len(links) and all(link.startswith(BASE + "reports/") for link in links)
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    # A report whose published tables do not reconcile says so in its entry; the others do not.
    broken = {BASE + url.lstrip("/") for url in archive_urls_with_breaks()}
    flagged = {
        link
        for e, link in zip(entries, links, strict=True)
        if "勾稽关系不符" in e.find(f"{ATOM}summary").text
    }
    assert flagged and flagged == broken & set(links)


def test_404_page_is_chinese_and_links_home_under_the_sub_path(site: Path) -> None:
    html = (site / "404.html").read_text("utf-8")
    assert '<html lang="zh-CN">' in html and "找不到该页面" in html
    assert 'href="/gk-archive/"' in html


def test_open_graph_metadata_on_report_pages(site: Path) -> None:
    html = (site / "reports/350128-pingtan/2020/index.html").read_text("utf-8")
    assert f'<meta property="og:url" content="{BASE}reports/350128-pingtan/2020/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert 'og:description" content="平潭综合实验区管理委员会（福建省福州市平潭县）2020年度' in html
    assert f'<link rel="canonical" href="{BASE}reports/350128-pingtan/2020/">' in html


def test_without_a_host_there_is_no_sitemap_but_robots_still_works(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert build.build(REPO, out, base_url="/gk-archive/", stream=io.StringIO(), incremental=False) == 0
    assert not (out / "sitemap.xml").exists()
    assert (out / "robots.txt").read_text("utf-8") == "User-agent: *\nAllow: /\n"
    assert 'href="/gk-archive/feed.xml"' in (out / "index.html").read_text("utf-8")
