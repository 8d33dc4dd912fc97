"""The least time Pagefind extended can take to index an archive's searchable text, whatever builds it.

From a site gkgen built (by default the 10,000-report bench archive), every report page is cut
down to what Pagefind indexes: the `data-pagefind-body` element without the parts it ignores
(tables, navigation), keeping the hidden filter, meta and sort values. No page chrome, no tables:
this is the cheapest input that yields the same index. Pagefind extended then indexes it twice:
as one process, and as two halves in parallel (one per core). The CPU seconds are the floor any
build that includes the search index pays, on top of loading, validating and rendering.

    python -m bench.pagefind_floor [--site bench/out/archive-10000/site]

Before timing, a sample of pages is indexed both ways (whole page and cut-down) and their Pagefind
fragments (text, filters, meta, sort) are compared, so the floor is measured on the same index.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

from bench.run import OUT, _children_cpu, measure
from gkgen.outputs.search import pagefind_binary

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
KEEP = ("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort")


class _Searchable(HTMLParser):
    """Re-emits the data-pagefind-body element, dropping data-pagefind-ignore subtrees unless they
    carry filter, meta or sort values (Pagefind reads those even inside ignored elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # depth inside the body element, 0 = outside
        self.skip = 0  # depth inside a dropped subtree

    def handle_starttag(self, tag, attrs):
        names = {k for k, _ in attrs}
        if not self.depth:
            if "data-pagefind-body" not in names:
                return
        elif self.skip:
            if tag not in VOID:
                self.skip += 1
            return
        elif "data-pagefind-ignore" in names and tag not in VOID and not self._keeps(attrs):
            self.skip = 1
            return
        if tag not in VOID:
            self.depth += 1
        self.out.append(self.get_starttag_text())

    @staticmethod
    def _keeps(attrs) -> bool:
        # gkgen's filter, meta and sort values sit in one small hidden block: keep it whole.
        return any(k in KEEP or k == "hidden" for k, _ in attrs)

    def handle_endtag(self, tag):
        if not self.depth or tag in VOID:
            return
        if self.skip:
            self.skip -= 1
            return
        self.depth -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.out.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")


def searchable(html: str) -> str:
    parser = _Searchable()
    parser.feed(html)
    parser.close()
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title></title></head><body>'
        + "".join(parser.out)
        + "</body></html>"
    )


def report_pages(site: Path) -> list[Path]:
    return sorted(
        p for p in (site / "reports").glob("*/*/index.html") if b"data-pagefind-body" in p.read_bytes()
    )


def write_cut(site: Path, pages: list[Path], folder: Path, *, whole: bool = False) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    for page in pages:
        target = folder / page.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = page.read_text("utf-8")
        target.write_text(text if whole else searchable(text), encoding="utf-8")


def pagefind(source: Path, output: Path) -> list[str]:
    if output.exists():
        shutil.rmtree(output)
    return [str(pagefind_binary()), "--site", str(source), "--output-path", str(output), "--silent"]


def fragments(bundle: Path) -> dict[str, dict]:
    found = {}
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[data["url"]] = {k: data.get(k) for k in ("content", "filters", "meta", "sort", "word_count")}
    return found


def check_same_index(site: Path, pages: list[Path], work: Path) -> int:
    sample = pages[:: max(1, len(pages) // 200)]
    write_cut(site, sample, work / "check-whole", whole=True)
    write_cut(site, sample, work / "check-cut")
    for name in ("whole", "cut"):
        subprocess.run(pagefind(work / f"check-{name}", work / f"check-{name}-out"), check=True)
    whole, cut = fragments(work / "check-whole-out"), fragments(work / "check-cut-out")
    if whole != cut or len(whole) != len(sample):
        differing = sorted(u for u in whole.keys() | cut.keys() if whole.get(u) != cut.get(u))[:3]
        raise SystemExit(f"the cut-down pages index differently from the whole pages: {differing}")
    return len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, default=OUT / "archive-10000" / "site")
    args = parser.parse_args()
    pages = report_pages(args.site)
    if not pages:
        raise SystemExit(f"no report pages under {args.site}: run `make bench` first")
    work = OUT / "pagefind-floor"
    checked = check_same_index(args.site, pages, work)
    halves = [pages[: len(pages) // 2], pages[len(pages) // 2 :]]
    for i, half in enumerate(halves):
        write_cut(args.site, half, work / f"half-{i}")
    write_cut(args.site, pages, work / "all")
    size = sum(p.stat().st_size for p in (work / "all").rglob("*.html"))

    one = measure(pagefind(work / "all", work / "all-out"))
    cpu_before = _children_cpu()  # per-process CPU from measure() would mix the two halves
    with ThreadPoolExecutor(2) as pool:
        two = list(pool.map(lambda i: measure(pagefind(work / f"half-{i}", work / f"half-{i}-out")), (0, 1)))
    wall_two = max(t[0] for t in two)  # both started together
    cpu_two = _children_cpu() - cpu_before

    print(f"{len(pages)} report pages, cut down to {size / 1e6:.0f} MB of searchable HTML")
    print(f"  same fragments as the whole pages: checked on {checked} pages")
    print(
        f"  Pagefind extended, one process:        {one[0]:6.1f} s  CPU {one[3]:6.1f} s  peak {one[1] / 2**30:.2f} GiB"
    )
    print(f"  Pagefind extended, two halves at once: {wall_two:6.1f} s  CPU {cpu_two:6.1f} s")


if __name__ == "__main__":
    main()
