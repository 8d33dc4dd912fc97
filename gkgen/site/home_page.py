"""The home page: counts, the latest reports, ways in by year, province and level."""

from __future__ import annotations

from collections.abc import Sequence

from gkgen.model import LEVELS, Agency, Archive
from gkgen.site import urls
from gkgen.site.page import EVERY_REPORT, Page, html, listing
from gkgen.site.region_pages import RegionNode
from gkgen.site.render import Renderer

LATEST = 10


def _home_context(archive: Archive, agencies: Sequence[Agency], nodes: dict[str, RegionNode]) -> dict:
    years = sorted({r.year for r in archive.reports}, reverse=True)
    latest = sorted(archive.reports, key=lambda r: (r.published or "", r.year, r.id), reverse=True)[:LATEST]
    provinces = [nodes[c].ref for c in sorted(nodes) if nodes[c].parent is None]
    levels = [
        (n, level, sum(1 for a in agencies if a.level == level and archive.reports_of(a.id)))
        for n, level in enumerate(LEVELS, start=1)
    ]
    return {
        "counts": {
            "reports": len(archive.reports),
            "bodies": len({r.agency.id for r in archive.reports}),
            "regions": len({a.region_code for a in agencies if a.region_code and archive.reports_of(a.id)}),
            "years": len(years),
        },
        "years": [(y, sum(1 for r in archive.reports if r.year == y)) for y in years],
        "latest": latest,
        "provinces": provinces,
        "levels": [lv for lv in levels if lv[2]],
        "breadcrumbs": [],
    }


def home_page(
    site: Renderer, archive: Archive, agencies: Sequence[Agency], nodes: dict[str, RegionNode]
) -> Page:
    return Page(
        urls.output_path(urls.HOME),
        html(site, "home.html", lambda: _home_context(archive, agencies, nodes)),
        depends=(EVERY_REPORT,),
        shows=listing,
    )
