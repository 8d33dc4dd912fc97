"""Every page and file of the site, rendered from the model into the writer.

Pages get small frozen views built here (tables laid out from the format
description, breadcrumbs, year-over-year figures), never the loader's dicts.
A report page depends only on its report and the same body's previous and next
report; cross-report pages (agency, year, region, home) read only key figures
(``Report.figure``) and metadata, so the site scales to 100,000 reports.
Pages are written as soon as they are rendered (no site held in memory).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from itertools import groupby

from markupsafe import Markup

from gkgen.site import charts, render, urls
from gkgen.outputs import datasets, exports
from gkgen.formats import rules
from gkgen.site.assets import Assets
from gkgen.content.config import Config
from gkgen.formats import Column, Format, Row, all_formats
from gkgen.model import LEVELS, Agency, Archive, Finding, Report, Value
from gkgen.content.narrative import SECTION_HEADINGS
from gkgen.quality import export as quality_export
from gkgen.quality import grid as quality_grid
from gkgen.quality import similarity as quality_similarity
from gkgen.quality import timeliness as quality_timeliness
from gkgen.quality import views as quality_views

# Key figures (names of Format.figures) with the words a reader knows them by.
FIGURE_LABELS = {
    "new": "本年新收申请",
    "carried_over": "上年结转申请",
    "granted": "予以公开",
    "partial": "部分公开",
    "withheld": "不予公开",
    "unable": "无法提供",
    "rejected": "不予处理",
    "other": "其他处理",
    "handled": "办理结果总计",
    "carried_forward": "结转下年度继续办理",
    "review": "行政复议",
    "review_corrected": "行政复议结果纠正",
    "litigation": "行政诉讼",
    "litigation_corrected": "行政诉讼结果纠正",
}
YOY_FIGURES = (
    "new",
    "handled",
    "granted",
    "partial",
    "withheld",
    "unable",
    "rejected",
    "review",
    "litigation",
)
OUTCOME_FIGURES = ("granted", "partial", "withheld", "unable", "rejected", "other")
YEAR_FIGURES = ("new", "granted", "partial", "withheld", "unable", "carried_forward", "review", "litigation")
REGION_FIGURES = ("new", "handled", "review", "litigation")
SECTION_ORDER = ("overview", "active", "requests", "appeals", "problems", "other")
SECTION_SHORT = {
    "overview": "一、总体情况",
    "active": "二、主动公开",
    "requests": "三、申请的办理",
    "appeals": "四、复议和诉讼",
    "problems": "五、问题与改进",
    "other": "六、其他事项",
}
LATEST = 10

# The rows of the official tables in plain words (the method page's glossary).
GLOSSARY = (
    ("本年新收申请", "这一年收到的政府信息公开申请件数（表格三“一、本年新收政府信息公开申请数量”）。"),
    ("上年结转申请", "上一年收到、到年底还没办完，转到这一年继续办理的申请。"),
    ("予以公开", "申请的信息全部提供给了申请人。"),
    ("部分公开", "只提供了申请信息的一部分（其余部分不能公开，例如涉及他人隐私），只计这一种情形。"),
    (
        "不予公开",
        "依法不提供，并说明理由：国家秘密，其他法律行政法规禁止公开，危及国家安全、公共安全、经济安全和社会稳定"
        "（“三安全一稳定”），保护第三方合法权益，三类内部事务信息，四类过程性信息，行政执法案卷，行政查询事项。",
    ),
    ("无法提供", "机关没有这项信息、需要另行制作才能提供，或申请人补正后申请内容仍不明确。"),
    (
        "不予处理",
        "不作为信息公开申请处理：信访举报投诉类申请、重复申请、要求提供公开出版物、无正当理由大量反复申请、"
        "要求机关确认或重新出具已获取的信息。",
    ),
    ("其他处理", "以上都不是的结果，例如申请人逾期不补正、逾期不缴纳费用，机关不再处理。"),
    ("（七）总计", "这一年办结的申请件数，等于以上各项办理结果之和。"),
    ("结转下年度继续办理", "到年底还没办完、转到下一年的申请。"),
    ("行政复议", "申请人对答复不服，向上级机关申请复查；表格四按结果分为维持、纠正、其他结果、尚未审结。"),
    ("行政诉讼", "申请人对答复不服，向法院起诉；分为未经复议直接起诉和复议后起诉两类。"),
    ("结果维持", "复议机关或法院认为机关的答复正确。"),
    ("结果纠正", "复议机关或法院撤销、变更机关的答复，或确认答复违法、责令重新答复。"),
)


# ---------------------------------------------------------------- small views


@dataclass(frozen=True)
class Crumb:
    label: str
    href: str | None = None  # site-relative; None for the current page


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    level: str  # "province" | "city" | "county"

    @property
    def url(self) -> str:
        return urls.region(self.code)


@dataclass(frozen=True)
class HeadCell:
    label: str
    colspan: int = 1
    rowspan: int = 1
    scope: str = "col"
    key: bool = False  # the 总计 column: kept in view on a phone


@dataclass(frozen=True)
class BodyCell:
    header: bool  # th (a label) or td (a value)
    text: str
    colspan: int = 1
    rowspan: int = 1
    scope: str = "row"
    code: str | None = None  # data-cell, for values
    null: bool = False
    flags: tuple[int, ...] = ()  # numbers of the broken rules whose break shows in this cell
    involved: bool = False  # read by a broken rule
    key: bool = False  # in the 总计 column


@dataclass(frozen=True)
class TableView:
    caption: str
    head: tuple[tuple[HeadCell, ...], ...]
    body: tuple[tuple[BodyCell, ...], ...]
    kind: str = ""  # css hook: active | requests | appeals
    # The same numbers laid out for a narrow screen (section 四: one row per kind of case, 总计 first);
    # shown instead of the official layout on a phone, never printed.
    narrow: TableView | None = None


@dataclass(frozen=True)
class FigureView:
    name: str
    label: str
    value: int | None
    change: int | None  # against the previous report; None if either is unknown
    flagged: bool = False  # read by a rule this report's numbers break


@dataclass(frozen=True)
class SectionView:
    key: str
    heading: str
    html: Markup | None  # the narrative, if the report has one for this section
    tables: tuple[TableView, ...] = ()

    @property
    def short(self) -> str:
        """The heading as the page's section menu shows it."""
        return SECTION_SHORT[self.key]


