"""`gkgen serve`: build, serve on localhost, rebuild when content or templates change, reload the browser.

Changes are noticed by the operating system's file notifications (watchfiles: inotify, FSEvents,
ReadDirectoryChangesW), not by polling: a poll stats every file, which at 100,000 reports is
200,000 stats, seconds of CPU every half second. Where notifications are not available (some
network or container file systems), watchfiles polls instead.

The reload script is injected into HTML responses by this server only; built
files never contain it. A failed rebuild prints its diagnostics and keeps
serving the last good site (the build is atomic).
"""

from __future__ import annotations

import sys
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qs, urlsplit

import watchfiles

from gkgen import build
from gkgen.content.config import FILE as CONFIG_FILE
from gkgen.content.config import load_config

WATCHED_FOLDERS = ("content", "templates")  # every file under them; the config file beside them
READY_MS = 500  # a watch answers at least this often (an empty batch): its first answer says it is in place
RELOAD_SCRIPT = b"""<script>(function(){var v=%d;function wait(){fetch('/__gkgen/wait?v='+v).then(function(r){
return r.text()}).then(function(t){if(+t!==v){location.reload()}else{wait()}}).catch(function(){
setTimeout(wait,2000)})}wait()})();</script>"""


class Builds:
    """The build version the browser waits on; bumped after each successful rebuild."""

    def __init__(self) -> None:
        self.version = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float = 25.0) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


class Handler(SimpleHTTPRequestHandler):
    builds: Builds
    base_path: str

    def log_message(self, format: str, *args) -> None:  # quiet: the terminal is for diagnostics
        return

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/__gkgen/wait":
            seen = int(parse_qs(url.query).get("v", ["0"])[0] or 0)
            body = str(self.builds.wait(seen)).encode()
            self._send(HTTPStatus.OK, "text/plain", body)
            return
        if url.path == "/" and self.base_path != "/":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return
        if not url.path.startswith(self.base_path):
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", "不在本站路径下".encode())
            return
        self.path = "/" + url.path[len(self.base_path) :] + (f"?{url.query}" if url.query else "")
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            file = file / "index.html"
        if file.suffix == ".html" and file.is_file():
            html = file.read_bytes().replace(b"</body>", RELOAD_SCRIPT % self.builds.version + b"</body>", 1)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", html)
            return
        super().do_GET()

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def _notify_on_change(
    paths: list[Path], recursive: bool, watch_filter, wake: threading.Event, stop, ready: threading.Event
) -> None:
    """Set ``wake`` after each batch of changes under ``paths`` until ``stop`` is set; ``ready`` once the
    watch is in place (its first answer, a batch or an empty one after READY_MS, comes after that)."""

    def follow(**how: bool) -> None:
        for changes in watchfiles.watch(
            *paths, recursive=recursive, watch_filter=watch_filter, stop_event=stop,
            rust_timeout=READY_MS, yield_on_timeout=True, **how,
        ):  # fmt: skip
            ready.set()
            if changes:
                wake.set()

    try:
        follow(raise_interrupt=False)
    except (OSError, RuntimeError):  # no notifications here (e.g. inotify watches used up): poll instead
        follow(force_polling=True)


def watch(
    root: Path,
    out: Path,
    builds: Builds,
    stream: TextIO,
    stop: threading.Event,
    ready: threading.Event | None = None,
) -> None:
    """Rebuild after each batch of changes to what a build reads; the browser reloads after a good one.
    ``ready`` is set once every watch is in place: a change made after it is never missed."""
    wake = threading.Event()
    root = root.resolve()  # watchfiles reports absolute paths
    folders = [root / name for name in WATCHED_FOLDERS if (root / name).is_dir()]
    config = str(root / CONFIG_FILE)
    watchers = [
        (folders, True, watchfiles.DefaultFilter()),  # ignores editors' swap files, .git, __pycache__
        # The folder itself, not the file: an editor that saves by renaming a new file over it would
        # leave a watch on the old file behind.
        ([root], False, lambda _change, path: path == config),
    ]
    started: list[threading.Event] = []
    for paths, recursive, watch_filter in watchers:
        if paths:
            started.append(threading.Event())
            threading.Thread(
                target=_notify_on_change,
                args=(paths, recursive, watch_filter, wake, stop, started[-1]),
                daemon=True,
            ).start()
    for event in started:
        event.wait(timeout=30)
    if ready is not None:
        ready.set()
    while not stop.is_set():
        if not wake.wait(timeout=0.5):
            continue
        wake.clear()
        started = time.perf_counter()
        if build.build(root, out, stream=stream) == 0:
            print(f"已重新构建（{time.perf_counter() - started:.1f} 秒），浏览器将自动刷新", file=stream)
            builds.bump()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, stream: TextIO = sys.stderr) -> int:
    out = root / "site"
    if build.build(root, out, stream=stream) != 0:
        print("首次构建失败；修正上面的错误后再运行 gkgen serve", file=stream)
        return 1
    config, _ = load_config(root)
    builds = Builds()
    handler = partial(
        type("BoundHandler", (Handler,), {"builds": builds, "base_path": config.base_path}),
        directory=str(out),
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    stop = threading.Event()
    # The address is given once the file watches are in place: an edit made as soon as the page is
    # open (before the watches were, on a busy machine) was never rebuilt.
    watching = threading.Event()
    threading.Thread(target=watch, args=(root, out, builds, stream, stop, watching), daemon=True).start()
    watching.wait(timeout=30)
    print(
        f"正在 http://{host}:{server.server_address[1]}{config.base_path} 提供网站；修改内容后自动重建。"
        "按 Ctrl+C 停止。",
        file=stream,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0


__all__ = ["Builds", "serve", "watch"]
