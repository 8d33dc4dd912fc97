"""Every page declares once what it shows (gkgen.site.page.Page), and the build keeps a page whose key did
not change. This holds each page to its declaration: whenever an edit changes a page's bytes, the page's
key changes too (and, for a page that says which part of its reports it shows, that part's key), so an
incremental build can never keep it stale. A new page that forgets an input fails here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gkgen import build
from gkgen.incremental.reuse import Keys
from gkgen.outputs import datasets
from gkgen.site import furniture, pages
from gkgen.site.assets import Assets
from gkgen.site.render import Renderer

ARCHIVE = Path(__file__).parent / "golden" / "archive"
REPORT = "content/reports/350128-touzicujinju/2022"


def _pages(root: Path) -> dict[str, tuple[bytes, str, str]]:
    """Each page beyond the report pages: its bytes, its key and the key of what it shows."""
    inputs = build.read_inputs(root)
    loaded = build.load_archive(root, inputs)
    archive = loaded.archive
    assert archive is not None, [d.message for d in loaded.diagnostics.errors]
    assets = Assets(base_path=inputs.config.base_path)
    site = Renderer(inputs.config, assets.url)
    keys = Keys("code, config, assets, templates", loaded.content, loaded.registry, archive.reports)
    parts = datasets.parts_of(archive.reports)
    sizes = {p: 1000 for part in parts for p in (part.csv_path, part.sqlite_path)}
    sizes |= {datasets.ALL_CSV_PATH: 1000, datasets.ALL_SQLITE_PATH: 1000}
    every = [
        *pages.site_pages(site, archive),
        *pages.data_pages(site, archive, parts, sizes),
        *furniture.furniture_pages(root, archive, ["index.html", "years/index.html"]),
    ]
    return {page.path: (page.render(), keys.page(page), keys.view(page)) for page in every}


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text("utf-8")
    edited, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert n == 1, f"{pattern!r} not in {path}"
    path.write_text(edited, encoding="utf-8")


EDITS = {
    "a cell of a report's tables": (f"{REPORT}.yaml", r"^  licensing: \[0\]", "  licensing: [5]"),
    "a report's publication date": (
        f"{REPORT}.yaml",
        r"^published: '2023-01-09'$",
        "published: '2023-01-10'",
    ),
    "a body's name in the registry": (
        "content/agencies/35-fujian.yaml",
        r"^  name: (.*)$",
        r"  name: \1（新）",
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_page_whose_bytes_change_has_a_new_key(tmp_path: Path, edit: str) -> None:
    root = tmp_path / "archive"
    shutil.copytree(ARCHIVE, root)
    before = _pages(root)
    name, pattern, replacement = EDITS[edit]
    _edit(root / name, pattern, replacement)
    after = _pages(root)
    assert before.keys() == after.keys()
    changed = [path for path in before if before[path][0] != after[path][0]]
    assert changed, f"{edit} changes no page: the edit tests nothing"
    stale = [
        path
        for path in changed
        if before[path][1] == after[path][1] or (before[path][2] and before[path][2] == after[path][2])
    ]
    assert not stale, f"after {edit}, these pages changed but their declared inputs did not: {stale}"
