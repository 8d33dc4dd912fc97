"""The search index: Pagefind (extended) run for real on built sites — what is indexed, shards, reuse."""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

import pytest

from gkgen import build
from gkgen.outputs import search
from tests.helpers import archive_report_urls, archive_urls_with_breaks


def bundles(site: Path) -> list[Path]:
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return [site / s["bundle"] for s in manifest["shards"]]


def fragments(bundle: Path) -> list[dict]:
    """The indexed pages of one bundle (Pagefind's fragments: url, content, filters, meta)."""
    out = []
    for path in sorted((bundle / "fragment").iterdir()):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        out.append(json.loads(data[len(b"pagefind_dcd") :]))
    return out


def indexed(site: Path) -> dict[str, dict]:
    return {f["url"]: f for b in bundles(site) for f in fragments(b)}


def words(fragment: dict) -> str:
    return fragment["content"].replace("\u200b", "")  # Pagefind marks jieba's word breaks with ZWSP


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    return built_site


def test_manifest_and_bundle(site: Path) -> None:
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert manifest["version"] == search.MANIFEST_VERSION and manifest["language"] == "zh-cn"
    assert manifest["shards"][0]["bundle"] == "pagefind/"
    assert sum(s["pages"] for s in manifest["shards"]) == len(archive_report_urls())
    assert (site / "pagefind" / "pagefind.js").is_file()
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["version"] == search.PAGEFIND_VERSION and list(entry["languages"]) == ["zh-cn"]


def test_only_report_pages_are_indexed(site: Path) -> None:
    pages = indexed(site)
    assert sorted(pages) == archive_report_urls()


def test_what_is_indexed_on_a_report(site: Path) -> None:
    page = indexed(site)["/reports/410204-wuyi/2021/"]
    text = words(page)
    # The narrative, segmented into Chinese words by jieba (the extended build).
    assert "高龄补贴" in text and "\u200b" in page["content"]
    assert "五一办事处" in text  # agency, also in the title
    assert "2021" in page["meta"]["title"] and page["meta"]["agency"]
    # Not the tables, the navigation, the header or the footer.
    assert "单位：件" not in text and "跳到正文" not in text and "数据下载与说明" not in text
    assert "按年度" not in text
    assert page["filters"]["year"] == ["2021"]
    assert page["filters"]["province"] == ["河南省"]
    assert set(page["filters"]) >= {"year", "province", "city", "level", "format"}
    assert "breaks" not in page["filters"]


def test_breaks_filter_only_on_reports_with_breaks(site: Path) -> None:
    with_breaks = sorted(u for u, f in indexed(site).items() if "breaks" in f["filters"])
    assert with_breaks == archive_urls_with_breaks()
    assert "/reports/350128-pingtan/2020/" in with_breaks
    assert indexed(site)[with_breaks[0]]["filters"]["breaks"] == ["数据存在勾稽关系不符"]


def test_plan_shards_packs_years_and_splits_big_ones() -> None:
    pages = [
        f"reports/{p}0101-a{i}/{y}/index.html" for y in (2019, 2020, 2021) for p in (11, 35) for i in range(3)
    ]
    assert [n for n, _ in search.plan_shards(pages, 100)] == ["2019_2021"]
    assert [n for n, _ in search.plan_shards(pages, 6)] == ["2019", "2020", "2021"]
    assert [n for n, _ in search.plan_shards(pages, 12)] == ["2019_2020", "2021"]
    planned = search.plan_shards(pages, 2)
    assert [n for n, _ in planned][:3] == ["2019-11-1", "2019-11-2", "2019-35-1"]
    assert all(len(ps) <= 2 for _, ps in planned)
    assert sorted(p for _, ps in planned for p in ps) == sorted(pages)


@pytest.fixture(scope="module")
def sharded(site: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, search.IndexResult]:
    copy = tmp_path_factory.mktemp("sharded") / "site"
    shutil.copytree(site, copy)
    return copy, search.index_site(copy, max_pages_per_shard=3)


