"""The agency registry: content/agencies/*.yaml, each a list of bodies."""

from __future__ import annotations

import re
from pathlib import Path

from gkgen.content import yamlpos
from gkgen.content.checks import Checker, syntax_diagnostic
from gkgen.content.diagnostics import ERROR, Diagnostic
from gkgen.content.files import name_problem, read_text, symlink_diagnostic
from gkgen.content.validate import AGENCY_ID
from gkgen.model import LEVELS, Agency, LocalDeadline

REQUIRED = ("id", "name", "province", "level")
OPTIONAL = ("short_name", "city", "county", "region_code", "notes", "former_names", "deadline")
_REGION_CODE = re.compile(r"[0-9]{6}\Z")
_MONTH_DAY = re.compile(r"([0-9]{2})-([0-9]{2})\Z")
# A deadline must exist every year: no 02-29.
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # fmt: skip


def registry_files(root: Path) -> list[Path]:
    """The registry's files; a symlink (or a symlinked folder) is never among them, see ``refused_files``."""
    folder = root / "content" / "agencies"
    if folder.parent.is_symlink() or folder.is_symlink() or not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.yaml") if not p.is_symlink() and name_problem(p.name) is None)


def refused_files(root: Path) -> list[Diagnostic]:
    """Registry files that are not read: symlinks (they may lead outside the archive) and bad names."""
    folder = root / "content" / "agencies"
    if folder.is_symlink() or not folder.is_dir():
        return []  # a symlinked folder is reported with content/ itself
    problems = []
    for path in sorted(folder.iterdir()):
        shown = f"content/agencies/{path.name}"
        if path.is_symlink():
            problems.append(symlink_diagnostic(shown))
        elif (why := name_problem(path.name)) is not None:
            problems.append(Diagnostic(shown, 0, 0, ERROR, "path", f"文件名不可用：{why}"))
    return problems


def load_agencies(root: Path) -> tuple[dict[str, Agency], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    agencies: dict[str, Agency] = {}
    first_seen: dict[str, str] = {}
    files = registry_files(root)
    diagnostics.extend(refused_files(root))
    if not files:
        diagnostics.append(
            Diagnostic(
                "content/agencies",
                0,
                0,
                ERROR,
                "agency",
                "没有机构名录：content/agencies/ 下应有至少一个 .yaml 文件",
            )
        )
    for path in files:
        shown = path.relative_to(root).as_posix()
        text_file, problem = read_text(path, shown)
        if problem:
            diagnostics.append(problem)
            continue
        try:
            doc = yamlpos.parse(text_file.text)
        except yamlpos.YamlSyntaxError as exc:
            diagnostics.append(syntax_diagnostic(exc, shown))
            continue
        checker = Checker(doc, shown)
        checker.document_problems()
        items = doc.value if doc.value is not None else []
        if not isinstance(items, list):
            checker.error((), "type", "机构名录文件应为列表（每项以 `- id:` 开头）")
            items = []
        for i, item in enumerate(items):
            agency = _agency(checker, item, (i,))
            if agency is None:
                continue
            if agency.id in agencies:
                checker.error(
                    (i, "id"), "duplicate", f"机构编号 `{agency.id}` 重复（{first_seen[agency.id]} 已有）"
                )
                continue
            agencies[agency.id] = agency
            pos = doc.position((i, "id"))
            first_seen[agency.id] = f"{shown}:{pos.line}"
        diagnostics.extend(checker.diagnostics)
    return agencies, diagnostics


def _agency(c: Checker, item: object, path: tuple) -> Agency | None:
    item = c.mapping(item, path, "机构名录的每一项")
    if item is None:
        return None
    before = len(c.diagnostics)
    c.keys(item, path, REQUIRED, OPTIONAL, "机构")
    agency_id = item.get("id")
    if "id" in item and (not isinstance(agency_id, str) or not AGENCY_ID.match(agency_id)):
        c.error(
            (*path, "id"),
            "value",
            f"机构编号应为 3—64 位小写字母、数字和连字符，实际是 {agency_id!r}",
            "例如 410204-wuyi（行政区划代码-拼音）",
        )
    name = c.text(item.get("name"), (*path, "name"), "name（全称）") if "name" in item else None
    short = c.text(item.get("short_name"), (*path, "short_name"), "short_name", nullable=True)
    province = c.text(item.get("province"), (*path, "province"), "province（省）", nullable=True)
    city = c.text(item.get("city"), (*path, "city"), "city（市）", nullable=True)
    county = c.text(item.get("county"), (*path, "county"), "county（区县）", nullable=True)
    notes = c.text(item.get("notes"), (*path, "notes"), "notes", nullable=True)
    code = item.get("region_code")
    if code is not None and not (isinstance(code, str) and _REGION_CODE.match(code)):
        c.error(
            (*path, "region_code"),
            "value",
            f"region_code 应为带引号的 6 位行政区划代码，实际是 {code!r}",
            '例如 region_code: "410204"（加引号，以免开头的 0 丢失）',
        )
    level = item.get("level")
    if "level" in item and level not in LEVELS:
        c.error((*path, "level"), "value", f"未知的机构层级 {level!r}", f"可用：{'、'.join(LEVELS)}")
    former = _former_names(c, item.get("former_names"), (*path, "former_names"))
    deadline = _deadline(c, item["deadline"], (*path, "deadline")) if "deadline" in item else None
    if len(c.diagnostics) > before:
        return None
    return Agency(agency_id, name, short, province, city, county, code, level, notes, former, deadline)


def _former_names(c: Checker, value: object, path: tuple) -> tuple[tuple[str, int], ...]:
    """``former_names: [{name: …, until: 2023}]``: each former name and its last report year."""
    if value is None:
        return ()
    if not isinstance(value, list):
        c.error(
            path,
            "type",
            "former_names 应为列表，每项含 name（曾用名）和 until（使用该名称的最后一个报告年度）",
        )
        return ()
    found = []
    for i, item in enumerate(value):
        item = c.mapping(item, (*path, i), "former_names 的每一项")
        if item is None:
            continue
        c.keys(item, (*path, i), ("name", "until"), (), "曾用名")
        name = c.text(item.get("name"), (*path, i, "name"), "name（曾用名）") if "name" in item else None
        until = item.get("until")
        if "until" in item and (
            isinstance(until, bool) or not isinstance(until, int) or not 1990 <= until <= 2100
        ):
            c.error((*path, i, "until"), "value", f"until 应为报告年度（如 2023），实际是 {until!r}")
            until = None
        if name and isinstance(until, int):
            found.append((name, until))
    return tuple(sorted(found, key=lambda f: f[1]))


def _deadline(c: Checker, value: object, path: tuple) -> LocalDeadline | None:
    """A local rule's publication deadline: ``date: "MM-DD"`` of the year after the report's, and its basis."""
    item = c.mapping(value, path, "deadline（地方规定的发布期限）")
    if item is None:
        return None
    c.keys(item, path, ("date", "basis"), (), "deadline")
    basis = (
        c.text(item.get("basis"), (*path, "basis"), "basis（规定的名称和条款）") if "basis" in item else None
    )
    date = item.get("date")
    match = _MONTH_DAY.match(date) if isinstance(date, str) else None
    month, day = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if "date" in item and not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
        c.error(
            (*path, "date"),
            "value",
            f"deadline.date 应为带引号的“月-日”，实际是 {date!r}",
            '例如 date: "01-31"（报告年度次年的 1 月 31 日）',
        )
        return None
    if "date" not in item or not basis:
        return None
    return LocalDeadline(month, day, basis)
