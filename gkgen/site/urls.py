"""Every page's URL and output path, in one place (as Datasette's ``urls``).

A URL here is site-relative ("reports/410204-wuyi/2021/"): templates put the
base path in front with ``url(...)``, exports and the feed the absolute base.
A page's output path is its URL with ``index.html`` for a folder. Nothing
else in gkgen spells a page's path by hand: the model, the pages, the build,
the search index, the templates (the ``urls`` global) and the scripts (URLs
written into the page as data) all ask here.

The download files of the data page (CSV, SQLite, datapackage.json) are named
by gkgen.outputs.datasets, which writes them.
"""

from __future__ import annotations

import re

# Pages about the whole archive.
HOME = ""
YEARS = "years/"
REGIONS = "regions/"
LEVELS = "levels/"
COMPARE = "compare/"
FIGURES = "figures/"
QUALITY = "quality/"
DATA = "data/"
METHOD = "method/"
SEARCH = "search/"
NOT_FOUND = "404.html"
# Files beside them.
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
# The search index (gkgen.outputs.search): the search page preloads these two before its script runs.
SEARCH_INDEX = "pagefind/"
SEARCH_MANIFEST = SEARCH_INDEX + "shards.json"  # the shards, their years and the routing table
SEARCH_MODULE = SEARCH_INDEX + "pagefind.js"  # Pagefind's script, in the first shard's bundle
REPORTS_INDEX = "data/reports/index.json"  # every report's id, body, year, format and URL (the compare page)
FIGURES_JSON = "data/figures.json"  # every report's key figures (the figure explorer)


def report(agency_id: str, year: int) -> str:
    """A report's page: one folder per body, one per year."""
    return f"reports/{agency_id}/{year}/"


def report_json(report_id: str) -> str:
    """A report's interchange JSON (cells, narrative, findings)."""
    return f"data/reports/{report_id}.json"


def agency(agency_id: str) -> str:
    return f"agencies/{agency_id}/"


def year(year: int) -> str:
    return f"years/{year}/"


def region(code: str) -> str:
    return f"regions/{code}/"


def figure(name: str) -> str:
    """A key figure's page (every body and year)."""
    return f"figures/{name}/"


def figure_csv(name: str) -> str:
    """Exactly the rows of a key figure's page, as CSV."""
    return f"data/figures/{name}.csv"


def compare(*report_ids: str) -> str:
    """The compare page with these reports chosen."""
    return COMPARE + "".join(f"{'?' if n == 0 else '&'}r={rid}" for n, rid in enumerate(report_ids))


def output_path(url: str) -> str:
    """The file a page's URL is written to: a folder's ``index.html``, else the URL itself."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def url_of(path: str) -> str:
    """The URL of an output file: ``output_path`` undone."""
    return path.removesuffix("index.html") if path.endswith("/index.html") or path == "index.html" else path


_REPORT_PAGE = re.compile(r"^reports/(?P<agency>[^/]+)/(?P<year>\d{4})/index\.html$")


def report_of_path(path: str) -> tuple[str, int] | None:
    """(agency id, year) of a report page's output path; None for any other file."""
    match = _REPORT_PAGE.match(path)
    return (match.group("agency"), int(match.group("year"))) if match else None
