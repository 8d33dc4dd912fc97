"""The open data downloads: per report year and province, a long CSV and a SQLite database; a
datapackage.json listing them all.

Split by year and province so that no file grows with the archive: a national archive's year is
about 1 GB of CSV + SQLite at 20,000 reports, past what a spreadsheet opens (Excel: 1,048,576 rows),
what GitHub accepts in a file (100 MB) and what many CDNs cache. A province's year stays in the tens
of MB, and editing one report rewrites only its two files. Every file has the same columns and
tables, so they can be concatenated or attached side by side. All are generated at build time and
are deterministic: the same content gives the same bytes (sorted iteration, no timestamps, a fixed
SQLite page size, VACUUM). They are streamed to disk rather than held in memory.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

from gkgen.content import provinces
from gkgen.formats import all_formats
from gkgen.model import Agency, Report, Value
from gkgen.outputs import quality_data
from gkgen.outputs.tabular import ColumnDoc, csv_head, csv_rows, insert_statement

DATAPACKAGE_PATH = "data/datapackage.json"
FORMATS_PATH = "data/formats.json"
# The whole archive in one CSV and one database (the same columns and tables as every part), for
# readers who want everything in one download. Written from the parts' stores after them.
ALL_CSV_PATH = "data/gkgen-cells-all.csv"
ALL_SQLITE_PATH = "data/gkgen-all.sqlite"


# The formats as the column descriptions name them (a new format is described without editing this file).
_FORMAT_IDS = tuple(all_formats())
_TABLE_FORMATS = tuple(f for f in all_formats().values() if f.has_tables)

CSV_COLUMNS = (
    ColumnDoc("report_id", "string", "报告编号：机构编号-年度，如 350128-pingtan-2021"),
    ColumnDoc("agency_id", "string", "机构编号（区划代码-简称），在本档案中唯一"),
    ColumnDoc("agency_name", "string", "机构全称"),
    ColumnDoc("region_code", "string", "机构所在地的 6 位行政区划代码；未知时为空"),
    ColumnDoc("year", "integer", "报告年度（统计年度，不是发布年份）"),
    ColumnDoc("format", "string", "表格格式：" + "或 ".join(f"{f.id}（{f.notice}）" for f in _TABLE_FORMATS)),
    ColumnDoc("cell", "string", "单元格编号，如 requests.new.total；编号与正式表格标签的对照见数据页"),
    ColumnDoc("value", "string", "公布的数值：件数为整数，金额为原样的十进制文本；未填报为空（不是 0）"),
)

SQLITE_TABLES = {
    "agencies": (
        ColumnDoc("id", "TEXT", "机构编号（主键）"),
        ColumnDoc("name", "TEXT", "机构全称"),
        ColumnDoc("short_name", "TEXT", "简称（可空）"),
        ColumnDoc("province", "TEXT", "省级行政区（可空）"),
        ColumnDoc("city", "TEXT", "地级行政区（可空）"),
        ColumnDoc("county", "TEXT", "县级行政区（可空）"),
        ColumnDoc("region_code", "TEXT", "6 位行政区划代码（可空）"),
        ColumnDoc("level", "TEXT", "机构层级，如 区县政府、街道"),
    ),
    "reports": (
        ColumnDoc("id", "TEXT", "报告编号（主键）"),
        ColumnDoc("agency_id", "TEXT", "机构编号（agencies.id）"),
        ColumnDoc("year", "INTEGER", "报告年度"),
        ColumnDoc("format", "TEXT", "表格格式：" + "、".join(_FORMAT_IDS[:-1]) + " 或 " + _FORMAT_IDS[-1]),
        ColumnDoc("title", "TEXT", "报告原标题"),
        ColumnDoc("published", "TEXT", "发布日期 YYYY-MM-DD（可空）"),
        ColumnDoc("source_url", "TEXT", "原文链接（可空）"),
        ColumnDoc("url", "TEXT", "本档案中的页面路径（相对网站根目录）"),
        ColumnDoc("entered_by", "TEXT", "录入者"),
        ColumnDoc("notes", "TEXT", "编者对来源的说明（可空）"),
    ),
    "cells": (
        ColumnDoc("report_id", "TEXT", "报告编号（reports.id）"),
        ColumnDoc("code", "TEXT", "单元格编号；地方增设的行为 active.extra.<n>.<列>"),
        ColumnDoc("value", "TEXT", "公布的数值原文：件数为整数文本，金额为十进制文本；未填报为 NULL"),
        ColumnDoc(
            "number", "INTEGER", "件数单元格的整数值，便于计算；金额、未填报和超出 64 位整数范围的为 NULL"
        ),
    ),
    "findings": (
        ColumnDoc("report_id", "TEXT", "报告编号（reports.id）"),
        ColumnDoc("rule", "TEXT", "规则及其适用范围，如 outcomes.natural"),
        ColumnDoc("status", "TEXT", "broken（数据不符）或 unchecked（有空白单元格，无法核对）"),
        ColumnDoc("severity", "TEXT", "error 或 warning"),
        ColumnDoc("message", "TEXT", "说明，含两边的数字"),
        ColumnDoc("anchor", "TEXT", "不符之处所在的单元格编号"),
        ColumnDoc("cells", "TEXT", "规则读取的全部单元格编号，以空格分隔"),
        ColumnDoc("acknowledged", "TEXT", "编者注：原报告如此（可空）"),
    ),
    "quality": quality_data.SQLITE_COLUMNS,
    "cell_codes": (
        ColumnDoc("format", "TEXT", "表格格式"),
        ColumnDoc("code", "TEXT", "单元格编号"),
        ColumnDoc("section", "TEXT", "active（二）、requests（三）或 appeals（四）"),
        ColumnDoc("kind", "TEXT", "count（件数）、signed（可为负的件数）或 money（金额）"),
        ColumnDoc("label", "TEXT", "正式表格中的行 · 列标签"),
    ),
}


# One INSERT per table, a placeholder per documented column: the statements cannot drift from the schema.
_INSERT = {table: insert_statement(table, columns) for table, columns in SQLITE_TABLES.items()}


def text_of(value: Value) -> str | None:
    """A published value as exact text (None when not reported)."""
    return None if value is None else str(value)


def sqlite_number(value: Value) -> int | None:
    """A count as SQLite INTEGER; None for money, blanks and counts beyond 64 bits (their text is kept)."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value
    return None


