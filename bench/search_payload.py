"""Weight and time of a first search, measured in Debian's Chromium: bytes as a CDN would send them.

    python -m bench.search_payload SITE_FOLDER [QUERY ...] [--runs 3]

Serves the built site on 127.0.0.1 (bounded: stops when done). For each query, in a fresh browser
context (empty cache), two ways a person starts a search:

- arriving: opens search/?q=QUERY and waits until the page has shown that search's results;
- typing: opens search/, types QUERY into the box (key by key, no delay), and waits likewise.

Counted: every response of the site (the page, its CSS and scripts, the index files), each at the size
it would travel gzip-compressed (level 6, as a CDN compresses text; files that are already compressed,
such as Pagefind's index chunks, at their own size when gzip would not make them smaller). Time: from
the start of navigation to the results on screen (wall clock in this process), the median of --runs.
--waterfall prints, for the first run of each, every request's start and end (ms after navigation):
the chain of requests one after another is what the time is made of.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
DONE = (
    "q => document.querySelector('#search-app')?.dataset.searched === location.search"
    " && new URLSearchParams(location.search).get('q') === q"
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def wire_size(body: bytes) -> int:
    return min(len(body), len(gzip.compress(body, compresslevel=6, mtime=0)))


def _one(browser, origin: str, query: str, typing: bool) -> dict:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    seen: list = []
    ends: dict = {}
    page.on("request", lambda r: ends.setdefault(id(r), [time.monotonic(), None]))
    page.on(
        "requestfinished",
        lambda r: (seen.append(r), ends.setdefault(id(r), [None, None]).__setitem__(1, time.monotonic())),
    )
    start = time.monotonic()
    if typing:
        page.goto(origin + "search/")
        page.wait_for_selector("#search-app[data-ready]", state="attached", timeout=120000)
        page.locator("#search-q").press_sequentially(query)
    else:
        page.goto(f"{origin}search/?q={quote(query)}")
    page.wait_for_function(DONE, arg=query, timeout=120000)
    seconds = time.monotonic() - start
    shown = page.locator("#search-results > li").count()
    found = page.inner_text("#search-status")
    total = pagefind = 0
    requests = 0
    chain = []
    for r in seen:
        if urlsplit(r.url).hostname != "127.0.0.1":
            continue
        response = r.response()
        body = response.body() if response else b""
        size = wire_size(body)
        total += size
        requests += 1
        if "/pagefind/" in r.url:
            pagefind += size
        began, ended = ends.get(id(r), [None, None])
        if began is not None and ended is not None:
            chain.append(
                (round((began - start) * 1000), round((ended - start) * 1000), size, urlsplit(r.url).path)
            )
    context.close()
    return {
        "seconds": seconds,
        "bytes": total,
        "pagefind": pagefind,
        "requests": requests,
        "shown": shown,
        "status": found,
        "chain": sorted(chain),
    }


def measure(site: Path, queries: list[str], runs: int = 1) -> list[dict]:
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for query in queries:
                for typing in (False, True):
                    tries = [_one(browser, origin, query, typing) for _ in range(runs)]
                    best = tries[0]
                    rows.append(
                        {
                            "query": query,
                            "how": "typing" if typing else "?q=",
                            "seconds": statistics.median(t["seconds"] for t in tries),
                            "seconds_all": [round(t["seconds"], 2) for t in tries],
                            **{
                                k: best[k]
                                for k in ("bytes", "pagefind", "requests", "shown", "status", "chain")
                            },
                        }
                    )
            browser.close()
    finally:
        httpd.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("site", type=Path)
    parser.add_argument("queries", nargs="*", default=["高龄补贴", "行政复议", "依申请公开"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--waterfall", action="store_true", help="print each request's start and end")
    args = parser.parse_args()
    for row in measure(args.site, args.queries, args.runs):
        print(
            f"{row['query']}\t{row['how']}\t{row['bytes'] / 1024:.0f} KiB on the wire "
            f"({row['pagefind'] / 1024:.0f} KiB of it pagefind/, {row['requests']} requests)\t"
            f"{row['seconds']:.2f} s (runs: {row['seconds_all']})\t{row['shown']} shown · {row['status']}"
        )
        if args.waterfall:
            for began, ended, size, path in row["chain"]:
                print(f"    {began:6d} → {ended:6d} ms  {size / 1024:6.1f} KiB  {path}")


if __name__ == "__main__":
    main()