@dataclass(frozen=True)
class NumberedFinding:
    number: int
    finding: Finding
    narrow_anchor: str | None = None  # the flagged cell's id in a table's phone layout, if it has one


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


def region_chain(agency: Agency) -> tuple[RegionRef, ...]:
    """Province › city › county of a body, from its 6-digit region code (empty without one)."""
    code = agency.region_code
    if not code or len(code) != 6 or not code.isdigit():
        return ()
    province = code[:2] + "0000"
    city = code[:4] + "00"
    chain = [RegionRef(province, agency.province or province, "province")]
    if city != province:
        chain.append(RegionRef(city, agency.city or city, "city"))
    if code not in (province, city):
        chain.append(RegionRef(code, agency.county or code, "county"))
    return tuple(chain)


def region_crumbs(agency: Agency) -> list[Crumb]:
    chain = region_chain(agency)
    if not chain:
        return [Crumb("地区", urls.REGIONS)]
    return [Crumb(r.name, r.url) for r in chain]


def change(value: int | None, previous: int | None) -> int | None:
    return None if value is None or previous is None else value - previous


# ---------------------------------------------------------------- official tables


def _value_cell(
    code: str, value: Value, flags: dict[str, tuple[int, ...]], involved: set[str], key: bool = False
) -> BodyCell:
    return BodyCell(
        header=False,
        text=render.number(value),
        code=code,
        null=value is None,
        flags=flags.get(code, ()),
        involved=code in involved,
        key=key,
    )


