"""The small frozen views pages are made of (breadcrumbs, regions, key figures, report sections), and
the words readers know the key figures by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from gkgen.formats.sections import KEYS as SECTION_ORDER
from gkgen.formats.sections import SHORT_HEADINGS as SECTION_SHORT
from gkgen.model import Agency, Finding, Report
from gkgen.site import urls

if TYPE_CHECKING:
    from gkgen.site.tables import TableView


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


def region_sort_key(report_or_agency: Report | Agency) -> tuple:
    agency = report_or_agency.agency if isinstance(report_or_agency, Report) else report_or_agency
    return (agency.region_code is None, agency.region_code or "", agency.id)


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


def figure_flagged(report: Report, name: str) -> bool:
    """The figure reads a cell that a broken rule of this report read: its number may be wrong."""
    codes = set(report.format.figures.get(name, ()))
    return bool(codes) and any(codes & set(f.codes) for f in report.breaks)
