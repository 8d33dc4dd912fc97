"""The quality findings as open data: a report's JSON block, its SQLite rows and the archive's CSV row."""

from __future__ import annotations

import csv
import io

from gkgen.model import Report
from gkgen.quality import similarity

# One row per report in data/quality.csv (the whole archive: a few short columns per report).
CSV_HEADER = (
    "report_id", "agency_id", "agency_name", "level", "year", "published", "deadline", "timeliness",
    "days_late", "similarity_percent", "similarity_flagged", "previous_year", "contradictions",
    "empty_tables", "blank_cells", "missing_years_before",
)  # fmt: skip


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
    """data/quality.csv: one row per report, in archive order (UTF-8 with BOM, for Excel)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(CSV_HEADER)
    for r in reports:
        if r.quality is not None:
            out.writerow(csv_row(r))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
