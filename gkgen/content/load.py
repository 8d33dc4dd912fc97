"""Discover, read and validate the archive: content/ → model, with every problem collected.

``load_report`` is a pure function of one report's files, so it can run in a
worker process; ``link`` then applies what needs several reports (rules across
years, duplicate agency-years) and matches acknowledgements to breaks.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from gkgen import quality
from gkgen.content import narrative as narrative_mod
from gkgen.content import yamlpos
from gkgen.content.checks import syntax_diagnostic
from gkgen.content.diagnostics import ERROR, NOTE, Diagnostic
from gkgen.content.files import ReportsScan, read_text, scan_reports, symlink_diagnostic
from gkgen.content.validate import AGENCY_ID, cell_path, validate_report
from gkgen.content.yamlpos import Position
from gkgen.formats import Format, rules
from gkgen.model import Agency, Finding, Report

_YEAR_FILE = re.compile(r"[0-9]{4}\Z")  # \Z: "$" would let a trailing newline through
CROSS_YEAR_RULES = rules.CROSS_YEAR_RULES  # matched in link(), once the year before is known
# How an editor settles a break that is in the published report itself.
ACK_HINT = "若原报告确实如此，请在 acknowledged 中登记：- rule: {id}  note: 原报告如此（简要说明）"


@dataclass(frozen=True)
class ReportSource:
    agency_dir: str
    year: str
    folder: str  # the agency's folder; text, not a Path: an archive has tens of thousands of these
    shown: str  # yaml path relative to the root

    @property
    def yaml_file(self) -> str:
        return f"{self.folder}/{self.year}.yaml"

    @property
    def md_file(self) -> str:
        return f"{self.folder}/{self.year}.md"

    @property
    def yaml_path(self) -> Path:
        return Path(self.yaml_file)

    @property
    def md_path(self) -> Path:
        return Path(self.md_file)

    @property
    def md_shown(self) -> str:
        return self.shown[: -len(".yaml")] + ".md"


@dataclass(frozen=True)
class LoadedReport:
    report: Report | None
    diagnostics: tuple[Diagnostic, ...]
    # Positions the archive-level stage may need: cross-year anchors and pending acknowledgements.
    # The anchors are (line, col) in the order of anchor_codes(format): plain tuples, because the build
    # cache holds one LoadedReport per report and reads them all on every build.
    anchors: tuple[tuple[int, int], ...]
    ack_positions: dict[str, Position]
    source_path: str = ""
    declared: tuple[str, int] | None = None  # (agency, year) as the file says, for duplicate detection


def discover(root: Path, scan: ReportsScan | None = None) -> tuple[list[ReportSource], list[Diagnostic]]:
    """Every report in content/reports/<agency-id>/<year>.yaml, in a stable order (from ``scan`` if given)."""
    scan = scan if scan is not None else scan_reports(root)
    reports_dir = root / "content" / "reports"
    sources: list[ReportSource] = []
    problems: list[Diagnostic] = []
    for agency_dir in scan.entries:
        shown_dir = f"content/reports/{agency_dir.name}"
        if agency_dir.symlink:
            problems.append(symlink_diagnostic(shown_dir))
            continue
        if agency_dir.children is None:
            problems.append(
                Diagnostic(shown_dir, 0, 0, ERROR, "path", "content/reports/ 下只应有以机构编号命名的目录")
            )
            continue
        if not AGENCY_ID.match(agency_dir.name):
            problems.append(
                Diagnostic(
                    shown_dir,
                    0,
                    0,
                    ERROR,
                    "path",
                    f"目录名 `{agency_dir.name}` 不是有效的机构编号（小写字母、数字和连字符）",
                )
            )
            continue
        stems_yaml, stems_md, linked = set(), set(), set()
        for child in agency_dir.children:
            name = child.name
            shown = f"{shown_dir}/{name}"
            stem, suffix = os.path.splitext(name)  # as Path.stem/suffix: a leading dot is not a suffix
            if child.symlink:  # the report is not read at all: neither file may lead outside
                problems.append(symlink_diagnostic(shown))
                linked.add(stem)
            elif suffix == ".yaml" and _YEAR_FILE.match(stem):
                stems_yaml.add(stem)
            elif suffix == ".md" and _YEAR_FILE.match(stem):
                stems_md.add(stem)
            elif suffix == ".yml":
                problems.append(
                    Diagnostic(shown, 0, 0, ERROR, "path", "报告文件的扩展名应为 .yaml，不是 .yml")
                )
            else:
                problems.append(
                    Diagnostic(shown, 0, 0, ERROR, "path", "报告目录中只应有 <年份>.yaml 和 <年份>.md 文件")
                )
        for stem in sorted(stems_md - stems_yaml - linked):
            problems.append(
                Diagnostic(
                    f"{shown_dir}/{stem}.md", 0, 0, ERROR, "path", f"有叙述文件但缺少表格数据文件 {stem}.yaml"
                )
            )
        for stem in sorted(stems_yaml - linked):
            folder = f"{reports_dir}/{agency_dir.name}"
            sources.append(ReportSource(agency_dir.name, stem, folder, f"{shown_dir}/{stem}.yaml"))
    return sources, problems


def load_report(
    source: ReportSource, agencies: dict[str, Agency], max_year: int, today: dt.date | None = None
) -> LoadedReport:
    diagnostics: list[Diagnostic] = []
    yaml_file, problem = read_text(source.yaml_path, source.shown)
    if problem:
        diagnostics.append(problem)
    narrative: tuple[tuple[str, str], ...] = ()
    if not source.md_path.exists():
        diagnostics.append(
            Diagnostic(
                source.md_shown,
                0,
                0,
                ERROR,
                "narrative",
                f"缺少叙述文件 {source.year}.md（第一、五、六部分的正文）",
                "可用 gkgen new 生成骨架",
            )
        )
    else:
        md_file, problem = read_text(source.md_path, source.md_shown)
        if problem:
            diagnostics.append(problem)
        else:
            parsed = narrative_mod.parse(md_file.text)
            narrative = parsed.sections
            diagnostics.extend(
                Diagnostic(source.md_shown, p.line, 1, p.severity, "narrative", p.message, p.hint)
                for p in parsed.problems
            )
    if yaml_file is None:
        return LoadedReport(None, tuple(diagnostics), (), {})
    try:
        doc = yamlpos.parse(yaml_file.text)
    except yamlpos.YamlSyntaxError as exc:
        diagnostics.append(
            syntax_diagnostic(
                exc, source.shown, "常见原因：缩进不一致、用了 Tab、中文标点（：，［］）代替英文标点"
            )
        )
        return LoadedReport(None, tuple(diagnostics), (), {})

    declared = _declared(doc.value)
    report, problems = validate_report(
        doc, source.shown, agencies, source.agency_dir, source.year, narrative, max_year, today
    )
    diagnostics.extend(problems)
    if report is None or any(d.severity == ERROR for d in diagnostics):
        return LoadedReport(None, tuple(diagnostics), (), {}, source.shown, declared)

    # Acknowledgements of within-report rules are matched here; cross-year ones wait for link().
    findings, ack_problems, pending = _acknowledge(report, report.findings, doc, local=True)
    # The quality checks that read the narrative run here, while it is at hand (the build drops it).
    report = replace(report, findings=findings)
    report = replace(report, quality=quality.assess(report))
    for f in findings:
        path = cell_path(report.format, f.anchor)
        if f.rule == "row_total":
            path = path[:2]
        diagnostics.extend(_finding_diagnostic(report, f, doc.position(path)))
    diagnostics.extend(ack_problems)
    anchors = tuple(
        (pos.line, pos.col)
        for pos in (doc.position(cell_path(report.format, code)) for code in anchor_codes(report.format))
    )
    return LoadedReport(report, tuple(diagnostics), anchors, pending, source.shown, declared)


def anchor_codes(fmt: Format) -> tuple[str, ...]:
    """The cells where a break of a rule across years shows."""
    return rules.cross_year_anchors(fmt)


def _anchor_position(item: LoadedReport, code: str) -> Position:
    codes = anchor_codes(item.report.format)
    return Position(*item.anchors[codes.index(code)]) if code in codes else Position(1, 1)


def with_narrative(root: Path, report: Report) -> Report:
    """The report with its narrative read back from its .md (the build keeps reports without it)."""
    return replace(report, narrative=narrative_of(root, report.agency.id, report.year))


def narrative_of(root: Path, agency_id: str, year: int) -> tuple[tuple[str, str], ...]:
    """A report's narrative sections, read from its .md."""
    md = root / "content" / "reports" / agency_id / f"{year}.md"
    text_file, problem = read_text(md, md.name)
    if problem is not None:
        raise OSError(problem.message)
    return narrative_mod.parse(text_file.text).sections


