"""Builds are atomic (a build killed at any moment leaves the previous or the new complete site),
exclusive (a second build into the same output waits for the first) and reproducible (same content,
same bytes in every file, the search index included).

The kills are real: ``gkgen build`` runs as a subprocess over a copy of the real archive and gets a
SIGKILL, either at a named moment (GKGEN_TEST_PAUSE_AT makes it stop there and say so) or after a
staggered delay once its staging folder appeared.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gkgen import build
from gkgen.outputs import stable_index
from tests.helpers import REPO, site_files

EDIT = ("高龄补贴", "高龄津贴")  # a narrative word of 410204-wuyi/2021: its page and the search index change


def outside_search(files: dict[str, bytes]) -> dict[str, bytes]:
    return {rel: data for rel, data in files.items() if not rel.startswith("pagefind/")}


def new_archive(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    return root


def edit(root: Path) -> None:
    narrative = root / "content" / "reports" / "410204-wuyi" / "2021.md"
    narrative.write_text(narrative.read_text("utf-8").replace(*EDIT), encoding="utf-8")


def run(root: Path, out: Path, **kwargs) -> None:
    stream = io.StringIO()
    assert build.build(root, out, stream=stream, **kwargs) == 0, stream.getvalue()


def command(root: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "gkgen", "build", "--root", str(root), "--out", str(out), *extra]


def environment(**more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GKGEN_")}
    return {**env, "GKGEN_JOBS": "1", **more}


def leftovers(out: Path) -> list[str]:
    """Folders beside the site, but the one a successful build leaves for the next build to remove
    (the site it replaced: ``.site.old-<pid>``, at most one)."""
    found = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.is_dir())
    replaced = [name for name in found if name.startswith(f".{out.name}.old-")]
    assert len(replaced) <= 1, found
    return [name for name in found if name not in replaced]


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The sites a build may leave: the old content's, the new content's after an incremental build
    from the old site (its search index holds the edit in a delta shard), the new content's clean."""
    root = new_archive(tmp_path_factory.mktemp("reference") / "archive")
    run(root, root / "site")
    old = site_files(root / "site")
    edit(root)
    run(root, root / "site")
    incremental = site_files(root / "site")
    run(root, root / "clean", incremental=False)
    return {"old": old, "new": incremental, "new, clean": site_files(root / "clean")}


def kill_at(root: Path, out: Path, point: str, **env: str) -> str:
    """Start a build that stops at ``point``; SIGKILL it there. Returns what it printed."""
    process = subprocess.Popen(
        command(root, out),
        env=environment(GKGEN_TEST_PAUSE_AT=point, **env),
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        for line in process.stderr:
            seen.append(line)
            if line.strip() == f"gkgen-test-paused-at {point}":
                break
        else:
            pytest.fail(f"the build never reached {point}:\n{''.join(seen)}")
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        _reap(process)
    return "".join(seen)


def _reap(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # a Pagefind run it started, if any
    if process.stderr:
        process.stderr.close()


def check_next_build(root: Path, out: Path, references: dict) -> None:
    """The build after a kill succeeds, cleans up, and gives a complete site of the new content."""
    done = subprocess.run(command(root, out), env=environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert leftovers(out) == []
    assert out.is_dir() and not out.is_symlink()  # a plain folder, for http.server -d, rsync, Pages
    site = site_files(out)
    assert outside_search(site) == outside_search(references["new, clean"])
    # The search index: the edit in a delta shard (the killed build's state was the live site's), or
    # indexed anew (it was not: the state is checked against the live site, never trusted blindly).
    assert site in (references["new"], references["new, clean"])


# Where a build may die: half way through linking the unchanged files into the new site, just before
# and just after the switch, after the search index's state became the new site's, after the cache
# was saved (only the "nothing changed" record is missing).
BEFORE_SWITCH = ["linking", "before-switch"]
AFTER_SWITCH = ["after-switch", "after-search-state", "after-save-state"]


@pytest.mark.parametrize("point", BEFORE_SWITCH + AFTER_SWITCH)
def test_a_build_killed_at_any_moment_leaves_a_complete_site(
    point: str, references: dict, tmp_path: Path
) -> None:
    root = new_archive(tmp_path / "archive")
    out = root / "site"
    run(root, out)
    assert site_files(out) == references["old"]
    edit(root)
    kill_at(root, out, point)
    assert site_files(out) == references["old" if point in BEFORE_SWITCH else "new"]
    check_next_build(root, out, references)


def test_a_build_killed_between_the_two_renames_of_the_fallback_switch(
    references: dict, tmp_path: Path
) -> None:
    """Where the file system cannot exchange two folders: killed while site/ is missing, the previous
    site is put back by the next build (which holds the lock) before anything else."""
    root = new_archive(tmp_path / "archive")
    out = root / "site"
    run(root, out)
    edit(root)
    kill_at(root, out, "between-renames", GKGEN_NO_EXCHANGE="1")
    assert not out.exists()
    (aside,) = [p for p in out.parent.iterdir() if p.name.startswith(".site.previous-")]
    assert site_files(aside) == references["old"]
    check_next_build(root, out, references)


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8, 1.5])
def test_a_build_killed_after_a_delay_leaves_a_complete_site(
    delay: float, references: dict, tmp_path: Path
) -> None:
    root = new_archive(tmp_path / "archive")
    out = root / "site"
    run(root, out)
    edit(root)
    process = subprocess.Popen(
        command(root, out), env=environment(), stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".site.staging-") for p in root.iterdir()):
            assert process.poll() is None, "the build ended before its staging folder appeared"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        _reap(process)
    assert site_files(out) in (references["old"], references["new"])
    check_next_build(root, out, references)


