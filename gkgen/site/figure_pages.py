"""The figure explorer: one page and one CSV per key figure, an index page whose script filters and
sorts, and its JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from gkgen.model import LEVELS, Archive, Report
from gkgen.outputs import datasets, exports
from gkgen.site import charts, urls
from gkgen.site.page import EVERY_REPORT, Page, html, listing
from gkgen.site.render import Renderer
from gkgen.site.views import FIGURE_LABELS, Crumb, figure_flagged, region_sort_key

EXPLORER_FIGURES = tuple(FIGURE_LABELS)  # every key figure, in the order readers know them

FIGURES_JSON = urls.FIGURES_JSON


def figure_shows(name: str) -> Callable[[Report], tuple]:
    """What a figure's page shows of one report (so an edit elsewhere keeps the page)."""

    def shows(report: Report) -> tuple:
        a = report.agency
        return (
            report.year,
            a.name,
            a.region_code,
            a.province,
            a.level,
            report.figure(name),
            figure_flagged(report, name),
        )

    return shows


@dataclass(frozen=True)
class FigureRow:
    report: Report
    value: int | None
    flagged: bool


def _figure_rows(archive: Archive, name: str) -> list[FigureRow]:
    ordered = sorted(archive.reports, key=lambda r: (-r.year, *region_sort_key(r)))
    return [
        FigureRow(r, r.figure(name), figure_flagged(r, name)) for r in ordered if name in r.format.figures
    ]


def figure_csv(rows: Sequence[FigureRow], label: str) -> bytes:
    """Exactly the rows of a figure's page, for a spreadsheet (BOM: Excel opens the Chinese text)."""
    import csv
    import io

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(["报告编号", "机构", "省份", "地区", "机构层级", "年度", label, "未填报", "勾稽关系不符"])
    for row in rows:
        a = row.report.agency
        out.writerow(
            [row.report.id, a.name, a.province or "", a.region, a.level, row.report.year,
             "" if row.value is None else row.value, "是" if row.value is None else "",
             "是" if row.flagged else ""]
        )  # fmt: skip
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _figure_context(archive: Archive, name: str) -> dict:
    rows = _figure_rows(archive, name)
    years = sorted({r.report.year for r in rows})
    totals = []
    for year in years:
        values = [r.value for r in rows if r.report.year == year]
        known = [v for v in values if v is not None]
        totals.append((year, len(values), sum(known), len(values) - len(known)))
    label = FIGURE_LABELS[name]
    series = [charts.Series(f"{label}合计", tuple(t[2] for t in totals))]
    title = f"各年度“{label}”合计（件，只计已填报的报告）"
    return {
        "name": name,
        "label": label,
        "rows": rows,
        "totals": totals,
        "chart": charts.line_chart("chart-figure", title, years, series) if years else None,
        "chart_title": title,
        "figures": [(n, FIGURE_LABELS[n]) for n in EXPLORER_FIGURES],
        "csv_path": urls.figure_csv(name),
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("数字查询", urls.FIGURES), Crumb(label)],
    }


def _figures_json(archive: Archive) -> bytes:
    reports = [
        {
            "id": r.id,
            "url": r.url,
            "agency": r.agency.name,
            "province": r.agency.province,
            "region": r.agency.region or None,
            "level": r.agency.level,
            "year": r.year,
            "values": {n: r.figure(n) for n in EXPLORER_FIGURES if n in r.format.figures},
            "flagged": [n for n in EXPLORER_FIGURES if figure_flagged(r, n)],
        }
        for r in sorted(archive.reports, key=lambda r: (-r.year, *region_sort_key(r)))
    ]
    return exports.to_json_bytes({"figures": dict(FIGURE_LABELS), "reports": reports})


def figure_pages(site: Renderer, archive: Archive) -> list[Page]:
    """The figure explorer: one page per key figure (every body and year, no script needed) with a CSV
    of exactly its rows, an index page whose script filters and sorts any figure, and its JSON."""
    everything = (EVERY_REPORT,)
    found = []
    for name in EXPLORER_FIGURES:
        shows = figure_shows(name)
        found.append(
            Page(
                urls.output_path(urls.figure(name)),
                html(site, "figure.html", lambda name=name: _figure_context(archive, name)),
                depends=everything,
                shows=shows,
            )
        )
        found.append(
            Page(
                urls.figure_csv(name),
                lambda name=name: figure_csv(_figure_rows(archive, name), FIGURE_LABELS[name]),
                depends=everything,
                shows=shows,
            )
        )
    levels = sorted({r.agency.level for r in archive.reports}, key=lambda lv: (*LEVELS, lv).index(lv))
    found.append(
        Page(
            urls.output_path(urls.FIGURES),
            html(
                site,
                "figures.html",
                lambda: {
                    "figures": [(n, FIGURE_LABELS[n]) for n in EXPLORER_FIGURES],
                    "provinces": sorted({r.agency.province for r in archive.reports if r.agency.province}),
                    "levels": levels,
                    "years": sorted({r.year for r in archive.reports}, reverse=True),
                    "formats_json": datasets.FORMATS_PATH,  # read by figures.js
                    "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("数字查询")],
                },
            ),
            depends=everything,
            shows=lambda r: (*listing(r), r.agency.province, r.agency.level),
        )
    )
    found.append(
        Page(
            FIGURES_JSON,
            lambda: _figures_json(archive),
            depends=everything,
            shows=lambda r: tuple(figure_shows(n)(r) for n in EXPLORER_FIGURES),
        )
    )
    return found
