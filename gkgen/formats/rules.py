"""The reconciliation rules (勾稽关系) of the official tables: the one rules engine.

A format's ``rules:`` (gkgen/formats/<id>.yaml) name the rows and columns each rule reads.
``equations(fmt)`` turns them into the places the rules apply within one report, each an
``Equation``: the sum of some cells must equal the sum of others. Two users read them:

- the validator (``check_report``) makes one Finding per place that is broken, or unchecked
  when an operand is blank; passing places yield nothing. Messages are Chinese and carry both
  sides' numbers.
- the importer's solver (gkgen/authoring/importer/tables.py) uses ``Equation.holds`` to choose
  among the readings of run-together digits.

The rules across years (``check_across_years``) compare two reports and are the validator's only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache

from gkgen.formats import ACTIVE, APPEALS, REQUESTS, Format, cell_code
from gkgen.model import Finding, Value

ERROR_RULES = ("balance", "row_total", "outcomes", "appeals", "carry_chain")
WARNING_RULES = ("in_force_chain",)
CROSS_YEAR_RULES = ("carry_chain", "in_force_chain")  # need the same body's report of the year before
RULE_NAMES = {
    "balance": "申请数量平衡（一＋二＝三（七）＋四）",
    "row_total": "行合计（总计＝各类申请人之和）",
    "outcomes": "办理结果合计（（七）总计＝各项办理结果之和）",
    "appeals": "复议诉讼合计（总计＝维持＋纠正＋其他＋未审结）",
    "carry_chain": "跨年度结转（本年上年结转＝上年结转下年度）",
    "in_force_chain": "现行有效件数跨年度衔接",
}

Cells = Mapping[str, Value]
# How a break is told: (left operands' values, right operands' values, left sum, right sum) → words.
Explain = Callable[[list[Value], list[Value], int, int], str]


@dataclass(frozen=True)
class Equation:
    """One place a rule applies within a report: sum(left) must equal sum(right)."""

    rule: str  # "balance", "row_total", "outcomes", "appeals"
    scope: str  # the column, row or group it applies to
    table: str  # the table whose cells it reads
    left: tuple[str, ...]
    right: tuple[str, ...]
    anchor: str  # the cell where a break shows
    codes: tuple[str, ...]  # every cell it reads, in the order a finding lists them
    where: str  # the place in words (“自然人列”, “行政复议”)
    explain: Explain = field(compare=False, repr=False)

    @property
    def id(self) -> str:
        """As findings, acknowledgements and the importer's doubts name it: ``outcomes.natural``."""
        return f"{self.rule}.{self.scope}"

    @property
    def severity(self) -> str:
        return "warning" if self.rule in WARNING_RULES else "error"

    def sums(self, cells: Cells) -> tuple[int, int] | None:
        """Both sides' sums, or None when an operand is blank or money (not checkable)."""
        left, right = _sum([cells.get(c) for c in self.left]), _sum([cells.get(c) for c in self.right])
        return None if left is None or right is None else (left, right)

    def holds(self, cells: Cells) -> bool | None:
        """True or False; None when it cannot be checked."""
        sums = self.sums(cells)
        return None if sums is None else sums[0] == sums[1]

    def finding(self, cells: Cells) -> Finding | None:
        """The validator's result here: None when it holds."""
        return _finding(self.rule, self.scope, self.anchor, self.codes, self.where, self.explain, cells,
                        self.left, self.right)  # fmt: skip


