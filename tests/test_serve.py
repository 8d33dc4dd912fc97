"""`gkgen serve` as an editor uses it: serves the site, rebuilds on change, tells the browser to reload."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import REPO

BASE = REPO / "tests" / "invalid" / "_base"


def fetch(url: str, timeout: float = 30) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def wait_for_rebuild(url: str, seen: int, deadline: float = 180) -> str:
    """Poll the reload endpoint as the page's script does: each poll returns after at most 25 s (the build
    version, unchanged if no rebuild finished yet), so a rebuild slowed by a busy machine is waited for."""
    end = time.monotonic() + deadline
    version = str(seen)
    while version == str(seen) and time.monotonic() < end:
        version = fetch(url + f"__gkgen/wait?v={seen}", timeout=60)
    return version


def test_serve_rebuilds_on_change_and_reloads(tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gkgen", "serve", "--port", "0"],
        cwd=root, env=env, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = server.stderr.readline()
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        assert url, "gkgen serve did not report its address"
        page = fetch(url + "reports/410204-wuyi/2021/")
        assert "本年度共收到依申请公开 1 件" in page
        assert "/__gkgen/wait" in page  # the reload script, injected by the server only
        assert "/__gkgen/wait" not in (root / "site/reports/410204-wuyi/2021/index.html").read_text("utf-8")

        md = root / "content/reports/410204-wuyi/2021.md"
        md.write_text(md.read_text("utf-8").replace("1 件", "一件"), encoding="utf-8")
        assert wait_for_rebuild(url, 0) == "1"  # the browser is told to reload
        assert "本年度共收到依申请公开 一件" in fetch(url + "reports/410204-wuyi/2021/")

        # The site's configuration is watched too (saved by renaming a new file over it, as editors do).
        config = root / "gkgen.yaml"
        fresh = root / "gkgen.yaml.new"
        fresh.write_text("title: 监测测试档案\n", encoding="utf-8")
        fresh.replace(config)
        assert wait_for_rebuild(url, 1) == "2"
        assert "监测测试档案" in fetch(url)

        # A broken edit keeps the last good site served.
        report = root / "content/reports/410204-wuyi/2021.yaml"
        report.write_text(report.read_text("utf-8").replace("new: [1,", "new: [x,"), encoding="utf-8")
        time.sleep(2)
        assert "本年度共收到依申请公开 一件" in fetch(url + "reports/410204-wuyi/2021/")
    finally:
        server.terminate()
        server.wait(timeout=30)
