"""The reconciliation rules (勾稽关系) of the official tables.

Each rule reads the rows and columns named for it in the format description
(``rules:`` in gkgen/formats/<id>.yaml) and yields one Finding per place it
applies: broken, or unchecked when an operand is blank. Passing places yield
nothing. Messages are Chinese and carry both sides' numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from gkgen.formats import Format
from gkgen.model import Finding, Value

ERROR_RULES = ("balance", "row_total", "outcomes", "appeals", "carry_chain")
WARNING_RULES = ("in_force_chain",)
RULE_NAMES = {
    "balance": "申请数量平衡（一＋二＝三（七）＋四）",
    "row_total": "行合计（总计＝各类申请人之和）",
    "outcomes": "办理结果合计（（七）总计＝各项办理结果之和）",
    "appeals": "复议诉讼合计（总计＝维持＋纠正＋其他＋未审结）",
    "carry_chain": "跨年度结转（本年上年结转＝上年结转下年度）",
    "in_force_chain": "现行有效件数跨年度衔接",
}

Cells = Mapping[str, Value]


def _sum(values: list[Value]) -> int | None:
    if any(v is None or isinstance(v, str) for v in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def _compare(
    rule: str,
    scope: str,
    anchor: str,
    codes: list[str],
    cells: Cells,
    left_codes: list[str],
    right_codes: list[str],
    describe: Callable[[int, int], str],
    where: str,
) -> Finding | None:
    severity = "warning" if rule in WARNING_RULES else "error"
    left = _sum([cells.get(c) for c in left_codes])
    right = _sum([cells.get(c) for c in right_codes])
    if left is None or right is None:
        blanks = [c for c in codes if cells.get(c) is None]
        return Finding(
            rule,
            scope,
            severity,
            "unchecked",
            f"{where}：含空白单元格（{len(blanks)} 个），无法核对{RULE_NAMES[rule]}",
            anchor,
            tuple(codes),
        )
    if left == right:
        return None
    return Finding(
        rule,
        scope,
        severity,
        "broken",
        f"{where}：{describe(left, right)}",
        anchor,
        tuple(codes),
        left,
        right,
    )


def _short(label: str) -> str:
    """一、本年新收… → 一; （七）总计 stays as it is."""
    return label.split("、", 1)[0] if "、" in label else label


def _plus(values: list[Value]) -> str:
    return "+".join("空" if v is None else str(v) for v in values)


def check_report(fmt: Format, cells: Cells) -> list[Finding]:
    """Every within-report rule of the format, applied to one report's cells."""
    findings: list[Finding] = []
    for rule, params in fmt.rules.items():
        check = _REPORT_RULES.get(rule)
        if check is not None:
            findings.extend(f for f in check(fmt, cells, params) if f is not None)
    return findings


def _balance(fmt: Format, cells: Cells, p: dict) -> Iterator[Finding | None]:
    (a, b), (c, d) = p["left"], p["right"]
    rows = {r.key: r for r in fmt.request_rows}
    for col in fmt.request_columns:
        codes = [f"requests.{r}.{col.key}" for r in (a, b, c, d)]
        va, vb, vc, vd = (cells.get(x) for x in codes)
        yield _compare(
            "balance",
            col.key,
            codes[2],
            codes,
            cells,
            codes[:2],
            codes[2:],
            lambda left, right, va=va, vb=vb, vc=vc, vd=vd: (
                f"{_short(rows[a].label)}＋{_short(rows[b].label)} = {va}+{vb} = {left}，"
                f"但 三{_short(rows[c].label)}＋{_short(rows[d].label)} = {vc}+{vd} = {right}"
            ),
            f"{col.label}列",
        )


def _row_total(fmt: Format, cells: Cells, p: dict) -> Iterator[Finding | None]:
    total = p["total"]
    parts = [c.key for c in fmt.request_columns if c.key != total]
    for row in fmt.request_rows:
        codes = [f"requests.{row.key}.{c}" for c in parts]
        total_code = f"requests.{row.key}.{total}"
        values = [cells.get(c) for c in codes]
        yield _compare(
            "row_total",
            row.key,
            total_code,
            [*codes, total_code],
            cells,
            [total_code],
            codes,
            lambda left, right, values=values: f"总计 = {left}，但各类申请人之和 = {_plus(values)} = {right}",
            f"“{row.full_label}”行",
        )