def _sum(values: list[Value]) -> int | None:
    if any(v is None or isinstance(v, str) for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def _finding(
    rule: str,
    scope: str,
    anchor: str,
    codes: tuple[str, ...],
    where: str,
    explain: Explain,
    cells: Cells,
    left_codes: tuple[str, ...],
    right_codes: tuple[str, ...],
) -> Finding | None:
    severity = "warning" if rule in WARNING_RULES else "error"
    left_values = [cells.get(c) for c in left_codes]
    right_values = [cells.get(c) for c in right_codes]
    left, right = _sum(left_values), _sum(right_values)
    if left is None or right is None:
        blanks = [c for c in codes if cells.get(c) is None]
        message = f"{where}：含空白单元格（{len(blanks)} 个），无法核对{RULE_NAMES[rule]}"
        return Finding(rule, scope, severity, "unchecked", message, anchor, codes)
    if left == right:
        return None
    message = f"{where}：{explain(left_values, right_values, left, right)}"
    return Finding(rule, scope, severity, "broken", message, anchor, codes, left, right)


def _short(label: str) -> str:
    """一、本年新收… → 一; （七）总计 stays as it is."""
    return label.split("、", 1)[0] if "、" in label else label


def _plus(values: list[Value]) -> str:
    return "+".join("空" if v is None else str(v) for v in values)


# --------------------------------------------------------------------------- within a report


@cache  # formats are singletons hashed by identity
def equations(fmt: Format) -> tuple[Equation, ...]:
    """Every place a within-report rule of the format applies, in the order of its ``rules:``."""
    found: list[Equation] = []
    for rule, params in fmt.rules.items():
        build = _BUILDERS.get(rule)
        if build is not None:
            found.extend(build(fmt, params))
    return tuple(found)


def equation(fmt: Format, rule_id: str) -> Equation | None:
    """The place ``rule_id`` (``appeals.review``) names in this format, if the format has it."""
    return _by_id(fmt).get(rule_id)


@cache
def _by_id(fmt: Format) -> dict[str, Equation]:
    return {eq.id: eq for eq in equations(fmt)}


def check_report(fmt: Format, cells: Cells) -> list[Finding]:
    """Every within-report rule of the format, applied to one report's cells."""
    return [f for eq in equations(fmt) if (f := eq.finding(cells)) is not None]


def _balance(fmt: Format, p: dict) -> Iterator[Equation]:
    (a, b), (c, d) = p["left"], p["right"]
    rows = {r.key: r for r in fmt.request_rows}
    names = [_short(rows[r].label) for r in (a, b, c, d)]

    def explain(lv: list[Value], rv: list[Value], left: int, right: int) -> str:
        return (
            f"{names[0]}＋{names[1]} = {lv[0]}+{lv[1]} = {left}，"
            f"但 三{names[2]}＋{names[3]} = {rv[0]}+{rv[1]} = {right}"
        )

    for col in fmt.request_columns:
        codes = tuple(cell_code(REQUESTS, r, col.key) for r in (a, b, c, d))
        yield Equation(
            "balance", col.key, REQUESTS, codes[:2], codes[2:], codes[2], codes, f"{col.label}列", explain
        )


def _row_total(fmt: Format, p: dict) -> Iterator[Equation]:
    total = p["total"]
    parts = [c.key for c in fmt.request_columns if c.key != total]

    def explain(lv: list[Value], rv: list[Value], left: int, right: int) -> str:
        return f"总计 = {left}，但各类申请人之和 = {_plus(rv)} = {right}"

    for row in fmt.request_rows:
        codes = tuple(cell_code(REQUESTS, row.key, c) for c in parts)
        total_code = cell_code(REQUESTS, row.key, total)
        yield Equation("row_total", row.key, REQUESTS, (total_code,), codes, total_code, (*codes, total_code),
                       f"“{row.full_label}”行", explain)  # fmt: skip


def _outcomes(fmt: Format, p: dict) -> Iterator[Equation]:
    total_row = fmt.request_row(p["total"])
    leaves = [r for r in fmt.request_rows if r.outcome]

    def explain(lv: list[Value], rv: list[Value], left: int, right: int) -> str:
        return f"{total_row.label} = {left}，但各项办理结果之和 = {right}"

    for col in fmt.request_columns:
        codes = tuple(cell_code(REQUESTS, r.key, col.key) for r in leaves)
        total_code = cell_code(REQUESTS, total_row.key, col.key)
        yield Equation("outcomes", col.key, REQUESTS, (total_code,), codes, total_code, (*codes, total_code),
                       f"{col.label}列", explain)  # fmt: skip


def _appeals(fmt: Format, p: dict) -> Iterator[Equation]:
    total = p["total"]
    parts = [c for c in fmt.appeal_columns if c.key != total]
    names = "＋".join(c.label.removeprefix("结果") for c in parts)

    def explain(lv: list[Value], rv: list[Value], left: int, right: int) -> str:
        return f"总计 = {left}，但 {names} = {_plus(rv)} = {right}"

    for group in fmt.appeal_groups:
        codes = tuple(cell_code(APPEALS, group.key, c.key) for c in parts)
        total_code = cell_code(APPEALS, group.key, total)
        yield Equation("appeals", group.key, APPEALS, (total_code,), codes, total_code, (*codes, total_code),
                       "·".join((*group.parents, group.label)), explain)  # fmt: skip


_BUILDERS: dict[str, Callable[[Format, dict], Iterator[Equation]]] = {
    "balance": _balance,
    "row_total": _row_total,
    "outcomes": _outcomes,
    "appeals": _appeals,
}


# --------------------------------------------------------------------------- across years


@cache
def cross_year_anchors(fmt: Format) -> tuple[str, ...]:
    """The cells where a break of a rule across years shows, in format order."""
    anchors = set()
    if "carry_chain" in fmt.rules:
        row = fmt.rules["carry_chain"]["current"]
        anchors.update(cell_code(REQUESTS, row, c.key) for c in fmt.request_columns)
    if "in_force_chain" in fmt.rules:
        p = fmt.rules["in_force_chain"]
        anchors.update(cell_code(ACTIVE, row, p["in_force"]) for row in p["rows"])
    return tuple(c for c in fmt.codes if c in anchors)


def check_across_years(
    fmt: Format, cells: Cells, prev_fmt: Format, prev_cells: Cells, prev_year: int
) -> list[Finding]:
    """Rules that compare a report with the same body's report of the year before."""
    findings: list[Finding] = []
    if "carry_chain" in fmt.rules and "carry_chain" in prev_fmt.rules:
        p = fmt.rules["carry_chain"]
        prev_row = prev_fmt.rules["carry_chain"]["previous"]
        for col in fmt.request_columns:
            here = cell_code(REQUESTS, p["current"], col.key)
            there = cell_code(REQUESTS, prev_row, col.key)
            merged = {here: cells.get(here), f"prev:{there}": prev_cells.get(there)}
            finding = _finding(
                "carry_chain",
                col.key,
                here,
                (here,),
                f"{col.label}列",
                lambda lv, rv, left, right: (
                    f"本年“上年结转” = {left}，但 {prev_year} 年报告“结转下年度继续办理” = {right}"
                ),
                merged,
                (here,),
                (f"prev:{there}",),
            )
            if finding:
                findings.append(finding)
    if "in_force_chain" in fmt.rules and "in_force_chain" in prev_fmt.rules:
        p = fmt.rules["in_force_chain"]
        for row_key in p["rows"]:
            here = cell_code(ACTIVE, row_key, p["in_force"])
            before = prev_cells.get(here)
            issued = cells.get(cell_code(ACTIVE, row_key, p["add"]))
            repealed = cells.get(cell_code(ACTIVE, row_key, p["subtract"]))
            expected = None if None in (before, issued, repealed) else before + issued - repealed
            merged = {here: cells.get(here), "expected": expected}
            finding = _finding(
                "in_force_chain",
                row_key,
                here,
                (here,),
                fmt.active_row(row_key).label,
                lambda lv, rv, left, right, b=before, i=issued, r=repealed: (
                    f"现行有效件数 = {left}，但上年现行有效 {b} ＋ 本年制发 {i} − 本年废止 {r} = {right}"
                ),
                merged,
                (here,),
                ("expected",),
            )
            if finding:
                findings.append(finding)
    return findings
