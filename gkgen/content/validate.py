"""Validate one report's YAML against its format and turn it into a model Report.

Everything is driven by the format description (gkgen/formats): which table
rows exist, how many columns each has, what kind of value each cell holds.
Every problem is collected at the position of the offending value.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from decimal import Decimal

from gkgen import formats
from gkgen.content.checks import Checker, type_name
from gkgen.content.diagnostics import ERROR, WARNING, Diagnostic
from gkgen.content.yamlpos import Document, Path
from gkgen.formats import ACTIVE, COUNT, EXTRA_CODE, MONEY, SIGNED, TABLES, Column, Format, rules
from gkgen.model import Acknowledgement, Agency, ExtraRow, Report, Value, money_text

AGENCY_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])\Z")  # \Z, not $: no "id\n"
FIRST_YEAR = 2008
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# Money as decimal text: ASCII digits only (\d would take full-width and Arabic-Indic digits too), no
# leading zeros, no sign, no exponent.
_MONEY_TEXT = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
# Bounds no published report comes near (see README, "Values"): a count above 10^9 is a typo or a
# hostile file, and stays well inside SQLite's 64-bit integers and JavaScript's exact integers. Money:
# 15 whole digits is 10^15 (more than any budget, in 元 or 万元), 6 decimals of 万元 is 0.01 元 (a 分).
MAX_COUNT = 10**9
MONEY_WHOLE_DIGITS = 15
MONEY_FRACTION_DIGITS = 6
_URL = re.compile(r"https?://[^\s<>\"\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+\Z")

TOP_REQUIRED = ("agency", "year", "format", "title", "published", "source", "entered_by")
TOP_OPTIONAL = (
    "notes",
    "method",
    "doubts",
    "no_tables",
    "format_note",
    *TABLES,
    "active_extra",
    "acknowledged",
)
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


CHINA_TIME = dt.timezone(dt.timedelta(hours=8))  # the reports' dates are dates in China


def build_date() -> dt.date:
    """The day of this build, in China: from SOURCE_DATE_EPOCH when set (reproducible builds), else today.

    No report can have been published after it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        if epoch.isascii() and epoch.isdigit() and len(epoch) <= 12
        else dt.datetime.now(dt.UTC)
    )
    return moment.astimezone(CHINA_TIME).date()


def current_year() -> int:
    return build_date().year


