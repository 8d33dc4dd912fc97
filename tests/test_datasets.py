"""The downloads: the CSVs (long form) and SQLite files of each year and province, listed by
datapackage.json, hold every cell of every report."""

from __future__ import annotations

import csv
import functools
import html
import json
import re
import sqlite3
from pathlib import Path

import pytest

from gkgen import formats
from gkgen.build import load_archive
from gkgen.outputs import datasets
from gkgen.site.views import human_size
from tests.conftest import REPO, SHARED
from tests.helpers import REFERENCE_REPORTS

REFERENCE = SHARED / "reports" / "reference"


@functools.cache
def archive():
    return load_archive(REPO).archive


def expected_cells() -> dict[tuple[str, str], str | None]:
    """(report id, code) → exact text, from the model (extras included)."""
    return {
        (r.id, code): datasets.text_of(value) for r in archive().reports for code, value in r.coded_cells()
    }


def part_files(site: Path) -> dict[tuple[int, str], tuple[Path, Path]]:
    """Every (year, province code)'s (CSV, SQLite), as datapackage.json lists them."""
    package = json.loads((site / datasets.DATAPACKAGE_PATH).read_text("utf-8"))
    found: dict[tuple[int, str], list[Path]] = {}
    for resource in package["resources"]:
        if resource["name"].endswith("-all"):  # the whole archive in one file (tested on its own)
            continue
        kind, year, area = resource["name"].split("-")
        found.setdefault((int(year), area), [None, None])[kind == "database"] = (
            site / "data" / resource["path"]
        )
    return {part: (csv_file, db_file) for part, (csv_file, db_file) in found.items()}


def reports_in(year: int, area: str) -> list:
    return [r for r in archive().reports if r.year == year and r.agency.region_code[:2] + "0000" == area]


def csv_rows(site: Path) -> list[dict[str, str]]:
    """The rows of every file's CSV, checking each file's BOM, header, year and province on the way."""
    rows = []
    for (year, area), (csv_file, _db) in sorted(part_files(site).items()):
        raw = csv_file.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
        reader = csv.DictReader(raw.decode("utf-8-sig").splitlines())
        assert reader.fieldnames == [c.name for c in datasets.CSV_COLUMNS]
        part_rows = list(reader)
        assert {row["year"] for row in part_rows} == {str(year)}
        assert {row["region_code"][:2] for row in part_rows} == {area[:2]}
        rows += part_rows
    return rows


def test_every_year_and_province_has_its_files_and_nothing_else_is_published(built_site: Path) -> None:
    parts = {(r.year, r.agency.region_code[:2] + "0000") for r in archive().reports}
    files = part_files(built_site)
    assert set(files) == parts
    # The real archive: 2021 has reports from three provinces, so three pairs of files.
    assert {area for year, area in files if year == 2021} == {"220000", "350000", "410000"}
    for (year, area), (csv_file, db_file) in files.items():
        part = datasets.Part(year, area)
        assert (
            csv_file.relative_to(built_site).as_posix()
            == part.csv_path
            == f"data/gkgen-cells-{year}-{area}.csv"
        )
        assert (
            db_file.relative_to(built_site).as_posix()
            == part.sqlite_path
            == f"data/gkgen-{year}-{area}.sqlite"
        )
    published = {p.name for p in (built_site / "data").iterdir() if p.suffix in (".csv", ".sqlite")}
    whole = {Path(datasets.ALL_CSV_PATH).name, Path(datasets.ALL_SQLITE_PATH).name}
    # Beside the parts: the whole archive in one CSV and one database, and the quality findings,
    # one short row per report (about 15 MB at 100,000 reports).
    assert published == {f.name for pair in files.values() for f in pair} | whole | {"quality.csv"}


