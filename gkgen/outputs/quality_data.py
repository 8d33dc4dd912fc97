"""The quality findings (gkgen.quality) as open data: a report's JSON block, its rows of the SQLite
``quality`` table (with that table's columns) and the archive's quality.csv."""

from __future__ import annotations

from gkgen.model import Report
from gkgen.outputs.tabular import ColumnDoc
from gkgen.outputs.tabular import csv_bytes as tabular_csv_bytes
from gkgen.quality import similarity

QUALITY_CSV = "data/quality.csv"
# One row per report in data/quality.csv (the whole archive: a few short columns per report).
CSV_COLUMNS = (
    ColumnDoc("report_id", "string", "报告编号：机构编号-年度"),
    ColumnDoc("agency_id", "string", "机构编号"),
    ColumnDoc("agency_name", "string", "机构全称"),
    ColumnDoc("level", "string", "机构层级（决定法定发布期限）"),
    ColumnDoc("year", "integer", "报告年度"),
    ColumnDoc("published", "date", "发布日期；原报告未注明时为空"),
    ColumnDoc("deadline", "date", "发布期限；条例未规定该层级的期限时为空"),
    ColumnDoc(
        "timeliness", "string", "on_time（按时）、late（逾期）或 unknown（无法判断：无发布日期或无期限）"
    ),
    ColumnDoc("days_late", "integer", "逾期天数（期限次日发布为 1）；未逾期为空"),
    ColumnDoc(
        "similarity_percent",
        "integer",
        "正文与同一机构上一份报告逐字相同的比例（%，向下取整；方法见质量核查页）；无上一份报告时为空",
    ),
    ColumnDoc("similarity_flagged", "integer", "1：达到雷同标准；0：未达到；无上一份报告时为空"),
    ColumnDoc("previous_year", "integer", "比较的上一份报告的年度"),
    ColumnDoc("contradictions", "integer", "正文数字与表格不符的处数"),
    ColumnDoc(
        "empty_tables", "string", "整张空白的表格：active（二）、requests（三）、appeals（四），以空格分隔"
    ),
    ColumnDoc("blank_cells", "integer", "空白单元格的个数"),
    ColumnDoc("missing_years_before", "string", "与上一份报告之间缺失的年度，以空格分隔"),
)
CSV_HEADER = tuple(c.name for c in CSV_COLUMNS)

# The ``quality`` table of every SQLite download (gkgen.outputs.datasets): one row per finding, as
# ``sqlite_rows`` makes them.
SQLITE_COLUMNS = (
    ColumnDoc("report_id", "TEXT", "报告编号（reports.id）"),
    ColumnDoc(
        "kind",
        "TEXT",
        "发现的种类：timeliness（发布是否按时）、similarity（与上一份报告的雷同程度）、contradiction"
        "（正文数字与表格不符）、empty_table（整张表格空白）、blank_cell（空白单元格）、missing_year（缺失年度）",
    ),
    ColumnDoc("item", "TEXT", "对象：单元格编号、表格、年度或正文数字的编号；无则为空"),
    ColumnDoc(
        "status",
        "TEXT",
        "on_time / late / unknown；flagged / below_threshold；contradiction；blank；missing",
    ),
    ColumnDoc("value", "INTEGER", "逾期天数；雷同百分比；正文数字减表格数字（可空）"),
    ColumnDoc("message", "TEXT", "说明：无法判断的原因、截止日期、雷同字数、正文原句与表格位置"),
)


def document(report: Report) -> dict | None:
    """The ``quality`` block of a report's JSON: every finding with its basis."""
    q = report.quality
    if q is None:
        return None
    t, s = q.timeliness, q.similarity
    return {
        "timeliness": {
            "status": t.status,
            "deadline": t.deadline,
            "days_late": t.days_late,
            "basis": t.basis,
            "reason": t.reason or None,
        },
        "similarity": None
        if s is None
        else {
            "previous_year": s.previous_year,
            "measure": (
                f"去掉开头说明、数字、空白和标点后，本年正文中处在连续 {similarity.RUN} 字以上、"
                "与上一份报告逐字相同的片段里的字数 ÷ 本年正文字数"
            ),
            "letters": s.letters,
            "repeated": s.repeated,
            "share": round(s.share, 4),
            "threshold": similarity.THRESHOLD,
            "flagged": s.flagged,
            "passages": [{"section": p.section, "start": p.start, "end": p.end} for p in s.passages],
        },
        "claims": [
            {
                "quantity": c.quantity,
                "label": c.label,
                "stated": c.stated,
                "table": c.table,
                "cells": list(c.cells),
                "section": c.section,
                "sentence": c.sentence,
                "agrees": c.agrees,
                "note": c.note or None,
            }
            for c in q.claims
        ],
        "empty_tables": list(q.blanks.empty_tables),
        "blank_cells": list(q.blanks.cells),
        "missing_years_before": list(q.missing_before),
    }


def sqlite_rows(report: Report) -> list[tuple]:
    """(report_id, kind, item, status, value, message): one row per finding worth a row."""
    q = report.quality
    if q is None:
        return []
    t = q.timeliness
    rows = [(report.id, "timeliness", "", t.status, t.days_late, t.reason or t.deadline or "")]
    if q.similarity is not None:
        s = q.similarity
        status = "flagged" if s.flagged else "below_threshold"
        rows.append(
            (report.id, "similarity", str(s.previous_year), status, s.percent, f"{s.repeated}/{s.letters}")
        )
    for n, c in enumerate(q.contradictions, start=1):
        message = f"正文 {c.stated}，表格 {c.table}（{c.place}）：{c.sentence}"
        rows.append(
            (report.id, "contradiction", f"{n}.{c.quantity}", "contradiction", c.stated - c.table, message)
        )
    rows += [(report.id, "empty_table", k, "blank", None, "") for k in q.blanks.empty_tables]
    rows += [(report.id, "blank_cell", code, "blank", None, "") for code in q.blanks.cells]
    rows += [(report.id, "missing_year", str(y), "missing", None, "") for y in q.missing_before]
    return rows


def csv_row(report: Report) -> tuple:
    q = report.quality
    t, s, a = q.timeliness, q.similarity, report.agency
    return (
        report.id, a.id, a.name, a.level, report.year, report.published or "", t.deadline or "", t.status,
        "" if t.days_late is None else t.days_late, "" if s is None else s.percent,
        "" if s is None else int(s.flagged), "" if s is None else s.previous_year, len(q.contradictions),
        " ".join(q.blanks.empty_tables), len(q.blanks.cells), " ".join(map(str, q.missing_before)),
    )  # fmt: skip


def csv_bytes(reports) -> bytes:
    """QUALITY_CSV: one row per report, in archive order (UTF-8 with BOM, for Excel)."""
    return tabular_csv_bytes(CSV_HEADER, (csv_row(r) for r in reports if r.quality is not None))
