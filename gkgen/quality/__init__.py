"""The overseer's view: what is wrong with a report beyond its own tables' arithmetic.

One module per check, each a pure function over the model:

- ``timeliness``: published on time, late by N days, or not judgeable (and why)
- ``similarity``: how much of the narrative repeats the previous report word for word (内容雷同)
- ``claims``: numbers the narrative states against the table's cells
- ``blanks``: tables left empty, cells left blank
- ``gaps``: years without a report

``assess`` runs the checks that need one report only (at load time, while the narrative is at hand);
the build adds what needs the body's previous report (``with_neighbours``) once the archive is linked.
Pages and exports read the frozen ``Quality`` value and never compute a finding again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gkgen.model import Report
from gkgen.quality import blanks, claims, timeliness
from gkgen.quality.blanks import Blanks
from gkgen.quality.claims import Claim
from gkgen.quality.similarity import Similarity
from gkgen.quality.timeliness import Timeliness


@dataclass(frozen=True)
class Quality:
    timeliness: Timeliness
    claims: tuple[Claim, ...] = ()  # every number read from the narrative, agreeing or not
    blanks: Blanks = field(default_factory=Blanks)
    similarity: Similarity | None = None  # None: no earlier report of the body in the archive
    missing_before: tuple[int, ...] = ()  # years between the body's previous report and this one

    @property
    def contradictions(self) -> tuple[Claim, ...]:
        return tuple(c for c in self.claims if not c.agrees)

    @property
    def copied(self) -> bool:
        return self.similarity is not None and self.similarity.flagged

    @property
    def late(self) -> bool:
        return self.timeliness.status == "late"

    @property
    def flags(self) -> tuple[str, ...]:
        """The kinds of finding this report has, for the archive's grid and its filters."""
        found = []
        if self.late:
            found.append("late")
        if self.copied:
            found.append("copied")
        if self.contradictions:
            found.append("contradiction")
        if self.blanks.empty_tables:
            found.append("empty_table")
        if self.blanks.cells:
            found.append("blank_cells")
        if self.missing_before:
            found.append("gap")
        return tuple(found)


KINDS = {
    "late": "逾期发布",
    "copied": "与上年雷同",
    "contradiction": "正文与表格不符",
    "empty_table": "整张表格空白",
    "blank_cells": "有空白单元格",
    "gap": "此前有缺失年度",
}


def assess(report: Report) -> Quality:
    """The checks that read one report (its narrative included)."""
    agency = report.agency
    return Quality(
        timeliness.assess(report.year, report.published, agency.level, agency.deadline),
        claims.read(report),
        blanks.find(report),
    )


def with_neighbours(report: Report, previous: Report | None, found: Similarity | None) -> Report:
    """The report with what needs its body's previous report: the narrative comparison and the gap."""
    base = report.quality if report.quality is not None else assess(report)
    missing = tuple(range(previous.year + 1, report.year)) if previous is not None else ()
    return replace(report, quality=replace(base, similarity=found, missing_before=missing))
