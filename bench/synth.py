"""A synthetic archive of N reports in the real content format, for benchmarks only.

Clearly marked synthetic (agency names end in “（合成）”, entered_by says so) and
written under bench/out/, never under content/. Numbers reconcile under every
rule (so the build does the full work of a valid archive); narratives are ~10 KB
made of sentences from the real reports.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from pathlib import Path

from gkgen import formats
from gkgen.authoring import emit

REPO = Path(__file__).resolve().parents[1]
PROVINCES = [
    ("11", "北京市"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("35", "福建省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("44", "广东省"),
    ("51", "四川省"),
]
LEVELS = ["街道", "乡镇", "区县政府", "区县部门", "市级部门"]
YEARS = (2019, 2020, 2021, 2022, 2023)


def real_sentences() -> list[str]:
    sentences: list[str] = []
    for md in sorted((REPO / "content" / "reports").glob("*/*.md")):
        for line in md.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            sentences += [s + "。" for s in re.split(r"。", line) if len(s) > 8]
    return sentences


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def cells_for(fmt: formats.Format, rng: random.Random, carried_over: list[int], in_force: dict) -> tuple:
    """Cells that satisfy balance, row_total, outcomes and appeals; carried_over continues last year."""
    cells: dict = {}
    for g, r in fmt.active_rows:
        for c in g.columns:
            code = f"active.{r.key}.{c.key}"
            if c.kind == formats.MONEY:
                cells[code] = f"{rng.randint(0, 99999)}.{rng.randint(0, 9999):04d}"
            elif c.kind == formats.SIGNED:
                cells[code] = rng.randint(-20, 40)
            else:
                cells[code] = rng.randint(0, 400)
    for row in fmt.rules.get("in_force_chain", {}).get("rows", ()):
        before = in_force.get(row, rng.randint(0, 300))
        cells[f"active.{row}.in_force"] = (
            before + cells[f"active.{row}.issued"] - min(cells[f"active.{row}.repealed"], before)
        )
        cells[f"active.{row}.repealed"] = min(cells[f"active.{row}.repealed"], before)
        in_force[row] = cells[f"active.{row}.in_force"]
    cols = [c.key for c in fmt.request_columns if c.key != "total"]
    leaves = [r.key for r in fmt.request_rows if r.outcome]
    new = [rng.randint(0, 60) if i == 0 else rng.randint(0, 5) for i in range(len(cols))]
    handled = []
    forward = []
    by_row: dict[str, list[int]] = {k: [0] * len(cols) for k in leaves}
    for i, _col in enumerate(cols):
        available = new[i] + carried_over[i]
        keep = rng.randint(0, min(available, 3))
        done = available - keep
        forward.append(keep)
        handled.append(done)
        for leaf, n in zip(leaves, _split(done, len(leaves), rng), strict=True):
            by_row[leaf][i] = n
    rows = {"new": new, "carried_over": carried_over, **by_row, "total": handled, "carried_forward": forward}
    for key, values in rows.items():
        for col, v in zip(cols, values, strict=True):
            cells[f"requests.{key}.{col}"] = v
        cells[f"requests.{key}.total"] = sum(values)
    for g in fmt.appeal_groups:
        parts = [rng.randint(0, 4) for _ in range(4)]
        for c, v in zip(["upheld", "corrected", "other", "pending"], parts, strict=True):
            cells[f"{g.key}.{c}"] = v
        cells[f"{g.key}.total"] = sum(parts)
    return cells, forward


def generate(out: Path, n: int, seed: int = 1) -> Path:
    """Write N synthetic reports (about N/5 bodies × 5 years) to out/content; return out."""
    rng = random.Random(seed)
    sentences = real_sentences()
    if out.exists():
        shutil.rmtree(out)
    (out / "content" / "agencies").mkdir(parents=True)
    bodies = max(1, -(-n // len(YEARS)))
    agencies_by_province: dict[str, list[str]] = {}
    written = 0
    for b in range(bodies):
        pcode, pname = PROVINCES[b % len(PROVINCES)]
        city = (b // len(PROVINCES)) % 12 + 1
        county = (b // (len(PROVINCES) * 12)) % 20 + 1
        region = f"{pcode}{city:02d}{county:02d}"
        agency_id = f"{region}-synth-{b:06d}"
        agencies_by_province.setdefault(pcode, []).append(
            f"- id: {agency_id}\n  name: 第{b}号示例机构（合成）\n  short_name: 示例机构{b}（合成）\n"
            f"  province: {pname}\n  city: 示例{city}市\n  county: 示例{county}区\n"
            f'  region_code: "{region}"\n  level: {LEVELS[b % len(LEVELS)]}\n'
            f"  notes: 合成数据，仅用于性能基准测试\n"
        )
        carried, in_force = [0] * 6, {}
        for year in YEARS:
            if written >= n:
                break
            fmt = formats.format_for_year(year)
            cells, forward = cells_for(fmt, rng, carried, in_force)
            carried = forward
            doc = {
                "agency": agency_id,
                "year": year,
                "format": fmt.id,
                "title": f"第{b}号示例机构{year}年政府信息公开工作年度报告（合成）",
                "published": f"{year + 1}-01-{rng.randint(10, 31)}",
                "source": {"url": None, "title": None},
                "entered_by": "合成数据（bench/synth.py 生成，仅用于性能基准测试）",
                "notes": None,
                "cells": cells,
                "acknowledged": [],
            }
            folder = out / "content" / "reports" / agency_id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{year}.yaml").write_text(emit.report_yaml(doc), encoding="utf-8")
            narrative = {}
            for key, size in (("overview", 7000), ("problems", 2500), ("other", 500)):
                text, paragraphs = "", []
                while len(text) < size // 3:  # ~3 bytes per character in UTF-8
                    paragraph = "".join(rng.choice(sentences) for _ in range(rng.randint(3, 7)))
                    paragraphs.append(paragraph)
                    text += paragraph
                narrative[key] = "\n\n".join(paragraphs)
            (folder / f"{year}.md").write_text(emit.narrative_markdown(narrative), encoding="utf-8")
            written += 1
    for pcode, items in agencies_by_province.items():
        (out / "content" / "agencies" / f"{pcode}-synthetic.yaml").write_text(
            "".join(items), encoding="utf-8"
        )
    (out / "SYNTHETIC.txt").write_text("合成数据：仅用于性能基准测试，不是真实报告。\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "archive")
    args = parser.parse_args()
    generate(args.out, args.n)
    print(args.out)


if __name__ == "__main__":
    main()
