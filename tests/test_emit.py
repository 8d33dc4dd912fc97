"""gkgen.authoring.emit: content files in the editors' format load back to exactly what was written."""

from __future__ import annotations

import copy

import pytest
import yaml

from gkgen import formats
from gkgen.authoring.emit import narrative_markdown, report_yaml, yaml_scalar
from gkgen.formats.sections import HEADINGS as SECTION_HEADINGS


def _cells(format_id: str) -> dict[str, object]:
    """Every cell of a format, with varied values: counts, nulls, money text."""
    fmt = formats.get(format_id)
    cells: dict[str, object] = {}
    for i, cell in enumerate(fmt.cells):
        cells[cell.code] = str(i) if cell.kind == formats.MONEY else i % 7
    return cells


def _doc(format_id: str, year: int, **extra) -> dict:
    doc = {
        "agency": {"id": "350128-pingtan", "name": "平潭综合实验区管理委员会"},
        "year": year,
        "format": format_id,
        "published": "2021-03-05",
        "source": {"url": "https://www.pingtan.gov.cn/a/t20210305_80595.htm", "title": "平潭：2020年度报告"},
        "title": "平潭综合实验区2020年度政府信息公开工作年度报告",
        "entered_by": "测试（据 shared/reports/pingtan-2020.txt 录入）",
        "notes": None,
        "cells": _cells(format_id),
        "acknowledged": [],
    }
    doc.update(extra)
    return doc


def _doc_2019() -> dict:
    doc = _doc("2019", 2020)
    doc["cells"].update(
        {
            "active.penalty.change": -18,
            "active.fees.change": -15,
            "active.licensing.change": None,
            "active.procurement.amount": "73802895.90",
            "requests.partial.legal": None,
            "review.total": None,
        }
    )
    doc["acknowledged"] = [
        {"rule": "outcomes.natural", "note": "原报告如此：自然人办理结果各项之和 26，（七）总计 20"},
        {"rule": "outcomes.total", "note": "总计列：各项之和 27，（七）总计 21。\n本档案照原样收录。"},
    ]
    return doc


def _doc_2021() -> dict:
    doc = _doc(
        "2021", 2021, published=None, source={"url": None, "title": "五一办事处政府信息公开工作年度报告"}
    )
    doc["agency"] = "410204-wuyi"
    doc["cells"].update(
        {
            "active.fees.amount": "24252.311082",
            "active.rules.issued": None,
            "requests.granted.natural": None,
            "requests.granted.total": 0,
            "litigation_after_review.other": None,
        }
    )
    doc["notes"] = "第一行：说明\n\n  第二行 # 不是注释\n'引号' \"双引号\" - 列表？"
    doc["title"] = "2021: 标题 # 带井号"
    return doc


def _cells_back(fmt: formats.Format, data: dict) -> dict[str, object]:
    """Map the printed rows of a loaded report back to cell codes."""
    cells: dict[str, object] = {}
    for group, row in fmt.active_rows:
        for column, value in zip(group.columns, data["active"][row.key], strict=True):
            cells[f"active.{row.key}.{column.key}"] = value
    for row in fmt.request_rows:
        for column, value in zip(fmt.request_columns, data["requests"][row.key], strict=True):
            cells[f"requests.{row.key}.{column.key}"] = value
    for group in fmt.appeal_groups:
        for column, value in zip(fmt.appeal_columns, data["appeals"][group.key], strict=True):
            cells[f"{group.key}.{column.key}"] = value
    return cells