def _column_head(
    columns: Sequence[Column], corner: str, corner_cols: int
) -> tuple[tuple[HeadCell, ...], ...]:
    """One or two header rows: columns with a ``parent`` merge under it (colspan), others span both rows."""
    nested = any(c.parent for c in columns)
    rows = 2 if nested else 1
    top: list[HeadCell] = [HeadCell(corner, colspan=corner_cols, rowspan=rows)]
    bottom: list[HeadCell] = []
    for parent, run in groupby(columns, key=lambda c: c.parent):
        run = list(run)
        if parent:
            top.append(HeadCell(parent, colspan=len(run), scope="colgroup"))
            bottom.extend(HeadCell(c.label, key=c.key == "total") for c in run)
        else:
            top.extend(HeadCell(c.label, rowspan=rows, key=c.key == "total") for c in run)
    return (tuple(top), tuple(bottom)) if nested else (tuple(top),)


def requests_table(report: Report, flags: dict, involved: set[str]) -> TableView:
    fmt = report.format
    rows: Sequence[Row] = fmt.request_rows
    depth = 1 + max((len(r.parents) for r in rows), default=0)
    body: list[tuple[BodyCell, ...]] = []
    for n, row in enumerate(rows):
        cells: list[BodyCell] = []
        before = rows[n - 1].parents if n else ()
        for level, parent in enumerate(row.parents):
            prefix = row.parents[: level + 1]
            if before[: level + 1] == prefix:
                continue  # covered by a rowspan above
            span = 1
            while n + span < len(rows) and rows[n + span].parents[: level + 1] == prefix:
                span += 1
            cells.append(BodyCell(True, parent, rowspan=span, scope="rowgroup"))
        cells.append(BodyCell(True, row.label, colspan=depth - len(row.parents)))
        for col in fmt.request_columns:
            code = f"requests.{row.key}.{col.key}"
            cells.append(_value_cell(code, report.cell(code), flags, involved, key=col.key == "total"))
        body.append(tuple(cells))
    return TableView(
        caption=f"{fmt.requests_caption}（单位：件）",
        head=_column_head(fmt.request_columns, "项目", depth),
        body=tuple(body),
        kind="requests",
    )


def appeals_table(report: Report, flags: dict, involved: set[str]) -> TableView:
    fmt = report.format
    groups = fmt.appeal_groups
    columns = fmt.appeal_columns
    width = len(columns)
    depth = 2 + max((len(g.parents) for g in groups), default=0)
    head: list[list[HeadCell]] = [[] for _ in range(depth)]
    head[0].append(HeadCell("项目", rowspan=depth))
    for parents, run in groupby(groups, key=lambda g: g.parents):
        run = list(run)
        if parents:
            head[0].append(HeadCell(parents[0], colspan=width * len(run), scope="colgroup"))
            for g in run:
                head[1].append(HeadCell(g.label, colspan=width, scope="colgroup"))
                head[2].extend(HeadCell(c.label) for c in columns)
        else:
            for g in run:
                head[0].append(HeadCell(g.label, colspan=width, scope="colgroup"))
                head[1].extend(HeadCell(c.label, rowspan=depth - 1) for c in columns)
    values = [BodyCell(True, "数量")]
    for g in groups:
        for c in columns:
            code = f"{g.key}.{c.key}"
            values.append(_value_cell(code, report.cell(code), flags, involved))
    # On a phone: one row per kind of case (行政复议, 行政诉讼 ×2), 总计 first, the other results after.
    ordered = sorted(columns, key=lambda c: c.key != "total")
    narrow_rows = []
    for g in groups:
        label = "·".join((*g.parents, g.label))
        cells = [BodyCell(True, label)]
        for c in ordered:
            code = f"{g.key}.{c.key}"
            cells.append(_value_cell(code, report.cell(code), flags, involved, key=c.key == "total"))
        narrow_rows.append(tuple(cells))
    caption = f"{fmt.appeals_caption}（单位：件）"
    narrow = TableView(
        caption=caption,
        head=((HeadCell("案件"), *(HeadCell(c.label, key=c.key == "total") for c in ordered)),),
        body=tuple(narrow_rows),
        kind="appeals narrow",
    )
    return TableView(
        caption=caption,
        head=tuple(tuple(h) for h in head if h),
        body=(tuple(values),),
        kind="appeals",
        narrow=narrow,
    )


