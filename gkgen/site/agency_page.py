"""A body's page: its reports year by year, the key figures side by side and three small charts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gkgen.model import Agency, Archive, Report
from gkgen.quality import grid as quality_grid
from gkgen.site import charts, render, urls
from gkgen.site.page import Page, html
from gkgen.site.render import Renderer
from gkgen.site.views import FIGURE_LABELS, OUTCOME_FIGURES, Crumb, region_crumbs


@dataclass(frozen=True)
class CompareRow:
    label: str
    values: tuple[str, ...]  # text per year column
    nulls: tuple[bool, ...]
    section: str


def agency_context(agency: Agency, reports: Sequence[Report]) -> dict:
    years = [r.year for r in reports]
    rows: list[CompareRow] = []
    # Section 二: the cells every format of this body's reports shares (same code, same meaning).
    tabled = [r for r in reports if r.format.has_tables]
    if tabled:
        shared = [c for c in tabled[0].format.cells if c.section == "active"]
        shared = [c for c in shared if all(c.code in r.cells for r in tabled)]
        for cell in shared:
            values = [r.cells.get(cell.code) if r.format.has_tables else None for r in reports]
            rows.append(
                CompareRow(
                    cell.label,
                    tuple(render.number(v) for v in values),
                    tuple(v is None for v in values),
                    "二、主动公开",
                )
            )
    for name, label in FIGURE_LABELS.items():
        values = [r.figure(name) for r in reports]
        section = "四、复议诉讼" if name.startswith(("review", "litigation")) else "三、依申请公开"
        rows.append(
            CompareRow(
                label, tuple(render.number(v) for v in values), tuple(v is None for v in values), section
            )
        )
    breaks = [len(r.breaks) for r in reports]
    rows.append(
        CompareRow("勾稽关系不符（处）", tuple(str(b) for b in breaks), (False,) * len(reports), "核对")
    )

    def series(names: Iterable[str]) -> list[charts.Series]:
        return [charts.Series(FIGURE_LABELS[n], tuple(r.figure(n) for r in reports)) for n in names]

    titles = {
        "chart-new": "每年新收政府信息公开申请（件）",
        "chart-outcomes": "申请的办理结果（各项占比）",
        "chart-appeals": "行政复议与行政诉讼（件）",
    }
    new, outcomes, appeals = (
        series(("new", "handled")),
        series(OUTCOME_FIGURES),
        series(("review", "litigation")),
    )
    chart_list = [
        (charts.line_chart("chart-new", titles["chart-new"], years, new), new, titles["chart-new"]),
        (
            charts.stacked_shares("chart-outcomes", titles["chart-outcomes"], years, outcomes),
            outcomes,
            titles["chart-outcomes"],
        ),
        (
            charts.line_chart("chart-appeals", titles["chart-appeals"], years, appeals),
            appeals,
            titles["chart-appeals"],
        ),
    ]
    crumbs = [Crumb("首页", urls.HOME), *region_crumbs(agency), Crumb(agency.display_name)]
    return {
        "agency": agency,
        "reports": reports,
        "years": years,
        "rows": rows,
        "charts": chart_list,
        "quality_kinds": quality_grid.KINDS,
        "breadcrumbs": crumbs,
    }


def agency_pages(site: Renderer, archive: Archive, agencies: Sequence[Agency]) -> list[Page]:
    """A page for every body with a report; it shows all of that body's reports."""
    found = []
    for agency in agencies:
        reports = archive.reports_of(agency.id)
        if reports:
            found.append(
                Page(
                    urls.output_path(urls.agency(agency.id)),
                    html(
                        site,
                        "agency.html",
                        lambda agency=agency, reports=reports: agency_context(agency, reports),
                    ),
                    depends=tuple(r.id for r in reports),
                )
            )
    return found
