"""Import a published report (text, web page, Word, PDF or interchange JSON).

``import_file(path)`` reads the file into rows of cells (``sources``), finds the six
sections (``sections``), the title, body, year and date (``meta``), places every
table number on its cell code (``tables``, with ``labels`` for loose label matching
and ``digits`` for run-together numbers) and keeps the narrative (``narrative``).
It never guesses silently: a cell the text and the rules do not decide is ``null``
and listed in ``doubts`` with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gkgen import formats
from gkgen.authoring.importer import meta, narrative, region, sections, sources, tables
from gkgen.authoring.importer.agency import derive_id, level_of
from gkgen.authoring.importer.sources import Row, SourceError
from gkgen.authoring.importer.text import key
from gkgen.content.narrative import REQUIRED_PLACEHOLDER
from gkgen.formats.rules import equations
from gkgen.formats.sections import HEADINGS as SECTION_HEADINGS
from gkgen.formats.sections import REQUIRED as REQUIRED_SECTIONS

__all__ = ["ImportResult", "import_file"]

# Keys of the interchange JSON that the content files keep (beyond cells and narrative).
_PASS_THROUGH = (
    "title", "published", "source", "entered_by", "method", "format_note", "notes", "acknowledged", "active_extra",
)  # fmt: skip


@dataclass
class ImportResult:
    path: Path
    doc: dict = field(default_factory=dict)
    doubts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    agency: dict = field(default_factory=dict)  # registry entry proposed for a new agency

    @property
    def ok(self) -> bool:
        return not self.errors


# No published report comes near this; a larger file is not a report (and would take minutes).
MAX_BYTES = 20 * 1024 * 1024

# How the numbers were entered, by the kind of file they came from (said on the report's page).
_ENTERED_FROM = {
    "txt": "由原报告的文本导入",
    "html": "由原网页导入",
    "docx": "由原报告的 Word 文档导入",
    "pdf": "由原报告的 PDF 文件导入",
}


def import_file(path: Path | str, *, agency_id: str | None = None, year: int | None = None) -> ImportResult:
    path = Path(path)
    result = ImportResult(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            result.errors.append(
                f"文件有 {size // 1024 // 1024} MB，超过 {MAX_BYTES // 1024 // 1024} MB：不像一份年度报告"
            )
            return result
        if path.suffix.lower() == ".json":
            return _import_json(path, agency_id=agency_id, year=year)
        src = sources.read(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except SourceError as exc:
        result.errors.append(str(exc))
        return result
    except OSError as exc:
        result.errors.append(f"无法读取文件：{exc.strerror or exc}")
        return result
    except RecursionError:
        result.errors.append("文件结构嵌套过深，无法作为年度报告读取")
        return result
    result.warnings.extend(src.warnings)
    if src.errors:
        result.errors.extend(src.errors)
        return result
    _import_rows(result, src, agency_id=agency_id, year=year)
    if result.errors:  # nothing half-made leaves the importer
        result.doc, result.doubts, result.agency = {}, {}, {}
        return result
    if result.doc:
        result.doc["source"]["sha256"] = digest
        fmt = formats.get(result.doc["format"])
        how = _ENTERED_FROM.get(src.kind, "由原报告导入")
        if fmt is not None and fmt.has_tables:
            how += "，表格数字按表格的行列结构和勾稽关系读取"
            if result.doubts:
                how += f"；{len(result.doubts)} 个单元格导入时无法确定，待对照原件核对"
        result.doc["method"] = how
    return result


# --------------------------------------------------------------------------- documents


def _drop_debris(rows: list[Row], kind: str) -> list[Row]:
    out = []
    for row in rows:
        if len(row) == 1:
            t = row[0].strip()
            if re.fullmatch(r"[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?", t):
                continue
            if kind == "pdf" and re.fullmatch(r"\d{1,3}", t):
                continue
        out.append(row)
    return out


def _import_rows(
    result: ImportResult, src: sources.Source, *, agency_id: str | None, year: int | None
) -> ImportResult:
    rows = _drop_debris(src.rows, src.kind)
    if not any(c.strip() for r in rows for c in r):
        result.errors.append("文件中没有文字内容")
        return result
    headings = sections.find(rows)
    found_keys = [h.key for h in headings]
    missing = [k for k in REQUIRED_SECTIONS if k not in found_keys]
    if missing:
        result.warnings.append("没有找到这些部分的标题：" + "、".join(SECTION_HEADINGS[k] for k in missing))
    spans = sections.regions(rows, headings)
    first = sections.preamble_end(headings)
    head_rows = sections.slice_rows(rows, None, first) if first else rows[:5]

    # Title, body, year, date.
    title, title_rows = meta.title(head_rows)
    if title is None and src.meta.get("标题"):
        title = src.meta["标题"]
    if title is None and head_rows:
        title = meta.inline_title(" ".join(head_rows[0]))
    name = meta.full_name(meta.body_name(title), rows)
    found_year, year_from = meta.year(title, rows)
    if year is None:
        year = found_year
        if year is None:
            result.errors.append("无法确定报告年度：请用 --year 指定")
            return result
        if year_from != "标题":
            result.warnings.append(f"报告年度 {year} 取自{year_from}，请核对")
    published = meta.published(src.meta, rows)

    # Format: from the tables' own words, then the year.
    fmt, why = _detect_format(rows, spans, year)
    if why:
        result.warnings.append(why)

    placed = tables.Placed()
    table_formats = [f for f in formats.all_formats().values() if f.has_tables]
    if fmt.has_tables:
        tables.place_active(fmt, sections.slice_rows(rows, *spans["active"]), placed, table_formats)
        tables.place_requests(fmt, sections.slice_rows(rows, *spans["requests"]), placed, table_formats)
        tables.place_appeals(fmt, sections.slice_rows(rows, *spans["appeals"]), placed)
        if placed.found_rows == 0:
            # Whatever --year says: a text with not one row of the official tables is not a report
            # to import (random bytes, a page that carries only its title, a document without tables).
            result.errors.append(
                "没有识别出官方表格的任何一行（如“规章”“本年新收政府信息公开申请数量”“行政复议”）："
                "这份文件不像一份含表格的政府信息公开工作年度报告，未导入；"
                "原报告确实没有表格的，请手工建立报告并在 notes 中说明"
            )
            return result
        result.warnings.extend(placed.warnings)
        for rule in _broken_rules(fmt, placed.cells):
            result.warnings.append(
                f"勾稽关系 {rule} 不平衡：请对照原件确认；若原报告如此，在 acknowledged 中说明"
            )

    # Narrative.
    wrapped = src.kind == "pdf"
    pre_rows = head_rows[title_rows:] if title_rows else head_rows
    preamble = narrative.markdown(pre_rows, wrapped=wrapped)
    inline = meta.inline_title(preamble)
    for t in (title, inline):
        if t and preamble.startswith(t):
            preamble = preamble[len(t) :].lstrip()
    story = {"preamble": preamble or None}
    for k in REQUIRED_SECTIONS:  # the tables' sections are read as tables, not as text
        body = (
            narrative.markdown(sections.slice_rows(rows, *spans[k]), wrapped=wrapped)
            if k in found_keys
            else ""
        )
        if k not in found_keys:
            body = EMPTY_MISSING
        elif not body:
            body = EMPTY_SECTION
            result.warnings.append(
                f"「{SECTION_HEADINGS[k]}」部分在原文中没有文字，已写“{EMPTY_SECTION}”；请对照原件确认"
            )
        story[k] = body
    if story["preamble"] is None:
        del story["preamble"]

    full_text = " ".join(" ".join(r) for r in rows)
    page = " ".join(v for k, v in src.meta.items() if k in ("标题", "页面标题", "来源", "发布机构"))
    place = region.infer(name, title, f"{page} {full_text}")
    result.warnings.extend(place.warnings)
    level, level_sure = level_of(name, place.rank)
    level_sure = level_sure and (place.from_name or level in ("街道", "乡镇"))
    aid = agency_id or derive_id(name or result.path.stem, place.id_prefix, place.prefix_len)
    doc = {
        "agency": {"id": aid, "name": name, "region_code": place.code, "region": place.text},
        "year": year,
        "format": fmt.id,
        "title": title,
        "published": published,
        "source": {
            "url": src.meta.get("原文链接"),
            "title": src.meta.get("标题") or src.meta.get("页面标题"),
        },
        "cells": {code: placed.cells.get(code) for code in fmt.codes},
        "narrative": story,
        "acknowledged": [],
    }
    if placed.extra:
        doc["active_extra"] = placed.extra
    result.doc = doc
    result.doubts = {
        c: placed.doubts[c]
        for c in [*fmt.codes, *sorted(set(placed.doubts) - set(fmt.codes))]
        if c in placed.doubts
    }
    if name and not level_sure:
        result.warnings.append(f"机构层级按名称「{name}」推断为「{level}」，不确定，请核对")
    how = place.how or "未能确定"
    code_note = "" if place.code else "；行政区划代码未定，待补"
    result.agency = {
        "id": aid,
        "name": name,
        "short_name": None,  # how the body names itself: for an editor to fill in
        "province": place.province,
        "city": place.city,
        "county": place.county,
        "region_code": place.code,
        "level": level,
        "notes": f"由导入程序根据《{title or result.path.name}》建立；地区：{how}{code_note}",
    }
    if name is None and agency_id is None:
        result.errors.append("无法从标题或正文确定机构名称：请用 --agency 指定机构编号")
    return result


EMPTY_SECTION = REQUIRED_PLACEHOLDER  # what `gkgen check` accepts for a section the original left empty
EMPTY_MISSING = "（导入时未找到本节，请对照原件补录）"


def _detect_format(rows: list[Row], spans, year: int) -> tuple[formats.Format, str | None]:
    table_formats = [f for f in formats.all_formats().values() if f.has_tables]
    start = spans["active"][0] or spans["requests"][0]
    end = spans["problems"][0] if spans["problems"][0] else None
    text = key(" ".join(" ".join(r) for r in sections.slice_rows(rows, start, end)))
    words: dict[str, set[str]] = {}
    for f in table_formats:
        ws = set()
        for g in f.active_groups:
            ws.update(key(c.label) for c in g.columns)
            ws.update(key(r.label) for r in g.rows)
        ws.update(key(r.label) for r in f.request_rows)
        words[f.id] = {w for w in ws if len(w) >= 4}
    scores = {}
    for f in table_formats:
        own = words[f.id] - set().union(*(words[o.id] for o in table_formats if o is not f))
        scores[f.id] = sum(1 for w in own if w in text)
    by_year = formats.format_for_year(year)
    best = max(scores.values()) if scores else 0
    if best == 0:
        if by_year is not None and not by_year.has_tables:
            return by_year, None
        fmt = by_year if by_year is not None and by_year.has_tables else table_formats[-1]
        return fmt, f"表格格式无法从表头判断，按年度 {year} 取 {fmt.id} 版格式"
    top = [fid for fid, s in scores.items() if s == best]
    if len(top) > 1:
        fmt = by_year if by_year is not None and by_year.id in top else formats.get(top[0])
        return fmt, f"表格格式难以从表头判断（{scores}），按年度取 {fmt.id} 版"
    fmt = formats.get(top[0])
    if by_year is not None and by_year.id != fmt.id:
        return fmt, f"{year} 年度的报告使用了 {fmt.id} 版表格格式（按表头判断；规定应为 {by_year.id} 版）"
    return fmt, None


def _broken_rules(fmt: formats.Format, cells: dict) -> list[str]:
    """The places a reconciliation rule is broken by the numbers as placed (the validator's rules)."""
    return [eq.id for eq in equations(fmt) if eq.holds(cells) is False]


# --------------------------------------------------------------------------- interchange JSON


def _import_json(path: Path, *, agency_id: str | None, year: int | None) -> ImportResult:
    result = ImportResult(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.errors.append(f"无法读取 JSON：{exc}")
        return result
    except RecursionError:
        result.errors.append("JSON 嵌套过深，不是报告的交换格式")
        return result
    if not isinstance(data, dict):
        result.errors.append("JSON 应为一个报告对象（interchange 格式）")
        return result
    return from_interchange(data, result, agency_id=agency_id, year=year)


def from_interchange(
    data: dict, result: ImportResult, *, agency_id: str | None = None, year: int | None = None
):
    fmt = formats.get(str(data.get("format")))
    if fmt is None:
        result.errors.append(f"未知的表格格式 {data.get('format')!r}")
        return result
    agency = data.get("agency")
    if isinstance(agency, str):
        agency = {"id": agency}
    if not isinstance(agency, dict):
        agency = {}
    agency = dict(agency)
    if agency_id:
        agency["id"] = agency_id
    if not agency.get("id"):
        agency["id"] = derive_id(agency.get("name") or path_stem(result.path), None)
    y = year if year is not None else data.get("year")
    if not isinstance(y, int) or isinstance(y, bool):
        result.errors.append(f"JSON 中的年度无效：{y!r}")
        return result
    cells_in = data.get("cells") or {}
    if not isinstance(cells_in, dict):
        result.errors.append("JSON 的 cells 应为对象")
        return result
    extra = [dict(e) for e in (data.get("active_extra") or [])]
    cells = {}
    for code in fmt.codes:
        value = cells_in.get(code)
        kind = fmt.cell(code).kind
        if kind == formats.MONEY and isinstance(value, int | float) and not isinstance(value, bool):
            result.warnings.append(f"{code}: 金额 {value} 是数字而不是文本，已转为文本")
            value = str(value)
        cells[code] = value
        if code not in cells_in:
            result.warnings.append(f"JSON 中缺少 {code}，按空白导入")
    unknown = [c for c in cells_in if c not in cells and not c.startswith("active.extra.")]
    if unknown:
        result.warnings.append("JSON 中有不属于该格式的单元格，未导入：" + "、".join(sorted(unknown)[:8]))
    doc: dict = {
        "agency": agency,
        "year": y,
        "format": fmt.id,
        "cells": cells,
        "narrative": dict(data.get("narrative") or {}),
    }
    for k in _PASS_THROUGH:
        if k in data:
            doc[k] = data[k]
    doc.setdefault("published", None)
    doc.setdefault("source", {"url": None, "title": None})
    doc.setdefault("acknowledged", [])
    if extra:
        doc["active_extra"] = extra
    elif "active_extra" in doc and not doc["active_extra"]:
        del doc["active_extra"]
    doubts = data.get("doubts") or {}
    result.doubts = {str(k): str(v) for k, v in doubts.items()} if isinstance(doubts, dict) else {}
    warnings = data.get("warnings")
    if isinstance(warnings, list):
        result.warnings.extend(str(w) for w in warnings)
    result.doc = doc
    result.agency = {
        "id": agency["id"],
        "name": agency.get("name"),
        "short_name": agency.get("short_name"),
        "province": agency.get("province"),
        "city": agency.get("city"),
        "county": agency.get("county"),
        "region_code": agency.get("region_code"),
        "level": agency.get("level") or level_of(agency.get("name"))[0],
        "notes": agency.get("notes"),
    }
    return result


def path_stem(path: Path) -> str:
    return path.stem
