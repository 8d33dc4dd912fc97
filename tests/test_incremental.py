"""Incremental builds redo only what changed, and give exactly the bytes of a clean build."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from gkgen import build
from gkgen.incremental import cache
from tests.helpers import REPO, site_files


def tree(site: Path) -> dict[str, bytes]:
    """Every file outside pagefind/: an incremental build puts changed reports in a delta shard (that
    search answers the same is tested in the browser, tests/browser/test_delta.py). Two builds of the
    same content are equal in pagefind/ too (tests/test_atomic.py)."""
    return {rel: data for rel, data in site_files(site).items() if not rel.startswith("pagefind/")}


def run(root: Path, out: Path, **kwargs) -> build.Stats:
    stats = build.Stats()
    stream = io.StringIO()
    assert build.build(root, out, stream=stream, stats=stats, **kwargs) == 0, stream.getvalue()
    return stats


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    return root


def test_no_change_rebuild_renders_nothing_and_touches_nothing(archive: Path) -> None:
    out = archive / "site"
    run(archive, out)
    # What rsync and CDN caches look at: the bytes and the modification time.
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert run(archive, out).counts == {"unchanged": 1}
    # A checkout that only touches files (new mtimes, same bytes) goes the long way and still renders nothing.
    for report in (archive / "content" / "reports").glob("*/*.yaml"):
        os.utime(report)
    stats = run(archive, out)
    assert stats.counts["reports rehashed"] == len(list((archive / "content" / "reports").glob("*/*.yaml")))
    assert stats.counts["reports loaded"] == 0
    assert stats.counts["report pages rendered"] == 0
    assert stats.counts["site pages rendered"] == 0
    assert stats.counts["reports exported"] == 0
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_one_report_edit_rebuilds_what_depends_on_it_and_equals_a_clean_build(
    archive: Path, tmp_path: Path
) -> None:
    out = archive / "site"
    run(archive, out)
    untouched = out / "reports" / "410302-dongnanyu" / "2021" / "index.html"
    untouched_stat = (untouched.stat().st_ino, untouched.stat().st_mtime_ns)
    downloads = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "data").glob("gkgen-*")}

    report = archive / "content" / "reports" / "410204-wuyi" / "2021.yaml"
    report.write_text(
        report.read_text("utf-8").replace("licensing: [0]", "licensing: [17]"), encoding="utf-8"
    )
    narrative = report.with_suffix(".md")
    narrative.write_text(narrative.read_text("utf-8").replace("高龄补贴", "高龄津贴"), encoding="utf-8")

    stats = run(archive, out)
    assert stats.counts["reports loaded"] == 1
    assert stats.counts["report pages rendered"] == 1  # 五一 has no other year: no neighbours to redo
    assert stats.counts["reports exported"] == 1
    assert 0 < stats.counts["site pages rendered"] < stats.counts["site pages reused"]
    assert (untouched.stat().st_ino, untouched.stat().st_mtime_ns) == untouched_stat
    # Only the downloads of the edited report's year and province are written again (not 2021's other
    # provinces, nor 河南's other years), and the whole archive's CSV and database.
    assert stats.counts["export files written"] == 4
    now = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "data").glob("gkgen-*")}
    rewritten = {name for name in now if now[name] != downloads[name]}
    assert rewritten == {
        "gkgen-cells-2021-410000.csv",
        "gkgen-2021-410000.sqlite",
        "gkgen-cells-all.csv",
        "gkgen-all.sqlite",
    }
    assert {"gkgen-2021-350000.sqlite", "gkgen-2022-410000.sqlite"} <= set(now)
    # The data page and datapackage.json give the rewritten files' new sizes (0 → 17: one byte more in the
    # CSV; the page is compared with a clean build's below) and the kept files' sizes from the live site.
    assert stats.counts["data pages rendered"] == 2  # the data page and datapackage.json, not formats.json
    package = json.loads((out / "data" / "datapackage.json").read_text("utf-8"))
    assert {r["path"]: r["bytes"] for r in package["resources"]} == {
        p.name: p.stat().st_size for p in (out / "data").glob("gkgen-*")
    }

    page = (out / "reports" / "410204-wuyi" / "2021" / "index.html").read_text("utf-8")
    assert re.search(r'data-cell="active\.licensing\.decisions"[^>]*>17<', page) and "高龄津贴" in page

    clean = tmp_path / "clean"
    run(archive, clean, incremental=False)
    assert tree(out) == tree(clean)


def test_a_build_that_fails_after_indexing_leaves_the_search_state_of_the_live_site(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = archive / "site"
    run(archive, out)
    narrative = archive / "content" / "reports" / "410204-wuyi" / "2021.md"
    narrative.write_text(narrative.read_text("utf-8").replace("高龄补贴", "高龄津贴"), encoding="utf-8")

    def fail_after_the_index(*args):
        raise OSError("disk full")

    monkeypatch.setattr(
        build.furniture, "furniture_pages", fail_after_the_index
    )  # rendered after the index is written
    with pytest.raises(OSError, match="disk full"):
        build.build(archive, out, stream=io.StringIO())
    monkeypatch.undo()

    # The live site's base shard still answers for every other report: the edit goes into a delta shard
    # (re-indexing the base shard here would mean the failed build's state had replaced the live site's).
    run(archive, out)
    manifest = json.loads((out / "pagefind" / "shards.json").read_text("utf-8"))
    assert [s["name"] for s in manifest["shards"]][1:] == ["delta"]
    assert manifest["shards"][-1]["pages"] == 1


def test_edits_leave_the_base_shards_in_place_and_replace_the_delta_shard(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GKGEN_SHARD_PAGES", "4")  # several base shards: the primary and nested ones
    out = archive / "site"
    run(archive, out)

    def files() -> dict[str, tuple[int, int]]:
        return {
            p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (out / "pagefind").rglob("*")
            if p.is_file()
        }

    # The manifest and the delta shard's routing table (pagefind/routes/delta/) change with the delta;
    # the base shards' own files and their routing table (word → base shards) do not.
    def described(rel: str) -> bool:
        return rel == "pagefind/shards.json" or rel.startswith("pagefind/routes/delta/")

    base = {rel: stat for rel, stat in files().items() if not described(rel)}
    assert any(rel.startswith("pagefind/routes/") for rel in base)
    for n, body in enumerate(("410204-wuyi", "220102-xingfu"), start=1):
        narrative = archive / "content" / "reports" / body / "2021.md"
        narrative.write_text(narrative.read_text("utf-8").replace("。", "；", 1), encoding="utf-8")
        stats = run(archive, out)
        assert stats.counts["search shards indexed"] == 1  # the delta shard only
        manifest = json.loads((out / "pagefind" / "shards.json").read_text("utf-8"))
        assert [s["name"] for s in manifest["shards"]][-1] == "delta" and manifest["shards"][-1]["pages"] == n
        # The base shards are left where they are, not linked into the staging folder and moved back.
        assert stats.counts["search shards left in place"] == len(manifest["shards"]) - 1 > 1
        now = files()
        # Every file of the base shards is the same file as before (not re-linked, not rewritten) ...
        assert {rel: now.get(rel) for rel in base} == base
        # ... and besides them there are only the manifest and this build's delta shard: the previous
        # delta's files are gone, and the cache lists exactly what is on disk.
        delta = {rel for rel in now if rel.startswith("pagefind/shards/delta/")}
        assert set(now) == set(base) | delta | {rel for rel in now if described(rel)}
        base_routes = [rel for rel in base if rel.startswith("pagefind/routes/")]
        assert stats.counts["search routing buckets left in place"] == len(base_routes)
        # The delta's routing table sends the words of the edited reports to the delta shard, the base
        # table none of them (its masks have no bit for it).
        assert manifest["routes"]["delta"]["path"] == "routes/delta/"
        routed = {
            word
            for bucket in (out / "pagefind" / "routes" / "delta").glob("*.json")
            for word in json.loads(bucket.read_text("utf-8"))
        }
        assert len(routed) > 20 and {"信息", "公开"} <= routed
        delta_bit = 1 << (len(manifest["shards"]) - 1)
        assert not any(
            int(mask, 16) & delta_bit
            for bucket in (out / "pagefind" / "routes").glob("*.json")
            for mask in json.loads(bucket.read_text("utf-8")).values()
        )
        fragments = [rel for rel in delta if rel.startswith("pagefind/shards/delta/fragment/")]
        assert len(fragments) == n
        state = cache.load_state(archive, cache.code_digest())
        assert {f for f in state.files if f.startswith("pagefind/")} == set(now)


def test_neighbouring_years_are_redone_when_a_year_changes(archive: Path) -> None:
    out = archive / "site"
    run(archive, out)
    report = archive / "content" / "reports" / "350128-pingtan" / "2021.yaml"
    text = report.read_text("utf-8")
    report.write_text(text.replace("licensing: [2293]", "licensing: [2294]"), encoding="utf-8")
    stats = run(archive, out)
    # 2021 itself, and 2020 and 2022 whose year-over-year figures and links show 2021.
    assert stats.counts["report pages rendered"] == 3


def test_config_change_invalidates_every_page(archive: Path) -> None:
    out = archive / "site"
    run(archive, out)
    (archive / "gkgen.yaml").write_text("title: 另一个档案\n", encoding="utf-8")
    stats = run(archive, out)
    assert stats.counts["report pages reused"] == 0
    assert stats.counts["site pages reused"] == 0
    assert "另一个档案" in (out / "index.html").read_text("utf-8")


def test_hand_edited_output_is_not_trusted(archive: Path) -> None:
    out = archive / "site"
    run(archive, out)
    page = out / "reports" / "410204-wuyi" / "2021" / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"tampered")
    # With no input changed the build stops at once (it does not look at the site's files); the next
    # build that has anything to do checks every output it keeps and renders a tampered one again.
    other = archive / "content" / "reports" / "410302-dongnanyu" / "2021.md"
    other.write_text(other.read_text("utf-8") + "\n", encoding="utf-8")
    run(archive, out)
    assert page.read_bytes() == original


def test_unchanged_inputs_stop_the_build_at_once(archive: Path) -> None:
    out = archive / "site"
    run(archive, out)
    stream = io.StringIO()
    stats = build.Stats()
    assert build.build(archive, out, stream=stream, stats=stats) == 0
    assert stats.counts == {"unchanged": 1}
    assert "内容无变化" in stream.getvalue() and "9 份报告" in stream.getvalue()
    assert (
        build.build(archive, out, stream=io.StringIO(), base_url="/elsewhere/", stats=(s := build.Stats()))
        == 0
    )
    assert "unchanged" not in s.counts  # another base URL is another build


def test_a_deleted_report_disappears_from_the_site(archive: Path, tmp_path: Path) -> None:
    out = archive / "site"
    run(archive, out)
    assert (out / "reports" / "410302-dongnanyu" / "2021" / "index.html").is_file()
    shutil.rmtree(archive / "content" / "reports" / "410302-dongnanyu")
    run(archive, out)
    assert not (out / "reports" / "410302-dongnanyu").exists()
    assert not (out / "data" / "reports" / "410302-dongnanyu-2021.json").exists()
    clean = tmp_path / "clean"
    run(archive, clean, incremental=False)
    assert tree(out) == tree(clean)


def test_an_edit_in_the_same_timestamp_tick_is_not_missed(archive: Path) -> None:
    """Same size, same mtime, same inode as the build saw (as if written in the tick the build read it)."""
    out = archive / "site"
    report = archive / "content" / "reports" / "410204-wuyi" / "2021.yaml"
    run(archive, out)
    before = report.stat()
    report.write_text(report.read_text("utf-8").replace("licensing: [0]", "licensing: [7]"), encoding="utf-8")
    os.utime(report, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache.file_stat(report) == (before.st_mtime_ns, before.st_size, before.st_ino)
    stats = run(archive, out)
    assert stats.counts.get("reports loaded") == 1
    page = (out / "reports" / "410204-wuyi" / "2021" / "index.html").read_text("utf-8")
    assert re.search(r'data-cell="active\.licensing\.decisions"[^>]*>7<', page)


def test_pages_that_do_not_show_what_changed_are_kept(archive: Path, tmp_path: Path) -> None:
    out = archive / "site"
    run(archive, out)
    year_page = out / "years" / "2021" / "index.html"
    kept = {p: p.stat().st_mtime_ns for p in (year_page, out / "compare" / "index.html", out / "index.html")}

    # A narrative word: only the report's own page and its body's page are rendered again.
    narrative = archive / "content" / "reports" / "410204-wuyi" / "2021.md"
    narrative.write_text(narrative.read_text("utf-8").replace("高龄补贴", "高龄津贴"), encoding="utf-8")
    stats = run(archive, out)
    assert stats.counts["site pages rendered"] == 1  # agencies/410204-wuyi/
    assert stats.counts["site pages reused, same view"] > 0
    assert {p: p.stat().st_mtime_ns for p in kept} == kept

    # A key figure (new requests) is on the year and region pages: they are rendered again, right.
    report = narrative.with_suffix(".yaml")
    text = report.read_text("utf-8")
    for row in ("new", "partial", "total"):  # one more request, partly granted: the rules still hold
        text = text.replace(f"{row}: [1, 0, 0, 0, 0, 0, 1]", f"{row}: [2, 0, 0, 0, 0, 0, 2]")
    report.write_text(text, encoding="utf-8")
    run(archive, out)
    assert year_page.stat().st_mtime_ns != kept[year_page]
    clean = tmp_path / "clean"
    run(archive, clean, incremental=False)
    assert tree(out) == tree(clean)


def test_a_body_added_to_the_registry_without_reports_appears_on_its_region_pages(
    archive: Path, tmp_path: Path
) -> None:
    shutil.copytree(REPO / "content" / "agencies", archive / "content" / "agencies", dirs_exist_ok=True)
    out = archive / "site"
    run(archive, out)
    registry = archive / "content" / "agencies" / "22-jilin.yaml"
    registry.write_text(
        registry.read_text("utf-8")
        + "- id: 220102-xinjia\n  name: 长春市南关区新加街道办事处\n  province: 吉林省\n  city: 长春市\n"
        + '  county: 南关区\n  region_code: "220102"\n  level: 街道\n',
        encoding="utf-8",
    )
    run(archive, out)
    assert "长春市南关区新加街道办事处" in (out / "regions" / "220102" / "index.html").read_text("utf-8")
    clean = tmp_path / "clean"
    run(archive, clean, incremental=False)
    assert tree(out) == tree(clean)


def test_the_writer_refuses_paths_outside_the_site(tmp_path: Path) -> None:
    from gkgen.outputs.write import OutputError, SiteWriter

    with SiteWriter(tmp_path / "site") as writer:
        writer.write("a/b.html", "ok")
        for bad in ("/etc/passwd", "../x", "a/../../x", "", ".", "./", "a\\b", "a/b.html"):
            with pytest.raises(OutputError):
                writer.write(bad, "no")
        writer.keep("a/..../c")  # dots in a name are fine
