"""Blanks: tables a report left entirely empty, and cells published blank where the format asks for a number.

Every cell of the official formats asks for a number (0 when there is nothing to count); a blank is
kept as published (null, "not reported"), and listed here so that a reader sees what was not reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from gkgen.formats import TABLES
from gkgen.formats.sections import HEADINGS
from gkgen.model import Report

# A table is named by the heading of the section it is printed in.
TABLE_NAMES = {key: HEADINGS[key] for key in TABLES}


@dataclass(frozen=True)
class Blanks:
    empty_tables: tuple[str, ...] = ()  # section keys of tables with no number at all
    cells: tuple[str, ...] = ()  # codes of blank cells outside those tables

    @property
    def any(self) -> bool:
        return bool(self.empty_tables or self.cells)

    def table_names(self) -> tuple[str, ...]:
        return tuple(TABLE_NAMES[k] for k in self.empty_tables)


def find(report: Report) -> Blanks:
    fmt = report.format
    if not fmt.has_tables:
        return Blanks()
    by_section: dict[str, list[tuple[str, object]]] = {}
    for cell, value in zip(fmt.cells, report.values, strict=True):
        by_section.setdefault(cell.section, []).append((cell.code, value))
    empty = tuple(k for k in TABLE_NAMES if k in by_section and all(v is None for _, v in by_section[k]))
    cells = tuple(code for k, items in by_section.items() if k not in empty for code, v in items if v is None)
    return Blanks(empty, cells)