def _declared(value: object) -> tuple[str, int] | None:
    if isinstance(value, dict) and isinstance(value.get("agency"), str) and type(value.get("year")) is int:
        return value["agency"], value["year"]
    return None


def _ack_position(doc, index: int) -> Position:
    return doc.position(("acknowledged", index, "rule"))


def _acknowledge(report: Report, findings: tuple[Finding, ...], doc, *, local: bool):
    """Attach editors' notes to the breaks they acknowledge; an acknowledgement matching no break is an error."""
    broken = {f.id: f for f in findings if f.broken}
    out = list(findings)
    problems: list[Diagnostic] = []
    pending: dict[str, Position] = {}
    for i, ack in enumerate(report.acknowledged):
        if local and ack.rule.split(".", 1)[0] in CROSS_YEAR_RULES:
            pending[ack.rule] = _ack_position(doc, i)
            continue
        if ack.rule in broken:
            out[out.index(broken[ack.rule])] = replace(broken[ack.rule], acknowledged=ack.note)
            continue
        pos = _ack_position(doc, i)
        problems.append(_unmatched_ack(report, ack.rule, pos))
    return tuple(out), problems, pending


def _unmatched_ack(report: Report, rule_id: str, pos: Position) -> Diagnostic:
    known = rule_id.split(".", 1)[0] in (*rules.ERROR_RULES, *rules.WARNING_RULES)
    what = "未发现与之对应的勾稽关系不符" if known else "不是已知的规则编号"
    return Diagnostic(
        report.source_path,
        pos.line,
        pos.col,
        ERROR,
        "acknowledged",
        f"acknowledged 登记了 `{rule_id}`，但{what}",
        "请删除这一项，或核对规则编号（构建报告的编号，如 outcomes.natural、appeals.review）",
    )