def active_tables(report: Report, flags: dict, involved: set[str]) -> list[TableView]:
    fmt = report.format
    tables = []
    for group in fmt.active_groups:
        body = []
        for row in group.rows:
            cells = [BodyCell(True, row.label)]
            for col in group.columns:
                code = f"active.{row.key}.{col.key}"
                cells.append(_value_cell(code, report.cell(code), flags, involved))
            body.append(tuple(cells))
        tables.append(
            TableView(
                caption=f"{fmt.active_caption}：{group.clause}",
                head=_column_head(group.columns, "信息内容", 1),
                body=tuple(body),
                kind="active",
            )
        )
    by_group: dict[str, list[tuple[int, object]]] = defaultdict(list)
    for n, extra in enumerate(report.extras, start=1):
        by_group[extra.group].append((n, extra))
    for group in fmt.active_groups:
        for row in group.rows:
            extras = by_group.get(row.key)
            if not extras:
                continue
            body = []
            for n, extra in extras:
                cells = [BodyCell(True, extra.label)]  # type: ignore[attr-defined]
                for col, value in zip(group.columns, extra.values, strict=True):  # type: ignore[attr-defined]
                    cells.append(_value_cell(f"active.extra.{n}.{col.key}", value, {}, set()))
                body.append(tuple(cells))
            tables.append(
                TableView(
                    caption=f"本地增设的行（{group.clause}，与“{row.label}”同列；不参与勾稽核对）",
                    head=_column_head(group.columns, "信息内容", 1),
                    body=tuple(body),
                    kind="active extra",
                )
            )
    return tables


# ---------------------------------------------------------------- report page


def _narrow_anchor(report: Report, code: str) -> str | None:
    """The id of a cell in its table's phone layout: section 四 has one (gkgen.site.tablehtml)."""
    groups = {g.key for g in report.format.appeal_groups}
    return f"m-cell-{code}" if code.split(".", 1)[0] in groups else None


def report_context(report: Report, prev: Report | None, nxt: Report | None) -> dict:
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
    crumbs = [Crumb("首页", urls.HOME), *region_crumbs(agency), Crumb(agency.display_name, urls.agency(agency.id))]
    crumbs.append(Crumb(f"{report.year}年度"))
    places = rule_places(fmt)
    config = render.environment().globals["site"]
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


def report_page(report: Report, prev: Report | None = None, nxt: Report | None = None) -> str:
    return render.render("report.html", **report_context(report, prev, nxt))


# ---------------------------------------------------------------- agency page


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


# ---------------------------------------------------------------- year, region, home


@dataclass(frozen=True)
class YearRow:
    report: Report
    figures: tuple[str, ...]
    nulls: tuple[bool, ...]
    breaks: int


def region_sort_key(report_or_agency: Report | Agency) -> tuple:
    agency = report_or_agency.agency if isinstance(report_or_agency, Report) else report_or_agency
    return (agency.region_code is None, agency.region_code or "", agency.id)


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


@dataclass
class RegionNode:
    ref: RegionRef
    parent: str | None
    children: set[str] = field(default_factory=set)
    agencies: set[str] = field(default_factory=set)  # bodies located directly here
    # year → [reports, new, handled, review, litigation, breaks]; sums of known figures
    totals: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RegionTotals:
    year: int
    reports: int
    figures: tuple[int, ...]
    breaks: int


def region_tree(agencies: Sequence[Agency]) -> dict[str, RegionNode]:
    """Province › city › county nodes with the bodies located in each, without totals (which read every
    report's figures, and are needed only when a region page is rendered)."""
    nodes: dict[str, RegionNode] = {}
    for agency in agencies:
        chain = region_chain(agency)
        parent = None
        for ref in chain:
            nodes.setdefault(ref.code, RegionNode(ref, parent))
            if parent:
                nodes[parent].children.add(ref.code)
            parent = ref.code
        if chain:
            nodes[chain[-1].code].agencies.add(agency.id)
    return nodes


def add_region_totals(archive: Archive, nodes: dict[str, RegionNode]) -> None:
    for node in nodes.values():
        for agency_id in node.agencies:
            chain = [node.ref.code]
            while (parent := nodes[chain[-1]].parent) is not None:
                chain.append(parent)
            for report in archive.reports_of(agency_id):
                for code in chain:
                    totals = nodes[code].totals.setdefault(report.year, [0] * (len(REGION_FIGURES) + 2))
                    totals[0] += 1
                    for i, name in enumerate(REGION_FIGURES, start=1):
                        totals[i] += report.figure(name) or 0
                    totals[-1] += len(report.breaks)


