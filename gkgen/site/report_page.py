"""A report's page and its interchange JSON: it depends only on the report and the same body's previous
and next report.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from gkgen.formats.sections import HEADINGS as SECTION_HEADINGS
from gkgen.formats import Format, rules
from gkgen.model import Report
from gkgen.outputs import exports
from gkgen.quality import views as quality_views
from gkgen.site import render, urls
from gkgen.site.render import Renderer
from gkgen.site.tables import active_tables, appeals_table, requests_table
from gkgen.site.views import (
    FIGURE_LABELS,
    SECTION_ORDER,
    YOY_FIGURES,
    Crumb,
    FigureView,
    NumberedFinding,
    SectionView,
    change,
    figure_flagged,
    region_chain,
    region_crumbs,
)


@dataclass(frozen=True)
class Checks:
    """What the reconciliation rules could say about one report, in words that claim no more than that."""

    places: int  # where the format's within-report rules apply
    unchecked: int  # of those, not checkable (a blank operand)
    broken: int  # of those, broken
    no_tables: bool = False  # the body published no table numbers (declared by the editor)

    @property
    def summary(self) -> str:
        if self.no_tables:
            return "原报告没有公布表格数字，无从核对勾稽关系。"
        if not self.places:
            return "本年度的报告没有统一表格，无从核对勾稽关系。"
        checked = self.places - self.unchecked
        if not checked:
            return (
                f"表格的 {self.places} 处勾稽关系全部因空白单元格无法核对，本页不能说明这些数字是否前后一致。"
            )
        parts = [f"表格中共 {self.places} 处勾稽关系，{checked - self.broken} 处核对成立"]
        if self.broken:
            parts.append(f"{self.broken} 处不符（见页首）")
        if self.unchecked:
            parts.append(f"{self.unchecked} 条规则因空白单元格无法核对")
        return "，".join(parts) + "。"


@cache
def rule_places(fmt: Format) -> frozenset[str]:
    """Every place (finding id) a format's within-report rules apply: with no cells, each is unchecked."""
    return frozenset(f.id for f in rules.check_report(fmt, {}))


@dataclass(frozen=True)
class Citation:
    original: str  # the body's report, GB/T 7714-2015 [EB/OL]
    page: str | None  # this archive page, when the site's absolute address is known
    date: str | None  # the build date (SOURCE_DATE_EPOCH) used as the citation date, if set


def build_date() -> str | None:
    """The date of a reproducible build (SOURCE_DATE_EPOCH), or None: pages never read the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch or not epoch.strip().isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), tz=UTC).date().isoformat()


def citation(report: Report, absolute_base: str | None, site_title: str) -> Citation:
    """GB/T 7714-2015 for electronic resources: 责任者. 题名[EB/OL]. (发表日期)[引用日期]. 网址."""
    date = build_date()
    cited = f"[{date}]" if date else ""
    published = f"({report.published})" if report.published else ""
    when = f" {published}{cited}." if published or cited else ""
    where = f" {report.source_url}." if report.source_url else ""
    author = report.agency.name_in(report.year)  # the body's name when it published the report
    original = f"{author}. {report.title}[EB/OL].{when}{where}"
    page = None
    if absolute_base:
        page = (
            f"{site_title}. {report.agency.name} {report.year}年度政府信息公开工作年度报告（档案整理页）[EB/OL]."
            f"{f' {cited}.' if cited else ''} {absolute_base}{report.url}."
        )
    return Citation(original, page, date)


def _narrow_anchor(report: Report, code: str) -> str | None:
    """The id of a cell in its table's phone layout: section 四 has one (gkgen.site.tablehtml)."""
    groups = {g.key for g in report.format.appeal_groups}
    return f"m-cell-{code}" if code.split(".", 1)[0] in groups else None