# Primary keys: every table is WITHOUT ROWID, so its rows are stored in key order whatever order they were
# inserted in. That is what makes an incrementally updated store VACUUM into the same bytes as a clean build.
PRIMARY_KEYS = {
    "agencies": ("id",),
    "reports": ("id",),
    "cells": ("report_id", "code"),
    "findings": ("report_id", "rule"),
    "quality": ("report_id", "kind", "item"),
    "cell_codes": ("format", "code"),
}
BULK = 500  # re-exporting more reports than this: drop the secondary indexes, load, then rebuild them


INDEXES = {
    "cells_by_code": "CREATE INDEX IF NOT EXISTS cells_by_code ON cells (code)",
    "reports_by_agency": "CREATE INDEX IF NOT EXISTS reports_by_agency ON reports (agency_id, year)",
}


NO_REGION = "000000"  # bodies with neither a region code nor a province (State Council departments)


def area_of(agency: Agency) -> str:
    """The province code a body's reports are exported under: the first two digits of its region code,
    else its province's code (a body whose county the editor did not know still belongs to a province)."""
    code = agency.region_code
    if code and len(code) == 6 and code.isdigit():
        return code[:2] + "0000"
    if agency.province in provinces.CODE_OF:
        return provinces.CODE_OF[agency.province] + "0000"
    return NO_REGION


class Part(NamedTuple):
    """One year of one province: the unit the exports are split into (a tuple: made for every report of
    every build, and cheap to make)."""

    year: int
    area: str  # 6-digit province code, or NO_REGION

    @property
    def csv_path(self) -> str:
        """The part's cells, long form."""
        return f"data/gkgen-cells-{self.year}-{self.area}.csv"

    @property
    def sqlite_path(self) -> str:
        """The part's database: the same five tables for its reports."""
        return f"data/gkgen-{self.year}-{self.area}.sqlite"

    @property
    def folder_name(self) -> str:
        return f"{self.year}-{self.area}"


def area_name(agency: Agency) -> str:
    """How the data page and datapackage.json name a body's province."""
    area = area_of(agency)
    if area == NO_REGION:
        return "未注明省份的机构"
    return agency.province or area


def part_of(report: Report) -> Part:
    return Part(report.year, area_of(report.agency))


