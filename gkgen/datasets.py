"""Whole-archive downloads: a long CSV, a SQLite database and a Frictionless datapackage.json.

All three are generated at build time and are deterministic: the same content gives
the same bytes (sorted iteration, no timestamps, a fixed SQLite page size, VACUUM).
They are streamed to disk rather than held in memory, so the archive can grow to
100,000 reports.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from gkgen.formats import all_formats
from gkgen.model import Archive, Report, Value

CSV_PATH = "data/gkgen-cells.csv"
SQLITE_PATH = "data/gkgen.sqlite"
DATAPACKAGE_PATH = "data/datapackage.json"
FORMATS_PATH = "data/formats.json"


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    type: str  # Frictionless / SQLite type word
    description: str


CSV_COLUMNS = (
    ColumnDoc("report_id", "string", "报告编号：机构编号-年度，如 350128-pingtan-2021"),
    ColumnDoc("agency_id", "string", "机构编号（区划代码-简称），在本档案中唯一"),
    ColumnDoc("agency_name", "string", "机构全称"),
    ColumnDoc("region_code", "string", "机构所在地的 6 位行政区划代码；未知时为空"),
    ColumnDoc("year", "integer", "报告年度（统计年度，不是发布年份）"),
    ColumnDoc(
        "format", "string", "表格格式：2019（国办公开办函〔2019〕60号）或 2021（国办公开办函〔2021〕30号）"
    ),
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
        ColumnDoc("format", "TEXT", "表格格式：2019、2021 或 none"),
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
        ColumnDoc("number", "INTEGER", "件数单元格的整数值，便于计算；金额和未填报为 NULL"),
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
    "cell_codes": (
        ColumnDoc("format", "TEXT", "表格格式"),
        ColumnDoc("code", "TEXT", "单元格编号"),
        ColumnDoc("section", "TEXT", "active（二）、requests（三）或 appeals（四）"),
        ColumnDoc("kind", "TEXT", "count（件数）、signed（可为负的件数）或 money（金额）"),
        ColumnDoc("label", "TEXT", "正式表格中的行 · 列标签"),
    ),
}


def text_of(value: Value) -> str | None:
    """A published value as exact text (None when not reported)."""
    return None if value is None else str(value)


def report_cells(report: Report) -> Iterator[tuple[str, Value]]:
    """Every cell of a report, in format order, then the extra rows as active.extra.<n>.<column>."""
    yield from zip(report.format.codes, report.values, strict=True)
    for n, extra in enumerate(report.extras, start=1):
        columns = next(g.columns for g, r in report.format.active_rows if r.key == extra.group)
        for column, value in zip(columns, extra.values, strict=True):
            yield f"active.extra.{n}.{column.key}", value


# Primary keys: every table is WITHOUT ROWID, so its rows are stored in key order whatever order they were
# inserted in. That is what makes the incrementally updated store VACUUM into the same bytes as a clean build.
PRIMARY_KEYS = {
    "agencies": ("id",),
    "reports": ("id",),
    "cells": ("report_id", "code"),
    "findings": ("report_id", "rule"),
    "cell_codes": ("format", "code"),
}
STORE_VERSION = 1
BULK = 500  # re-exporting more reports than this: drop the secondary index, load, then rebuild it


INDEXES = {
    "cells_by_code": "CREATE INDEX IF NOT EXISTS cells_by_code ON cells (code)",
    "reports_by_agency": "CREATE INDEX IF NOT EXISTS reports_by_agency ON reports (agency_id, year)",
}


def _create_schema(db: sqlite3.Connection) -> None:
    for table, columns in SQLITE_TABLES.items():
        cols = ", ".join(f"{c.name} {c.type}" for c in columns)
        key = ", ".join(PRIMARY_KEYS[table])
        db.execute(f"CREATE TABLE {table} ({cols}, PRIMARY KEY ({key})) WITHOUT ROWID")
    for statement in INDEXES.values():
        db.execute(statement)


def _csv_fragment(report: Report) -> bytes:
    """The report's rows of the long CSV (no header)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    a = report.agency
    head = [report.id, a.id, a.name, a.region_code or "", report.year, report.format.id]
    for code, value in report_cells(report):
        out.writerow([*head, code, text_of(value) or ""])
    return buffer.getvalue().encode("utf-8")


