"""The built site as a reader meets it: report tables, navigation, charts, structure, URLs."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gkgen import formats
from gkgen.build import load_archive
from tests.conftest import REPO, SHARED, SUBPATH, html_files, parse_html, read_page
from tests.helpers import REFERENCE_REPORTS, archive_report_files, require_browser

REFERENCE = SHARED / "reports" / "reference"
needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="shared/ reference transcriptions missing"
)


@functools.cache
def archive():
    return load_archive(REPO).archive


def report_of(agency_id: str, year: int):
    return next(r for r in archive().reports if r.agency.id == agency_id and r.year == year)


# ---------------------------------------------------------------- report pages


@needs_reference
@pytest.mark.parametrize("name", sorted(REFERENCE_REPORTS))
def test_every_data_cell_is_the_published_value(name: str, built_site: Path) -> None:
    agency_id, year = REFERENCE_REPORTS[name]
    expected = json.loads((REFERENCE / f"{name}.json").read_text("utf-8"))["cells"]
    page = read_page(built_site, f"reports/{agency_id}/{year}/")
    cells = page.all(data_cell=None)
    codes = [c.get("data-cell") for c in cells]
    fmt = formats.get(report_of(agency_id, year).format.id)
    # every code of the format exactly once (extra rows aside)
    format_codes = [c for c in codes if not c.startswith("active.extra.")]
    assert sorted(format_codes) == sorted(fmt.codes)
    assert len(set(format_codes)) == len(format_codes)
    for cell in cells:
        code = cell.get("data-cell")
        if code.startswith("active.extra."):
            continue
        value = expected[code]
        # Pages group digits by thousands and print the real minus sign; every digit is kept.
        shown = cell.text.replace(",", "").replace("\u2212", "-")
        assert shown == ("—" if value is None else str(value)), code


def test_null_cells_show_a_dash_with_a_legend(built_site: Path) -> None:
    report = next(r for r in archive().reports if any(v is None for v in r.values))
    page = read_page(built_site, report.url)
    nulls = [c for c in page.all("td", data_cell=None) if c.text == "—"]
    assert len(nulls) == sum(v is None for v in report.values)
    assert all("null" in c.classes for c in nulls)
    assert "不等于 0" in page.text


def test_tables_have_merged_official_headers(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2021/")
    headers: dict = {}
    for th in page.all("th"):  # the official layout comes first (table 四 is repeated for phones)
        headers.setdefault(th.text.strip(), th)
    assert headers["法人或其他组织"].get("colspan") == "5"
    assert headers["法人或其他组织"].get("scope") == "colgroup"
    assert headers["自然人"].get("rowspan") == "2"
    assert headers["三、本年度办理结果"].get("rowspan") == str(
        sum(1 for r in formats.get("2021").request_rows if r.parents)
    )
    assert headers["（三）不予公开"].get("rowspan") == "8"
    assert headers["行政诉讼"].get("colspan") == "10"
    assert headers["行政复议"].get("colspan") == "5"
    assert headers["一、本年新收政府信息公开申请数量"].get("colspan") == "3"


def test_pingtan_years_link_prev_and_next(built_site: Path) -> None:
    # The zone's reports in the archive (2023 and 2024 are missing): each links the one before and after.
    years = sorted(int(p.stem) for p in (REPO / "content" / "reports" / "350128-pingtan").glob("*.yaml"))
    assert years[:4] == [2019, 2020, 2021, 2022] and len(years) >= 5
    for i, year in enumerate(years):
        page = read_page(built_site, f"reports/350128-pingtan/{year}/")
        prev = [a.get("href") for a in page.all("a", rel="prev")]
        nxt = [a.get("href") for a in page.all("a", rel="next")]
        assert prev == ([f"/reports/350128-pingtan/{years[i - 1]}/"] if i > 0 else [])
        assert nxt == ([f"/reports/350128-pingtan/{years[i + 1]}/"] if i + 1 < len(years) else [])


def test_pingtan_2020_shows_its_outcomes_do_not_add_up(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    notice = page.one("section", **{"class": "notice"})
    assert "本报告公布的数据存在勾稽关系不符" in notice.text
    assert re.search(r"20\D+26", notice.text) and re.search(r"21\D+27", notice.text)
    for code, number in (("requests.total.natural", "1"), ("requests.total.total", "2")):
        cell = page.one("td", data_cell=code)
        assert "flag" in cell.classes and cell.get("data-flag") == number
        assert cell.get("aria-describedby") == f"finding-{number}"
        assert page.one(id=f"finding-{number}")
    involved = {c.get("data-cell") for c in page.all("td") if "involved" in c.classes}
    assert "requests.granted.natural" in involved and "requests.other.total" in involved
    # the notice sits above the tables
    order = [e.get("id") for e in page.elements if e.get("id") in ("breaks-heading", "h-requests")]
    assert order == ["breaks-heading", "h-requests"]
    assert page.one(data_pagefind_filter="breaks").text == "数据存在勾稽关系不符"
    assert not read_page(built_site, "reports/350128-pingtan/2021/").all(data_pagefind_filter="breaks")


def test_year_over_year_changes_use_key_figures(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2021/")
    prev, current = report_of("350128-pingtan", 2020), report_of("350128-pingtan", 2021)
    figures = {li.get("data-figure"): li.text.split() for li in page.all("li", data_figure=None)}
    diff = current.figure("new") - prev.figure("new")
    assert figures["new"][1:] == [str(current.figure("new")), f"+{diff}"]
    diff = current.figure("litigation") - prev.figure("litigation")
    assert figures["litigation"][2] == (f"+{diff}" if diff > 0 else f"−{-diff}" if diff < 0 else "±0")
    # The figures' labels and values are searchable (a query naming a figure finds every report giving
    # it); the changes from last year and the note on units are not.
    yoy = page.one("section", **{"class": "yoy"})
    assert "data-pagefind-ignore" not in yoy.attrs
    changes = page.all("span", **{"class": "fig-change"})
    assert changes and all("data-pagefind-ignore" in c.attrs for c in changes)
    assert all(
        "data-pagefind-ignore" in p.attrs for p in page.all("p", **{"class": "small"}) if "单位：件" in p.text
    )


def test_report_page_search_attributes(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    main = page.one("main")
    assert "data-pagefind-body" in main.attrs
    h1 = page.one("h1")
    assert h1.get("data-pagefind-weight") == "10" and h1.get("data-pagefind-meta") == "title"
    assert "平潭综合实验区管理委员会" in h1.text and "2020" in h1.text
    assert "平潭综合实验区管理委员会" in page.one(data_pagefind_weight="8").text
    filters = {e.get("data-pagefind-filter"): e.text for e in page.all(data_pagefind_filter=None)}
    assert filters["year"] == "2020" and filters["province"] == "福建省" and filters["city"] == "福州市"
    assert filters["level"] == "区县政府" and filters["format"]
    assert page.one(data_pagefind_sort="year").text == "2020"
    assert page.one(data_pagefind_meta="agency").text == "平潭综合实验区管理委员会"
    for el in page.all(**{"class": "tables"}):
        assert "data-pagefind-ignore" in el.attrs
    for tag in ("header", "footer"):
        assert "data-pagefind-ignore" in page.all(tag)[0].attrs
    assert "data-pagefind-ignore" in page.one("nav", **{"class": "breadcrumbs wrap"}).attrs
    for path in html_files(built_site):
        if not path.relative_to(built_site).as_posix().startswith("reports/"):
            assert "data-pagefind-body" not in path.read_text("utf-8"), path


def test_breadcrumbs_follow_the_region_path(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    nav = page.one("nav", **{"class": "breadcrumbs wrap"})
    crumbs = [
        e.text.strip() for e in page.elements if e.tag == "li" and "ol" in e.parents and e.text in nav.text
    ]
    assert crumbs == ["首页", "福建省", "福州市", "平潭县", "平潭综合实验区", "2020年度"]


def test_about_block_has_notes_and_entered_by(built_site: Path) -> None:
    report = report_of("350128-pingtan", 2020)
    page = read_page(built_site, report.url)
    about = page.one("section", **{"class": "about"})
    assert report.entered_by in about.text and report.notes in about.text
    unchecked = report_of("410711-huayuan", 2022).unchecked
    about = read_page(built_site, "reports/410711-huayuan/2022/").one("section", **{"class": "about"})
    assert all(f.message in about.text for f in unchecked)


# ---------------------------------------------------------------- other pages


def test_agency_page_has_every_year_and_a_chart_matching_the_data(built_site: Path) -> None:
    page = read_page(built_site, "agencies/350128-pingtan/")
    hrefs = {a.get("href") for a in page.all("a")}
    for year in (2019, 2020, 2021, 2022):
        assert f"/reports/350128-pingtan/{year}/" in hrefs
    reports = archive().reports_of("350128-pingtan")
    desc = page.one("desc", id="chart-new-desc").text
    assert page.one("title", id="chart-new-title").text
    for name, label in (("new", "本年新收申请"), ("handled", "办理结果总计")):
        part = next(p for p in desc.split("；") if p.startswith(label))
        numbers = [int(n) for n in re.findall(r"\d{4}年 (\d+)件", part)]
        assert numbers == [r.figure(name) for r in reports]
    desc = page.one("desc", id="chart-appeals-desc").text
    part = next(p for p in desc.split("；") if p.startswith("行政诉讼"))
    assert [int(n) for n in re.findall(r"年 (\d+)件", part)] == [r.figure("litigation") for r in reports]
    # the same data as a table beside the chart
    captions = [c.text for c in page.all("caption")]
    assert any("图表数据" in c for c in captions)


def test_year_pages_list_the_right_reports(built_site: Path) -> None:
    by_year: dict[int, set[str]] = {}
    for r in archive().reports:
        by_year.setdefault(r.year, set()).add("/" + r.url)
    for year, urls in by_year.items():
        page = read_page(built_site, f"years/{year}/")
        table = page.one("table")
        links = {a.get("href") for a in page.all("a") if a.get("href", "").startswith("/reports/")}
        assert links == urls
        assert len(page.all("tr")) == len(urls) + 1, table
    index = read_page(built_site, "years/")
    assert {a.get("href") for a in index.all("a") if "/years/" in a.get("href")} >= {
        f"/years/{y}/" for y in by_year
    }


def test_region_tree(built_site: Path) -> None:
    page = read_page(built_site, "regions/")
    links = [a for a in page.all("a") if a.get("href", "").startswith("/regions/4")]
    names = {a.get("href"): a.text for a in links}
    assert names["/regions/410000/"] == "河南省"
    assert names["/regions/410200/"] == "开封市"
    assert names["/regions/410204/"] == "鼓楼区"
    # 鼓楼区 sits inside 开封市 inside 河南省: three nested lists
    gulou = next(a for a in links if a.get("href") == "/regions/410204/")
    assert gulou.parents.count("ul") == 3
    county = read_page(built_site, "regions/410204/")
    assert county.one("h1").text == "河南省开封市鼓楼区"
    assert "/agencies/410204-wuyi/" in {a.get("href") for a in county.all("a")}
    city = read_page(built_site, "regions/410200/")
    city_links = {a.get("href") for a in city.all("a")}
    assert {"/regions/410204/", "/regions/410202/", "/agencies/410202-longting-gov-office/"} <= city_links


def test_home_page(built_site: Path) -> None:
    page = read_page(built_site, "")
    # The counts are the archive's: every report and every body in content/, every year they cover.
    files = archive_report_files()
    counts = [el.text for el in page.all("span", **{"class": "count"})]
    assert counts[:2] == [str(len(files)), str(len({p.parent.name for p in files}))]
    assert counts[3] == str(len({p.stem for p in files}))
    forms = page.all("form", action="/search/")
    assert len(forms) == 2 and all(f.get("method") == "get" for f in forms)
    assert all(page.all("input", name="q") for _ in forms)
    hrefs = {a.get("href") for a in page.all("a")}
    assert {"/years/2021/", "/regions/410000/", "/compare/", "/data/"} <= hrefs


def test_compare_index_and_page(built_site: Path) -> None:
    index = json.loads((built_site / "data/reports/index.json").read_text("utf-8"))
    assert len(index) == len(list((REPO / "content" / "reports").glob("*/*.yaml")))
    assert set(index[0]) >= {"id", "agency", "year", "format", "url"}
    page = read_page(built_site, "compare/")
    boxes = {i.get("value") for i in page.all("input", name="r")}
    assert boxes == {r["id"] for r in index}
    assert page.all("script", src=None)


# ---------------------------------------------------------------- every page


def _headings(page) -> list[int]:
    return [int(e.tag[1]) for e in page.elements if re.fullmatch(r"h[1-6]", e.tag)]


def test_every_page_is_well_formed(built_site: Path) -> None:
    for path in html_files(built_site):
        if path.relative_to(built_site).parts[0] == "search":
            continue  # the search page belongs to the search issue
        text = path.read_text("utf-8")
        page = parse_html(text)
        where = path.relative_to(built_site)
        assert text.startswith("<!doctype html>"), where
        assert page.root_lang == "zh-CN", where
        assert page.all("meta", name="viewport"), where
        levels = _headings(page)
        assert levels.count(1) == 1 and levels[0] == 1, where
        for a, b in itertools.pairwise(levels):
            assert b <= a + 1, f"{where}: h{a} then h{b}"
        for th in page.all("th"):
            assert th.get("scope") in ("col", "row", "colgroup", "rowgroup"), f"{where}: {th.text}"
        assert len(page.all("caption")) == len(page.all("table")), where
        assert page.all("form", action="/search/"), where
        assert page.all("input", name="q"), where
        assert page.all("footer"), where
        ids = [e.get("id") for e in page.elements if e.get("id")]
        assert len(ids) == len(set(ids)), f"{where}: duplicate ids"


_URL_IN_CSS = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def test_no_page_loads_anything_from_another_host(built_site: Path) -> None:
    # Links out go only to the originals and their archived copies, never a resource that loads.
    sources = {u for r in archive().reports for u in (r.source_url, r.source_archived) if u}
    for path in sorted(built_site.rglob("*")):
        if path.suffix not in (".html", ".css", ".js") or "pagefind" in path.relative_to(built_site).parts:
            continue
        text = path.read_text("utf-8")
        where = path.relative_to(built_site)
        if path.suffix == ".html":
            for el in parse_html(text).elements:
                for attr in ("href", "src", "action", "srcset", "poster", "data"):
                    value = el.get(attr)
                    if value is None:
                        continue
                    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I):
                        assert el.tag == "a" and attr == "href" and value in sources, f"{where}: {value}"
                style = el.get("style") or ""
                assert not _URL_IN_CSS.search(style), where
        else:
            for value in _URL_IN_CSS.findall(text):
                assert not re.match(r"^[a-z][a-z0-9+.-]*:|^//", value, re.I), f"{where}: {value}"
            assert not re.search(r"https?://", text), where


def test_sub_path_links_resolve(built_site_subpath: Path) -> None:
    site = built_site_subpath
    # Links out go only to the originals and their archived copies, never a resource that loads.
    sources = {u for r in archive().reports for u in (r.source_url, r.source_archived) if u}
    targets: set[str] = set()
    for path in html_files(site):
        where = path.relative_to(site)
        for el in parse_html(path.read_text("utf-8")).elements:
            for attr in ("href", "src", "action"):
                value = el.get(attr)
                if value is None or value in sources or value.startswith("#"):
                    continue
                assert value.startswith(SUBPATH), f"{where}: {attr}={value}"
                target = urlsplit(value).path[len(SUBPATH) :]
                file = site / target
                if target == "" or target.endswith("/"):
                    file = file / "index.html"
                assert file.is_file(), f"{where}: {value} → {file}"
                targets.add(target)
    # Every report page is reached by a link (from its body's page, its year, its neighbours …).
    reports = {f"reports/{p.parent.name}/{p.stem}/" for p in archive_report_files()}
    assert reports <= targets, sorted(reports - targets)
    css = next((site / "static").glob("style.*.css"))
    assert css.name != "style.css"


def test_output_is_deterministic(built_site: Path, tmp_path: Path) -> None:
    from tests.conftest import _build

    again = _build(tmp_path / "site")
    for path in sorted(built_site.rglob("*")):
        if path.is_file() and "pagefind" not in path.relative_to(built_site).parts:
            assert path.read_bytes() == (again / path.relative_to(built_site)).read_bytes(), path


# ---------------------------------------------------------------- in a browser

# Run in a child process: Playwright's sync API refuses to start while another test
# module's browser (tests/browser/) holds its event loop in this process.
_SMOKE = r"""
import json, sys
from playwright.sync_api import sync_playwright