def parts_of(reports: Iterable[Report]) -> dict[Part, list[Report]]:
    """The reports of each part, parts in order (year, then province code), reports in archive order."""
    grouped: dict[Part, list[Report]] = {}
    for r in reports:
        grouped.setdefault(part_of(r), []).append(r)
    return dict(sorted(grouped.items()))


def _create_schema(db: sqlite3.Connection) -> None:
    for table, columns in SQLITE_TABLES.items():
        cols = ", ".join(f"{c.name} {c.type}" for c in columns)
        key = ", ".join(PRIMARY_KEYS[table])
        db.execute(f"CREATE TABLE {table} ({cols}, PRIMARY KEY ({key})) WITHOUT ROWID")
    _create_indexes(db)


def _create_indexes(db: sqlite3.Connection) -> None:
    # Always all of them, in this order: the order of sqlite_schema is part of the published bytes.
    for statement in INDEXES.values():
        db.execute(statement)


def _csv_fragment(report: Report) -> bytes:
    """The report's rows of the long CSV (no header)."""
    a = report.agency
    head = [report.id, a.id, a.name, a.region_code or "", report.year, report.format.id]
    return csv_rows([*head, code, text_of(value) or ""] for code, value in report.coded_cells()).encode(
        "utf-8"
    )


class PartStore:
    """One part's SQLite export, kept between builds and updated report by report.

    ``export.sqlite`` has exactly the published schema; the attached ``fragments.sqlite`` holds each
    report's CSV rows and the digest it was exported from. Both are changed in one transaction (rollback
    journal: atomic across the two files even if the build is killed). The site's copies are written with
    VACUUM INTO (the same bytes as exporting from scratch) and by concatenating the fragments.
    """

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.main, self.fragments = folder / "export.sqlite", folder / "fragments.sqlite"
        try:
            self.db = self._open()
        except sqlite3.DatabaseError:
            self.main.unlink(missing_ok=True)
            self.fragments.unlink(missing_ok=True)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        fresh = not self.main.exists() or not self.fragments.exists()
        if fresh:
            self.main.unlink(missing_ok=True)
            self.fragments.unlink(missing_ok=True)
        db = sqlite3.connect(self.main, isolation_level=None, check_same_thread=False)
        db.execute("ATTACH DATABASE ? AS frag", (str(self.fragments),))
        for schema in ("main", "frag"):  # a cache: atomic, not fsynced at every commit
            db.execute(f"PRAGMA {schema}.synchronous = OFF")
        if not fresh:
            db.execute("SELECT count(*) FROM frag.fragments").fetchone()  # raises if unreadable
            return db
        db.execute("PRAGMA page_size = 4096")  # before the first table; VACUUM INTO keeps it
        db.execute("BEGIN")
        _create_schema(db)
        db.execute(
            "CREATE TABLE frag.fragments (report_id TEXT PRIMARY KEY, digest TEXT, csv BLOB) WITHOUT ROWID"
        )
        db.execute("COMMIT")
        return db

    def close(self) -> None:
        self.db.close()

    def sync(self, reports: list[Report], digests: dict[str, str]) -> int:
        """Bring the store to this part's reports: re-export those whose digest changed; drop removed ones."""
        db = self.db
        stored = dict(db.execute("SELECT report_id, digest FROM frag.fragments"))
        current = {r.id: r for r in reports}
        changed = sorted(i for i in current if stored.get(i) != digests[i])
        removed = sorted(set(stored) - set(current))
        if not changed and not removed:
            return 0
        bulk = len(changed) > BULK
        db.execute("BEGIN")
        if bulk:  # building the indexes once after the load is much faster than maintaining them row by row
            for name in INDEXES:
                db.execute(f"DROP INDEX IF EXISTS {name}")
        for report_id in (*removed, *changed):
            for table, column in (
                ("cells", "report_id"),
                ("findings", "report_id"),
                ("quality", "report_id"),
                ("reports", "id"),
            ):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (report_id,))
            db.execute("DELETE FROM frag.fragments WHERE report_id = ?", (report_id,))
        # The part's bodies: a body's registry entry is part of its reports' digests, so a changed entry
        # brings every part it reported in here.
        db.execute("DELETE FROM agencies")
        db.executemany(
            _INSERT["agencies"],
            sorted(
                {
                    (a.id, a.name, a.short_name, a.province, a.city, a.county, a.region_code, a.level)
                    for a in (r.agency for r in reports)
                }
            ),
        )
        db.execute("DELETE FROM cell_codes")
        for fmt_id, fmt in sorted(all_formats().items()):
            db.executemany(
                _INSERT["cell_codes"],
                [(fmt_id, c.code, c.section, c.kind, c.label) for c in fmt.cells],
            )
        for report_id in changed:
            r = current[report_id]
            db.execute(
                _INSERT["reports"],
                (r.id, r.agency.id, r.year, r.format.id, r.title, r.published, r.source_url, r.url,
                 r.entered_by, r.notes),
            )  # fmt: skip
            db.executemany(
                _INSERT["cells"],
                sorted(  # key order: appends to the b-tree instead of inserts all over it
                    (r.id, code, text_of(v), sqlite_number(v)) for code, v in r.coded_cells()
                ),
            )
            db.executemany(
                _INSERT["findings"],
                [
                    (r.id, f.id, f.status, f.severity, f.message, f.anchor, " ".join(f.codes), f.acknowledged)
                    for f in r.findings
                ],
            )
            db.executemany(_INSERT["quality"], quality_data.sqlite_rows(r))
            db.execute("INSERT INTO frag.fragments VALUES (?,?,?)", (r.id, digests[r.id], _csv_fragment(r)))
        if bulk:
            _create_indexes(db)
        db.execute("COMMIT")
        return len(changed) + len(removed)

    def write_sqlite(self, target: Path) -> None:
        """The published database: main schema only, compacted, deterministic bytes."""
        self.db.execute("VACUUM main INTO ?", (str(target),))

    def write_csv(self, target: Path) -> None:
        # utf-8-sig: the BOM makes Excel open Chinese text correctly.
        with target.open("wb") as f:
            f.write(csv_head(CSV_COLUMNS))
            for (fragment,) in self.db.execute("SELECT csv FROM frag.fragments ORDER BY report_id"):
                f.write(fragment)


