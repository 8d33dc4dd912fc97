"""Browser fixtures: one Chromium per session, built sites served over http on 127.0.0.1 under sub-paths.

The tests run when /usr/bin/chromium (Debian's) exists; with GKGEN_REQUIRE_BROWSER=1 (CI) a missing
browser or Playwright is a failure, not a skip. Playwright never downloads a browser here.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers import CHROMIUM, SUBPATH, require_browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLANK = b'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>'


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves each mount (URL prefix → folder); 404 for anything else. Quiet."""

    mounts: ClassVar[dict[str, Path]] = {}

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        for prefix, folder in sorted(self.mounts.items(), key=lambda m: -len(m[0])):
            if path.startswith(prefix):
                rel = Path(*[p for p in path[len(prefix) :].split("/") if p not in ("", ".", "..")])
                return str(folder / rel)
        return str(Path("/nonexistent-gkgen-test") / "x")

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/blank.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BLANK)))
            self.end_headers()
            self.wfile.write(BLANK)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class Server:
    origin: str
    mounts: dict[str, Path] = field(default_factory=dict)

    def mount(self, prefix: str, folder: Path) -> str:
        """Serve ``folder`` under ``prefix`` ("/name/"); returns the absolute URL of the prefix."""
        self.mounts[prefix] = folder
        return self.origin + prefix


@pytest.fixture(scope="session")
def server(built_site_subpath: Path) -> Iterator[Server]:
    require_browser()
    mounts: dict[str, Path] = {SUBPATH: built_site_subpath}
    handler = type("Handler", (_Handler,), {"mounts": mounts})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", mounts)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_url(server: Server) -> str:
    """The archive built with --base-url /gk-archive/, as the browser sees it."""
    return server.origin + SUBPATH


@pytest.fixture(scope="session")
def browser(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watch:
    """What a page did: console errors, page errors, requests to hosts other than 127.0.0.1."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    responses: list[object] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser, watch: Watch) -> Iterator[object]:
    """A fresh page (own context, empty cache); after the test: no console errors, no foreign requests."""
    context = browser.new_context(locale="zh-CN", service_workers="block")
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.errors.append(str(e)))

    def request(req) -> None:
        host = urlsplit(req.url).hostname
        if req.url.startswith(("http:", "https:", "ws:", "wss:")) and host != "127.0.0.1":
            watch.foreign.append(req.url)

    pg.on("request", request)
    pg.on("response", lambda r: watch.responses.append(r))
    try:
        yield pg
    finally:
        context.close()
    assert not watch.errors, f"console errors: {watch.errors}"
    assert not watch.foreign, f"requests to other hosts: {watch.foreign}"
