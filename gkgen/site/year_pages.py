"""A year's page (every report of that year with its key figures) and the list of years."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from gkgen.model import Archive, Report
from gkgen.site import render, urls
from gkgen.site.page import EVERY_REPORT, Page, html, key_figures, listing
from gkgen.site.render import Renderer
from gkgen.site.views import FIGURE_LABELS, YEAR_FIGURES, Crumb, region_sort_key


@dataclass(frozen=True)
class YearRow:
    report: Report
    figures: tuple[str, ...]
    nulls: tuple[bool, ...]
    breaks: int


def year_rows(reports: Iterable[Report]) -> list[YearRow]:
    rows = []
    for r in sorted(reports, key=region_sort_key):
        values = [r.figure(n) for n in YEAR_FIGURES]
        rows.append(
            YearRow(
                r, tuple(render.number(v) for v in values), tuple(v is None for v in values), len(r.breaks)
            )
        )
    return rows


def year_pages(site: Renderer, archive: Archive) -> list[Page]:
    by_year: dict[int, list[Report]] = defaultdict(list)
    for r in archive.reports:
        by_year[r.year].append(r)
    years = sorted(by_year, reverse=True)
    pages = [
        Page(
            urls.output_path(urls.year(year)),
            html(
                site,
                "year.html",
                lambda year=year: {
                    "year": year,
                    "rows": year_rows(by_year[year]),
                    "figure_labels": [FIGURE_LABELS[n] for n in YEAR_FIGURES],
                    "breadcrumbs": [
                        Crumb("首页", urls.HOME),
                        Crumb("年度", urls.YEARS),
                        Crumb(f"{year}年度"),
                    ],
                },
            ),
            depends=tuple(r.id for r in by_year[year]),
            shows=key_figures,
        )
        for year in years
    ]
    counts = [(y, len(by_year[y]), sum(1 for r in by_year[y] if r.breaks)) for y in years]
    pages.append(
        Page(
            urls.output_path(urls.YEARS),
            html(
                site,
                "years.html",
                lambda: {"counts": counts, "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("年度")]},
            ),
            depends=(EVERY_REPORT,),
            shows=listing,
        )
    )
    return pages
