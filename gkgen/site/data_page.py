"""The data page (every download with its size), datapackage.json and the formats document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gkgen.formats import Format, all_formats
from gkgen.model import Archive, Report
from gkgen.outputs import datasets, exports
from gkgen.outputs import quality_data as quality_export
from gkgen.site import urls
from gkgen.site.page import Page, html
from gkgen.site.render import Renderer
from gkgen.site.views import Crumb, human_size


class _FileSizes:
    """A CSV and a SQLite download's sizes as the data page prints them (e.g. 1.2 MB)."""

    csv_bytes: int
    sqlite_bytes: int

    @property
    def csv_size(self) -> str:
        return human_size(self.csv_bytes)

    @property
    def sqlite_size(self) -> str:
        return human_size(self.sqlite_bytes)


@dataclass(frozen=True)
class CodeDoc:
    code: str
    section: str
    kind: str
    labels: tuple[str | None, ...]  # per format, None when the format has no such cell


@dataclass(frozen=True)
class ExportFiles(_FileSizes):
    """One row of the data page: a part's files, their sizes and how many reports they hold."""

    part: datasets.Part
    area_name: str
    reports: int
    csv_bytes: int
    sqlite_bytes: int


@dataclass(frozen=True)
class WholeArchive(_FileSizes):
    """The data page's one download of everything: how many reports, and the two files' sizes."""

    reports: int
    csv_bytes: int
    sqlite_bytes: int
    csv_path: str = datasets.ALL_CSV_PATH
    sqlite_path: str = datasets.ALL_SQLITE_PATH


def data_pages(
    site: Renderer, archive: Archive, parts: Mapping[datasets.Part, list[Report]], sizes: Mapping[str, int]
) -> list[Page]:
    """The data page, the datapackage.json listing every part's files, and the formats document.

    ``parts``: ``datasets.parts_of`` the archive's reports; ``sizes``: the bytes of each export file
    (path → size), so they are rendered after the exports."""
    listed = [
        ExportFiles(
            part,
            datasets.area_name(reports[0].agency),
            len(reports),
            sizes[part.csv_path],
            sizes[part.sqlite_path],
        )
        for part, reports in parts.items()
    ]
    listed.sort(key=lambda f: (-f.part.year, f.part.area))  # newest year first
    config = archive.config
    files = [(f.part, f.area_name, f.csv_bytes, f.sqlite_bytes) for f in listed]
    whole = WholeArchive(len(archive.reports), sizes[datasets.ALL_CSV_PATH], sizes[datasets.ALL_SQLITE_PATH])
    return [
        Page(
            urls.output_path(urls.DATA),
            html(site, "data.html", lambda: _data_context(listed, whole)),
            extra=repr((listed, whole)),
        ),
        Page(
            datasets.DATAPACKAGE_PATH,
            lambda: exports.to_json_bytes(
                datasets.datapackage(
                    config.title, config.license, files, (whole.csv_bytes, whole.sqlite_bytes)
                )
            ),
            extra=repr((sorted(files), whole)),
        ),
        Page(datasets.FORMATS_PATH, lambda: exports.to_json_bytes(datasets.formats_document())),
    ]


def _data_context(files: list[ExportFiles], whole: WholeArchive | None = None) -> dict:
    """``files``: every part's files, newest year first."""
    formats: list[Format] = [f for f in all_formats().values() if f.has_tables]
    formats.sort(key=lambda f: f.id)
    codes: dict[str, dict[str, str]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for fmt in formats:
        for c in fmt.cells:
            codes.setdefault(c.code, {})[fmt.id] = c.label
            meta.setdefault(c.code, (c.section, c.kind))
    order = {"active": 0, "requests": 1, "appeals": 2}
    docs = [
        CodeDoc(code, meta[code][0], meta[code][1], tuple(codes[code].get(f.id) for f in formats))
        for code in sorted(codes, key=lambda c: (order[meta[c][0]], _first_index(formats, c)))
    ]
    return {
        "formats": formats,
        "codes": docs,
        "csv_columns": datasets.CSV_COLUMNS,
        "quality_columns": quality_export.CSV_COLUMNS,
        "sqlite_tables": datasets.SQLITE_TABLES,
        "files": files,
        "whole": whole,
        "paths": {
            "datapackage": datasets.DATAPACKAGE_PATH,
            "formats": datasets.FORMATS_PATH,
            "quality": quality_export.QUALITY_CSV,
        },
        "breadcrumbs": [Crumb("首页", urls.HOME), Crumb("数据下载")],
    }


def _first_index(formats: Sequence[Format], code: str) -> tuple[int, int]:
    for n, fmt in enumerate(reversed(formats)):
        if code in fmt.codes:
            return (fmt.codes.index(code), n)
    return (0, 0)
