"""Search index benchmark: synthetic report pages (never under content/), indexed in shards or as one.

    python -m bench.search_bench pages --out /tmp/gk-search-bench/site --n 10000
    /usr/bin/time -v python -m bench.search_bench index --site /tmp/gk-search-bench/site --max 5000
    /usr/bin/time -v python -m bench.search_bench index --site /tmp/gk-search-bench/site --max 100000

Pages look like report pages to the indexer: lang="zh-CN", data-pagefind-body, title and agency weights,
filters and the year sort, ~10 KB of Chinese narrative made of sentences from the real narratives.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
from html import escape
from pathlib import Path

from gkgen.outputs import search

REPO = Path(__file__).resolve().parents[1]
PROVINCES = [
    "北京市",
    "河北省",
    "山西省",
    "吉林省",
    "江苏省",
    "浙江省",
    "福建省",
    "河南省",
    "湖北省",
    "广东省",
]
LEVELS = ["市级政府", "区县政府", "区县部门", "乡镇", "街道"]


def sentences() -> list[str]:
    out = []
    for path in sorted((REPO / "content" / "reports").glob("*/*.md")):
        text = re.sub(r"^#+ .*$", "", path.read_text(encoding="utf-8"), flags=re.M)
        out += [s.strip() + "。" for s in re.split(r"[。\n]", text) if len(s.strip()) > 8]
    return out


def page(i: int, pool: list[str], rng: random.Random) -> tuple[str, str]:
    code = 10 + (i % 10) * 3
    year = 2015 + i % 10
    agency = f"{code}{i % 9000:04d}-a{i}"
    name = f"第{i}号街道办事处"
    narrative, size = [], 0
    while size < 10_000:
        s = rng.choice(pool)
        narrative.append(f"<p>{escape(s)}</p>")
        size += len(s.encode())
    breaks = '<span data-pagefind-filter="breaks">数据存在勾稽关系不符</span>' if i % 17 == 0 else ""
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{name} {year}</title></head>
<body><header data-pagefind-ignore><a href="/">首页</a></header><main data-pagefind-body>
<div hidden data-pagefind-ignore><span data-pagefind-filter="year">{year}</span>
<span data-pagefind-filter="province">{PROVINCES[i % 10]}</span><span data-pagefind-filter="city">市{i % 97}</span>
<span data-pagefind-filter="level">{LEVELS[i % 5]}</span><span data-pagefind-filter="format">2021年格式</span>{breaks}
<span data-pagefind-sort="year">{year}</span><span data-pagefind-meta="agency">{name}</span></div>
<h1 data-pagefind-weight="10" data-pagefind-meta="title">{name} {year}年度政府信息公开工作年度报告</h1>
<p data-pagefind-weight="8">{name}（{PROVINCES[i % 10]}）</p>
{"".join(narrative)}
<table data-pagefind-ignore><tr><td>{i}</td></tr></table></main></body></html>"""
    return f"reports/{agency}/{year}/index.html", html


def make_pages(out: Path, n: int) -> None:
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(7)
    pool = sentences()
    for i in range(n):
        rel, html = page(i, pool, rng)
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pages")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n", type=int, default=10_000)
    i = sub.add_parser("index")
    i.add_argument("--site", type=Path, required=True)
    i.add_argument("--max", type=int, default=search.MAX_PAGES_PER_SHARD)
    i.add_argument("--jobs", type=int, default=search.JOBS)
    args = parser.parse_args()
    if args.cmd == "pages":
        make_pages(args.out, args.n)
        print(f"{args.n} pages, {size(args.out) / 1e6:.1f} MB in {args.out}")
        return
    result = search.index_site(args.site, max_pages_per_shard=args.max, jobs=args.jobs)
    bundle = args.site / search.BUNDLE
    print(
        f"{result.pages} pages, {len(result.shards)} shards, {result.seconds:.1f} s, "
        f"index {size(bundle) / 1e6:.1f} MB ({sum(1 for p in bundle.rglob('*') if p.is_file())} files), "
        f"cpus {os.cpu_count()}"
    )


if __name__ == "__main__":
    main()