def region_totals(node: RegionNode) -> list[RegionTotals]:
    return [
        RegionTotals(year, t[0], tuple(t[1:-1]), t[-1])
        for year, t in sorted(node.totals.items(), reverse=True)
    ]


# ---------------------------------------------------------------- the whole site


def prepare(config: Config) -> Assets:
    """Configure the templates for this site and return its static assets (hashed names)."""
    assets = Assets(base_path=config.base_path)
    render.configure(config, assets.url)
    return assets


def report_files(report: Report, prev: Report | None, nxt: Report | None) -> list[tuple[str, bytes]]:
    """A report's page (it needs only the same body's neighbours) and its interchange JSON."""
    return [
        (urls.output_path(report.url), report_page(report, prev, nxt).encode("utf-8")),
        (
            urls.report_json(report.id),
            exports.to_json_bytes(exports.report_document(report, render.site_config().base_url)),
        ),
    ]


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
    reports changed only elsewhere (a narrative, a cell it does not show) is kept.
    ``templates`` are the templates it is rendered from. ``render`` builds the
    context and the bytes, only when needed.
    """

    path: str
    templates: tuple[str, ...]
    depends: tuple[str, ...]
    render: Callable[[], bytes]
    extra: str = ""  # anything else the bytes depend on (e.g. the git commit dating the feed)
    shows: Callable[[Report], tuple] | None = None


def _html(template: str, context: Callable[[], dict]) -> Callable[[], bytes]:
    return lambda: render.render(template, **context()).encode("utf-8")


def site_pages(archive: Archive) -> list[Page]:
    """Every page beyond the report pages and the data pages: agencies, years, regions, levels, compare,
    home, search."""
    agencies = [archive.agencies.get(a) or archive.reports_of(a)[0].agency for a in _agency_ids(archive)]
    everything = (EVERY_REPORT,)
    found: list[Page] = []
    for agency in agencies:
        reports = archive.reports_of(agency.id)
        if reports:
            found.append(
                Page(
                    urls.output_path(urls.agency(agency.id)),
                    ("agency.html",),
                    tuple(r.id for r in reports),
                    _html(
                        "agency.html", lambda agency=agency, reports=reports: agency_context(agency, reports)
                    ),
                )
            )
    found += _year_pages(archive)
    nodes = region_tree(agencies)
    found += _region_pages(archive, agencies, nodes)
    found.append(
        Page(
            urls.output_path(urls.LEVELS),
            ("levels.html",),
            everything,
            _html("levels.html", lambda: _levels_context(archive, agencies)),
            shows=listing,
        )
    )
    found.append(
        Page(urls.REPORTS_INDEX, (), everything, lambda: _compare_index(archive), shows=listing)
    )
    found.append(
        Page(
            urls.output_path(urls.COMPARE),
            ("compare.html",),
            everything,
            _html("compare.html", lambda: _compare_context(archive)),
            shows=listing,
        )
    )
    found.append(
        Page(
            urls.output_path(urls.HOME),
            ("home.html",),
            everything,
            _html("home.html", lambda: _home_context(archive, agencies, nodes)),
            shows=listing,
        )
    )
    found.append(
        Page(
            urls.output_path(urls.QUALITY),
            ("quality.html",),
            everything,
            _html("quality.html", lambda: _quality_context(archive, agencies)),
            shows=quality_grid.quality_part,
        )
    )
    found.append(
        Page(
            quality_export.QUALITY_CSV,
            (),
            everything,
            lambda: quality_export.csv_bytes(archive.reports),
            shows=quality_export.csv_row,
        )
    )
    found.append(Page(urls.NOT_FOUND, ("404.html",), (), _html("404.html", dict)))
    found.append(Page(urls.output_path(urls.METHOD), ("method.html",), (), _html("method.html", method_context)))
    found += figure_pages(archive)
    if (render.TEMPLATES / "search.html").exists():
        found.append(
            Page(
                urls.output_path(urls.SEARCH),
                ("search.html",),
                (),
                _html("search.html", lambda: {"breadcrumbs": [Crumb("首页", urls.HOME), Crumb("搜索")]}),
            )
        )
    return found


def method_context() -> dict:
    """The method page: the formats, the rules and the glossary, from the one description of each."""
    formats = sorted((f for f in all_formats().values() if f.has_tables), key=lambda f: f.id)
    within = [r for r in rules.RULE_NAMES if r not in ("carry_chain", "in_force_chain")]
    return {
        "formats": formats,
        "rule_names": [rules.RULE_NAMES[r] for r in within]
        + [
            f"{rules.RULE_NAMES['carry_chain']}：同一机构相邻两年的报告都在本档案中时核对",
            f"{rules.RULE_NAMES['in_force_chain']}（2021年版格式；只作提示，清理文件会使它不成立）",
        ],
        "glossary": GLOSSARY,
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("说明")],
    }


def _agency_ids(archive: Archive) -> list[str]:
    return sorted({r.agency.id for r in archive.reports} | set(archive.agencies))


def _year_pages(archive: Archive) -> list[Page]:
    by_year: dict[int, list[Report]] = defaultdict(list)
    for r in archive.reports:
        by_year[r.year].append(r)
    years = sorted(by_year, reverse=True)
    pages = [
        Page(
            urls.output_path(urls.year(year)),
            ("year.html",),
            tuple(r.id for r in by_year[year]),
            _html(
                "year.html",
                lambda year=year: {
                    "year": year,
                    "rows": year_rows(by_year[year]),
                    "figure_labels": [FIGURE_LABELS[n] for n in YEAR_FIGURES],
                    "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("年度", urls.YEARS), Crumb(f"{year}年度")],
                },
            ),
            shows=key_figures,
        )
        for year in years
    ]
    counts = [(y, len(by_year[y]), sum(1 for r in by_year[y] if r.breaks)) for y in years]
    pages.append(
        Page(
            urls.output_path(urls.YEARS),
            ("years.html",),
            (EVERY_REPORT,),
            _html(
                "years.html", lambda: {"counts": counts, "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("年度")]}
            ),
            shows=listing,
        )
    )
    return pages


def _region_pages(archive: Archive, agencies: Sequence[Agency], nodes: dict[str, RegionNode]) -> list[Page]:
    by_id = {a.id: a for a in agencies}
    labels = [FIGURE_LABELS[n] for n in REGION_FIGURES]

    @cache  # once, and only if a region page is rendered
    def with_totals() -> dict[str, RegionNode]:
        add_region_totals(archive, nodes)
        return nodes

    def subtree_agencies(code: str) -> list[Agency]:
        found = [by_id[a] for a in nodes[code].agencies]
        for child in nodes[code].children:
            found.extend(subtree_agencies(child))
        return sorted(found, key=region_sort_key)

    def context(code: str) -> dict:
        node = with_totals()[code]
        chain = []
        cursor: str | None = code
        while cursor:
            chain.append(nodes[cursor].ref)
            cursor = nodes[cursor].parent
        chain.reverse()
        crumbs = [Crumb("首页", urls.HOME), Crumb("地区", urls.REGIONS)]
        crumbs += [Crumb(r.name, r.url) for r in chain[:-1]] + [Crumb(node.ref.name)]
        return {
            "node": node.ref,
            "chain": chain,
            "children": [nodes[c].ref for c in sorted(node.children)],
            "bodies": [(a, archive.reports_of(a.id)) for a in subtree_agencies(code)],
            "totals": region_totals(node),
            "figure_labels": labels,
            "breadcrumbs": crumbs,
        }

    pages = []
    for code in sorted(nodes):
        bodies = subtree_agencies(code)
        pages.append(
            Page(
                urls.output_path(urls.region(code)),
                ("region.html",),
                tuple(r.id for a in bodies for r in archive.reports_of(a.id)),
                _html("region.html", lambda code=code: context(code)),
                # The bodies listed without a report come from the registry alone.
                extra=repr([a for a in bodies if not archive.reports_of(a.id)]),
                shows=key_figures,
            )
        )

    def index_context() -> dict:
        tree = _tree(with_totals(), [c for c in sorted(nodes) if nodes[c].parent is None])
        unplaced_groups: dict[str, list] = defaultdict(list)
        for a in agencies:
            if not region_chain(a):
                unplaced_groups[" ".join(a.region_names) or "地区不详"].append((a, archive.reports_of(a.id)))
        return {
            "tree": tree,
            "unplaced": sorted(unplaced_groups.items()),
            "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("地区")],
        }

    pages.append(
        Page(
            urls.output_path(urls.REGIONS),
            ("regions.html",),
            (EVERY_REPORT,),
            _html("regions.html", index_context),
            shows=listing,
        )
    )
    return pages


@dataclass(frozen=True)
class TreeItem:
    ref: RegionRef
    reports: int
    children: tuple[TreeItem, ...]


def _tree(nodes: dict[str, RegionNode], codes: Iterable[str]) -> tuple[TreeItem, ...]:
    return tuple(
        TreeItem(
            nodes[c].ref,
            sum(t[0] for t in nodes[c].totals.values()),
            _tree(nodes, sorted(nodes[c].children)),
        )
        for c in codes
    )


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
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("对比报告")],
    }


@dataclass(frozen=True)
class CodeDoc:
    code: str
    section: str
    kind: str
    labels: tuple[str | None, ...]  # per format, None when the format has no such cell


@dataclass(frozen=True)
class ExportFiles:
    """One row of the data page: a part's files, their sizes and how many reports they hold."""

    part: datasets.Part
    area_name: str
    reports: int
    csv_bytes: int
    sqlite_bytes: int

    @property
    def csv_size(self) -> str:
        return human_size(self.csv_bytes)

    @property
    def sqlite_size(self) -> str:
        return human_size(self.sqlite_bytes)