def _same(a: object, b: object) -> bool:
    """Equal in value and in type (int vs str vs None), recursively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("make", [_doc_2019, _doc_2021], ids=["2019", "2021"])
def test_round_trip(make):
    doc = make()
    text = report_yaml(doc)
    data = yaml.safe_load(text)
    fmt = formats.get(doc["format"])

    agency = doc["agency"]["id"] if isinstance(doc["agency"], dict) else doc["agency"]
    assert data["agency"] == agency
    assert _same(data["year"], doc["year"])
    assert data["format"] == doc["format"]
    assert _same(data["title"], doc["title"])
    assert _same(data["published"], doc["published"])
    assert _same(data["source"], doc["source"])
    assert _same(data["entered_by"], doc["entered_by"])
    assert _same(data["notes"], doc["notes"])
    assert _same(data["acknowledged"], doc["acknowledged"])
    assert "active_extra" not in data
    assert _same(_cells_back(fmt, data), doc["cells"])


def test_key_order_and_header():
    text = report_yaml(_doc_2019())
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../../schema/report.schema.json"
    top = [line.split(":")[0] for line in lines if line and line[0].isalpha()]
    assert top == [
        "agency", "year", "format", "title", "published", "source", "entered_by", "notes",
        "active", "requests", "appeals", "acknowledged",
    ]  # fmt: skip
    assert 'format: "2019"' in lines
    assert "published: '2021-03-05'" in lines  # a string, not a YAML date
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_rows_print_in_column_order_with_labels():
    text = report_yaml(_doc_2019())
    lines = text.splitlines()
    assert "  # 第二十条第（一）项：本年新制作数量, 本年新公开数量, 对外公开总数量" in lines
    assert "  # 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计" in lines
    assert "  # 结果维持, 结果纠正, 其他结果, 尚未审结, 总计" in lines
    penalty = next(line for line in lines if line.startswith("  penalty:"))
    assert penalty.startswith("  penalty: [") and ", -18, " in penalty
    assert '"73802895.90"]' in next(line for line in lines if line.startswith("  procurement:"))
    secret = next(line for line in lines if line.startswith("  withheld.state_secret:"))
    assert secret.endswith("  # （三）不予公开 1.属于国家秘密")


def test_money_stays_text():
    data = yaml.safe_load(report_yaml(_doc_2021()))
    assert data["active"]["fees"] == ["24252.311082"]
    doc = _doc_2021()
    doc["cells"]["active.fees.amount"] = "0.0000"
    assert yaml.safe_load(report_yaml(doc))["active"]["fees"] == ["0.0000"]


def test_doubt_comments_sit_above_their_row():
    doc = _doc_2021()
    doc["doubts"] = {
        "active.normative.repealed": "页面文本连写为 '693665'\n按原页面单元格拆分",
        "requests.unable.not_held.total": "两种拆分",
        "review.corrected": "见原页面",
    }
    text = report_yaml(doc)
    lines = text.splitlines()

    def above(prefix: str) -> str:
        return lines[next(i for i, line in enumerate(lines) if line.startswith(prefix)) - 1]

    assert (
        above("  normative:")
        == "  # 存疑 active.normative.repealed: 页面文本连写为 '693665' 按原页面单元格拆分"
    )
    assert above("  unable.not_held:") == "  # 存疑 requests.unable.not_held.total: 两种拆分"
    assert above("  review:") == "  # 存疑 review.corrected: 见原页面"
    # besides the comments, the doubts are recorded once, as data an editor settles
    data = yaml.safe_load(text)
    assert data.pop("doubts") == {
        "active.normative.repealed": "页面文本连写为 '693665' 按原页面单元格拆分",
        "requests.unable.not_held.total": "两种拆分",
        "review.corrected": "见原页面",
    }
    assert _same(data, yaml.safe_load(report_yaml(_doc_2021())))


def test_doubt_on_unknown_cell_is_refused():
    doc = _doc_2021()
    doc["doubts"] = {"requests.nope.total": "?"}
    with pytest.raises(ValueError):
        report_yaml(doc)


def test_output_is_stable():
    doc = _doc_2019()
    first = report_yaml(doc)
    shuffled = copy.deepcopy(doc)
    shuffled["cells"] = dict(reversed(list(doc["cells"].items())))
    assert report_yaml(shuffled) == first
    assert report_yaml(copy.deepcopy(doc)) == first
    assert report_yaml(_doc_2019()) == first


def test_cells_must_match_the_format():
    doc = _doc_2021()
    del doc["cells"]["requests.new.total"]
    with pytest.raises(ValueError, match="missing"):
        report_yaml(doc)
    doc = _doc_2021()
    doc["cells"]["requests.bogus.total"] = 1
    with pytest.raises(ValueError, match="unknown"):
        report_yaml(doc)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("active.fees.amount", 1.5),
        ("requests.new.total", "3"),
        ("requests.new.total", -1),
        ("review.total", True),
    ],
)
def test_bad_values_are_refused(code, value):
    doc = _doc_2021()
    doc["cells"][code] = value
    with pytest.raises((TypeError, ValueError)):
        report_yaml(doc)


def test_format_none_has_no_tables():
    doc = _doc("none", 2015, cells={}, acknowledged=[])
    text = report_yaml(doc)
    data = yaml.safe_load(text)
    assert data["format"] == "none"
    assert "active" not in data and "requests" not in data and "appeals" not in data
    assert data["acknowledged"] == []
    assert "acknowledged: []" in text.splitlines()


def test_active_extra_rows():
    doc = _doc_2021()
    doc["active_extra"] = [{"label": "其他主动公开文件", "group": "rules", "values": [3, None, 10]}]
    data = yaml.safe_load(report_yaml(doc))
    assert data["active_extra"] == [{"label": "其他主动公开文件", "group": "rules", "values": [3, None, 10]}]
    assert list(data)[-2:] == ["active_extra", "acknowledged"]


@pytest.mark.parametrize(
    "value",
    [
        "2021",
        "null",
        "yes",
        "a: b",
        "x #y",
        "- a",
        "2021-01-01",
        " lead",
        "多行\n\n  缩进\n",
        "a\r\nb",
        "\u2028x",
        "…",
    ],
)
def test_scalars_round_trip(value):
    for indent in ("", "  ", "    "):
        assert yaml.safe_load(f"{indent}k: {yaml_scalar(value, indent)}\n") == {"k": value}


def test_narrative_order_and_headings():
    text = narrative_markdown(
        {
            "other": "无\n\n",
            "overview": "\n总体情况正文。\n\n（一）小节\n",
            "problems": "问题。  ",
            "preamble": "本报告根据……编制。",
        }
    )
    assert text == (
        "本报告根据……编制。\n\n"
        "## 一、总体情况\n\n总体情况正文。\n\n（一）小节\n\n"
        "## 五、存在的主要问题及改进情况\n\n问题。\n\n"
        "## 六、其他需要报告的事项\n\n无\n"
    )
    assert list(SECTION_HEADINGS) == ["overview", "active", "requests", "appeals", "problems", "other"]


def test_narrative_all_sections_without_preamble():
    narrative = {key: f"{key} 正文" for key in SECTION_HEADINGS}
    text = narrative_markdown(narrative)
    assert text.startswith("## 一、总体情况\n\noverview 正文\n\n## 二、")
    assert [line[3:] for line in text.splitlines() if line.startswith("## ")] == list(
        SECTION_HEADINGS.values()
    )
    assert text.endswith("other 正文\n")


def test_narrative_unknown_key_is_refused():
    with pytest.raises(ValueError):
        narrative_markdown({"summary": "x"})
