"""The archive as frozen values: what validation produces and what pages read.

Templates get these objects (read-only), never the loader's raw dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from gkgen.formats import Format
from gkgen.site import urls

if TYPE_CHECKING:
    from gkgen.quality import Quality

LEVELS = ("省级政府", "省级部门", "市级政府", "市级部门", "区县政府", "区县部门", "乡镇", "街道", "其他")

# A cell value: int (count), str (money, exact decimal text) or None (not reported).
Value = int | str | None


@dataclass(frozen=True)
class LocalDeadline:
    """A publication deadline a local rule sets for a body, instead of the 条例's (registry: ``deadline``)."""

    month: int
    day: int
    basis: str  # the rule's name and article, quoted on the page


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    short_name: str | None
    province: str | None
    city: str | None
    county: str | None
    region_code: str | None
    level: str
    notes: str | None = None
    # Names the body reported under before, each with the last report year it was used
    # (国有资产管理局 until 2023, then 投资促进局): one body, one series of reports.
    former_names: tuple[tuple[str, int], ...] = ()
    deadline: LocalDeadline | None = None  # a local rule's publication deadline, instead of the 条例's

    def name_in(self, year: int) -> str:
        """The name the body reported under in ``year``."""
        return next((name for name, until in self.former_names if year <= until), self.name)

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.province, self.city, self.county) if n)

    @property
    def region(self) -> str:
        return "".join(self.region_names)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Acknowledgement:
    rule: str  # a finding id, e.g. "outcomes.natural"
    note: str


@dataclass(frozen=True)
class Finding:
    """The result of applying one reconciliation rule at one place of one report."""

    rule: str  # "balance", "row_total", "outcomes", "appeals", "carry_chain", "in_force_chain"
    scope: str  # the column, row or group it applies to
    severity: str  # "error" or "warning": what a break of this rule is
    status: str  # "broken" or "unchecked" (a blank operand)
    message: str  # Chinese, with both sides' numbers
    anchor: str  # the cell code where the break shows (for marking tables and positions)
    codes: tuple[str, ...] = ()  # every cell the rule read
    left: int | None = None
    right: int | None = None
    acknowledged: str | None = None  # the editor's note when the break is in the published report

    @property
    def id(self) -> str:
        return f"{self.rule}.{self.scope}"

    @property
    def broken(self) -> bool:
        return self.status == "broken"


@dataclass(frozen=True)
class ExtraRow:
    label: str
    group: str  # an active row key whose columns it shares
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Report:
    agency: Agency
    year: int
    format: Format
    title: str
    published: str | None
    source_url: str | None
    source_title: str | None
    entered_by: str
    notes: str | None
    values: tuple[Value, ...]  # aligned with format.cells: compact at national scale
    extras: tuple[ExtraRow, ...] = ()
    narrative: tuple[tuple[str, str], ...] = ()  # (section key, Markdown), in order
    acknowledged: tuple[Acknowledgement, ...] = ()
    findings: tuple[Finding, ...] = ()
    source_path: str = ""  # the YAML file, relative to the archive root
    # Provenance, in words a reader understands: where a copy of the original is archived, the
    # SHA-256 of the text the numbers were entered from, how they were entered and checked, and
    # each cell the importer was unsure of with how it was settled against the original.
    source_archived: str | None = None
    source_sha256: str | None = None
    method: str | None = None
    format_note: str | None = None  # why a later year's report is in an earlier format (as published)
    doubts: tuple[tuple[str, str], ...] = ()
    # The editor's reason when the body published no table numbers at all (``tables: none``); None otherwise.
    no_tables: str | None = None
    quality: Quality | None = None  # the overseer's findings (gkgen.quality), set while loading and linking

    @property
    def id(self) -> str:
        return f"{self.agency.id}-{self.year}"

    @property
    def url(self) -> str:
        """The page's path from the site root."""
        return urls.report(self.agency.id, self.year)

    @property
    def cells(self) -> dict[str, Value]:
        """Code → value. Built on each call and not kept: 100,000 reports must not hold 100,000 dicts."""
        return dict(zip(self.format.codes, self.values, strict=True))

    def coded_cells(self) -> Iterator[tuple[str, Value]]:
        """Every cell with its code: the format's in order, then those of the rows the body added to
        section 二 (``active.extra.<n>.<column>``). What the exports publish."""
        yield from zip(self.format.codes, self.values, strict=True)
        for n, extra in enumerate(self.extras, start=1):
            yield from zip(self.format.extra_codes(n, extra.group), extra.values, strict=True)

    def cell(self, code: str) -> Value:
        try:
            return self.values[self.format.index_of(code)]
        except KeyError:
            return None

    def figure(self, name: str) -> int | None:
        """A key figure (a sum of cells named in the format), or None if not reported."""
        codes = self.format.figures.get(name)
        if not codes:
            return None
        total = 0
        for code in codes:
            value = self.cell(code)
            if value is None or isinstance(value, str):
                return None
            total += value
        return total

    @property
    def breaks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.broken)

    @property
    def unchecked(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "unchecked")


def money_text(value: Decimal | int | str) -> str:
    """Exact decimal text of a money amount, as published (no rounding, trailing zeros kept)."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


@dataclass(frozen=True)
class Archive:
    agencies: dict[str, Agency]
    reports: tuple[Report, ...]  # sorted by agency id, then year
    config: object = None
    _by_agency: dict[str, tuple[Report, ...]] = field(default_factory=dict, repr=False)

    def reports_of(self, agency_id: str) -> tuple[Report, ...]:
        return self._by_agency.get(agency_id, ())

    @staticmethod
    def assemble(agencies: dict[str, Agency], reports, config=None) -> Archive:
        ordered = tuple(sorted(reports, key=lambda r: (r.agency.id, r.year)))
        by_agency: dict[str, list[Report]] = {}
        for r in ordered:
            by_agency.setdefault(r.agency.id, []).append(r)
        return Archive(agencies, ordered, config, {k: tuple(v) for k, v in by_agency.items()})
