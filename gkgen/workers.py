"""Work done per report, in worker processes (or inline for small archives).

Workers are forked after the templates are configured and the registry is
loaded, so they inherit both instead of receiving them with every task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from gkgen.content.load import LoadedReport, ReportSource, load_report, narrative_of, with_narrative
from gkgen.incremental.cache import digest
from gkgen.model import Agency, Report
from gkgen.quality import similarity
from gkgen.site import pages

_AGENCIES: dict[str, Agency] = {}
_MAX_YEAR = 0
_TODAY: dt.date | None = None


def set_globals(agencies: dict[str, Agency], max_year: int, today: dt.date | None = None) -> None:
    global _AGENCIES, _MAX_YEAR, _TODAY
    _AGENCIES, _MAX_YEAR, _TODAY = agencies, max_year, today


def content_hash(source: ReportSource, agencies: dict[str, Agency] | None = None) -> str:
    """The report's identity for the cache: its two files' bytes and its registry entry."""
    md = source.md_path.read_bytes() if source.md_path.exists() else b""
    agency = (agencies if agencies is not None else _AGENCIES).get(source.agency_dir)
    try:
        data = source.yaml_path.read_bytes()
    except OSError:
        data = b""
    return digest(data, md, agency)


def load(source: ReportSource) -> tuple[str, LoadedReport]:
    """Load and validate one report; the narrative is dropped (the renderer re-reads it)."""
    loaded = load_report(source, _AGENCIES, _MAX_YEAR, _TODAY)
    if loaded.report is not None:
        loaded = replace(loaded, report=replace(loaded.report, narrative=()))
    return content_hash(source), loaded


def render_reports(
    root: Path, staging: Path, items: list[tuple[Report, Report | None, Report | None]]
) -> int:
    """Render report pages and JSON straight into the staging folder (paths claimed by the parent)."""
    for report, prev, nxt in items:
        for rel, data in pages.report_files(with_narrative(root, report), prev, nxt):
            (staging / rel).write_bytes(data)
    return len(items)


def compare_narratives(
    root: Path, series: tuple[str, tuple[tuple[int, int], ...]]
) -> tuple[similarity.Similarity, ...]:
    """One body's narratives compared with their previous report's: ``series`` is the body's id and its
    (year, previous year) pairs; each narrative is read and parsed once, however many pairs it is in."""
    agency_id, pairs = series
    read: dict[int, tuple[tuple[str, str], ...]] = {}

    def sections(year: int) -> tuple[tuple[str, str], ...]:
        if year not in read:
            read[year] = narrative_of(root, agency_id, year)
        return read[year]

    return tuple(similarity.compare(sections(year), sections(before), before) for year, before in pairs)