class ExportStore:
    """The whole archive as the SQLite export, kept between builds and updated report by report.

    ``exports.sqlite`` has exactly the published schema; the attached ``fragments.sqlite`` holds each
    report's CSV rows and the digest it was exported from. A build updates only the reports whose digest
    changed, then writes the site's copy with VACUUM INTO (same bytes as exporting from scratch) and the
    CSV by concatenating the fragments. A store that cannot be read is rebuilt from scratch.
    """

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.main, self.fragments = folder / "exports.sqlite", folder / "fragments.sqlite"
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
        # A cache: safe against a killed build (WAL), not fsynced at every commit.
        for schema in ("main", "frag"):
            db.execute(f"PRAGMA {schema}.journal_mode = WAL")
            db.execute(f"PRAGMA {schema}.synchronous = NORMAL")
        if not fresh:
            version = db.execute("PRAGMA frag.user_version").fetchone()[0]
            if version == STORE_VERSION:
                return db
            db.close()
            self.main.unlink()
            self.fragments.unlink()
            return self._open()
        db.execute("PRAGMA page_size = 4096")  # before the first table; VACUUM INTO keeps it
        db.execute("BEGIN")
        _create_schema(db)
        db.execute(
            "CREATE TABLE frag.fragments (report_id TEXT PRIMARY KEY, digest TEXT, csv BLOB) WITHOUT ROWID"
        )
        db.execute("COMMIT")
        db.execute(f"PRAGMA frag.user_version = {STORE_VERSION}")
        return db

    def close(self) -> None:
        self.db.close()

    def sync(self, archive: Archive, digests: dict[str, str]) -> int:
        """Bring the store to the archive: re-export reports whose digest changed; drop removed ones."""
        db = self.db
        stored = dict(db.execute("SELECT report_id, digest FROM frag.fragments"))
        current = {r.id: r for r in archive.reports}
        changed = sorted(i for i in current if stored.get(i) != digests[i])
        removed = sorted(set(stored) - set(current))
        bulk = len(changed) > BULK
        db.execute("BEGIN")
        if bulk:  # building the index once after the load is much faster than maintaining it row by row
            db.execute("DROP INDEX IF EXISTS cells_by_code")
        for report_id in (*removed, *changed):
            for table, column in (("cells", "report_id"), ("findings", "report_id"), ("reports", "id")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (report_id,))
            db.execute("DELETE FROM frag.fragments WHERE report_id = ?", (report_id,))
        db.execute("DELETE FROM agencies")
        agency_ids = sorted({r.agency.id for r in archive.reports} | set(archive.agencies))
        for agency_id in agency_ids:
            a = archive.agencies.get(agency_id) or archive.reports_of(agency_id)[0].agency
            db.execute(
                "INSERT INTO agencies VALUES (?,?,?,?,?,?,?,?)",
                (a.id, a.name, a.short_name, a.province, a.city, a.county, a.region_code, a.level),
            )
        db.execute("DELETE FROM cell_codes")
        for fmt_id, fmt in sorted(all_formats().items()):
            db.executemany(
                "INSERT INTO cell_codes VALUES (?,?,?,?,?)",
                [(fmt_id, c.code, c.section, c.kind, c.label) for c in fmt.cells],
            )
        for report_id in changed:
            r = current[report_id]
            db.execute(
                "INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?)",
                (r.id, r.agency.id, r.year, r.format.id, r.title, r.published, r.source_url, r.url,
                 r.entered_by, r.notes),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO cells VALUES (?,?,?,?)",
                sorted(  # key order: appends to the b-tree instead of inserts all over it
                    (r.id, code, text_of(v), v if isinstance(v, int) and not isinstance(v, bool) else None)
                    for code, v in report_cells(r)
                ),
            )
            db.executemany(
                "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?)",
                [
                    (r.id, f.id, f.status, f.severity, f.message, f.anchor, " ".join(f.codes), f.acknowledged)
                    for f in r.findings
                ],
            )
            db.execute("INSERT INTO frag.fragments VALUES (?,?,?)", (r.id, digests[r.id], _csv_fragment(r)))
        if bulk:
            db.execute(INDEXES["cells_by_code"])
        db.execute("COMMIT")
        return len(changed) + len(removed)

    def write_sqlite(self, target: Path) -> None:
        """The published database: main schema only, compacted, deterministic bytes."""
        self.db.execute("VACUUM main INTO ?", (str(target),))

    def write_csv(self, target: Path) -> None:
        # utf-8-sig: the BOM makes Excel open Chinese text correctly.
        with target.open("wb") as f:
            f.write("\ufeff".encode())
            f.write((",".join(c.name for c in CSV_COLUMNS) + "\r\n").encode("utf-8"))
            for (fragment,) in self.db.execute("SELECT csv FROM frag.fragments ORDER BY report_id"):
                f.write(fragment)


def datapackage(title: str, license_text: str) -> dict:
    """A Frictionless Data Package describing the CSV (and pointing at the SQLite file)."""
    return {
        "profile": "tabular-data-package",
        "name": "gkgen-annual-reports",
        "title": title,
        "description": "政府信息公开工作年度报告中表格二、三、四的全部数值，长表形式（每个单元格一行）。",
        "licenses": [{"name": "other-open", "title": license_text}],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "cells",
                "path": CSV_PATH.removeprefix("data/"),
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": {
                    "fields": [
                        {"name": c.name, "type": c.type, "description": c.description} for c in CSV_COLUMNS
                    ],
                    "missingValues": [""],
                },
            },
            {
                "name": "database",
                "path": SQLITE_PATH.removeprefix("data/"),
                "format": "sqlite",
                "mediatype": "application/vnd.sqlite3",
                "description": "同一数据的 SQLite 数据库：agencies、reports、cells、findings、cell_codes 五个表。",
            },
        ],
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


def write_all(
    archive: Archive,
    targets: dict[str, Path],
    title: str,
    license_text: str,
    store: Path,
    digests: dict[str, str],
) -> int:
    """Write the CSV, SQLite, datapackage and formats files to ``targets`` (site path → file).

    ``store`` is the folder kept between builds; returns how many reports were (re-)exported.
    """
    exports = ExportStore(store)
    try:
        changed = exports.sync(archive, digests)
        exports.write_csv(targets[CSV_PATH])
        exports.write_sqlite(targets[SQLITE_PATH])
    finally:
        exports.close()
    targets[DATAPACKAGE_PATH].write_bytes(_json(datapackage(title, license_text)))
    targets[FORMATS_PATH].write_bytes(_json(formats_document()))
    return changed


def _json(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
