"""Site furniture: sitemap.xml, the Atom feed of newly added reports, robots.txt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from gkgen.content.config import Config
from gkgen.content import history
from gkgen.incremental.cache import digest
from gkgen.model import Archive, Report
from gkgen.site import urls
from gkgen.site.page import EVERY_REPORT, Page, listing

FEED_ENTRIES = 50


def sitemap(config: Config, page_urls: Iterable[str]) -> bytes | None:
    """Absolute URLs of every page; None when the base URL has no host (a sitemap needs absolute URLs)."""
    base = config.absolute_base
    if base is None:
        return None
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [f"  <url><loc>{escape(base + url)}</loc></url>" for url in sorted(page_urls)]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(config: Config) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if config.absolute_base:
        lines.append(f"Sitemap: {config.absolute_base}sitemap.xml")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _added(report: Report, added: dict[str, str]) -> str:
    """When the report entered the archive: its commit, else its publication date, else its year's end."""
    if report.source_path in added:
        return added[report.source_path]
    if report.published:
        return f"{report.published}T00:00:00Z"
    return f"{report.year}-12-31T00:00:00Z"


def atom_feed(config: Config, reports: Iterable[Report], added: dict[str, str]) -> bytes:
    """The newest additions first; every date comes from content or git, never from the clock."""
    base = config.absolute_base or config.base_path
    newest = sorted(reports, key=lambda r: (_added(r, added), r.id), reverse=True)[:FEED_ENTRIES]
    updated = _added(newest[0], added) if newest else "2008-01-01T00:00:00Z"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"  <title>{escape(config.title)}：新收录的报告</title>",
        f"  <id>{escape(base)}feed.xml</id>",
        f'  <link rel="self" href={quoteattr(base + "feed.xml")}/>',
        f'  <link rel="alternate" href={quoteattr(base)}/>',
        f"  <updated>{updated}</updated>",
    ]
    for r in newest:
        url = base + r.url
        summary = f"{r.agency.region}{r.agency.name} {r.year} 年度政府信息公开工作年度报告"
        if r.breaks:
            summary += "；本报告公布的数据存在勾稽关系不符"
        parts += [
            "  <entry>",
            f"    <title>{escape(r.agency.name)} {r.year} 年度报告</title>",
            f"    <id>{escape(url)}</id>",
            f"    <link href={quoteattr(url)}/>",
            f"    <updated>{_added(r, added)}</updated>",
            f"    <author><name>{escape(r.agency.name)}</name></author>",
            f"    <summary>{escape(summary)}</summary>",
            "  </entry>",
        ]
    parts.append("</feed>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def furniture_pages(root: Path, archive: Archive, written: Sequence[str]) -> list[Page]:
    """sitemap.xml (every page written so far), the Atom feed (dated by git history), robots.txt."""
    config = archive.config
    html = sorted(urls.url_of(p) for p in written if p.endswith(".html") and p != urls.NOT_FOUND)
    found = [
        Page(urls.ROBOTS, lambda: robots(config)),
        Page(
            urls.FEED,
            lambda: atom_feed(config, archive.reports, history.added_dates(root)),
            depends=(EVERY_REPORT,),
            shows=listing,
            extra=history.head(root),
        ),
    ]
    page_list = sitemap(config, html)
    if page_list is not None:
        found.append(Page(urls.SITEMAP, lambda: page_list, extra=digest(html)))
    return found