def test_the_whole_archive_is_one_csv_and_one_database(built_site: Path) -> None:
    """One download of everything: the parts' rows together, nothing more, nothing less."""
    raw = (built_site / datasets.ALL_CSV_PATH).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert sorted(tuple(r.values()) for r in rows) == sorted(tuple(r.values()) for r in csv_rows(built_site))
    db = sqlite3.connect(built_site / datasets.ALL_SQLITE_PATH)
    try:
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == len(archive().reports)
        assert db.execute("SELECT count(*) FROM cells").fetchone()[0] == len(rows)
        agencies = {r.agency.id for r in archive().reports}
        assert {a for (a,) in db.execute("SELECT id FROM agencies")} == agencies
        # Every per-report table holds all the parts' rows (the quality table was once left empty).
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in set(tables) - {"agencies", "cell_codes"}:
            in_parts = 0
            for part in (built_site / "data").glob("gkgen-[0-9]*.sqlite"):
                with sqlite3.connect(part) as p:
                    in_parts += p.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == in_parts > 0, table
    finally:
        db.close()
    package = json.loads((built_site / datasets.DATAPACKAGE_PATH).read_text("utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert {"gkgen-cells-all.csv", "gkgen-all.sqlite"} <= paths
    page = (built_site / "data" / "index.html").read_text("utf-8")
    assert 'href="/data/gkgen-cells-all.csv"' in page and 'href="/data/gkgen-all.sqlite"' in page


def test_a_body_without_a_region_code_is_exported_on_its_own(tmp_path: Path) -> None:
    from dataclasses import replace

    from gkgen.model import Archive

    full = archive()
    pingtan = next(r.agency for r in full.reports if r.agency.id == "350128-pingtan")
    assert (datasets.area_of(pingtan), datasets.area_name(pingtan)) == ("350000", "福建省")
    # A body the editor knows only the province of is filed under it.
    provincial = replace(pingtan, region_code=None, city=None, county=None)
    assert (datasets.area_of(provincial), datasets.area_name(provincial)) == ("350000", "福建省")
    # A State Council department has no region code: its reports get files of their own.
    ministry = replace(pingtan, region_code=None, province=None, city=None, county=None)
    assert (datasets.area_of(ministry), datasets.area_name(ministry)) == (
        datasets.NO_REGION,
        "未注明省份的机构",
    )
    reports = [replace(r, agency=ministry) if r.agency.id == pingtan.id else r for r in full.reports]
    edited = Archive.assemble({**full.agencies, pingtan.id: ministry}, reports, full.config)
    # Its reports move to a part of their own; the other 福建 bodies' reports stay in 350000.
    assert {p for p in datasets.parts_of(edited.reports) if p.year == 2021} == {
        datasets.Part(2021, "000000"),
        datasets.Part(2021, "220000"),
        datasets.Part(2021, "350000"),
        datasets.Part(2021, "410000"),
    }
    store = datasets.ExportStore(tmp_path / "store", "code")
    store.sync(datasets.parts_of(edited.reports), {r.id: "v1" for r in edited.reports})
    store.write(datasets.Part(2021, "000000"), tmp_path / "out.csv", tmp_path / "out.sqlite")
    rows = list(csv.DictReader((tmp_path / "out.csv").read_text("utf-8-sig").splitlines()))
    assert {(row["report_id"], row["region_code"]) for row in rows} == {("350128-pingtan-2021", "")}


def test_csv_holds_every_cell(built_site: Path) -> None:
    rows = csv_rows(built_site)
    got = {(row["report_id"], row["cell"]): row["value"] for row in rows}
    assert len(got) == len(rows)
    assert got == {k: ("" if v is None else v) for k, v in expected_cells().items()}
    pingtan = next(row for row in rows if row["report_id"] == "350128-pingtan-2021")
    assert pingtan["agency_name"] == "平潭综合实验区管理委员会"
    assert pingtan["region_code"] == "350128" and pingtan["year"] == "2021" and pingtan["format"] == "2021"


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="shared/ reference transcriptions missing")
def test_csv_matches_reference_money_exactly(built_site: Path) -> None:
    got = {(row["report_id"], row["cell"]): row["value"] for row in csv_rows(built_site)}
    for name, (agency_id, year) in REFERENCE_REPORTS.items():
        cells = json.loads((REFERENCE / f"{name}.json").read_text("utf-8"))["cells"]
        for code, value in cells.items():
            assert got[(f"{agency_id}-{year}", code)] == ("" if value is None else str(value)), (name, code)
    assert got[("350128-pingtan-2021", "active.fees.amount")] == "24252.311082"


def test_sqlite_holds_every_cell_and_finding(built_site: Path) -> None:
    got: dict[tuple[str, str], object] = {}
    reports = 0
    for (year, area), (_csv, db_file) in part_files(built_site).items():
        db = sqlite3.connect(db_file)
        try:
            got.update({(r, c): v for r, c, v in db.execute("SELECT report_id, code, value FROM cells")})
            assert {y for (y,) in db.execute("SELECT DISTINCT year FROM reports")} == {year}
            reports += db.execute("SELECT count(*) FROM reports").fetchone()[0]
            bodies = {a for (a,) in db.execute("SELECT id FROM agencies")}
            assert bodies == {r.agency.id for r in reports_in(year, area)}
            tables = {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert tables == set(datasets.SQLITE_TABLES)
            for table, columns in datasets.SQLITE_TABLES.items():
                assert [c[1] for c in db.execute(f"PRAGMA table_info({table})")] == [c.name for c in columns]
            codes = db.execute("SELECT count(*) FROM cell_codes").fetchone()[0]
            assert codes == sum(len(f.cells) for f in formats.all_formats().values())
        finally:
            db.close()
    assert got == expected_cells()
    assert reports == len(archive().reports)

    db = sqlite3.connect(part_files(built_site)[(2020, "350000")][1])
    try:
        numbers = dict(db.execute("SELECT code, number FROM cells WHERE report_id = '350128-pingtan-2020'"))
        assert numbers["requests.total.total"] == 21 and numbers["active.procurement.amount"] is None
        findings = db.execute(
            "SELECT rule, anchor, acknowledged FROM findings WHERE report_id = ? AND status = 'broken' ORDER BY rule",
            ("350128-pingtan-2020",),
        ).fetchall()
        assert [f[:2] for f in findings] == [
            ("outcomes.natural", "requests.total.natural"),
            ("outcomes.total", "requests.total.total"),
        ]
        assert all(f[2] for f in findings)
    finally:
        db.close()


def _export(store: datasets.ExportStore, parts, folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    for part in parts:
        store.write(part, folder / f"{part.folder_name}.csv", folder / f"{part.folder_name}.sqlite")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_incrementally_updated_exports_equal_a_clean_export(tmp_path: Path) -> None:
    from gkgen.model import Archive

    full = archive()
    parts = list(datasets.parts_of(full.reports))
    digests = {r.id: "v1" for r in full.reports}
    clean = datasets.ExportStore(tmp_path / "clean", "code")
    assert clean.sync(datasets.parts_of(full.reports), digests) == len(full.reports)
    expected = _export(clean, parts, tmp_path / "clean-out")

    # The same archive reached another way: with one year missing and one report stale, then all.
    store = datasets.ExportStore(tmp_path / "incremental", "code")
    part = Archive.assemble(full.agencies, [r for r in full.reports if r.year != 2019], full.config)
    store.sync(
        datasets.parts_of(part.reports),
        {r.id: ("old" if i == 3 else "v1") for i, r in enumerate(part.reports)},
    )
    reopened = datasets.ExportStore(tmp_path / "incremental", "code")
    added = sum(1 for r in full.reports if r.year == 2019)
    assert (
        reopened.sync(datasets.parts_of(full.reports), digests) == added + 1
    )  # 2019's added, one re-exported
    assert reopened.sync(datasets.parts_of(full.reports), digests) == 0
    assert _export(reopened, parts, tmp_path / "incremental-out") == expected

    # A part with no report left is dropped from the store; other code starts the store afresh.
    assert reopened.sync(datasets.parts_of(part.reports), digests) == added  # 2019's reports removed
    assert not (tmp_path / "incremental" / "2019-350000").exists()
    assert (tmp_path / "incremental" / "2020-350000").is_dir()
    afresh = datasets.ExportStore(tmp_path / "incremental", "other code")
    assert afresh.sync(datasets.parts_of(full.reports), digests) == len(full.reports)


def test_an_unreadable_store_is_rebuilt(tmp_path: Path) -> None:
    full = archive()
    digests = {r.id: "v1" for r in full.reports}
    datasets.ExportStore(tmp_path / "store", "code").sync(datasets.parts_of(full.reports), digests)
    (tmp_path / "store" / "2021-410000" / "fragments.sqlite").write_bytes(b"not a database")
    assert datasets.ExportStore(tmp_path / "store", "code").sync(
        datasets.parts_of(full.reports), digests
    ) == len(reports_in(2021, "410000"))


def test_datapackage_lists_and_describes_every_file(built_site: Path) -> None:
    package = json.loads((built_site / datasets.DATAPACKAGE_PATH).read_text("utf-8"))
    # A tabular-data-package may hold tables only; this one also lists the SQLite files.
    assert package["profile"] == "data-package" and package["licenses"][0]["title"]
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names)) and all(re.fullmatch(r"[a-z0-9._-]+", n) for n in names)
    for resource in package["resources"]:
        assert (built_site / "data" / resource["path"]).stat().st_size == resource["bytes"] > 0
        assert not resource["path"].startswith(("/", ".")) and resource["format"] in ("csv", "sqlite")
        assert (resource.get("profile") == "tabular-data-resource") == (resource["format"] == "csv")
    for (year, area), (csv_file, _db) in part_files(built_site).items():
        resource = next(r for r in package["resources"] if r["name"] == f"cells-{year}-{area}")
        assert (
            str(year) in resource["title"] and reports_in(year, area)[0].agency.province in resource["title"]
        )
        assert resource["profile"] == "tabular-data-resource" and resource["encoding"] == "utf-8-sig"
        header = csv_file.read_text("utf-8-sig").splitlines()[0].split(",")
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(f["description"] and f["type"] in ("string", "integer") for f in fields)


def test_data_page_links_every_file(built_site: Path) -> None:
    text = (built_site / "data/index.html").read_text("utf-8")
    for (year, area), (csv_file, db_file) in part_files(built_site).items():
        reports = reports_in(year, area)
        province = reports[0].agency.province
        assert f'<th scope="row">{year}</th><th scope="row">{province}</th><td>{len(reports)}</td>' in text
        for f in (csv_file, db_file):
            # The link, then the file's real size, so a reader knows what a download costs.
            size = human_size(f.stat().st_size)
            assert (
                f'href="/{f.relative_to(built_site).as_posix()}" download>{f.name}</a> <span class="size">{size}</span>'
                in text
            )


def test_sizes_are_what_people_read() -> None:
    assert [human_size(n) for n in (0, 999, 1000, 25_174, 999_499, 1_000_000, 53_243_786, 530_000_000)] == [
        "0 字节",
        "999 字节",
        "1 KB",
        "25 KB",
        "999 KB",
        "1.0 MB",
        "53.2 MB",
        "530 MB",
    ]
    assert [human_size(n) for n in (999_999, 99_960_000, 2_500_000_000)] == [
        "1.0 MB",
        "100 MB",
        "2.5 GB",
    ]


def test_data_page_documents_every_code(built_site: Path) -> None:
    text = (built_site / "data/index.html").read_text("utf-8")
    for fmt_id in ("2019", "2021"):
        for cell in formats.get(fmt_id).cells:
            assert f"<code>{cell.code}</code>" in text
            assert html.escape(cell.label, quote=False) in text
    for column in datasets.CSV_COLUMNS:
        assert f"<code>{column.name}</code>" in text


def test_a_count_beyond_64_bits_keeps_its_text_and_has_no_number(tmp_path: Path) -> None:
    from dataclasses import replace

    from gkgen.model import Archive

    report = archive().reports[0]
    huge = 10**20
    values = (huge, *report.values[1:])
    edited = Archive.assemble(archive().agencies, [replace(report, values=values)], archive().config)
    store = datasets.ExportStore(tmp_path / "store", "code")
    assert store.sync(datasets.parts_of(edited.reports), {report.id: "v1"}) == 1
    store.write(datasets.part_of(report), tmp_path / "out.csv", tmp_path / "out.sqlite")
    code = report.format.codes[0]
    db = sqlite3.connect(tmp_path / "out.sqlite")
    try:
        row = db.execute("SELECT value, number FROM cells WHERE code = ?", (code,)).fetchone()
    finally:
        db.close()
    assert row == (str(huge), None)
    assert f",{code},{huge}\r\n".encode() in (tmp_path / "out.csv").read_bytes()