class ExportStore:
    """Every part's store, in ``<folder>/<year>-<province code>/``, kept between builds.

    A store written by other gkgen code is started afresh: its schema may differ, and every report's
    digest includes the code anyway.
    """

    VERSION_FILE = "code"

    def __init__(self, folder: Path, code: str):
        self.folder = folder
        marker = folder / self.VERSION_FILE
        try:
            same = marker.read_text("utf-8") == code
        except OSError:
            same = False
        if not same:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
            marker.write_text(code, encoding="utf-8")

    def sync(self, parts: Mapping[Part, list[Report]], digests: dict[str, str]) -> int:
        """Bring every part's store to ``parts`` (``parts_of`` the archive's reports); returns how many
        reports were (re-)exported or removed."""
        names = {p.folder_name for p in parts}
        done = 0
        for folder in sorted(self.folder.iterdir()):
            if folder.is_dir() and folder.name not in names:  # a part with no report left
                store = PartStore(folder)
                done += store.sync([], {})
                store.close()
                shutil.rmtree(folder)
        for part, reports in parts.items():
            store = PartStore(self.folder / part.folder_name)
            try:
                done += store.sync(reports, digests)
            finally:
                store.close()
        return done

    def write(self, part: Part, csv_target: Path, sqlite_target: Path) -> None:
        store = PartStore(self.folder / part.folder_name)
        try:
            store.write_csv(csv_target)
            store.write_sqlite(sqlite_target)
        finally:
            store.close()

    def write_all(self, parts: Iterable[Part], csv_target: Path, sqlite_target: Path) -> None:
        """Every part together: the CSVs' rows one after another (one header), and one database with
        every part's rows (the same schema; VACUUM INTO, so the bytes depend only on the rows)."""
        parts = sorted(parts)
        with csv_target.open("wb") as f:
            f.write(csv_head(CSV_COLUMNS))
            for part in parts:
                store = PartStore(self.folder / part.folder_name)
                try:
                    for (fragment,) in store.db.execute("SELECT csv FROM frag.fragments ORDER BY report_id"):
                        f.write(fragment)
                finally:
                    store.close()
        work = self.folder / "all.sqlite"
        work.unlink(missing_ok=True)
        db = sqlite3.connect(work, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA page_size = 4096")
            db.execute("BEGIN")
            _create_schema(db)
            db.execute("COMMIT")
            for part in parts:
                db.execute(
                    "ATTACH DATABASE ? AS part", (str(self.folder / part.folder_name / "export.sqlite"),)
                )
                db.execute("BEGIN")
                db.execute("INSERT OR IGNORE INTO agencies SELECT * FROM part.agencies")
                db.execute("INSERT OR IGNORE INTO cell_codes SELECT * FROM part.cell_codes")
                for table in ("reports", "cells", "findings", "quality"):  # every per-report table of a part
                    db.execute(f"INSERT INTO {table} SELECT * FROM part.{table}")
                db.execute("COMMIT")
                db.execute("DETACH DATABASE part")
            db.execute("VACUUM INTO ?", (str(sqlite_target),))
        finally:
            db.close()
            work.unlink(missing_ok=True)


def datapackage(
    title: str,
    license_text: str,
    parts: Iterable[tuple[Part, str, int, int]],
    whole: tuple[int, int] | None = None,
) -> dict:
    """A Frictionless Data Package: each part's CSV (described column by column) and SQLite file.

    ``parts``: each part with its province's name and the sizes of its CSV and SQLite files."""
    fields = [{"name": c.name, "type": c.type, "description": c.description} for c in CSV_COLUMNS]
    resources: list[dict] = []
    if whole is not None:
        resources += _file_pair(
            fields,
            "all",
            ("全部报告的全部单元格（全档案一个文件）", ALL_CSV_PATH, whole[0]),
            ("全部报告的 SQLite 数据库（全档案一个文件）", ALL_SQLITE_PATH, whole[1]),
            "全档案的同一数据：agencies、reports、cells、findings、quality、cell_codes 六个表。",
        )
    for part, area_name, csv_bytes, sqlite_bytes in sorted(parts):
        resources += _file_pair(
            fields,
            f"{part.year}-{part.area}",
            (f"{area_name} {part.year} 年度报告的全部单元格", part.csv_path, csv_bytes),
            (f"{area_name} {part.year} 年度报告的 SQLite 数据库", part.sqlite_path, sqlite_bytes),
            f"{area_name} {part.year} 年度报告的同一数据：agencies、reports、cells、findings、quality、cell_codes 六个表。",
        )
    return _package(title, license_text, resources)


def _file_pair(
    fields: list[dict], key: str, csv: tuple[str, str, int], sqlite: tuple[str, str, int], description: str
) -> list[dict]:
    """The two resources of one download: its cells CSV (described column by column) and its
    SQLite database. Each of ``csv`` and ``sqlite`` is (title, path, size)."""
    (csv_title, csv_path, csv_bytes), (db_title, db_path, db_bytes) = csv, sqlite
    return [
        {
            "profile": "tabular-data-resource",
            "name": f"cells-{key}",
            "title": csv_title,
            "path": csv_path.removeprefix("data/"),
            "bytes": csv_bytes,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
            "schema": {"fields": fields, "missingValues": [""]},
        },
        {
            "name": f"database-{key}",
            "title": db_title,
            "path": db_path.removeprefix("data/"),
            "bytes": db_bytes,
            "format": "sqlite",
            "mediatype": "application/vnd.sqlite3",
            "description": description,
        },
    ]


def _package(title: str, license_text: str, resources: list[dict]) -> dict:
    return {
        # data-package, not tabular-data-package: that profile requires every resource to be a table, and
        # the SQLite files are not. The CSV resources are tabular-data-resource, with their schema.
        "profile": "data-package",
        "name": "gkgen-annual-reports",
        "title": title,
        "description": (
            "政府信息公开工作年度报告中表格二、三、四的全部数值，长表形式（每个单元格一行），"
            "按报告年度和省份分文件：每个年度每个省份一个 CSV 和一个 SQLite 数据库，各文件的列和表都相同。"
        ),
        "licenses": [{"name": "other-open", "title": license_text}],
        "resources": resources,
    }


def formats_document() -> dict:
    """Every format's cells with their official labels: what the compare page and readers need."""
    return {
        fmt_id: {
            "name": fmt.name,
            "notice": fmt.notice,
            "cells": [
                {"code": c.code, "section": c.section, "kind": c.kind, "label": c.label} for c in fmt.cells
            ],
        }
        for fmt_id, fmt in sorted(all_formats().items())
        if fmt.has_tables
    }
