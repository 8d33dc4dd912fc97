"""The archive's quality page: bodies × years, each cell the findings of one report (or a missing year).

Bodies are listed by region, never ranked by their number of findings: the page shows where to look,
not a league table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gkgen.model import Agency, Archive, Report
from gkgen.quality import KINDS, gaps

SHORT = {
    "late": "逾期",
    "copied": "雷同",
    "contradiction": "不符",
    "empty_table": "空表",
    "blank_cells": "空格",
    "gap": "缺年",
}


@dataclass(frozen=True)
class GridCell:
    year: int
    report: Report | None
    missing: bool  # a year the body should have reported in but the archive has no report for
    flags: tuple[str, ...] = ()
    note: str = ""  # the cell's plain-text summary (title and screen readers)


@dataclass(frozen=True)
class GridRow:
    agency: Agency
    cells: tuple[GridCell, ...]

    @property
    def region(self) -> str:
        return self.agency.region or "地区不详"


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    reports: int  # reports with this finding
    checked: int  # reports the check could be made on


def quality_part(report: Report) -> tuple:
    """What the quality page shows of one report (for the incremental build's ``shows``)."""
    q = report.quality
    return (report.year, q.flags, _note(report)) if q is not None else (report.year,)


def _note(report: Report) -> str:
    q = report.quality
    parts = [f"{report.year}年度：{q.timeliness.summary}"]
    if q.similarity is not None:
        parts.append(f"与{q.similarity.previous_year}年度相同 {q.similarity.percent}%")
    if q.contradictions:
        parts.append(f"正文与表格不符 {len(q.contradictions)} 处")
    if q.blanks.empty_tables:
        parts.append(f"整张空白的表格 {len(q.blanks.empty_tables)} 张")
    if q.blanks.cells:
        parts.append(f"空白单元格 {len(q.blanks.cells)} 个")
    if q.missing_before:
        parts.append(f"此前缺 {'、'.join(map(str, q.missing_before))} 年度")
    return "；".join(parts)


def rows(
    archive: Archive, agencies: Sequence[Agency], sort_key: Callable
) -> tuple[tuple[int, ...], list[GridRow]]:
    years_seen = [r.year for r in archive.reports]
    if not years_seen:
        return (), []
    latest = max(years_seen)
    years = tuple(range(min(years_seen), latest + 1))
    out: list[GridRow] = []
    for agency in sorted(agencies, key=sort_key):
        reports = {r.year: r for r in archive.reports_of(agency.id)}
        if not reports:
            continue
        missing = set(gaps.missing_years(reports, latest))
        cells = []
        for y in years:
            r = reports.get(y)
            if r is not None and r.quality is not None:
                cells.append(GridCell(y, r, False, r.quality.flags, _note(r)))
            else:
                cells.append(
                    GridCell(
                        y, None, y in missing, (), f"{y}年度：本档案没有该机构的报告" if y in missing else ""
                    )
                )
        out.append(GridRow(agency, tuple(cells)))
    return years, out


def counts(archive: Archive) -> list[KindCount]:
    reports = [r for r in archive.reports if r.quality is not None]
    checked = {
        "late": sum(1 for r in reports if r.quality.timeliness.status != "unknown"),
        "copied": sum(1 for r in reports if r.quality.similarity is not None),
        "contradiction": sum(1 for r in reports if r.quality.claims),
        "empty_table": sum(1 for r in reports if r.format.has_tables),
        "blank_cells": sum(1 for r in reports if r.format.has_tables),
        "gap": len(reports),
    }
    return [
        KindCount(kind, label, sum(1 for r in reports if kind in r.quality.flags), checked[kind])
        for kind, label in KINDS.items()
    ]


def missing_total(grid: list[GridRow]) -> int:
    return sum(1 for row in grid for c in row.cells if c.missing)
