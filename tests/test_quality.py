"""The overseer's view (gkgen.quality): each check on real reports with known answers, and where it shows."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from gkgen import build
from gkgen.build import load_archive
from gkgen.content.load import with_narrative
from gkgen.model import LocalDeadline
from gkgen.quality import assess, blanks, claims, gaps, similarity, timeliness
from tests.conftest import REPO, SHARED, read_page
from tests.helpers import REFERENCE_REPORTS

PINGTAN_BODIES = SHARED / "reports" / "pingtan-bodies"
needs_bodies = pytest.mark.skipif(not PINGTAN_BODIES.is_dir(), reason="shared/ pingtan-bodies texts missing")


@functools.cache
def archive():
    return load_archive(REPO).archive


def report_of(agency_id: str, year: int):
    r = next(r for r in archive().reports if r.agency.id == agency_id and r.year == year)
    return with_narrative(REPO, r)


# ---------------------------------------------------------------- on time or late


@pytest.mark.parametrize(
    ("year", "published", "level", "status", "days"),
    [
        (2021, "2022-01-31", "区县部门", "on_time", None),  # the deadline day itself is on time
        (2021, "2022-02-01", "区县部门", "late", 1),
        (2021, "2022-03-31", "区县部门", "late", 59),
        (2021, "2022-03-31", "区县政府", "on_time", None),  # a government's own report: 3月31日
        (2021, "2022-04-01", "区县政府", "late", 1),
        (2021, "2022-01-20", "市级部门", "on_time", None),
        (2024, "2025-02-01", "省级政府", "on_time", None),
        (2018, "2019-03-31", "区县部门", "on_time", None),  # 2008 条例: every body by 3月31日
        (2018, "2019-04-01", "街道", "late", 1),
        (2025, "2026-04-17", "区县部门", "late", 76),  # 平潭投资促进局 2025, published 2026-04-17
    ],
)
def test_deadlines_of_the_regulation(year, published, level, status, days) -> None:
    t = timeliness.assess(year, published, level)
    assert (t.status, t.days_late) == (status, days)
    assert t.basis.startswith("《中华人民共和国政府信息公开条例》")


@pytest.mark.parametrize("level", ["乡镇", "街道", "其他", "片区"])
def test_a_level_the_regulation_does_not_place_is_unknown_and_says_why(level: str) -> None:
    t = timeliness.assess(2021, "2022-01-05", level)
    assert (t.status, t.deadline, t.days_late) == ("unknown", None, None)
    assert level in t.reason and "第四十九条" in t.reason


def test_no_publication_date_is_unknown_but_the_deadline_is_given() -> None:
    t = timeliness.assess(2021, None, "区县部门")
    assert (t.status, t.deadline, t.reason) == ("unknown", "2022-01-31", "原报告未注明发布日期")


def test_a_local_rule_replaces_the_regulation_and_is_quoted() -> None:
    rule = LocalDeadline(2, 15, "《某市政府信息公开工作年度报告编制办法》第五条")
    assert timeliness.assess(2021, "2022-02-15", "街道", rule).status == "on_time"
    late = timeliness.assess(2021, "2022-02-16", "区县部门", rule)
    assert (late.status, late.days_late, late.basis) == ("late", 1, rule.basis)


def test_real_reports_timeliness() -> None:
    pingtan = report_of("350128-pingtan", 2020)  # 区县政府, published 2021-03-05
    assert pingtan.quality.timeliness.status == "on_time"
    assert pingtan.quality.timeliness.deadline == "2021-03-31"
    xingfu = report_of("220102-xingfu", 2021)  # 乡镇
    assert xingfu.quality.timeliness.status == "unknown"


# ---------------------------------------------------------------- copied from last year


def test_dates_and_numbers_do_not_hide_a_copied_sentence() -> None:
    last = [
        (
            "overview",
            "2021年，我局共收到政府信息公开申请20件，均在法定期限内予以答复，未发生行政复议和行政诉讼。",
        )
    ]
    this = [
        (
            "overview",
            "2022年，我局共收到政府信息公开申请35件，均在法定期限内予以答复，未发生行政复议和行政诉讼。",
        )
    ]
    s = similarity.compare(this, last, 2021)
    assert s.repeated == s.letters and s.flagged
    assert (
        similarity.compare(
            [("overview", "今年改写了全部内容，没有一句与上年相同的话，也没有照抄。")], last, 2021
        ).repeated
        == 0
    )


def test_the_opening_statement_is_not_compared() -> None:
    opening = "根据《中华人民共和国政府信息公开条例》要求，现编制完成本报告，统计期限自1月1日起至12月31日止。"
    s = similarity.compare(
        [("preamble", opening), ("overview", "今年全新撰写的总体情况说明文字，完全不同于去年的写法。")],
        [("preamble", opening), ("overview", "去年的总体情况是另外一段话，讲的是别的工作和别的安排。")],
        2021,
    )
    assert s.repeated == 0 and not s.flagged


def test_passages_map_back_to_the_text_and_cut_it_into_segments() -> None:
    shared = "坚持以公开为常态不公开为例外的原则扎实推进政务公开工作取得明显成效"
    text = f"今年新写的开头。{shared}！结尾也是新的。"
    s = similarity.compare([("overview", text)], [("overview", "去年另写一段话，" + shared + "。")], 2021)
    [p] = s.passages
    assert text[p.start : p.end] == shared
    pieces = similarity.segments(text, s.passages, "overview")
    assert "".join(x.text for x in pieces) == text
    assert [x.text for x in pieces if x.repeated] == [shared]


def pingtan_body(body: str, year: int) -> list[tuple[str, str]]:
    from bench.quality_calibration import page_sections

    return page_sections((PINGTAN_BODIES / f"{year}-{body}.txt").read_text(encoding="utf-8"))


@needs_bodies
def test_a_known_copied_pair_is_flagged() -> None:
    # 财政金融局 2024 repeats its 2023 narrative with the year and figures changed.
    s = similarity.compare(pingtan_body("caijinju", 2024), pingtan_body("caijinju", 2023), 2023)
    assert s.flagged and s.percent >= 90


@needs_bodies
def test_a_rewritten_pair_is_not_flagged() -> None:
    # 管委会办公室 2021 is written anew (its opening statement, excluded, is the usual one).
    s = similarity.compare(
        pingtan_body("guanweihui-bangongshi", 2021), pingtan_body("guanweihui-bangongshi", 2020), 2020
    )
    assert not s.flagged and s.percent < 10


def test_real_archive_pairs_of_pingtan_are_rewritten() -> None:
    for year in (2020, 2021, 2022):
        s = report_of("350128-pingtan", year).quality.similarity
        assert s is not None and s.previous_year == year - 1 and not s.flagged
    assert report_of("350128-pingtan", 2019).quality.similarity is None  # no earlier report


def test_the_comparison_is_linear_in_the_text_length() -> None:
    import time

    words = "政务公开工作稳步推进依申请公开办理规范平台建设不断加强监督保障有力"

    def best_of_three(text: str) -> float:
        sections = [("overview", text)]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            similarity.compare(sections, sections, 2020)
            times.append(time.perf_counter() - started)
        return min(times)  # the least disturbed by other work on the machine

    t_small, t_big = best_of_three(words * 100), best_of_three(words * 1000)
    assert t_big < 40 * max(t_small, 1e-3)  # ten times the text: about ten times the time, not a hundred


# ---------------------------------------------------------------- words against tables

# The reference transcriptions' notes name the narratives that contradict their tables.
KNOWN_CONTRADICTIONS = {
    "002_fd38466faf71b272": {("review_other", 3, 0)},  # 其他情形3起, the table has them as 尚未审结
    "pingtan-2022": {("new", 75, 74)},  # 收到75件: the table's new 74 plus 1 carried over
}


@pytest.mark.parametrize("name", sorted(REFERENCE_REPORTS))
def test_contradictions_are_the_known_ones(name: str) -> None:
    report = report_of(*REFERENCE_REPORTS[name])
    found = {(c.quantity, c.stated, c.table) for c in report.quality.contradictions}
    assert found == KNOWN_CONTRADICTIONS.get(name, set())


def test_longting_names_both_places() -> None:
    report = report_of("410202-longting-gov-office", 2021)
    [c] = report.quality.contradictions
    assert c.cells == ("review.other",) and c.place == "行政复议 · 其他结果"
    assert "其他情形3起" in c.sentence and c.section == "overview"
    agreeing = {x.quantity for x in report.quality.claims if x.agrees}
    assert {"new", "review", "review_upheld", "litigation", "litigation_other"} <= agreeing


def test_pingtan_2022_says_what_its_number_is() -> None:
    [c] = report_of("350128-pingtan", 2022).quality.contradictions
    assert c.note == "正文的数字等于本年新收（74）与上年结转（1）之和"


@pytest.mark.parametrize(
    "sentence",
    [
        "其中，通过信函收到申请5件。",  # a sub-count is not the total
        "2021年，其中自然人收到申请18件。",  # a sub-count
        "2020年收到政府信息公开申请30件。",  # another year
        "收到申请数量同比增加5件。",  # a change
        "与上年相比，收到申请数量增长25%。",  # a percentage
        "申请答复按时办结率100%。",  # a rate
        "全年主动公开政府信息2236条。",  # no cell, another unit
        "指导各单位收到政府信息公开申请45件。",  # work for others
        "去年行政复议3起。",  # another year
        "全年收到政府信息公开申请约30件。",  # an approximation
        "共制作政府信息（文件）617份，其中主动公开138份、依申请公开及不予公开431份。",  # documents, not applications
        "坚持第一时间登记受理、第一时间回复申请的“三个一”工作机制。",  # a name, not a count
        "报告包括收到和处理政府信息公开申请情况、提起行政诉讼的情况等六个部分。",  # the report's outline
    ],
)
def test_sentences_that_must_not_be_compared(sentence: str) -> None:
    report = report_of("410202-longting-gov-office", 2021)
    assert claims.read(replace(report, narrative=(("overview", sentence),))) == ()


def test_a_total_is_read_and_its_parts_are_not() -> None:
    report = report_of("410202-longting-gov-office", 2021)
    text = (("overview", "2021年，我办共计收到政府信息公开申请20件，其中，网络收到7件，当面受理2件。"),)
    assert [(c.quantity, c.stated) for c in claims.read(replace(report, narrative=text))] == [("new", 20)]


def test_a_narrative_agreeing_with_the_parts_of_a_wrong_total_says_so() -> None:
    report = report_of("410202-longting-gov-office", 2021)
    fmt = report.format
    values = list(report.values)
    values[fmt.index_of("review.total")] = 0  # as published by 行政审批局 2024: 维持 1, 总计 0
    text = (("overview", "2021年，我办因政府信息公开申请引发行政复议8起。"),)
    [c] = claims.read(replace(report, values=tuple(values), narrative=text))
    assert (c.stated, c.table) == (8, 0) and "各分项相加为 8" in c.note


def test_a_blank_cell_is_not_compared() -> None:
    report = report_of("410711-huayuan", 2022)  # 予以公开 blank for every applicant, total 0
    text = (("overview", "2022年共收到政府信息公开申请0件，予以公开0件。"),)
    found = claims.read(replace(report, narrative=text))
    assert {c.quantity for c in found} == {"new", "granted"}


def test_chinese_numerals() -> None:
    assert [claims.number_value(t) for t in ("三", "十", "十二", "二十", "两", "３５", "一百零五")] == [
        3, 10, 12, 20, 2, 35, 105,
    ]  # fmt: skip


# ---------------------------------------------------------------- gaps and blanks


def test_blank_cells_of_huayuan_and_an_empty_table() -> None:
    report = report_of("410711-huayuan", 2022)
    b = report.quality.blanks
    assert b.empty_tables == () and len(b.cells) == 36
    assert "requests.granted.natural" in b.cells and "requests.granted.total" not in b.cells
    fmt = report.format
    appeals = {i for i, c in enumerate(fmt.cells) if c.section == "appeals"}
    emptied = replace(report, values=tuple(None if i in appeals else v for i, v in enumerate(report.values)))
    b = blanks.find(emptied)
    assert b.empty_tables == ("appeals",) and not any(c.startswith("review.") for c in b.cells)


def test_missing_years() -> None:
    assert gaps.missing_years([2019, 2021], 2023) == (2020, 2022, 2023)
    assert gaps.missing_years([2023], 2023) == ()
    assert gaps.missing_between(2019, 2022) == (2020, 2021)
    assert gaps.missing_between(None, 2022) == ()


def test_a_gap_before_a_report_is_found_when_the_archive_is_linked(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    (root / "content/reports/350128-pingtan/2020.yaml").unlink()
    (root / "content/reports/350128-pingtan/2020.md").unlink()
    loaded = load_archive(root).archive
    r2021 = next(r for r in loaded.reports if r.id == "350128-pingtan-2021")
    assert r2021.quality.missing_before == (2020,)
    assert r2021.quality.similarity.previous_year == 2019  # compared with the body's previous report
    assert "gap" in r2021.quality.flags


def test_assess_is_pure() -> None:
    report = report_of("410202-longting-gov-office", 2021)
    assert assess(report) == assess(report)


# ---------------------------------------------------------------- shown: report page, archive page, data


def test_report_page_panel_shows_each_finding_with_its_basis(built_site: Path) -> None:
    page = read_page(built_site, "reports/410202-longting-gov-office/2021/")
    panel = page.one("section", id="quality")
    assert "第四十九条" in panel.text and "原报告未注明发布日期" in panel.text
    [item] = page.all("li", id="quality-claim-1")
    assert "正文说 3" in item.text and "表格为 0" in item.text and "行政复议 · 其他结果" in item.text
    links = [a.get("href") for a in page.all("a") if "li" in a.parents and a in page.elements]
    assert "#claim-1" in links and "#cell-review.other" in links
    # The sentence is marked in the narrative itself, and the cell exists in the table.
    mark = page.one("mark", id="claim-1")
    assert "其他情形3起" in mark.text and "narrative" not in mark.classes
    page.one(id="cell-review.other")
    # No file paths, tool or field names on a public page.
    for word in ("content/", ".yaml", "review.other", "gkgen", "Jaccard"):
        assert word not in panel.text


def test_report_page_similarity_and_highlight(built_site: Path) -> None:
    page = read_page(built_site, "reports/350128-pingtan/2022/")
    panel = page.one("section", id="quality")
    s = report_of("350128-pingtan", 2022).quality.similarity
    assert (
        f"其中 {s.repeated} 字" in panel.text
        and "连续 20 字以上" in panel.text
        and f"{round(similarity.THRESHOLD * 100)}%" in panel.text
    )
    marks = [m for m in page.all("mark") if "details" in m.parents]
    assert len(marks) == len(s.passages)


def test_repeated_passages_are_escaped(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    evil = "<script>alert(1)</script>我局坚持以公开为常态不公开为例外扎实推进政务公开各项工作稳步开展。"
    for year in (2021, 2022):
        md = root / f"content/reports/350128-pingtan/{year}.md"
        text = md.read_text(encoding="utf-8")
        md.write_text(text.replace("## 五、", f"{evil}\n\n## 五、", 1), encoding="utf-8")
    out = tmp_path / "site"
    assert build.build(root, out, stream=io.StringIO(), incremental=False) == 0
    html = (out / "reports/350128-pingtan/2022/index.html").read_text("utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_quality_page_grid_counts_and_definitions(built_site: Path) -> None:
    page = read_page(built_site, "quality/")
    grid = page.one("table", **{"class": "data quality-grid"})
    assert grid is not None
    reports = archive().reports
    years = sorted({r.year for r in reports})
    heads = [th.text for th in page.all("th", scope="col", **{"data-year": None})]
    assert heads == [str(y) for y in range(years[0], years[-1] + 1)]
    rows = [tr for tr in page.all("tr", **{"data-level": None})]
    bodies = {r.agency.id for r in reports}
    assert len(rows) == len(bodies)  # every body with a report, by region (not by findings)
    assert {tr.get("data-level") for tr in rows} == {r.agency.level for r in reports}
    flagged = {f for td in page.all("td", **{"data-flags": None}) for f in td.get("data-flags").split()}
    assert {"late", "copied", "contradiction", "blank_cells", "gap", "missing"} <= flagged
    counts = {td.get("data-count"): td.text for td in page.all("td", **{"data-count": None})}
    for kind in ("late", "copied", "contradiction", "blank_cells", "gap"):
        assert counts[kind] == str(sum(1 for r in reports if kind in r.quality.flags)), kind
    latest = years[-1]
    missing = sum(
        len(gaps.missing_years([r.year for r in reports if r.agency.id == b], latest)) for b in bodies
    )
    assert counts["missing"] == str(missing)
    # Pre-rendered: the filter form is hidden until the script shows it; the grid needs no script.
    form = page.one("form", id="quality-filter")
    assert "hidden" in form.attrs
    for name in (
        "逾期发布",
        "与上年雷同",
        "正文与表格不符",
        "整张表格空白",
        "有空白单元格",
        "缺失年度",
        "第四十九条",
    ):
        assert name in page.text
    for word in ("content/", ".yaml", "gkgen", "days_late"):
        assert word not in page.one("main").text


def test_report_json_carries_the_findings(built_site: Path) -> None:
    doc = json.loads((built_site / "data/reports/410202-longting-gov-office-2021.json").read_text("utf-8"))
    q = doc["quality"]
    assert q["timeliness"]["status"] == "unknown" and q["timeliness"]["deadline"] == "2022-01-31"
    [bad] = [c for c in q["claims"] if not c["agrees"]]
    assert (bad["stated"], bad["table"], bad["cells"]) == (3, 0, ["review.other"])
    pingtan = json.loads((built_site / "data/reports/350128-pingtan-2021.json").read_text("utf-8"))
    assert pingtan["quality"]["similarity"]["previous_year"] == 2020
    assert pingtan["quality"]["similarity"]["threshold"] == similarity.THRESHOLD


def test_sqlite_quality_table_and_archive_csv(built_site: Path) -> None:
    db = sqlite3.connect(built_site / "data/gkgen-2021-410000.sqlite")
    rows = db.execute("SELECT report_id, kind, item, status, value FROM quality ORDER BY 1, 2, 3").fetchall()
    assert ("410202-longting-gov-office-2021", "contradiction", "1.review_other", "contradiction", 3) in rows
    assert ("410202-longting-gov-office-2021", "timeliness", "", "unknown", None) in rows
    text = (built_site / "data/quality.csv").read_text("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == len(archive().reports)
    row = next(r for r in table if r["report_id"] == "350128-pingtan-2022")
    assert (row["timeliness"], row["deadline"], row["contradictions"], row["previous_year"]) == (
        "on_time", "2023-03-31", "1", "2021",
    )  # fmt: skip


# ---------------------------------------------------------------- incremental builds


def test_editing_last_years_report_redoes_this_years_comparison(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    out = root / "site"

    def run() -> build.Stats:
        stats = build.Stats()
        assert build.build(root, out, stream=io.StringIO(), stats=stats) == 0
        return stats

    reports = archive().reports
    pairs = sum(1 for a, b in itertools.pairwise(reports) if a.agency.id == b.agency.id)
    assert run().counts["narrative pairs compared"] == pairs
    before = json.loads((out / "data/reports/350128-pingtan-2022.json").read_text("utf-8"))["quality"]
    # Copy 2022's narrative into 2021: 2022 now repeats its previous report word for word.
    md2021 = root / "content/reports/350128-pingtan/2021.md"
    md2021.write_text((root / "content/reports/350128-pingtan/2022.md").read_text("utf-8"), encoding="utf-8")
    stats = run()
    assert stats.counts["report pages rendered"] == 3  # 2021 and its neighbours 2020 and 2022
    assert stats.counts["narrative pairs compared"] == 2  # 2020→2021 and 2021→2022; 2019→2020 is cached
    after = json.loads((out / "data/reports/350128-pingtan-2022.json").read_text("utf-8"))["quality"]
    assert not before["similarity"]["flagged"] and after["similarity"]["flagged"]
    page = read_page(out, "reports/350128-pingtan/2022/")
    assert "与2021年度报告大量雷同" in page.one("section", id="quality").text
    grid = read_page(out, "quality/")
    cell = next(
        td for td in grid.all("td", **{"data-year": "2022"}) if "copied" in (td.get("data-flags") or "")
    )
    assert cell is not None
    # A clean build gives the same quality findings.
    clean = tmp_path / "clean"
    assert build.build(root, clean, stream=io.StringIO(), incremental=False) == 0
    for name in ("data/reports/350128-pingtan-2022.json", "quality/index.html", "data/quality.csv"):
        assert (clean / name).read_bytes() == (out / name).read_bytes(), name


def test_a_local_deadline_in_the_registry_is_applied_and_quoted(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    registry = root / "content/agencies/41-henan.yaml"
    text = registry.read_text(encoding="utf-8")
    rule = "《开封市政府信息公开工作年度报告编制发布办法》第六条"
    text = text.replace(
        "  level: 街道\n",
        f'  level: 街道\n  deadline:\n    date: "02-15"\n    basis: {rule}\n',
        1,  # the first 街道 in the file is 五一办事处 (410204-wuyi)
    )
    registry.write_text(text, encoding="utf-8")
    report_file = root / "content/reports/410204-wuyi/2021.yaml"
    report_file.write_text(
        report_file.read_text(encoding="utf-8").replace("published: null", "published: 2022-02-20"),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    stream = io.StringIO()
    assert build.build(root, out, stream=stream, incremental=False) == 0, stream.getvalue()
    panel = read_page(out, "reports/410204-wuyi/2021/").one("section", id="quality")
    assert "逾期 5 天" in panel.text and rule in panel.text and "2022-02-15" in panel.text


def test_a_sentence_with_quotes_and_ampersands_is_still_marked(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    md = root / "content/reports/410202-longting-gov-office/2021.md"
    md.write_text(
        md.read_text(encoding="utf-8").replace("我区政府办信息公开申请", '我区政府办"信息公开"&申请'),
        encoding="utf-8",
    )
    out = tmp_path / "site"
    assert build.build(root, out, stream=io.StringIO(), incremental=False) == 0
    page = read_page(out, "reports/410202-longting-gov-office/2021/")
    assert '"信息公开"&申请' in page.one("mark", id="claim-1").text


def test_agency_page_names_each_years_findings(built_site: Path) -> None:
    page = read_page(built_site, "agencies/410202-longting-gov-office/")
    [link] = [a for a in page.all("a") if (a.get("href") or "").endswith("2021/#quality")]
    assert link.text == "质量核查：正文与表格不符"