def report_context(site: Renderer, report: Report, prev: Report | None, nxt: Report | None) -> dict:
    breaks = [
        NumberedFinding(n, f, _narrow_anchor(report, f.anchor)) for n, f in enumerate(report.breaks, start=1)
    ]
    flags: dict[str, tuple[int, ...]] = defaultdict(tuple)
    involved: set[str] = set()
    for nf in breaks:
        flags[nf.finding.anchor] = (*flags[nf.finding.anchor], nf.number)
        involved.update(nf.finding.codes)
    narrative = dict(report.narrative)
    fmt = report.format
    shown = fmt.has_tables and report.no_tables is None  # no table of dashes for a body that published none
    contradictions = report.quality.contradictions if report.quality else ()
    marked: set[int] = set()
    tables = {
        "active": tuple(active_tables(report, flags, involved)) if shown else (),
        "requests": (requests_table(report, flags, involved),) if shown and fmt.request_rows else (),
        "appeals": (appeals_table(report, flags, involved),) if shown and fmt.appeal_groups else (),
    }
    sections = []
    for key in SECTION_ORDER:
        html = render.narrative_html(narrative[key]) if narrative.get(key) else None
        if html is not None and contradictions:  # the quality panel links to these sentences
            html, found = quality_views.mark_sentences(html, key, contradictions, 1)
            marked |= found
        sections.append(SectionView(key, SECTION_HEADINGS[key], html, tables.get(key, ())))
    figures = [
        FigureView(
            name,
            FIGURE_LABELS[name],
            report.figure(name),
            change(report.figure(name), prev.figure(name)) if prev else None,
            figure_flagged(report, name),
        )
        for name in YOY_FIGURES
        if name in fmt.figures
    ]
    preamble = render.narrative_html(narrative["preamble"]) if narrative.get("preamble") else None
    if preamble is not None and contradictions:
        preamble, found = quality_views.mark_sentences(preamble, "preamble", contradictions, 1)
        marked |= found
    agency = report.agency
    crumbs = [
        Crumb("首页", urls.HOME),
        *region_crumbs(agency),
        Crumb(agency.display_name, urls.agency(agency.id)),
    ]
    crumbs.append(Crumb(f"{report.year}年度"))
    places = rule_places(fmt)
    config = site.config
    tabled = [s for s in sections if s.key in ("active", "requests", "appeals")]
    return {
        "canonical": report.url,
        # Tables and key figures first (what readers come for), the report's own words after them.
        "table_sections": tabled if fmt.has_tables else [],
        "text_sections": [s for s in sections if s not in tabled or not fmt.has_tables],
        "checks": Checks(
            len(places),
            sum(1 for f in report.unchecked if f.id in places),
            sum(1 for f in report.breaks if f.id in places),
            report.no_tables is not None,
        ),
        "citation": citation(report, config.absolute_base, config.title),
        "no_tables": report.no_tables is not None,
        "no_tables_reason": report.no_tables,
        "report": report,
        "agency": agency,
        "regions": region_chain(agency),
        "prev": prev,
        "next": nxt,
        "preamble": preamble,
        "sections": sections,
        "figures": figures,
        "breaks": breaks,
        "unchecked": report.unchecked,
        "breadcrumbs": crumbs,
        "has_null": any(v is None for v in report.values),
        "quality": quality_views.panel(report, marked),
    }


def report_page(site: Renderer, report: Report, prev: Report | None = None, nxt: Report | None = None) -> str:
    return site.render("report.html", **report_context(site, report, prev, nxt))


def report_files(
    site: Renderer, report: Report, prev: Report | None, nxt: Report | None
) -> list[tuple[str, bytes]]:
    """A report's page (it needs only the same body's neighbours) and its interchange JSON."""
    return [
        (urls.output_path(report.url), report_page(site, report, prev, nxt).encode("utf-8")),
        (
            urls.report_json(report.id),
            exports.to_json_bytes(exports.report_document(report, site.config.base_url)),
        ),
    ]
