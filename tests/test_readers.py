"""Pages for readers (issue #17), read from the built HTML: what a report page leads with, words that
claim no more than the archive knows, numbers printed one way, the method page, citations, the
Chinese command line, and a report without table numbers."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from gkgen import build, cli
from gkgen.site import figure_pages, report_page, views
from tests.conftest import parse_html, read_page
from tests.helpers import REPO

BASE = REPO / "tests" / "invalid"


def test_report_page_leads_with_figures_and_a_menu_then_tables_then_the_narrative(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    order = [
        e.get("id")
        for e in page.elements
        if e.get("id") in ("yoy-heading", "toc-heading", "h-active", "h-requests", "h-appeals", "h-overview")
    ]
    assert order == ["yoy-heading", "toc-heading", "h-active", "h-requests", "h-appeals", "h-overview"]
    menu = [a.get("href") for a in page.all("a") if "nav" in a.parents and a.get("href", "").startswith("#")]
    for target in ("#section-requests", "#section-appeals", "#section-overview", "#about", "#cite"):
        assert target in menu
    # 来源与核对 is linked near the top, before the first table
    first = next(i for i, e in enumerate(page.elements) if e.tag == "table")
    assert any(e.get("href") == "#about" for e in page.elements[:first])


def test_table_four_has_a_phone_layout_with_its_own_ids(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2021/")
    narrow = [e for e in page.all("td") if (e.get("id") or "").startswith("m-cell-")]
    assert len(narrow) == 15 and not any(e.get("data-cell") for e in narrow)
    ids = [e.get("id") for e in page.elements if e.get("id")]
    assert len(ids) == len(set(ids))
    # 总计 first in each row of the phone layout
    heads = [th.text for th in page.all("th") if "thead" in th.parents and "table" in th.parents][-5:]
    assert heads[0] == "总计"
    # table 三's 总计 column is marked for the phone (kept in view)
    keys = [e for e in page.all("td", **{"class": None}) if "key" in e.classes and e.get("data-cell")]
    assert {e.get("data-cell").rsplit(".", 1)[1] for e in keys} == {"total"}


def test_numbers_keep_every_digit_grouped_with_one_minus_sign(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    assert page.one("td", data_cell="active.procurement.amount").text == "73,802,895.90"
    assert page.one("td", data_cell="active.penalty.change").text == "\u221218"
    assert page.one("td", data_cell="active.penalty.prev_items").text == "2,648"


def test_unchecked_rules_are_not_claimed_to_hold(built_site: Path) -> None:
    page = read_page(built_site, "reports/410711-huayuan/2022/")
    about = page.one("section", id="about").text
    assert "均成立" not in about
    assert "12 条规则因空白单元格无法核对" in about


def test_checks_summary_when_nothing_could_be_checked() -> None:
    assert "全部因空白单元格无法核对" in report_page.Checks(42, 42, 0).summary
    assert "成立" not in report_page.Checks(42, 42, 0).summary.replace("不成立", "")
    assert (
        report_page.Checks(42, 0, 2).summary == "表格中共 42 处勾稽关系，40 处核对成立，2 处不符（见页首）。"
    )
    assert "没有公布表格数字" in report_page.Checks(42, 0, 0, no_tables=True).summary


def test_breadcrumb_home_is_a_link_and_not_the_current_page(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    nav = [e for e in page.all("li") if "nav" in e.parents]
    crumbs = [e for e in page.elements if e.tag == "a" and "ol" in e.parents]
    assert crumbs[0].text == "首页" and crumbs[0].get("href") == "/"
    current = [li for li in nav if li.get("aria-current") == "page"]
    assert [li.text for li in current] == ["2020年度"]


def test_method_page_explains_the_terms_and_is_linked_where_they_appear(built_site: Path) -> None:
    method = read_page(built_site, "method/")
    for anchor in ("what", "law", "formats", "rules", "blank", "archive", "glossary"):
        assert method.one(id=anchor)
    text = method.text
    assert (
        "国务院令第711号" in text
        and "国办公开办函〔2019〕60号" in text
        and "国办公开办函〔2021〕30号" in text
    )
    assert "26 ≠ 20" in text  # the worked example
    report = read_page(built_site, "reports/350128-pingtan/2020/")
    hrefs = {a.get("href") for a in report.all("a")}
    assert {"/method/#rules", "/method/#blank", "/method/#formats"} <= hrefs
    compare = read_page(built_site, "compare/")
    assert "JSON" not in compare.one("main").text and "脚本读取" not in compare.one("main").text


def test_citation_follows_gb_t_7714_and_never_reads_the_clock(
    built_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2020/")
    cite = page.one("section", id="cite").text
    assert (
        "平潭综合实验区管理委员会. 平潭综合实验区2020年度政府信息公开工作年度报告[EB/OL]. (2021-03-05)."
        in cite
    )
    assert "方括号中加上您查阅的日期" in cite
    report = next(r for r in build.load_archive(REPO).archive.reports if r.id == "350128-pingtan-2020")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    c = report_page.citation(report, "https://example.org/gk/", "档案")
    assert "(2021-03-05)[2026-01-01]." in c.original
    assert c.page and c.page.endswith(" https://example.org/gk/reports/350128-pingtan/2020/.")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert report_page.citation(report, None, "档案").page is None


def test_data_page_offers_the_whole_archive_first(built_site: Path) -> None:
    page = read_page(built_site, "data/")
    links = [a.get("href") for a in page.all("a") if "download" in a.attrs]
    assert links[:2] == ["/data/gkgen-cells-all.csv", "/data/gkgen-all.sqlite"]


ARGPARSE_ENGLISH = ("usage", "show this help", "positional arguments", "options:", "error:", "required")


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["new"], ["serve"], ["import"]])
def test_help_is_chinese(command: list[str]) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        cli.main([*command, "--help"])
    text = out.getvalue()
    assert text.startswith("用法：gkgen") and "显示本帮助并退出" in text
    assert not [w for w in ARGPARSE_ENGLISH if w in text.lower()], text


def test_argparse_errors_are_chinese() -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        cli.main(["new", "--agency", "x", "--year", "二〇二一"])
    assert "错误：参数 --year：无效的值" in err.getvalue()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit):
        cli.main([])
    assert "缺少必需的参数：命令" in err.getvalue()
    assert not [w for w in ARGPARSE_ENGLISH if w in err.getvalue().lower()]


def test_a_report_declared_without_tables_says_so(tmp_path: Path) -> None:
    root = shutil.copytree(BASE / "_base", tmp_path / "archive")
    shutil.copytree(BASE / "no-tables-declared" / "files", root, dirs_exist_ok=True)
    out = tmp_path / "site"
    stream = io.StringIO()
    assert build.build(root, out, stream=stream, incremental=False) == 0, stream.getvalue()
    page = parse_html((out / "reports/410204-wuyi/2021/index.html").read_text("utf-8"))
    assert "没有公布统一表格中的任何数字" in page.text and "原报告只有文字说明" in page.text
    assert not page.all("table")
    assert "原报告没有公布表格数字，无从核对勾稽关系" in page.one("section", id="about").text


def test_each_key_figure_has_a_page_and_a_csv_of_exactly_its_rows(built_site: Path) -> None:
    reports = build.load_archive(REPO).archive.reports
    page = read_page(built_site, "figures/handled/")
    rows = [tr for tr in page.all("tr") if "tbody" in tr.parents and "figure-table" in page.html]
    shown = [
        td for td in page.all("td") if "num" in td.classes and td.text.strip() and "flag-inline" in td.classes
    ]
    flagged = [r for r in reports if views.figure_flagged(r, "handled")]
    assert len(shown) == len(flagged) > 0  # the 平潭 2020 总计 that does not reconcile is marked ⚠
    csv_text = (built_site / "data/figures/handled.csv").read_text("utf-8-sig").strip().splitlines()
    assert len(csv_text) == 1 + len(reports)
    assert rows
    explorer = read_page(built_site, "figures/")
    assert {a.get("href") for a in explorer.all("a")} >= {
        f"/figures/{n}/" for n in figure_pages.EXPLORER_FIGURES
    }
