"""The golden tree: a small archive of real reports, built and compared byte for byte with tests/golden/site/.

A refactor that changes any page, download or file name fails here, loudly, with the first differences.
When a change to the output is intended, regenerate the tree on purpose and review its diff in git:

    make golden        (GKGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py)

The archive (tests/golden/archive/) holds 8 real reports chosen for what they exercise: the 2019 and the
2021 formats, neighbouring years of one body, a body renamed in 2023 (its reports before and after), a report
printing the older format in a later year, acknowledged rule breaks, settled doubts, and a second province.

Two kinds of file are compared otherwise, and why:
- ``pagefind/`` is left out: its bytes are Pagefind's, pinned by version; that two builds give the same
  index is tested in tests/test_atomic.py, and a Pagefind upgrade should not rewrite the golden tree.
- SQLite downloads are compared as their SQL dump (``<name>.sqlite.sql`` in the tree): the file's header
  records the SQLite library's version, which is not ours to pin.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from gkgen import build

GOLDEN = Path(__file__).parent / "golden"
ARCHIVE = GOLDEN / "archive"
EXPECTED = GOLDEN / "site"
EPOCH = "1796256000"  # 2026-12-03: the build date the pages cite, fixed so the tree does not age
UPDATE = os.environ.get("GKGEN_UPDATE_GOLDEN") == "1"

pytestmark = pytest.mark.slow


def _sql_dump(path: Path) -> bytes:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return "\n".join(db.iterdump()).encode("utf-8") + b"\n"


def comparable_tree(site: Path) -> dict[str, bytes]:
    """Relative path → bytes, as compared: pagefind/ left out, SQLite files as their SQL dump."""
    tree: dict[str, bytes] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not path.is_file() or rel.startswith("pagefind/"):
            continue
        if path.suffix == ".sqlite":
            tree[rel + ".sql"] = _sql_dump(path)
        else:
            tree[rel] = path.read_bytes()
    return tree


def _first_difference(name: str, want: bytes, got: bytes) -> str:
    try:
        lines = difflib.unified_diff(
            want.decode("utf-8").splitlines(),
            got.decode("utf-8").splitlines(),
            "golden/" + name,
            "built/" + name,
            lineterm="",
        )
        return "\n".join(list(lines)[:40])
    except UnicodeDecodeError:
        return f"{name}: binary file differs ({len(want)} bytes in the golden tree, {len(got)} built)"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("golden")
    archive = root / "archive"  # outside any git repository: no report's date comes from git history
    shutil.copytree(ARCHIVE, archive)
    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        code = build.build(archive, root / "site", stream=stream, incremental=False)
    assert code == 0, stream.getvalue()
    return comparable_tree(root / "site")


def _write(tree: dict[str, bytes]) -> None:
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for rel, data in tree.items():
        path = EXPECTED / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_the_built_tree_is_the_golden_tree_byte_for_byte(built: dict[str, bytes]) -> None:
    if UPDATE:
        _write(built)
        pytest.skip("golden tree rewritten: review `git diff tests/golden/site` before committing")
    assert EXPECTED.is_dir(), "no golden tree: run `make golden` once and commit tests/golden/site/"
    want = comparable_tree(EXPECTED)
    missing, extra = sorted(want.keys() - built.keys()), sorted(built.keys() - want.keys())
    assert not missing and not extra, (
        f"files only in the golden tree: {missing}\nfiles only in the build: {extra}"
    )
    changed = [name for name in want if want[name] != built[name]]
    report = "\n\n".join(_first_difference(name, want[name], built[name]) for name in changed[:3])
    assert not changed, (
        f"{len(changed)} files differ from the golden tree (first: {changed[:10]})\n\n{report}"
    )


def test_the_golden_tree_holds_every_kind_of_output(built: dict[str, bytes]) -> None:
    """The tree is worth guarding only if it covers the site: each page type and each download is in it."""
    kinds = {
        "index.html",
        "404.html",
        "feed.xml",
        "search/index.html",
        "compare/index.html",
        "quality/index.html",
        "method/index.html",
        "figures/index.html",
    }
    assert kinds <= built.keys(), sorted(kinds - built.keys())
    reports = [n for n in built if n.startswith("reports/") and n.endswith("/index.html")]
    assert len(reports) == len(list((ARCHIVE / "content" / "reports").glob("*/*.yaml")))
    for prefix in ("agencies/", "regions/", "years/", "data/", "static/"):
        assert any(n.startswith(prefix) for n in built), prefix
    assert any(n.endswith(".sqlite.sql") for n in built) and any(n.endswith(".csv") for n in built)
