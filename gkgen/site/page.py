"""What a page (or file) beyond the report pages declares, once: its path, how it is rendered, the
reports it shows and what of them, anything else its bytes depend on. The build's reuse
(gkgen.incremental.reuse) reads exactly this declaration to keep the page or render it again; the code,
the config, the static assets and every template are part of every page's key, so no page needs to list
them (and none can forget one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gkgen.model import Report
from gkgen.site.render import Renderer
from gkgen.site.views import REGION_FIGURES, YEAR_FIGURES

EVERY_REPORT = "*"

# Key figures shown by the year and region pages.
LISTED_FIGURES = tuple(sorted(set(YEAR_FIGURES) | set(REGION_FIGURES)))


def listing(report: Report) -> tuple:
    """What pages listing reports show of one (beside its id and its body's registry entry)."""
    return (report.year, report.format.id, report.title, report.published, len(report.breaks))


def key_figures(report: Report) -> tuple:
    """What the year and region pages show of one report: its listing and its key figures."""
    return (*listing(report), *(report.figure(n) for n in LISTED_FIGURES))


@dataclass(frozen=True)
class Page:
    """One page (or file) that shows several reports, and what it depends on.

    ``depends`` names the reports whose content the page shows (EVERY_REPORT for
    pages about the whole archive), so an incremental build re-renders it only
    when one of them changed. ``shows``, when set, gives the part of each of those
    reports the page actually shows (``listing``, ``key_figures``): a page whose
    reports changed only elsewhere (a narrative, a cell it does not show) is kept;
    the bodies' registry entries then count too. ``render`` builds the context and
    the bytes, only when needed.
    """

    path: str
    render: Callable[[], bytes]
    depends: tuple[str, ...] = ()
    shows: Callable[[Report], tuple] | None = None
    extra: str = ""  # anything else the bytes depend on (e.g. the git commit dating the feed)


def html(site: Renderer, template: str, context: Callable[[], dict]) -> Callable[[], bytes]:
    """A page's render: ``template`` with ``context()``, made only when the page is rendered."""
    return lambda: site.render(template, **context()).encode("utf-8")
