"""The official table formats, described once as data.

Each ``<id>.yaml`` beside this module describes one format: its rows, columns,
official labels, cell codes, the reconciliation rules that apply and the key
figures that compare across formats. Everything else in gkgen (validation, the
JSON Schema, templates, importer, exports) reads these objects; a new format is
one new YAML file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

FORMATS_DIR = Path(__file__).parent

# Value kinds of a cell.
COUNT = "count"  # whole number >= 0
SIGNED = "signed"  # whole number, may be negative (2019 本年增/减)
MONEY = "money"  # exact decimal text >= 0


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


@cache
def _code_index(fmt: Format) -> dict[str, int]:
    return {c.code: i for i, c in enumerate(fmt.cells)}


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
                    Cell(f"active.{r.key}.{c.key}", "active", r.key, c.key, c.kind, f"{r.label} · {c.label}")
                )
    for r in req_rows:
        for c in req_cols:
            cells.append(
                Cell(
                    f"requests.{r.key}.{c.key}",
                    "requests",
                    r.key,
                    c.key,
                    c.kind,
                    f"{r.full_label} · {c.label}",
                )
            )
    for g in app_groups:
        for c in app_cols:
            label = f"{'·'.join((*g.parents, g.label))} · {c.label}"
            cells.append(Cell(f"{g.key}.{c.key}", "appeals", g.key, c.key, c.kind, label))

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
