"""The official tables of a report laid out for its page, from the format description: header rows with
their spans, one cell per value with the rules that read it (gkgen.site.tablehtml writes them as HTML).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from gkgen.formats import ACTIVE, APPEALS, REQUESTS, Column, Row, cell_code, extra_code
from gkgen.model import Report, Value
from gkgen.site import render


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
            code = cell_code(REQUESTS, row.key, col.key)
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
            code = cell_code(APPEALS, g.key, c.key)
            values.append(_value_cell(code, report.cell(code), flags, involved))
    # On a phone: one row per kind of case (行政复议, 行政诉讼 ×2), 总计 first, the other results after.
    ordered = sorted(columns, key=lambda c: c.key != "total")
    narrow_rows = []
    for g in groups:
        label = "·".join((*g.parents, g.label))
        cells = [BodyCell(True, label)]
        for c in ordered:
            code = cell_code(APPEALS, g.key, c.key)
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
                code = cell_code(ACTIVE, row.key, col.key)
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
                    cells.append(_value_cell(extra_code(n, col.key), value, {}, set()))
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