def human_size(n: int) -> str:
    """A file size as people read it before a download (decimal units, as the labels say)."""
    if n < 1000:
        return f"{n} 字节"
    value, unit = n / 1000, "KB"
    for bigger in ("MB", "GB"):
        if value < 999.5:  # what would print as "1000 KB" is "1.0 MB"
            break
        value, unit = value / 1000, bigger
    return f"{value:.0f} {unit}" if unit == "KB" or value >= 99.95 else f"{value:.1f} {unit}"


def data_pages(
    archive: Archive, parts: Mapping[datasets.Part, list[Report]], sizes: Mapping[str, int]
) -> list[Page]:
    """The data page, the datapackage.json listing every part's files, and the formats document.

    ``parts``: ``datasets.parts_of`` the archive's reports; ``sizes``: the bytes of each export file
    (path → size), so they are rendered after the exports."""
    listed = [
        ExportFiles(
            part,
            datasets.area_name(reports[0].agency),
            len(reports),
            sizes[part.csv_path],
            sizes[part.sqlite_path],
        )
        for part, reports in parts.items()
    ]
    listed.sort(key=lambda f: (-f.part.year, f.part.area))  # newest year first
    config = archive.config
    files = [(f.part, f.area_name, f.csv_bytes, f.sqlite_bytes) for f in listed]
    whole = WholeArchive(len(archive.reports), sizes[datasets.ALL_CSV_PATH], sizes[datasets.ALL_SQLITE_PATH])
    return [
        Page(
            urls.output_path(urls.DATA),
            ("data.html",),
            (),
            _html("data.html", lambda: _data_context(listed, whole)),
            repr((listed, whole)),
        ),
        Page(
            datasets.DATAPACKAGE_PATH,
            (),
            (),
            lambda: exports.to_json_bytes(
                datasets.datapackage(
                    config.title, config.license, files, (whole.csv_bytes, whole.sqlite_bytes)
                )
            ),
            repr((sorted(files), whole)),
        ),
        Page(datasets.FORMATS_PATH, (), (), lambda: exports.to_json_bytes(datasets.formats_document())),
    ]


