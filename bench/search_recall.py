"""Recall of the search page on the real archive: words that occur in one report only, typed in Chromium.

    python -m bench.search_recall [--site SITE] [--n 300] [--seed 16] [--words-out FILE]   (make bench-search)

1. Builds the real archive (content/) into bench/out/search-recall/site, unless --site names a built one.
2. Reads every report page's searchable text (what Pagefind indexes: the data-pagefind-body element
   without the data-pagefind-ignore parts) from the built HTML.
3. Draws candidates from the reports' narratives (content/reports/*/*.md, headings left out): words
   and two-word phrases of 2–6 characters as jieba's dictionary cuts the text (see candidates()),
   Chinese or mixed (Latin, digits); keeps those that occur in exactly one report's searchable text;
   then a seeded sample of --n of them (the terms named in NAMED first, when they qualify), one sixth
   mixed and one sixth of 2 characters where there are so many, so that short words and
   abbreviations are held to account.
4. Opens the search page in a fresh Chromium page for each word, types it key by key into the search
   box, waits for the page to mark the search of that query done, and reads the result links.

Prints the share of words whose report is the first result (top 1) and among the first three (top 3),
and every miss. The sample is the same from run to run for the same archive and Chromium.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.search_payload import ARGS

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "search-recall"
NAMED = ["业委会", "三审三校", "七步法", "坛南湾", "高龄补贴", "低保金"]  # asked for by name in issue #16
_HAN = re.compile(r"[\u3400-\u9fff]")
_REPORT = re.compile(r"^reports/([^/]+)/(\d{4})/index\.html$")


def build(site: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "gkgen", "build", "--out", str(site), "--base-url", "/"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def searchable_texts(site: Path) -> dict[str, str]:
    """report key ("agency/year") → the text Pagefind indexes of its page."""
    import html5lib

    texts = {}
    for path in sorted(site.glob("reports/*/*/index.html")):
        rel = path.relative_to(site).as_posix()
        m = _REPORT.match(rel)
        if not m:
            continue
        doc = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=False)
        body = next(e for e in doc.iter() if "data-pagefind-body" in e.attrib)
        texts[f"{m.group(1)}/{m.group(2)}"] = "".join(_text(body))
    return texts


def _text(el):
    if "data-pagefind-ignore" in el.attrib or el.tag in ("script", "style"):
        if el.tail:
            yield el.tail
        return
    if el.text:
        yield el.text
    for child in el:
        yield from _text(child)
    yield " "
    if el.tail:
        yield el.tail


def narratives() -> dict[str, str]:
    out = {}
    for md in sorted((REPO / "content" / "reports").glob("*/*.md")):
        lines = [
            ln for ln in md.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")
        ]
        out[f"{md.parent.name}/{md.stem}"] = "\n".join(lines)
    return out


_ASCII = re.compile(r"^[0-9A-Za-z]+$")
_QUOTED = re.compile(r"[“「『\"]([^”」』\"\s，。、]{2,6})[”」』\"]")


def _han(text: str) -> bool:
    return all(_HAN.match(c) for c in text)


def candidates(prose: dict[str, str]) -> dict[str, str]:
    """span → the report whose narrative it was drawn from.

    Words are cut by jieba's dictionary (no guessing of unknown words), a segmenter independent of the
    ICU one that Pagefind 1.6.0 and the browser share. A span is what a person types as one search:
    a word of 2–6 characters (街道办事处, 业委会); two neighbouring words of 2+ characters each
    (高龄补贴, 信用平潭, 三审三校); a term the report sets in quotation marks (七步法); or a Chinese word
    beside a Latin one or a number of 5+ digits (政务APP, 12345热线). Never across punctuation.
    """
    import jieba

    jieba.setLogLevel(60)
    found: dict[str, str] = {}

    def add(span: str, report: str) -> None:
        if 2 <= len(span) <= 6 and _HAN.search(span) and span not in found:
            found[span] = report

    for report, text in prose.items():
        for quoted in _QUOTED.findall(text):
            add(quoted, report)
        tokens = jieba.lcut(text, HMM=False)
        for i, tok in enumerate(tokens):
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if _han(tok) and len(tok) >= 2:
                add(tok, report)
                if _han(nxt) and len(nxt) >= 2:
                    add(tok + nxt, report)
            latin = lambda t: _ASCII.match(t) and (t.isalpha() or len(t) >= 5)  # noqa: E731
            if nxt and (
                (latin(tok) and _han(nxt) and len(nxt) >= 2) or (_han(tok) and len(tok) >= 2 and latin(nxt))
            ):
                add(tok + nxt, report)
    return found


def draw(texts: dict[str, str], cands: dict[str, str], n: int, seed: int) -> list[tuple[str, str]]:
    """A seeded sample of spans that occur in exactly one report's searchable text (its own)."""
    unique = []
    for span, report in sorted(cands.items()):
        if span.isdigit():
            continue
        holders = [k for k, t in texts.items() if span.lower() in t.lower()]
        if holders == [report]:
            unique.append((span, report))
    rng = random.Random(seed)
    mixed = [u for u in unique if not all(_HAN.match(c) for c in u[0])]
    short = [u for u in unique if len(u[0]) == 2 and u not in mixed]
    rest = [u for u in unique if u not in mixed and u not in short]
    k_mixed = min(len(mixed), n // 6)
    k_short = min(len(short), n // 6)
    named = [
        (w, r)
        for w in NAMED
        for r in [k for k, t in texts.items() if w in t][:1]
        if sum(w in t for t in texts.values()) == 1
    ]
    sample = named + rng.sample(mixed, k_mixed) + rng.sample(short, k_short)
    sample += rng.sample([u for u in rest if u not in named], n - len(sample))
    return sorted(set(sample), key=sample.index)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def serve(site: Path):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


def open_page(page, origin: str) -> None:
    page.goto(origin + "search/")
    page.wait_for_selector("#search-app[data-ready]", state="attached", timeout=60000)


def search_typed(page, word: str) -> list[str]:
    """Clears the search box and types ``word`` key by key, as a person does; the result links (paths,
    without #fragments) in order, once the page has shown the search of that word."""
    box = page.locator("#search-q")
    box.fill("")
    box.press_sequentially(word, delay=40)
    page.wait_for_function(
        "q => document.querySelector('#search-app').dataset.searched === location.search"
        " && new URLSearchParams(location.search).get('q') === q",
        arg=word,
        timeout=60000,
    )
    return page.eval_on_selector_all(
        "#search-results > li h2 a", "els => els.map(a => new URL(a.href).pathname)"
    )


def run(site: Path, n: int, seed: int, words_out: Path | None, words: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    texts = searchable_texts(site)
    prose = narratives()
    httpd, origin = serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(locale="zh-CN")
            page = context.new_page()
            if words is not None:
                lines = words.read_text(encoding="utf-8").splitlines()
                sample = [tuple(line.split("\t")) for line in lines if line.strip()]
            else:
                sample = draw(texts, candidates(prose), n, seed)
            if words_out:
                words_out.write_text("".join(f"{w}\t{r}\n" for w, r in sample), encoding="utf-8")
            rows = []
            start = time.monotonic()
            open_page(page, origin)
            for word, report in sample:
                agency, year = report.split("/")
                want = f"/reports/{agency}/{year}/"
                hrefs = search_typed(page, word)
                rank = hrefs.index(want) + 1 if want in hrefs else None
                rows.append({"word": word, "report": report, "rank": rank, "found": len(hrefs)})
            seconds = time.monotonic() - start
            browser.close()
    finally:
        httpd.shutdown()
    total = len(rows)
    top1 = sum(1 for r in rows if r["rank"] == 1)
    top3 = sum(1 for r in rows if r["rank"] and r["rank"] <= 3)
    return {"words": total, "top1": top1, "top3": top3, "seconds": seconds, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, default=None, help="a built site (default: build content/)")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--words-out", type=Path, default=None, help="write the sample (word, report) here")
    parser.add_argument(
        "--words", type=Path, default=None, help="search this sample (word TAB report a line) instead"
    )
    parser.add_argument("--json", type=Path, default=None, help="write every word's rank here")
    args = parser.parse_args()
    site = args.site
    if site is None:
        site = OUT / "site"
        build(site)
    result = run(site.resolve(), args.n, args.seed, args.words_out, args.words)
    for row in result["rows"]:
        if not row["rank"] or row["rank"] > 3:
            print(f"miss\t{row['word']}\t{row['report']}\trank {row['rank']}\t{row['found']} results")
    w = result["words"]
    print(
        f"{w} words: top 1 {result['top1']}/{w} = {result['top1'] / w:.1%} · "
        f"top 3 {result['top3']}/{w} = {result['top3'] / w:.1%} · {result['seconds']:.0f} s"
    )
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