def _outcomes(fmt: Format, cells: Cells, p: dict) -> Iterator[Finding | None]:
    total_row = fmt.request_row(p["total"])
    leaves = [r for r in fmt.request_rows if r.outcome]
    for col in fmt.request_columns:
        codes = [f"requests.{r.key}.{col.key}" for r in leaves]
        total_code = f"requests.{total_row.key}.{col.key}"
        yield _compare(
            "outcomes",
            col.key,
            total_code,
            [*codes, total_code],
            cells,
            [total_code],
            codes,
            lambda left, right: f"{total_row.label} = {left}，但各项办理结果之和 = {right}",
            f"{col.label}列",
        )


def _appeals(fmt: Format, cells: Cells, p: dict) -> Iterator[Finding | None]:
    total = p["total"]
    parts = [c for c in fmt.appeal_columns if c.key != total]
    for group in fmt.appeal_groups:
        codes = [f"{group.key}.{c.key}" for c in parts]
        total_code = f"{group.key}.{total}"
        values = [cells.get(c) for c in codes]
        names = "＋".join(c.label.removeprefix("结果") for c in parts)
        yield _compare(
            "appeals",
            group.key,
            total_code,
            [*codes, total_code],
            cells,
            [total_code],
            codes,
            lambda left, right, values=values, names=names: (
                f"总计 = {left}，但 {names} = {_plus(values)} = {right}"
            ),
            "·".join((*group.parents, group.label)),
        )


_REPORT_RULES = {"balance": _balance, "row_total": _row_total, "outcomes": _outcomes, "appeals": _appeals}


def check_across_years(
    fmt: Format, cells: Cells, prev_fmt: Format, prev_cells: Cells, prev_year: int
) -> list[Finding]:
    """Rules that compare a report with the same body's report of the year before."""
    findings: list[Finding] = []
    if "carry_chain" in fmt.rules and "carry_chain" in prev_fmt.rules:
        p = fmt.rules["carry_chain"]
        prev_row = prev_fmt.rules["carry_chain"]["previous"]
        for col in fmt.request_columns:
            here = f"requests.{p['current']}.{col.key}"
            there = f"requests.{prev_row}.{col.key}"
            merged = {here: cells.get(here), f"prev:{there}": prev_cells.get(there)}
            finding = _compare(
                "carry_chain",
                col.key,
                here,
                [here],
                merged,
                [here],
                [f"prev:{there}"],
                lambda left, right: (
                    f"本年“上年结转” = {left}，但 {prev_year} 年报告“结转下年度继续办理” = {right}"
                ),
                f"{col.label}列",
            )
            if finding:
                findings.append(finding)
    if "in_force_chain" in fmt.rules and "in_force_chain" in prev_fmt.rules:
        p = fmt.rules["in_force_chain"]
        for row_key in p["rows"]:
            here = f"active.{row_key}.{p['in_force']}"
            before = prev_cells.get(f"active.{row_key}.{p['in_force']}")
            issued = cells.get(f"active.{row_key}.{p['add']}")
            repealed = cells.get(f"active.{row_key}.{p['subtract']}")
            label = next(r.label for g in fmt.active_groups for r in g.rows if r.key == row_key)
            expected = None if None in (before, issued, repealed) else before + issued - repealed
            merged = {here: cells.get(here), "expected": expected}
            finding = _compare(
                "in_force_chain",
                row_key,
                here,
                [here],
                merged,
                [here],
                ["expected"],
                lambda left, right, b=before, i=issued, r=repealed: (
                    f"现行有效件数 = {left}，但上年现行有效 {b} ＋ 本年制发 {i} − 本年废止 {r} = {right}"
                ),
                label,
            )
            if finding:
                findings.append(finding)
    return findings