@dataclass(frozen=True)
class WholeArchive:
    """The data page's one download of everything: how many reports, and the two files' sizes."""

    reports: int
    csv_bytes: int
    sqlite_bytes: int
    csv_path: str = datasets.ALL_CSV_PATH
    sqlite_path: str = datasets.ALL_SQLITE_PATH

    @property
    def csv_size(self) -> str:
        return human_size(self.csv_bytes)

    @property
    def sqlite_size(self) -> str:
        return human_size(self.sqlite_bytes)


def _data_context(files: list[ExportFiles], whole: WholeArchive | None = None) -> dict:
    """``files``: every part's files, newest year first."""
    formats: list[Format] = [f for f in all_formats().values() if f.has_tables]
    formats.sort(key=lambda f: f.id)
    codes: dict[str, dict[str, str]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for fmt in formats:
        for c in fmt.cells:
            codes.setdefault(c.code, {})[fmt.id] = c.label
            meta.setdefault(c.code, (c.section, c.kind))
    order = {"active": 0, "requests": 1, "appeals": 2}
    docs = [
        CodeDoc(code, meta[code][0], meta[code][1], tuple(codes[code].get(f.id) for f in formats))
        for code in sorted(codes, key=lambda c: (order[meta[c][0]], _first_index(formats, c)))
    ]
    return {
        "formats": formats,
        "codes": docs,
        "csv_columns": datasets.CSV_COLUMNS,
        "quality_columns": quality_export.CSV_COLUMNS,
        "sqlite_tables": datasets.SQLITE_TABLES,
        "files": files,
        "whole": whole,
        "paths": {
            "datapackage": datasets.DATAPACKAGE_PATH,
            "formats": datasets.FORMATS_PATH,
            "quality": quality_export.QUALITY_CSV,
        },
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("数据下载")],
    }


