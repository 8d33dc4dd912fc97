"""After an incremental build, search answers as a clean build does.

The incremental build indexes the edited report into a small delta shard and keeps the big shards as
they were; the manifest lists the edited report's stale entry, which the search page must drop.
"""

from __future__ import annotations

import io
import json
import shutil
from urllib.parse import quote

import pytest

from gkgen import build
from tests.browser.test_shards import QUERIES, all_results, filter_counts
from tests.helpers import REPO

OLD, NEW = "业委会", "楼宇自治"


@pytest.fixture(scope="module")
def sites(server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("delta") / "archive"
    shutil.copytree(REPO / "content", root / "content")
    narratives = {p: p.read_text("utf-8") for p in (root / "content" / "reports").glob("*/*.md")}
    assert [p.parent.name for p, t in narratives.items() if OLD in t] == ["410204-wuyi"]
    assert not [p for p, t in narratives.items() if NEW in t]
    out = root / "site"
    assert build.build(root, out, base_url="/delta/", stream=io.StringIO()) == 0

    md = root / "content" / "reports" / "410204-wuyi" / "2021.md"
    md.write_text(md.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
    stats = build.Stats()
    assert build.build(root, out, base_url="/delta/", stream=io.StringIO(), stats=stats) == 0
    assert stats.counts["search shards indexed"] == 1  # only the delta shard
    manifest = json.loads((out / "pagefind" / "shards.json").read_text("utf-8"))
    assert manifest["shards"][-1]["name"] == "delta" and len(manifest["drop"]) == 1
    # What the stale entry was indexed with, for the counts beside the filters to leave it out.
    stale = manifest["dropped_filters"][manifest["drop"][0]]
    assert stale["year"] == ["2021"] and stale["province"] == ["河南省"], stale

    clean = root / "clean"
    assert build.build(root, clean, base_url="/clean/", stream=io.StringIO(), incremental=False) == 0
    server.mount("/delta/", out)
    server.mount("/clean/", clean)
    return "/delta/", "/clean/"


def test_edited_report_is_found_by_its_new_words_only(page, server, sites) -> None:
    delta, _ = sites
    assert "/reports/410204-wuyi/2021/" not in all_results(
        page, f"{server.origin}{delta}search/?q={quote(OLD)}"
    )
    assert "/reports/410204-wuyi/2021/" in all_results(page, f"{server.origin}{delta}search/?q={quote(NEW)}")


# The delta shard is a second index, routed like any other (gkgen.outputs.search_routes).
@pytest.mark.parametrize("query", [*QUERIES, OLD, NEW, None])
def test_incremental_search_answers_as_a_clean_build(page, server, sites, query) -> None:
    delta, clean = sites
    url = f"search/?q={quote(query)}" if query else "search/"
    found = all_results(page, server.origin + delta + url)
    counts = filter_counts(page)
    assert sorted(found) == sorted(all_results(page, server.origin + clean + url)), query
    # The stale entry of the edited report is not counted beside the filters either.
    assert counts == filter_counts(page), query