class ReportValidator(Checker):
    def __init__(
        self,
        doc: Document,
        shown: str,
        agencies: dict[str, Agency],
        path_agency: str,
        path_year: str,
        max_year: int,
        today: dt.date | None = None,
    ):
        super().__init__(doc, shown)
        self.today = today or build_date()
        self.agencies = agencies
        self.path_agency = path_agency
        self.path_year = path_year
        self.max_year = max_year

    # -- cells ----------------------------------------------------------------------------------

    def cell(self, value: object, column: Column, path: Path, where: str) -> Value:
        if value is None:
            return None
        if column.kind == MONEY:
            return self.money(value, path, where)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            hint = (
                "数字不要加引号"
                if isinstance(value, str) and value.strip().lstrip("-").isdigit()
                else ("原报告空白、“/”或“—”的单元格写 null，不要写 0")
            )
            self.error(path, "type", f"{where}应为整数，实际是{type_name(value)} {value!r}", hint)
            return None
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                self.error(path, "value", f"{where}是件数，不能是小数：{value}")
                return None
            value = int(value)
        if value < 0 and column.kind == COUNT:
            self.error(
                path,
                "value",
                f"{where}是件数，不能为负数：{value}",
                "只有 2019 年版格式的“本年增/减”可以为负",
            )
            return None
        if abs(value) > MAX_COUNT:
            self.error(
                path,
                "value",
                f"{where}超出了件数的合理范围（绝对值不超过 10 亿）：{value}",
                "请核对原报告；常见原因是多打了数字或把金额填进了件数",
            )
            return None
        assert column.kind in (COUNT, SIGNED)
        return value

    def money(self, value: object, path: Path, where: str) -> str | None:
        """A money amount as exact decimal text, within the digits a published amount can have."""
        text = None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            text = str(value)
        elif isinstance(value, Decimal) and value >= 0 and not value.is_signed():
            text = money_text(value)
        elif isinstance(value, str) and _MONEY_TEXT.fullmatch(value.strip()):
            text = value.strip()
        if text is None:
            self.error(
                path,
                "value",
                f'{where}应为不小于 0 的金额（如 "24252.311082"），实际是 {_as_written(value)}',
                "金额请照原报告写成带引号的小数文字；空白或“/”写 null",
            )
            return None
        whole, _, fraction = text.partition(".")
        if len(whole) > MONEY_WHOLE_DIGITS or len(fraction) > MONEY_FRACTION_DIGITS:
            self.error(
                path,
                "value",
                f"{where}的位数超出了金额的合理范围（整数部分最多 {MONEY_WHOLE_DIGITS} 位，"
                f"小数部分最多 {MONEY_FRACTION_DIGITS} 位）：{text}",
                "请核对原报告的金额和单位",
            )
            return None
        return text

    def row(self, values: object, columns: tuple[Column, ...], path: Path, where: str) -> list[Value]:
        if not isinstance(values, list):
            self.error(
                path,
                "type",
                f"{where}应为 {len(columns)} 个值的列表 [...]，实际是{type_name(values)}",
                "按原表格从左到右的顺序写：" + "、".join(c.label for c in columns),
            )
            return [None] * len(columns)
        if len(values) != len(columns):
            self.error(
                path,
                "row-length",
                f"{where}应有 {len(columns)} 个值，实际有 {len(values)} 个",
                "按原表格从左到右的顺序写：" + "、".join(c.label for c in columns),
            )
            return [None] * len(columns)
        return [
            self.cell(v, c, (*path, i), f"{where}第 {i + 1} 列（{c.label}）")
            for i, (v, c) in enumerate(zip(values, columns, strict=True))
        ]

    def table(self, data: dict, key: str, rows: list[tuple[str, str, tuple[Column, ...]]]) -> dict[str, list]:
        """Read one table block: a mapping of row key → list of values in printed column order."""
        block = data.get(key)
        found: dict[str, list] = {}
        if block is None:
            if key in data:
                self.error((key,), "type", f"`{key}` 表格不能为空")
            return found
        block = self.mapping(block, (key,), f"`{key}` 表格")
        if block is None:
            return found
        known = {r[0]: r for r in rows}
        self.keys(
            block, (key,), known, (), f"`{key}` 表格", "表格的每一行都要填写；原报告空白的单元格写 null"
        )
        for row_key, label, columns in rows:
            if row_key in block:
                found[row_key] = self.row(block[row_key], columns, (key, row_key), f"“{label}”")
        return found

    # -- the whole report -----------------------------------------------------------------------

    def run(self, narrative: tuple[tuple[str, str], ...]) -> Report | None:
        data = self.mapping(self.doc.value, (), "报告文件")
        self.document_problems()
        if data is None:
            return None
        self.keys(data, (), TOP_REQUIRED, TOP_OPTIONAL, "报告")

        agency = self.agency(data)
        year = self.year(data)
        fmt = self.format(data, year)
        title = self.text(data.get("title"), ("title",), "title（报告标题）") if "title" in data else None
        published = self.published(data, year)
        source_url, source_title, archived, sha256 = self.source(data)
        entered_by = (
            self.text(data.get("entered_by"), ("entered_by",), "entered_by（录入人）")
            if "entered_by" in data
            else None
        )
        notes = self.text(data.get("notes"), ("notes",), "notes", nullable=True)
        method = self.text(data.get("method"), ("method",), "method（录入与核对方式）", nullable=True)
        format_note = self.text(data.get("format_note"), ("format_note",), "format_note", nullable=True)
        values, extras = self.tables(data, fmt) if fmt else ((), ())
        no_tables = self.no_tables(data, values, extras)
        doubts = self.doubts(data, fmt)
        acknowledged = self.acknowledged(data)

        if any(d.severity == ERROR for d in self.diagnostics):
            return None
        assert agency and year and fmt and title and entered_by
        cells = dict(zip(fmt.codes, values, strict=True))
        return Report(
            agency=agency,
            year=year,
            format=fmt,
            title=title,
            published=published,
            source_url=source_url,
            source_title=source_title,
            source_archived=archived,
            source_sha256=sha256,
            entered_by=entered_by,
            method=method,
            format_note=format_note,
            notes=notes,
            doubts=tuple(doubts),
            no_tables=no_tables,
            values=tuple(values),
            extras=tuple(extras),
            narrative=narrative,
            acknowledged=tuple(acknowledged),
            # A report declared to have no table numbers has nothing to reconcile.
            findings=tuple(rules.check_report(fmt, cells)) if no_tables is None else (),
            source_path=self.shown,
        )

    def agency(self, data: dict) -> Agency | None:
        if "agency" not in data:
            return None
        value = data["agency"]
        if not isinstance(value, str) or not AGENCY_ID.match(value):
            self.error(
                ("agency",), "type", f"agency 应为机构编号（小写字母、数字和连字符），实际是 {value!r}"
            )
            return None
        if value != self.path_agency:
            self.error(
                ("agency",),
                "path",
                f"agency `{value}` 与文件所在目录 `{self.path_agency}` 不一致",
                f"报告应放在 content/reports/{value}/ 下",
            )
        found = self.agencies.get(value)
        if found is None:
            self.error(
                ("agency",),
                "agency",
                f"机构编号 `{value}` 不在机构名录（content/agencies/）中",
                "请先在 content/agencies/ 的名录中添加该机构",
            )
        return found

    def year(self, data: dict) -> int | None:
        if "year" not in data:
            return None
        value = data["year"]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(("year",), "type", f"year 应为四位整数年份，实际是{type_name(value)} {value!r}")
            return None
        if not FIRST_YEAR <= value <= self.max_year:
            self.error(
                ("year",),
                "year",
                f"年份 {value} 不在 {FIRST_YEAR}—{self.max_year} 之间",
                "年度报告自 2008 年起发布；year 是报告所述的年度，不是发布年份",
            )
            return None
        if str(value) != self.path_year:
            self.error(("year",), "path", f"year {value} 与文件名 `{self.path_year}.yaml` 不一致")
        return value

    def format(self, data: dict, year: int | None) -> Format | None:
        if "format" not in data:
            return None
        value = data["format"]
        fmt = (
            formats.get(str(value)) if isinstance(value, int | str) and not isinstance(value, bool) else None
        )
        if fmt is None:
            known = "、".join(f'"{f}"' for f in formats.all_formats())
            self.error(("format",), "format", f"未知的表格格式 {value!r}", f"可用的格式：{known}")
            return None
        if year is not None and not fmt.fits_year(year) and not self.old_format_explained(data, fmt, year):
            expected = formats.format_for_year(year)
            hint = f'{year} 年度的报告应使用 format: "{expected.id}"（{expected.name}）' if expected else ""
            hint += "；若原报告确实沿用了旧版表格，请保留其格式并在 format_note 中说明"
            self.error(("format",), "format", f"{year} 年度的报告不能使用 {fmt.name}（{fmt.notice}）", hint)
            return None
        return fmt

    def old_format_explained(self, data: dict, fmt: Format, year: int) -> bool:
        """A body that kept printing the previous format's tables after it was replaced: kept as
        published when the editor says so (format_note). A format from the future never is."""
        return bool(data.get("format_note")) and fmt.first_year <= year

    def published(self, data: dict, year: int | None) -> str | None:
        value = data.get("published")
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            self.error(("published",), "type", f"published 应为日期 YYYY-MM-DD 或 null，实际是 {value!r}")
            return None
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            self.error(("published",), "value", f"published 不是有效日期：{value}")
            return None
        if date > self.today:
            self.error(
                ("published",),
                "value",
                f"published {value} 晚于本次构建的日期 {self.today.isoformat()}：报告不可能在将来发布",
                "请核对发布日期（年份是否写错）",
            )
            return None
        if year is not None and date.year <= year:
            self.error(
                ("published",),
                "value",
                f"{year} 年度的报告不可能在 {value} 发布",
                "published 是发布日期，应在报告年度之后",
                severity=WARNING,
            )
        return value

    def source(self, data: dict) -> tuple[str | None, str | None, str | None, str | None]:
        """The original's URL and title, where a copy is archived, and the SHA-256 of the text entered from."""
        if "source" not in data:
            return None, None, None, None
        source = self.mapping(data["source"], ("source",), "source（来源）")
        if source is None:
            return None, None, None, None
        self.keys(source, ("source",), ("url", "title"), ("archived", "sha256"), "source（来源）")
        url = self.web_address(source, "url")
        title = self.text(source.get("title"), ("source", "title"), "source.title", nullable=True)
        archived = self.web_address(source, "archived")
        sha256 = self.text(source.get("sha256"), ("source", "sha256"), "source.sha256", nullable=True)
        if sha256 is not None and not _SHA256.match(sha256):
            self.error(("source", "sha256"), "value", "source.sha256 应为 64 位小写十六进制的 SHA-256 摘要")
            sha256 = None
        return url, title, archived, sha256

    def web_address(self, source: dict, key: str) -> str | None:
        url = self.text(source.get(key), ("source", key), f"source.{key}", nullable=True)
        if url is not None and not _URL.match(url):
            self.error(("source", key), "value", f"source.{key} 应为 http:// 或 https:// 网址：{url}")
            return None
        return url

    def doubts(self, data: dict, fmt: Format | None) -> list[tuple[str, str]]:
        """Cells the importer was unsure of, each with how the editor settled it (code → note)."""
        value = data.get("doubts")
        if value is None:
            return []
        mapping = self.mapping(value, ("doubts",), "doubts（存疑单元格及核对结果）")
        if mapping is None:
            return []
        settled = []
        for code, note in mapping.items():
            path = ("doubts", code)
            if fmt is not None and code not in fmt.codes and not EXTRA_CODE.match(str(code)):
                self.error(path, "key", f"doubts 中的 `{code}` 不是本格式的单元格编号")
                continue
            text = self.text(note, path, f"doubts.{code}")
            if text:
                settled.append((code, text))
        return settled

    def no_tables(self, data: dict, values: Sequence[Value], extras: Sequence[ExtraRow]) -> str | None:
        """A report whose every table cell is blank publishes a page of dashes: an error, unless the
        editor declares that the body published no table numbers (``no_tables: <reason>``)."""
        reason = None
        if "no_tables" in data:
            reason = self.text(data["no_tables"], ("no_tables",), "no_tables（原报告没有表格数字的原因）")
        if not values:
            return reason
        filled = sum(v is not None for v in values) + sum(v is not None for e in extras for v in e.values)
        if not filled and reason is None:
            self.error(
                ("requests",) if "requests" in data else (),
                "empty-tables",
                f"表格的 {len(values)} 个单元格全部空白：发布的页面将只有“—”",
                "如果原报告确实没有公布任何表格数字，请加上 `no_tables: <原因>`（如“原报告只有文字，未附表格”）；"
                "否则请录入表格",
                key=True,
            )
        if filled and reason is not None:
            self.error(
                ("no_tables",),
                "no-tables",
                f"声明了 no_tables（原报告没有表格数字），但表格中有 {filled} 个数字",
                "删去 no_tables，或核对表格",
                key=True,
            )
        return reason

    def tables(self, data: dict, fmt: Format) -> tuple[list[Value], list[ExtraRow]]:
        present = {k for k in TABLES if k in data}
        if not fmt.has_tables:
            for key in sorted(present):
                self.error((key,), "format", f"格式 {fmt.id} 没有统一表格，不应有 `{key}`")
            return [], []
        for key in TABLES:
            if key not in data:
                self.error((), "missing-key", f"报告缺少必需的键 `{key}`（{fmt.name}的表格）")
        # A row is named by its full label (in 三 with its group: "（三）不予公开 1.属于国家秘密").
        blocks = {
            table: self.table(
                data, table, [(tr.key, tr.row.full_label, tr.columns) for tr in fmt.table_rows(table)]
            )
            for table in TABLES
        }
        values: list[Value] = []
        for cell in fmt.cells:
            row = blocks[cell.section].get(cell.row)
            values.append(row[fmt.position(cell.code)[2]] if row else None)
        return values, self.extras(data, fmt)

    def extras(self, data: dict, fmt: Format) -> list[ExtraRow]:
        value = data.get("active_extra")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(("active_extra",), "type", "active_extra 应为列表")
            return []
        rows = {tr.key: tr.columns for tr in fmt.table_rows(ACTIVE)}
        extras = []
        for i, item in enumerate(value):
            path = ("active_extra", i)
            item = self.mapping(item, path, "active_extra 的每一项")
            if item is None:
                continue
            self.keys(item, path, ("label", "group", "values"), (), "active_extra 的一项")
            label = self.text(item.get("label"), (*path, "label"), "label")
            group = item.get("group")
            if not isinstance(group, str) or group not in rows:  # a list or mapping is not hashable
                self.error(
                    (*path, "group"),
                    "value",
                    f"group {group!r} 不是本格式第二部分的行",
                    f"可用：{', '.join(rows)}",
                )
                continue
            cells = self.row(item.get("values"), rows[group], (*path, "values"), f"增加行“{label}”")
            if label:
                extras.append(ExtraRow(label, group, tuple(cells)))
        return extras

    def acknowledged(self, data: dict) -> list[Acknowledgement]:
        value = data.get("acknowledged")
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(("acknowledged",), "type", "acknowledged 应为列表（每项含 rule 和 note）")
            return []
        found = []
        for i, item in enumerate(value):
            path = ("acknowledged", i)
            item = self.mapping(item, path, "acknowledged 的每一项")
            if item is None:
                continue
            self.keys(item, path, ("rule", "note"), (), "acknowledged 的一项")
            rule = self.text(item.get("rule"), (*path, "rule"), "rule") if "rule" in item else None
            note = self.text(item.get("note"), (*path, "note"), "note（说明）") if "note" in item else None
            if rule and note:
                found.append(Acknowledgement(rule, note))
        return found


def _as_written(value: object) -> str:
    """A value in a message as the editor wrote it: 1.50, not Decimal('1.50')."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def validate_report(
    doc: Document,
    shown: str,
    agencies: dict[str, Agency],
    path_agency: str,
    path_year: str,
    narrative: tuple[tuple[str, str], ...],
    max_year: int,
    today: dt.date | None = None,
) -> tuple[Report | None, list[Diagnostic]]:
    validator = ReportValidator(doc, shown, agencies, path_agency, path_year, max_year, today)
    report = validator.run(narrative)
    return report, validator.diagnostics


def cell_path(fmt: Format, code: str) -> Path:
    """Where a cell is written in the report YAML: (table, row, column index)."""
    return fmt.position(code)
