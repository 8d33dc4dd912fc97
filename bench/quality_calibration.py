"""Calibrate the 内容雷同 threshold: the similarity figure of every consecutive pair of one body's reports.

    python -m bench.quality_calibration content            # the archive's own narratives (.md)
    python -m bench.quality_calibration DIR/*.txt          # crawled page texts (header, then the page)

For the page texts, the tables (sections 二 to 四, whose labels repeat by design) are cut out; what is
compared is the preamble, 一、总体情况, 五 and 六, as in the archive's narratives.
"""

from __future__ import annotations

import itertools
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

from gkgen.content import narrative
from gkgen.quality import similarity

_BODY = "==================== 正文 ===================="
_OVERVIEW = re.compile(r"一\s*[、.．]\s*总体情况")
_TABLES = re.compile(r"二\s*[、.．]\s*主动公开")
_AFTER_TABLES = re.compile(r"[五5]\s*[、.．]\s*(政府信息公开工作)?存在的?主要问题")


def page_sections(text: str) -> list[tuple[str, str]]:
    body = text.split(_BODY, 1)[-1]
    overview = _OVERVIEW.search(body)
    start = _TABLES.search(body, overview.end() if overview else 0)
    end = _AFTER_TABLES.search(body, start.end() if start else 0)
    if not (overview and start and end):
        return [("overview", body)]
    return [
        ("preamble", body[: overview.start()]),
        ("overview", body[overview.end() : start.start()]),
        ("problems", body[end.start() :]),
    ]


def series_from_pages(paths: list[Path]) -> dict[str, dict[int, list[tuple[str, str]]]]:
    found: dict[str, dict[int, list]] = defaultdict(dict)
    for path in paths:
        year, body = path.stem.split("-", 1)
        found[body][int(year)] = page_sections(path.read_text(encoding="utf-8"))
    return found


def series_from_archive(root: Path) -> dict[str, dict[int, list[tuple[str, str]]]]:
    found: dict[str, dict[int, list]] = defaultdict(dict)
    for md in sorted((root / "reports").glob("*/*.md")):
        found[md.parent.name][int(md.stem)] = list(narrative.parse(md.read_text(encoding="utf-8")).sections)
    return found


def main(args: list[str]) -> None:
    if len(args) == 1 and Path(args[0]).is_dir():
        series = series_from_archive(Path(args[0]))
    else:
        series = series_from_pages([Path(a) for a in args])
    rows = []
    for body, years in sorted(series.items()):
        ordered = sorted(years)
        for before, year in itertools.pairwise(ordered):
            s = similarity.compare(years[year], years[before], before)
            if s.letters < 200:  # a page with no narrative (公安局 2020 carries only its title)
                continue
            rows.append((s.share, body, before, year, s.letters, len(s.passages)))
    rows.sort()
    for share, body, before, year, n, passages in rows:
        print(f"{share:6.1%}  {body:28} {before}→{year}  {n:5} 字  {passages:3} 段")
    shares = [r[0] for r in rows]
    if shares:
        deciles = statistics.quantiles(shares, n=10) if len(shares) > 1 else shares
        print(
            f"pairs {len(shares)}; median {statistics.median(shares):.1%}; deciles "
            + " ".join(f"{d:.0%}" for d in deciles)
        )
        for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            print(f"  ≥ {cut:.0%}: {sum(1 for s in shares if s >= cut)}")


if __name__ == "__main__":
    main(sys.argv[1:])
