"""The official table formats, described once as data.

Each ``<id>.yaml`` beside this module describes one format: its rows, columns,
official labels, cell codes, the reconciliation rules that apply and the key
figures that compare across formats. Everything else in gkgen (validation, the
JSON Schema, templates, importer, exports) reads these objects; a new format is
one new YAML file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

FORMATS_DIR = Path(__file__).parent

# Value kinds of a cell.
COUNT = "count"  # whole number >= 0
SIGNED = "signed"  # whole number, may be negative (2019 本年增/减)
MONEY = "money"  # exact decimal text >= 0

# The three tables of a report (sections 二、三、四), by the key a report file writes them under.
ACTIVE = "active"
REQUESTS = "requests"
APPEALS = "appeals"
TABLES = (ACTIVE, REQUESTS, APPEALS)


def cell_code(table: str, row: str, column: str) -> str:
    """The stable code of one cell (spec: "Cell codes"): ``active.<row>.<column>``,
    ``requests.<row>.<column>``, and ``<group>.<column>`` for section 四 (``review.total``).
    The one place a code is spelled; everything else asks a Format or this function."""
    return f"{row}.{column}" if table == APPEALS else f"{table}.{row}.{column}"


# A cell of a row a body added to section 二 (group 1: n).
EXTRA_CODE = re.compile(r"active\.extra\.([0-9]+)\.[a-z_]+\Z")


def extra_code(n: int, column: str) -> str:
    """The code of a cell of the ``n``-th (from 1) row a body added to section 二: ``active.extra.<n>.<column>``."""
    return cell_code(ACTIVE, f"extra.{n}", column)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT
    unit: str | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    parents: tuple[str, ...] = ()
    outcome: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def full_label(self) -> str:
        """The label with its group headings, as a reader would say it."""
        return " ".join((*self.parents[1:], self.label)) if self.parents else self.label


@dataclass(frozen=True)
class ActiveGroup:
    """One block of section 二: a clause of article 20 with its own columns."""

    clause: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class TableRow:
    """One row of a table as a report file writes it (``<table>: {<key>: [values in column order]}``)."""

    table: str  # ACTIVE | REQUESTS | APPEALS
    row: Row
    columns: tuple[Column, ...]

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(cell_code(self.table, self.row.key, c.key) for c in self.columns)


@dataclass(frozen=True)
class Cell:
    """One number of a report: its code and where it sits in the tables."""

    code: str
    section: str  # "active" | "requests" | "appeals"
    row: str
    column: str
    kind: str
    label: str  # human description: row label · column label


# eq=False: a format is a singleton, hashed by identity (its dict fields are unhashable).
@dataclass(frozen=True, eq=False)
class Format:
    id: str
    name: str
    notice: str
    first_year: int
    last_year: int | None
    active_caption: str = ""
    active_groups: tuple[ActiveGroup, ...] = ()
    requests_caption: str = ""
    request_columns: tuple[Column, ...] = ()
    request_rows: tuple[Row, ...] = ()
    appeals_caption: str = ""
    appeal_groups: tuple[Row, ...] = ()
    appeal_columns: tuple[Column, ...] = ()
    rules: dict = field(default_factory=dict)
    figures: dict[str, tuple[str, ...]] = field(default_factory=dict)
    cells: tuple[Cell, ...] = ()

    @property
    def has_tables(self) -> bool:
        return bool(self.cells)

    @cached_property  # looked up for every cell of every report: computed once per format
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.cells)

    @property
    def active_rows(self) -> tuple[tuple[ActiveGroup, Row], ...]:
        return tuple((g, r) for g in self.active_groups for r in g.rows)

    def fits_year(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def cell(self, code: str) -> Cell:
        return self.cells[self.index_of(code)]

    def index_of(self, code: str) -> int:
        """Where a cell's value sits in a report's values tuple (KeyError if not in this format)."""
        return _code_index(self)[code]

    def __reduce__(self):
        # Pickle by id: reports sent to worker processes must not carry a copy of their format.
        return (get, (self.id,))

    def request_row(self, key: str) -> Row:
        return next(r for r in self.request_rows if r.key == key)

    def active_row(self, key: str) -> Row:
        return next(r for _g, r in self.active_rows if r.key == key)

    def table_rows(self, table: str) -> tuple[TableRow, ...]:
        """The rows of one table, in printed order, each with its columns."""
        return _table_rows(self)[table]

    def caption(self, table: str) -> str:
        """A table's caption, as printed: its section's heading."""
        return {ACTIVE: self.active_caption, REQUESTS: self.requests_caption, APPEALS: self.appeals_caption}[
            table
        ]

    def columns_of(self, table: str, row: str) -> tuple[Column, ...]:
        """The columns of one row (KeyError if the table has no such row)."""
        return _row_columns(self)[table, row]

    def position(self, code: str) -> tuple[str, str, int]:
        """Where a report file writes a cell: (table, row, index in the row's list of values)."""
        return _positions(self)[code]

    def extra_codes(self, n: int, group: str) -> tuple[str, ...]:
        """The codes of the ``n``-th added row of section 二, which has the columns of active row ``group``."""
        return tuple(extra_code(n, c.key) for c in self.columns_of(ACTIVE, group))


@cache
def _code_index(fmt: Format) -> dict[str, int]:
    return {c.code: i for i, c in enumerate(fmt.cells)}


@cache
def _table_rows(fmt: Format) -> dict[str, tuple[TableRow, ...]]:
    return {
        ACTIVE: tuple(TableRow(ACTIVE, r, g.columns) for g, r in fmt.active_rows),
        REQUESTS: tuple(TableRow(REQUESTS, r, fmt.request_columns) for r in fmt.request_rows),
        APPEALS: tuple(TableRow(APPEALS, g, fmt.appeal_columns) for g in fmt.appeal_groups),
    }


@cache
def _positions(fmt: Format) -> dict[str, tuple[str, str, int]]:
    return {
        code: (tr.table, tr.key, i)
        for rows in _table_rows(fmt).values()
        for tr in rows
        for i, code in enumerate(tr.codes)
    }


@cache
def _row_columns(fmt: Format) -> dict[tuple[str, str], tuple[Column, ...]]:
    return {(t, tr.key): tr.columns for t, rows in _table_rows(fmt).items() for tr in rows}


def _columns(items: list[dict]) -> tuple[Column, ...]:
    return tuple(
        Column(
            key=c["key"],
            label=c["label"],
            kind=c.get("type", COUNT),
            unit=c.get("unit"),
            parent=c.get("parent"),
        )
        for c in items
    )


def _rows(items: list[dict]) -> tuple[Row, ...]:
    return tuple(
        Row(
            key=r["key"],
            label=r["label"],
            parents=tuple(r.get("parents", ())),
            outcome=bool(r.get("outcome", False)),
            aliases=tuple(r.get("aliases", ())),
        )
        for r in items
    )


def _parse(data: dict) -> Format:
    active = data.get("active") or {}
    groups = tuple(
        ActiveGroup(g["clause"], _columns(g["columns"]), _rows(g["rows"])) for g in active.get("groups", ())
    )
    requests = data.get("requests") or {}
    req_cols = _columns(requests.get("columns", ()))
    req_rows = _rows(requests.get("rows", ()))
    appeals = data.get("appeals") or {}
    app_groups = tuple(
        Row(key=g["key"], label=g["label"], parents=(g["parent"],) if g.get("parent") else ())
        for g in appeals.get("groups", ())
    )
    app_cols = _columns(appeals.get("columns", ()))

    cells: list[Cell] = []
    for g in groups:
        for r in g.rows:
            for c in g.columns:
                cells.append(
                    Cell(
                        cell_code(ACTIVE, r.key, c.key),
                        ACTIVE,
                        r.key,
                        c.key,
                        c.kind,
                        f"{r.label} · {c.label}",
                    )
                )
    for r in req_rows:
        for c in req_cols:
            label = f"{r.full_label} · {c.label}"
            cells.append(Cell(cell_code(REQUESTS, r.key, c.key), REQUESTS, r.key, c.key, c.kind, label))
    for g in app_groups:
        for c in app_cols:
            label = f"{'·'.join((*g.parents, g.label))} · {c.label}"
            cells.append(Cell(cell_code(APPEALS, g.key, c.key), APPEALS, g.key, c.key, c.kind, label))

    return Format(
        id=str(data["id"]),
        name=data["name"],
        notice=data["notice"],
        first_year=int(data["first_year"]),
        last_year=data.get("last_year"),
        active_caption=active.get("caption", ""),
        active_groups=groups,
        requests_caption=requests.get("caption", ""),
        request_columns=req_cols,
        request_rows=req_rows,
        appeals_caption=appeals.get("caption", ""),
        appeal_groups=app_groups,
        appeal_columns=app_cols,
        rules=dict(data.get("rules") or {}),
        figures={k: tuple(v) for k, v in (data.get("figures") or {}).items()},
        cells=tuple(cells),
    )


@cache
def all_formats() -> dict[str, Format]:
    """Every format, by id, read from the YAML files beside this module."""
    found = {}
    for path in sorted(FORMATS_DIR.glob("*.yaml")):
        fmt = _parse(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader))
        found[fmt.id] = fmt
    return found


def get(format_id: str) -> Format | None:
    return all_formats().get(format_id)


def format_for_year(year: int) -> Format | None:
    """The format the State Council prescribed for reports on ``year``."""
    for fmt in all_formats().values():
        if fmt.fits_year(year):
            return fmt
    return None
