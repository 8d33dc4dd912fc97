"""Inline SVG charts: well-formed, labelled directly, with their numbers in <title>/<desc>."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from gkgen.site import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def test_line_chart_carries_its_numbers() -> None:
    years = [2019, 2020, 2021]
    series = [charts.Series("新收申请", (23, 21, 70)), charts.Series("行政诉讼", (0, None, 12))]
    root = _parse(charts.line_chart("c1", "申请<数>", years, series))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find("svg:title", NS).text == "申请<数>"  # escaped in the markup, intact once parsed
    desc = root.find("svg:desc", NS).text
    assert "新收申请：2019年 23件，2020年 21件，2021年 70件" in desc
    assert "2020年 未填报" in desc
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "新收申请" in texts and "行政诉讼" in texts  # direct labels, no legend
    assert {"23", "21", "70", "0", "12"} <= set(texts)


def test_stacked_shares_and_empty_years() -> None:
    years = [2020, 2021]
    series = [charts.Series("予以公开", (0, 30)), charts.Series("部分公开", (0, 5))]
    root = _parse(charts.stacked_shares("c2", "办理结果", years, series))
    rects = root.findall(".//svg:rect", NS)
    assert len(rects) == 2
    heights = sorted(float(r.get("height")) for r in rects)
    assert abs(heights[1] / heights[0] - 6) < 0.01
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts.count("0") == 1  # 2020: every share reported as zero, no bar
    root = _parse(charts.stacked_shares("c4", "t", years, [charts.Series("a", (None, 3))]))
    assert "—" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]  # 2020: not reported


def test_single_year_and_all_zero() -> None:
    svg = charts.line_chart("c3", "t", [2021], [charts.Series("a", (0,))])
    root = _parse(svg)
    assert re.search(r"2021年 0件", root.find("svg:desc", NS).text)


def test_output_is_deterministic() -> None:
    series = [charts.Series("a", (1, 2, 3))]
    assert charts.line_chart("x", "t", [1, 2, 3], series) == charts.line_chart("x", "t", [1, 2, 3], series)
