"""JSON Schema of the report YAML and the agency registry, generated from the format description.

The schemas are committed under schema/ and referenced from every report file
(`# yaml-language-server: $schema=…`) so that editors get completion and
checking while they type. `python -m gkgen.formats.schema` regenerates them; a test
fails when the committed files are stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gkgen import formats
from gkgen.content.validate import MAX_COUNT, MONEY_FRACTION_DIGITS, MONEY_WHOLE_DIGITS
from gkgen.formats import ACTIVE, COUNT, MONEY, SIGNED, TABLES, Column
from gkgen.model import LEVELS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
AGENCY_ID_PATTERN = "^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$"


def _cell(column: Column) -> dict:
    if column.kind == MONEY:
        return {
            "type": ["string", "null"],
            "pattern": f"^(0|[1-9][0-9]{{0,{MONEY_WHOLE_DIGITS - 1}}})(\\.[0-9]{{1,{MONEY_FRACTION_DIGITS}}})?$",
            "description": f"{column.label}：带引号的小数文字，照原报告；空白写 null",
        }
    schema: dict = {
        "type": ["integer", "null"],
        "minimum": 0 if column.kind == COUNT else -MAX_COUNT,
        "maximum": MAX_COUNT,
        "description": f"{column.label}；原报告空白写 null",
    }
    assert column.kind in (COUNT, SIGNED, MONEY)
    return schema


def _row(columns: tuple[Column, ...], label: str) -> dict:
    return {
        "type": "array",
        "description": f"{label}：" + "、".join(c.label for c in columns),
        "prefixItems": [_cell(c) for c in columns],
        "items": False,
        "minItems": len(columns),
        "maxItems": len(columns),
    }


def _table(rows: list[tuple[str, str, tuple[Column, ...]]], description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {key: _row(cols, label) for key, label, cols in rows},
        "required": [key for key, _, _ in rows],
        "additionalProperties": False,
    }


def _format_rules(fmt: formats.Format) -> dict:
    ids: list = [fmt.id, int(fmt.id)] if fmt.id.isdigit() else [fmt.id]
    if not fmt.has_tables:
        then: dict = {"not": {"anyOf": [{"required": [k]} for k in TABLES]}}
    else:
        tables = {
            table: _table(
                [(tr.key, tr.row.full_label, tr.columns) for tr in fmt.table_rows(table)], fmt.caption(table)
            )
            for table in TABLES
        }
        group = {"enum": [tr.key for tr in fmt.table_rows(ACTIVE)]}
        then = {
            "required": list(TABLES),
            "properties": {**tables, "active_extra": {"items": {"properties": {"group": group}}}},
        }
    then.setdefault("properties", {})["year"] = {"minimum": fmt.first_year}
    if fmt.last_year is not None:
        # Past its last year only as published, with the editor's format_note saying so.
        then["anyOf"] = [
            {"properties": {"year": {"maximum": fmt.last_year}}},
            {"required": ["format_note"], "properties": {"format_note": {"type": "string", "minLength": 1}}},
        ]
    return {"if": {"properties": {"format": {"enum": ids}}, "required": ["format"]}, "then": then}


def report_schema() -> dict:
    all_ids: list = []
    for fmt in formats.all_formats().values():
        all_ids += [fmt.id, int(fmt.id)] if fmt.id.isdigit() else [fmt.id]
    nullable_text = {"type": ["string", "null"]}
    return {
        "$schema": DIALECT,
        "$id": "https://gkgen.invalid/schema/report.schema.json",
        "title": "政府信息公开工作年度报告（gkgen 档案的报告文件）",
        "description": "content/reports/<机构编号>/<年份>.yaml。每行表格按原表格从左到右的顺序写成列表；"
        "原报告空白、“/”、“—”写 null，不写 0。由 gkgen/formats 生成，请勿手改。",
        "type": "object",
        "required": ["agency", "year", "format", "title", "published", "source", "entered_by"],
        "additionalProperties": False,
        "properties": {
            "agency": {
                "type": "string",
                "pattern": AGENCY_ID_PATTERN,
                "description": "机构编号，见 content/agencies/",
            },
            "year": {"type": "integer", "minimum": 2008, "description": "报告所述年度（不是发布年份）"},
            "format": {
                "enum": all_ids,
                "description": "表格格式：2019 年版用于 2019—2020 年度，2021 年版自 2021 年度起",
            },
            "title": {"type": "string", "minLength": 1, "description": "原报告标题"},
            "published": {
                "type": ["string", "null"],
                "pattern": r"^\d{4}-\d{2}-\d{2}$",
                "description": "发布日期 YYYY-MM-DD；未知写 null",
            },
            "source": {
                "type": "object",
                "required": ["url", "title"],
                "additionalProperties": False,
                "properties": {
                    "url": {"type": ["string", "null"], "pattern": "^https?://", "description": "原文网址"},
                    "title": {**nullable_text, "description": "原文页面或文件的标题"},
                    "archived": {
                        "type": ["string", "null"],
                        "pattern": "^https?://",
                        "description": "原文存档副本的网址",
                    },
                    "sha256": {
                        "type": ["string", "null"],
                        "pattern": "^[0-9a-f]{64}$",
                        "description": "录入所据原文文本的 SHA-256 摘要",
                    },
                },
            },
            "entered_by": {"type": "string", "minLength": 1, "description": "录入人及录入依据"},
            "notes": {**nullable_text, "description": "录入说明：原报告中的异常之处"},
            "format_note": {**nullable_text, "description": "原报告沿用旧版表格格式时的说明"},
            "method": {**nullable_text, "description": "数字如何录入、如何核对（写给读者看的话）"},
            "no_tables": {
                "type": "string",
                "minLength": 1,
                "description": "原报告没有公布任何表格数字时，写明原因（表格各格留空）",
            },
            "doubts": {
                "type": "object",
                "description": "导入时存疑的单元格（编号）及对照原件核对的结果",
                "additionalProperties": {"type": "string", "minLength": 1},
            },
            "active": {"type": "object"},
            "requests": {"type": "object"},
            "appeals": {"type": "object"},
            "active_extra": {
                "type": "array",
                "description": "部分省份增加的第二部分行（如 其他主动公开文件）",
                "items": {
                    "type": "object",
                    "required": ["label", "group", "values"],
                    "additionalProperties": False,
                    "properties": {
                        "label": {"type": "string"},
                        "group": {"type": "string"},
                        "values": {"type": "array"},
                    },
                },
            },
            "acknowledged": {
                "type": "array",
                "description": "原报告本身存在的勾稽关系不符：规则编号 + 说明",
                "items": {
                    "type": "object",
                    "required": ["rule", "note"],
                    "additionalProperties": False,
                    "properties": {
                        "rule": {
                            "type": "string",
                            "pattern": r"^[a-z_]+\.[a-z_.]+$",
                            "description": "构建时报告的规则编号，如 outcomes.natural",
                        },
                        "note": {"type": "string", "minLength": 1},
                    },
                },
            },
        },
        "allOf": [_format_rules(f) for f in formats.all_formats().values()],
    }


def agencies_schema() -> dict:
    nullable_text = {"type": ["string", "null"]}
    return {
        "$schema": DIALECT,
        "$id": "https://gkgen.invalid/schema/agencies.schema.json",
        "title": "机构名录（content/agencies/*.yaml）",
        "type": "array",
        "items": {
            "type": "object",
            "required": ["id", "name", "province", "level"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": AGENCY_ID_PATTERN},
                "name": {"type": "string", "minLength": 1, "description": "机构全称"},
                "short_name": nullable_text,
                "province": nullable_text,
                "city": nullable_text,
                "county": nullable_text,
                "region_code": {
                    "type": ["string", "null"],
                    "pattern": r"^\d{6}$",
                    "description": "6 位行政区划代码",
                },
                "level": {"enum": list(LEVELS)},
                "notes": nullable_text,
                "deadline": {
                    "type": "object",
                    "description": "地方规定的年度报告发布期限（代替条例第四十九条的期限）",
                    "required": ["date", "basis"],
                    "additionalProperties": False,
                    "properties": {
                        "date": {
                            "type": "string",
                            "pattern": r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
                            "description": "报告年度次年的“月-日”，如 01-31",
                        },
                        "basis": {"type": "string", "minLength": 1, "description": "规定的名称和条款"},
                    },
                },
                "former_names": {
                    "type": "array",
                    "description": "曾用名：每项为名称和使用该名称的最后一个报告年度",
                    "items": {
                        "type": "object",
                        "required": ["name", "until"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string", "minLength": 1},
                            "until": {"type": "integer", "minimum": 1990, "maximum": 2100},
                        },
                    },
                },
            },
        },
    }


def rendered() -> dict[str, str]:
    """File name → the schema text, exactly as committed."""
    dump = lambda s: json.dumps(s, ensure_ascii=False, indent=2) + "\n"  # noqa: E731
    return {"report.schema.json": dump(report_schema()), "agencies.schema.json": dump(agencies_schema())}


def main() -> int:
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in rendered().items():
        (SCHEMA_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote schema/{name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
