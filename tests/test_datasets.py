"""The downloads: CSV (long form), SQLite and datapackage.json hold every cell of every report."""

from __future__ import annotations

import csv
import functools
import html
import json
import sqlite3
from pathlib import Path

import pytest

from gkgen import datasets, formats
from gkgen.build import load_archive
from tests.conftest import REPO, SHARED
from tests.helpers import REFERENCE_REPORTS

REFERENCE = SHARED / "reports" / "reference"


@functools.cache
def archive():
    return load_archive(REPO).archive


def expected_cells() -> dict[tuple[str, str], str | None]:
    """(report id, code) → exact text, from the model (extras included)."""
    return {
        (r.id, code): datasets.text_of(value)
        for r in archive().reports
        for code, value in datasets.report_cells(r)
    }


def test_csv_holds_every_cell(built_site: Path) -> None:
    raw = (built_site / datasets.CSV_PATH).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == [c.name for c in datasets.CSV_COLUMNS]
    got = {(row["report_id"], row["cell"]): row["value"] for row in rows}
    assert len(got) == len(rows)
    assert got == {k: ("" if v is None else v) for k, v in expected_cells().items()}
    pingtan = next(row for row in rows if row["report_id"] == "350128-pingtan-2021")
    assert pingtan["agency_name"] == "平潭综合实验区管理委员会"
    assert pingtan["region_code"] == "350128" and pingtan["year"] == "2021" and pingtan["format"] == "2021"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/ reference transcriptions missing")
def test_csv_matches_reference_money_exactly(built_site: Path) -> None:
    text = (built_site / datasets.CSV_PATH).read_text("utf-8-sig")
    got = {(row["report_id"], row["cell"]): row["value"] for row in csv.DictReader(text.splitlines())}
    for name, (agency_id, year) in REFERENCE_REPORTS.items():
        cells = json.loads((REFERENCE / f"{name}.json").read_text("utf-8"))["cells"]
        for code, value in cells.items():
            assert got[(f"{agency_id}-{year}", code)] == ("" if value is None else str(value)), (name, code)
    assert got[("350128-pingtan-2021", "active.fees.amount")] == "24252.311082"


def test_sqlite_holds_every_cell_and_finding(built_site: Path) -> None:
    db = sqlite3.connect(built_site / datasets.SQLITE_PATH)
    try:
        got = {(r, c): v for r, c, v in db.execute("SELECT report_id, code, value FROM cells")}
        assert got == expected_cells()
        numbers = dict(db.execute("SELECT code, number FROM cells WHERE report_id = '350128-pingtan-2020'"))
        assert numbers["requests.total.total"] == 21 and numbers["active.procurement.amount"] is None
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 9
        assert db.execute("SELECT count(*) FROM agencies").fetchone()[0] == len(archive().agencies)
        findings = db.execute(
            "SELECT rule, anchor, acknowledged FROM findings WHERE report_id = ? AND status = 'broken' ORDER BY rule",
            ("350128-pingtan-2020",),
        ).fetchall()
        assert [f[:2] for f in findings] == [
            ("outcomes.natural", "requests.total.natural"),
            ("outcomes.total", "requests.total.total"),
        ]
        assert all(f[2] for f in findings)
        tables = {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == set(datasets.SQLITE_TABLES)
        for table, columns in datasets.SQLITE_TABLES.items():
            assert [c[1] for c in db.execute(f"PRAGMA table_info({table})")] == [c.name for c in columns]
    finally:
        db.close()


def _write(store: datasets.ExportStore, folder: Path) -> tuple[bytes, bytes]:
    store.write_sqlite(folder / "out.sqlite")
    store.write_csv(folder / "out.csv")
    store.close()
    return (folder / "out.sqlite").read_bytes(), (folder / "out.csv").read_bytes()


def test_incrementally_updated_exports_equal_a_clean_export(tmp_path: Path) -> None:
    from gkgen.model import Archive

    full = archive()
    digests = {r.id: "v1" for r in full.reports}
    clean = datasets.ExportStore(tmp_path / "clean")
    assert clean.sync(full, digests) == len(full.reports)
    expected = _write(clean, tmp_path / "clean")

    # The same archive reached another way: some reports first, one of them stale, then all.
    store = datasets.ExportStore(tmp_path / "incremental")
    part = Archive.assemble(full.agencies, full.reports[2:], full.config)
    store.sync(part, {r.id: ("old" if i == 3 else "v1") for i, r in enumerate(part.reports)})
    store.close()
    reopened = datasets.ExportStore(tmp_path / "incremental")
    assert reopened.sync(full, digests) == 3  # two added, one re-exported
    assert reopened.sync(full, digests) == 0
    assert _write(reopened, tmp_path / "incremental") == expected


def test_datapackage_describes_the_csv(built_site: Path) -> None:
    package = json.loads((built_site / datasets.DATAPACKAGE_PATH).read_text("utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "cells")
    assert (built_site / "data" / resource["path"]).is_file()
    header = (built_site / datasets.CSV_PATH).read_text("utf-8-sig").splitlines()[0].split(",")
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert all(f["description"] and f["type"] for f in resource["schema"]["fields"])
    assert resource["encoding"] == "utf-8-sig"
    database = next(r for r in package["resources"] if r["name"] == "database")
    assert (built_site / "data" / database["path"]).is_file()


def test_data_page_documents_every_code(built_site: Path) -> None:
    text = (built_site / "data/index.html").read_text("utf-8")
    for fmt_id in ("2019", "2021"):
        for cell in formats.get(fmt_id).cells:
            assert f"<code>{cell.code}</code>" in text
            assert html.escape(cell.label, quote=False) in text
    for column in datasets.CSV_COLUMNS:
        assert f"<code>{column.name}</code>" in text
