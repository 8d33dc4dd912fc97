"""Pages about the whole archive that list its reports: levels, compare, quality."""

from __future__ import annotations

from collections.abc import Sequence

from gkgen.model import LEVELS, Agency, Archive
from gkgen.outputs import datasets, exports
from gkgen.outputs import quality_data as quality_export
from gkgen.quality import grid as quality_grid
from gkgen.quality import similarity as quality_similarity
from gkgen.quality import timeliness as quality_timeliness
from gkgen.site import urls
from gkgen.site.page import EVERY_REPORT, Page, html, listing
from gkgen.site.render import Renderer
from gkgen.site.views import Crumb, region_sort_key


def _levels_context(archive: Archive, agencies: Sequence[Agency]) -> dict:
    groups = []
    for n, level in enumerate(LEVELS, start=1):
        members = [
            (a, archive.reports_of(a.id)) for a in sorted(agencies, key=region_sort_key) if a.level == level
        ]
        if members:
            groups.append((n, level, members))
    return {"groups": groups, "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("机构层级")]}


def _compare_index(archive: Archive) -> bytes:
    index = [
        {
            "id": r.id,
            "agency": r.agency.name,
            "agency_id": r.agency.id,
            "year": r.year,
            "format": r.format.id,
            "url": archive.config.base_url + r.url if archive.config else r.url,  # as in each report's JSON
        }
        for r in archive.reports
    ]
    return exports.to_json_bytes(index)


def _compare_context(archive: Archive) -> dict:
    by_agency = [(a, archive.reports_of(a)) for a in sorted({r.agency.id for r in archive.reports})]
    return {
        "by_agency": [(reports[0].agency, reports) for _a, reports in by_agency],
        "formats_json": datasets.FORMATS_PATH,  # read by compare.js
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("对比报告")],
    }


def _quality_context(archive: Archive, agencies: Sequence[Agency]) -> dict:
    years, grid = quality_grid.rows(archive, agencies, region_sort_key)
    return {
        "years": years,
        "grid": grid,
        "counts": quality_grid.counts(archive),
        "missing": quality_grid.missing_total(grid),
        "short": quality_grid.SHORT,
        "kinds": quality_grid.KINDS,
        "levels": [lv for lv in LEVELS if any(a.level == lv for a in agencies)],
        "regions": sorted({row.region for row in grid}),
        "article": quality_timeliness.ARTICLE_49,
        "article_2008": quality_timeliness.ARTICLE_31_2008,
        "run": quality_similarity.RUN,
        "threshold_percent": round(quality_similarity.THRESHOLD * 100),
        "csv_path": quality_export.QUALITY_CSV,
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("质量核查")],
    }


def listing_pages(site: Renderer, archive: Archive, agencies: Sequence[Agency]) -> list[Page]:
    """The levels page, the compare page and its index of reports, the quality page and quality.csv."""
    everything = (EVERY_REPORT,)
    return [
        Page(
            urls.output_path(urls.LEVELS),
            html(site, "levels.html", lambda: _levels_context(archive, agencies)),
            depends=everything,
            shows=listing,
        ),
        Page(urls.REPORTS_INDEX, lambda: _compare_index(archive), depends=everything, shows=listing),
        Page(
            urls.output_path(urls.COMPARE),
            html(site, "compare.html", lambda: _compare_context(archive)),
            depends=everything,
            shows=listing,
        ),
        Page(
            urls.output_path(urls.QUALITY),
            html(site, "quality.html", lambda: _quality_context(archive, agencies)),
            depends=everything,
            shows=quality_grid.quality_part,
        ),
        Page(
            quality_export.QUALITY_CSV,
            lambda: quality_export.csv_bytes(archive.reports),
            depends=everything,
            shows=quality_export.csv_row,
        ),
    ]