def test_small_shards_hold_the_same_pages_as_one_index(site: Path, sharded) -> None:
    copy, result = sharded
    assert len(result.shards) >= 4 and all(len(s.pages) <= 3 for s in result.shards)
    assert result.indexed == tuple(s.name for s in result.shards) and not result.reused
    for shard in result.shards[1:]:
        assert shard.bundle.startswith("pagefind/shards/")
        assert not (copy / shard.bundle / "pagefind-ui.js").exists()
    assert indexed(copy) == indexed(site)  # same urls, content, filters, meta


def test_unchanged_shards_are_reused_from_the_previous_site(sharded, tmp_path: Path) -> None:
    previous, first = sharded
    site = tmp_path / "site"
    shutil.copytree(previous, site)
    page = site / "reports" / "410711-huayuan" / "2022" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", "<p>新增的段落：秸秆禁烧</p></main>"))
    result = search.index_site(site, previous=previous, max_pages_per_shard=3)
    changed = [s.name for s in result.shards if "reports/410711-huayuan/2022/index.html" in s.pages]
    assert result.indexed == tuple(changed)
    assert set(result.reused) == {s.name for s in first.shards} - set(changed)
    assert "秸秆禁烧" in words(indexed(site)["/reports/410711-huayuan/2022/"])
    for shard in result.shards:
        if shard.name in result.reused:
            old = next(s for s in first.shards if s.name == shard.name)
            assert fragments(site / shard.bundle) == fragments(previous / old.bundle)


def test_site_without_reports_has_an_empty_manifest(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<html lang="zh-CN"><body><p>首页</p></body></html>', encoding="utf-8"
    )
    result = search.index_site(tmp_path)
    assert result.shards == ()
    assert json.loads((tmp_path / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"] == []


def test_failed_indexing_raises_a_chinese_error_and_keeps_the_old_site(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    shutil.copytree(site, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    fake = tmp_path / "pagefind"
    # Another version: no shard of the previous site can be reused, Pagefind must run (and fails).
    fake.write_text(
        "#!/bin/sh\n[ \"$1\" = --version ] && echo 'pagefind 9.9.9' && exit 0\necho 'boom' >&2\nexit 3\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    with pytest.raises(search.SearchIndexError, match=r"(?s)搜索索引生成失败.*退出码 3.*boom"):
        search.index_site(tmp_path / "site", max_pages_per_shard=3)
    shutil.rmtree(out)
    shutil.copytree(site, out)
    stream = io.StringIO()
    try:
        code = build.build(Path(__file__).resolve().parents[1], out, stream=stream, incremental=False)
    except search.SearchIndexError:
        code = 1
    assert code != 0
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # No staging or work folder left behind (the lock file stays: see gkgen.outputs.lock).
    assert [p.name for p in tmp_path.glob(".site.*")] == [".site.lock"]


def test_the_files_of_bundles_left_in_place_are_kept_but_not_the_manifest() -> None:
    files = [
        "pagefind/pagefind.js",
        "pagefind/shards.json",
        "pagefind/fragment/a.pf_fragment",
        "pagefind/shards/s1/pagefind-entry.json",
        "pagefind/shards/s1/index/x.pf_index",
        "pagefind/shards/delta/fragment/b.pf_fragment",
        "reports/x/index.html",
    ]
    assert search.kept_files(files, ["pagefind/", "pagefind/shards/s1/"]) == [
        "pagefind/pagefind.js",
        "pagefind/fragment/a.pf_fragment",
        "pagefind/shards/s1/pagefind-entry.json",
        "pagefind/shards/s1/index/x.pf_index",
    ]
    assert search.kept_files(files, ["pagefind/shards/delta/"]) == [
        "pagefind/shards/delta/fragment/b.pf_fragment"
    ]
    assert search.kept_files(files, []) == []