def _finding_diagnostic(report: Report, f: Finding, pos: Position) -> list[Diagnostic]:
    if f.status == "unchecked":
        return [Diagnostic(report.source_path, pos.line, pos.col, NOTE, f.rule, f.message)]
    if f.acknowledged is None:
        return [
            Diagnostic(
                report.source_path,
                pos.line,
                pos.col,
                f.severity,
                f.rule,
                f.message,
                ACK_HINT.format(id=f.id),
            )
        ]
    return []


class _Cells:
    """A report's cells as the rules read them (``get``), without building a 200-entry dict per report."""

    __slots__ = ("report",)

    def __init__(self, report: Report):
        self.report = report

    def get(self, code: str):
        return self.report.cell(code)


def check_across(item: LoadedReport, previous: LoadedReport) -> tuple[Finding, ...]:
    """The rules that compare a report with the same body's report of the year before."""
    r, p = item.report, previous.report
    return tuple(rules.check_across_years(r.format, _Cells(r), p.format, _Cells(p), p.year))


def link(
    loaded: list[LoadedReport],
    across: Callable[[LoadedReport, LoadedReport], tuple[Finding, ...]] = check_across,
) -> tuple[list[Report], list[Diagnostic]]:
    """Archive-level checks: duplicates, rules across years, and pending acknowledgements.

    ``across`` applies the rules across years to a report and its previous year's (a build passes one
    that remembers the results of unchanged pairs)."""
    diagnostics: list[Diagnostic] = []
    first_file: dict[tuple[str, int], str] = {}
    for item in loaded:
        if item.declared is None:
            continue
        if item.declared in first_file:
            agency_id, year = item.declared
            diagnostics.append(
                Diagnostic(
                    item.source_path,
                    1,
                    1,
                    ERROR,
                    "duplicate",
                    f"{agency_id} 的 {year} 年度报告重复（{first_file[item.declared]} 已有）",
                    "每个机构每个年度只能有一份报告",
                )
            )
        else:
            first_file[item.declared] = item.source_path
    by_key = {(i.report.agency.id, i.report.year): i for i in loaded if i.report is not None}
    reports: list[Report] = []
    for (agency_id, year), item in sorted(by_key.items()):
        report = item.report
        previous = by_key.get((agency_id, year - 1))
        cross = across(item, previous) if previous is not None else ()
        broken = {f.id: f for f in cross if f.broken}
        resolved = []
        for f in cross:
            note = None
            if f.id in item.ack_positions and f.broken:
                # find the note text of this acknowledgement
                note = next(a.note for a in report.acknowledged if a.rule == f.id)
            resolved.append(replace(f, acknowledged=note))
            diagnostics.extend(_finding_diagnostic(report, resolved[-1], _anchor_position(item, f.anchor)))
        for rule_id, pos in item.ack_positions.items():
            if rule_id not in broken:
                diagnostics.append(_unmatched_ack(report, rule_id, pos))
        reports.append(replace(report, findings=report.findings + tuple(resolved)) if resolved else report)
    return reports, diagnostics