def test_two_builds_at_once_one_waits_for_the_other(references: dict, tmp_path: Path) -> None:
    root = new_archive(tmp_path / "archive")
    edit(root)
    out = root / "site"
    first = subprocess.Popen(command(root, out), env=environment(), stderr=subprocess.PIPE, text=True)
    try:
        lock = root / ".site.lock"
        deadline = time.monotonic() + 60
        while not (lock.is_file() and lock.read_text().strip() == str(first.pid)):
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        second = subprocess.run(
            command(root, out), env=environment(), capture_output=True, text=True, timeout=300
        )
        assert first.wait(timeout=300) == 0, first.stderr.read()
    finally:
        _reap(first)
    assert second.returncode == 0, second.stderr
    assert f"另一个构建正在进行（进程 {first.pid}），等待其完成……" in second.stderr
    assert leftovers(out) == []
    assert site_files(out) == references["new, clean"]


def test_a_build_that_may_not_wait_refuses_and_a_killed_holder_does_not_block(
    references: dict, tmp_path: Path
) -> None:
    root = new_archive(tmp_path / "archive")
    out = root / "site"
    run(root, out)
    edit(root)
    process = subprocess.Popen(
        command(root, out),
        env=environment(GKGEN_TEST_PAUSE_AT="before-switch"),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stderr:
            if line.strip() == "gkgen-test-paused-at before-switch":
                break
        refused = subprocess.run(
            command(root, out),
            env=environment(GKGEN_LOCK_TIMEOUT="0"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1
        assert f"构建未进行：另一个构建正在进行（进程 {process.pid}" in refused.stderr
        assert "网站未改动" in refused.stderr
        # The refused build touched nothing: not the site, not the other build's staging folder.
        assert site_files(out) == references["old"]
        assert leftovers(out) == [f".site.staging-{process.pid}"]
        os.kill(process.pid, signal.SIGKILL)  # its lock goes with it: the kernel releases an flock
        process.wait(timeout=30)
    finally:
        _reap(process)
    check_next_build(root, out, references)


@pytest.mark.parametrize("shard_pages", ["1000", "3"])
def test_two_clean_builds_are_identical_in_every_byte(
    shard_pages: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file, pagefind/ included (filters, metadata, the entry file), with one index or several."""
    monkeypatch.setenv("GKGEN_SHARD_PAGES", shard_pages)
    run(REPO, tmp_path / "a", incremental=False)
    run(REPO, tmp_path / "b", incremental=False)
    a, b = site_files(tmp_path / "a"), site_files(tmp_path / "b")
    assert any(rel.endswith(".pf_filter") for rel in a)
    assert sorted(a) == sorted(b)
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_the_same_edit_gives_the_same_bytes_and_the_clean_build_outside_the_index(
    references: dict, tmp_path: Path
) -> None:
    """An incremental build after an edit: byte for byte what the same edit gave elsewhere (the
    reference), and outside pagefind/ (where the edit goes into a delta shard) a clean build's bytes."""
    root = new_archive(tmp_path / "archive")
    run(root, root / "site")
    edit(root)
    run(root, root / "site")
    site = site_files(root / "site")
    assert site == references["new"]
    assert outside_search(site) == outside_search(references["new, clean"])
    assert site != references["new, clean"]  # the delta shard


def test_normalising_a_bundle_twice_changes_nothing(built_site: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(built_site / "pagefind", bundle)
    stable_index.normalise(bundle)
    assert site_files(bundle) == site_files(built_site / "pagefind")


def test_a_build_made_from_the_replaced_site_never_writes_into_the_live_one(
    references: dict, tmp_path: Path
) -> None:
    """A build makes its site from the one the last build replaced (``.site.old-<pid>``), whose
    unchanged files are hard links of the live site's: killed just before its switch, after writing
    everything, it must have left the live site exactly as it was."""
    root = new_archive(tmp_path / "archive")
    out = root / "site"
    run(root, out)
    edit(root)
    run(root, out)  # the replaced site is kept beside as the spare
    assert site_files(out) == references["new"]
    assert [p.name for p in root.iterdir() if p.name.startswith(".site.old-")]
    narrative = root / "content" / "reports" / "410204-wuyi" / "2021.md"
    narrative.write_text(narrative.read_text("utf-8").replace(*reversed(EDIT)), encoding="utf-8")
    stats = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    kill_at(root, out, "before-switch")
    assert site_files(out) == references["new"]
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == stats
    done = subprocess.run(command(root, out), env=environment(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert leftovers(out) == []
    assert outside_search(site_files(out)) == outside_search(references["old"])  # the content is v1 again


def test_a_spare_of_another_layout_gives_way(tmp_path: Path) -> None:
    """The spare (the replaced site) may hold a file where this build needs a folder, or the reverse."""
    from gkgen.outputs.write import CleanUp, SiteWriter

    out = tmp_path / "site"
    out.mkdir()
    (out / "kept.txt").write_text("kept")
    spare = tmp_path / ".site.old-1"
    (spare / "a" / "b").mkdir(parents=True)
    (spare / "a" / "b" / "x.html").write_text("old")
    (spare / "c").write_text("a file where a folder goes")
    (spare / "gone.txt").write_text("not in the new site")
    with SiteWriter(out, CleanUp(spare, None)) as writer:
        writer.write("a/b", "now a file")
        writer.write("c/d.html", "in a folder")
        writer.keep("kept.txt")
        assert writer.commit()
    assert site_files(out) == {"a/b": b"now a file", "c/d.html": b"in a folder", "kept.txt": b"kept"}
    assert site_files(tmp_path / f".site.old-{os.getpid()}") == {"kept.txt": b"kept"}