def _first_index(formats: Sequence[Format], code: str) -> tuple[int, int]:
    for n, fmt in enumerate(reversed(formats)):
        if code in fmt.codes:
            return (fmt.codes.index(code), n)
    return (0, 0)


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


# ---------------------------------------------------------------- figure explorer

EXPLORER_FIGURES = tuple(FIGURE_LABELS)  # every key figure, in the order readers know them
FIGURES_JSON = urls.FIGURES_JSON


def figure_flagged(report: Report, name: str) -> bool:
    """The figure reads a cell that a broken rule of this report read: its number may be wrong."""
    codes = set(report.format.figures.get(name, ()))
    return bool(codes) and any(codes & set(f.codes) for f in report.breaks)


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


def figure_pages(archive: Archive) -> list[Page]:
    """The figure explorer: one page per key figure (every body and year, no script needed) with a CSV
    of exactly its rows, an index page whose script filters and sorts any figure, and its JSON."""
    everything = (EVERY_REPORT,)
    found = []
    for name in EXPLORER_FIGURES:
        shows = figure_shows(name)
        found.append(
            Page(
                urls.output_path(urls.figure(name)),
                ("figure.html",),
                everything,
                _html("figure.html", lambda name=name: _figure_context(archive, name)),
                shows=shows,
            )
        )
        found.append(
            Page(
                urls.figure_csv(name),
                (),
                everything,
                lambda name=name: figure_csv(_figure_rows(archive, name), FIGURE_LABELS[name]),
                shows=shows,
            )
        )
    levels = sorted({r.agency.level for r in archive.reports}, key=lambda lv: (*LEVELS, lv).index(lv))
    found.append(
        Page(
            urls.output_path(urls.FIGURES),
            ("figures.html",),
            everything,
            _html(
                "figures.html",
                lambda: {
                    "figures": [(n, FIGURE_LABELS[n]) for n in EXPLORER_FIGURES],
                    "provinces": sorted({r.agency.province for r in archive.reports if r.agency.province}),
                    "levels": levels,
                    "years": sorted({r.year for r in archive.reports}, reverse=True),
                    "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("数字查询")],
                },
            ),
            shows=lambda r: (*listing(r), r.agency.province, r.agency.level),
        )
    )
    found.append(
        Page(
            FIGURES_JSON,
            (),
            everything,
            lambda: _figures_json(archive),
            shows=lambda r: tuple(figure_shows(n)(r) for n in EXPLORER_FIGURES),
        )
    )
    return found
