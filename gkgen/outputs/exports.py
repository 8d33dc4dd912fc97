"""Machine-readable exports: the interchange JSON of each report (spec: report-format.md)."""

from __future__ import annotations

import json

from gkgen.model import Report
from gkgen.outputs import quality_data


def report_document(report: Report, base_url: str = "/") -> dict:
    """A report in the interchange shape, plus the archive's own keys (url, findings, …).

    ``url`` is the report's page under ``base_url`` (the site's, ending with "/"): absolute when the
    site's address is known, else a path from the host's root. ``base_url`` is given too, so that a
    consumer never resolves the page's address against the JSON file's own."""
    agency = report.agency
    cells = dict(report.coded_cells())
    return {
        "id": report.id,
        "base_url": base_url,
        "url": base_url + report.url,
        "agency": {
            "id": agency.id,
            "name": agency.name,
            "short_name": agency.short_name,
            "region_code": agency.region_code,
            "region": agency.region or None,
            "province": agency.province,
            "city": agency.city,
            "county": agency.county,
            "level": agency.level,
        },
        "year": report.year,
        "format": report.format.id,
        "title": report.title,
        "published": report.published,
        "source": {
            "url": report.source_url,
            "title": report.source_title,
            "archived": report.source_archived,
            "sha256": report.source_sha256,
        },
        "entered_by": report.entered_by,
        "method": report.method,
        "format_note": report.format_note,
        "notes": report.notes,
        "doubts": dict(report.doubts),
        "cells": cells,
        "active_extra": [
            {"label": e.label, "group": e.group, "values": list(e.values)} for e in report.extras
        ],
        "narrative": dict(report.narrative),
        "acknowledged": [{"rule": a.rule, "note": a.note} for a in report.acknowledged],
        "findings": [
            {
                "rule": f.id,
                "status": f.status,
                "severity": f.severity,
                "message": f.message,
                "anchor": f.anchor,  # the cell where a break shows (pages mark it with ⚠)
                "cells": list(f.codes),
                "acknowledged": f.acknowledged,
            }
            for f in report.findings
        ],
        "quality": quality_data.document(report),
    }


def to_json_bytes(document: object) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
