"""Every page and file of the site beyond the report pages and the static assets: the catalogue the
build renders.

Each page type lives in its own module (agency_page, year_pages, region_pages, home_page, listing_pages,
figure_pages, method_page, data_page; report_page for the report pages, rendered in the workers) and
declares each page once with gkgen.site.page.Page. Cross-report pages read only key figures
(``Report.figure``) and metadata, so the site scales to 100,000 reports. Pages are written as soon as
they are rendered (no site held in memory).
"""

from __future__ import annotations

from gkgen.model import Archive
from gkgen.site import urls
from gkgen.site.agency_page import agency_pages
from gkgen.site.data_page import data_pages
from gkgen.site.figure_pages import figure_pages
from gkgen.site.home_page import home_page
from gkgen.site.listing_pages import listing_pages
from gkgen.site.method_page import method_page
from gkgen.site.page import Page, html
from gkgen.site.region_pages import region_pages, region_tree
from gkgen.site.render import Renderer
from gkgen.site.views import Crumb
from gkgen.site.year_pages import year_pages

__all__ = ["data_pages", "site_pages"]


def site_pages(site: Renderer, archive: Archive) -> list[Page]:
    """Every page beyond the report pages and the data pages: agencies, years, regions, levels, compare,
    home, quality, method, the figure explorer, search and 404."""
    agencies = [archive.agencies.get(a) or archive.reports_of(a)[0].agency for a in _agency_ids(archive)]
    nodes = region_tree(agencies)
    return [
        *agency_pages(site, archive, agencies),
        *year_pages(site, archive),
        *region_pages(site, archive, agencies, nodes),
        *listing_pages(site, archive, agencies),
        home_page(site, archive, agencies, nodes),
        Page(urls.NOT_FOUND, html(site, "404.html", dict)),
        method_page(site),
        *figure_pages(site, archive),
        Page(
            urls.output_path(urls.SEARCH),
            html(site, "search.html", lambda: {"breadcrumbs": [Crumb("首页", urls.HOME), Crumb("搜索")]}),
        ),
    ]


def _agency_ids(archive: Archive) -> list[str]:
    """Every body with a report or in the registry."""
    return sorted({r.agency.id for r in archive.reports} | set(archive.agencies))
