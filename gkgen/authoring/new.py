"""`gkgen new`: a complete blank report for an editor to fill in from the printed original."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from gkgen import formats
from gkgen.authoring import emit
from gkgen.content import agencies as agencies_mod
from gkgen.content.diagnostics import ERROR
from gkgen.content.narrative import REQUIRED_PLACEHOLDER
from gkgen.formats import sections

# The required sections, empty: the editor types each from the original.
NEW_NARRATIVE = dict.fromkeys(sections.REQUIRED, "")


def blank_report(agency_id: str, year: int, format_id: str) -> str:
    """Every row of the format, every cell null: the editor replaces each null with the printed value."""
    fmt = formats.get(format_id)
    doc = {
        "agency": agency_id,
        "year": year,
        "format": fmt.id,
        "title": None,
        "published": None,
        "source": {"url": None, "title": None},
        "entered_by": None,
        "notes": None,
        "cells": dict.fromkeys(fmt.codes),
        "acknowledged": [],
    }
    return emit.report_yaml(doc)


def blank_narrative() -> str:
    # No placeholder text: `gkgen check` refuses an empty required section until the editor fills it.
    # (An HTML comment would not do as a hint: raw HTML is off, it would be shown as text.)
    return emit.narrative_markdown(NEW_NARRATIVE)


def run(root: Path, agency_id: str, year: int, format_id: str | None, stream: TextIO = sys.stderr) -> int:
    agencies, problems = agencies_mod.load_agencies(root)
    errors = [d for d in problems if d.severity == ERROR]
    if errors:  # the body may be in the part that could not be read: say where the registry is broken
        for d in errors:
            print(d.format(), file=stream)
        print("gkgen new: 机构名录有错误，未生成报告；请先改正名录", file=stream)
        return 1
    if agency_id not in agencies:
        print(
            f"gkgen new: 机构编号 `{agency_id}` 不在机构名录（content/agencies/*.yaml）中；请先添加该机构",
            file=stream,
        )
        return 1
    fmt = formats.get(format_id) if format_id else formats.format_for_year(year)
    if fmt is None or not fmt.fits_year(year):
        print(
            f"gkgen new: {year} 年度没有可用的表格格式" + (f" {format_id}" if format_id else ""), file=stream
        )
        return 1
    folder = root / "content" / "reports" / agency_id
    yaml_path, md_path = folder / f"{year}.yaml", folder / f"{year}.md"
    for path in (yaml_path, md_path):
        if path.exists():
            print(f"gkgen new: {path.relative_to(root).as_posix()} 已存在，未覆盖", file=stream)
            return 1
    folder.mkdir(parents=True, exist_ok=True)
    yaml_path.write_text(blank_report(agency_id, year, fmt.id), encoding="utf-8")
    md_path.write_text(blank_narrative(), encoding="utf-8")
    print(f"已生成 {yaml_path.relative_to(root).as_posix()} 和 {md_path.name}（{fmt.name}）。", file=stream)
    print(
        "请对照原报告把每个 null 改为表格中的数字（原表空白的保持 null），填写标题、来源和录入人，",
        file=stream,
    )
    print(
        f"叙述文件按原报告逐字录入第一、五、六部分；原报告某节为空时写“{REQUIRED_PLACEHOLDER}”。", file=stream
    )
    print("然后运行 gkgen check。", file=stream)
    return 0
