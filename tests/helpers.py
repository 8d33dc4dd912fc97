"""Paths and small helpers shared by the tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reports" / "reference"
SUBPATH = "/gk-archive/"  # the base URL the archive is also built with (a site under a sub-path)
CHROMIUM = Path(os.environ.get("GKGEN_CHROMIUM", "/usr/bin/chromium"))


def require_browser() -> None:
    """Skip without Chromium and Playwright, or fail under GKGEN_REQUIRE_BROWSER=1 (CI): never a silent pass."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed"
    if problem:
        if os.environ.get("GKGEN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GKGEN_REQUIRE_BROWSER=1 but {problem}", pytrace=False)
        pytest.skip(problem)


# Which archive report each reference transcription is.
REFERENCE_REPORTS = {
    "000_3ca3de85e6c81d95": ("410204-wuyi", 2021),
    "001_9467565b4386b6db": ("410302-dongnanyu", 2021),
    "002_fd38466faf71b272": ("410202-longting-gov-office", 2021),
    "003_071553c8290f36c9": ("220102-xingfu", 2021),
    "004_ece336a5f188f35c": ("410711-huayuan", 2022),
    "pingtan-2019": ("350128-pingtan", 2019),
    "pingtan-2020": ("350128-pingtan", 2020),
    "pingtan-2021": ("350128-pingtan", 2021),
    "pingtan-2022": ("350128-pingtan", 2022),
}


def site_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (a built site), by its POSIX path relative to it, with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def reference(name: str) -> dict:
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))


def archive_report_files() -> list[Path]:
    """The report YAML files of the real archive in content/."""
    return sorted((REPO / "content" / "reports").glob("*/*.yaml"))


def archive_report_urls() -> list[str]:
    """Each real report's page path from the site root, as the index lists it."""
    return [f"/reports/{p.parent.name}/{p.stem}/" for p in archive_report_files()]


def archive_urls_with_breaks() -> list[str]:
    """Reports with a broken rule: their own tables (acknowledged in content/) or against the year before."""
    from gkgen.build import load_archive

    reports = load_archive(REPO).archive.reports
    return sorted(f"/{r.url}" for r in reports if any(f.broken for f in r.findings))
