"""Bytes a browser downloads from pagefind/ for a first search, measured in Debian's Chromium.

    python -m bench.search_payload SITE_FOLDER [QUERY ...]

Serves the built site on 127.0.0.1 (bounded: stops when done), opens search/?q=QUERY in a fresh
browser context (empty cache) for each query, waits for the results, and sums the response body
sizes of every request under pagefind/ (uncompressed, as this local server sends them; a real host
would gzip the JavaScript, Pagefind's own index files are already compressed).
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def measure(site: Path, queries: list[str]) -> list[tuple[str, int, int, int]]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}/"
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                seen = []
                page.on("requestfinished", lambda r, seen=seen: seen.append(r))
                page.goto(f"{origin}search/?q={quote(query)}")
                page.wait_for_function(
                    "document.querySelector('#search-app').dataset.searched === location.search",
                    timeout=120000,
                )
                found = page.locator("#search-results li").count()
                mine = [r for r in seen if "/pagefind/" in r.url]
                total = sum(r.sizes()["responseBodySize"] for r in mine)
                rows.append((query, len(mine), total, found))
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    return rows


def main() -> None:
    site = Path(sys.argv[1])
    queries = sys.argv[2:] or ["高龄补贴", "行政复议", "依申请公开"]
    for query, requests, total, found in measure(site, queries):
        print(f"{query}\t{requests} requests\t{total / 1024:.0f} KiB\t{found} results shown")


if __name__ == "__main__":
    main()