served, shots = sys.argv[1], sys.argv[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
result = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    ids = ["350128-pingtan-2020", "350128-pingtan-2021"]
    page.goto(f"{served}compare/?r={ids[0]}&r={ids[1]}")
    page.wait_for_selector("table.compare-table[data-section='requests']")
    result["heads"] = {
        s: page.eval_on_selector_all(
            f"table.compare-table[data-section='{s}'] thead th[data-report]",
            "els => els.map(e => e.getAttribute('data-report'))",
        )
        for s in ("active", "requests", "appeals")
    }
    result["shown"] = {
        i: page.eval_on_selector(f"td[data-report='{i}'][data-cell='requests.new.total']", "e => e.textContent")
        for i in ids
    }
    result["checked"] = [i for i in ids if page.is_checked(f"input[name=r][value='{i}']")]
    result["errors"] = errors
    page.close()
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{served}reports/350128-pingtan/2020/")
    result["page_width"] = phone.evaluate("document.documentElement.scrollWidth")
    box = phone.locator("#section-requests .table-scroll").first
    box.scroll_into_view_if_needed()
    result["box_scrolls"] = box.evaluate("e => e.scrollWidth > e.clientWidth")
    result["overflow"] = box.evaluate("e => getComputedStyle(e).overflowX")
    phone.screenshot(path=shots + "/gkgen-phone-report.png")
    browser.close()
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def served(built_site: Path):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_in_browser_compare_and_phone_table(built_site: Path, served: str, tmp_path: Path) -> None:
    require_browser()
    run = subprocess.run(
        [sys.executable, "-c", _SMOKE, served, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    ids = ["350128-pingtan-2020", "350128-pingtan-2021"]
    assert result["heads"] == {s: ids for s in ("active", "requests", "appeals")}  # side by side
    for report_id in ids:
        doc = json.loads((built_site / f"data/reports/{report_id}.json").read_text("utf-8"))
        assert result["shown"][report_id] == str(doc["cells"]["requests.new.total"])
    assert result["checked"] == ids
    assert result["errors"] == []
    assert result["page_width"] <= 390  # the page itself does not scroll sideways on a phone
    assert result["box_scrolls"] and result["overflow"] == "auto"  # the table scrolls in its container


_INTERNAL_PATH = re.compile(r"shared/|content/reports|content/agencies|\.yaml\b|\.txt\b|gkgen import")
_FIELD_NAME = re.compile(r"entered_by|acknowledged|source_sha256|\bdoubts\b|\breference\b")


def test_no_public_page_carries_an_internal_path_or_field_name(built_site: Path) -> None:
    """What a citizen reads never names the repository's files, the tool or the content's field names."""
    for path in html_files(built_site):
        html = path.read_text("utf-8")
        visible = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", visible)  # text only: link targets may name files
        found = _INTERNAL_PATH.findall(visible)
        if path.relative_to(built_site).parts[0] != "data":  # the data page documents the columns
            found += _FIELD_NAME.findall(visible)
        assert not found, f"{path.relative_to(built_site)}: {found}"
