"""The real archive in content/: it validates, and every exported cell equals the reference transcription."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from gkgen import build
from tests.helpers import REFERENCE, REFERENCE_REPORTS, REPO, reference, site_files

needs_reference = pytest.mark.skipif(
    not REFERENCE.is_dir(), reason="shared/ reference transcriptions not beside the repo"
)


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert build.build(REPO, out, stream=io.StringIO(), incremental=False) == 0
    return out


def test_real_archive_validates() -> None:
    stream = io.StringIO()
    assert build.check(REPO, stream) == 0, stream.getvalue()
    assert "error[" not in stream.getvalue()
    # The summary counts what is in content/: every report, every body with one, and each
    # acknowledged break (an acknowledgement matching no break is an error, so they are equal).
    reports = sorted((REPO / "content" / "reports").glob("*/*.yaml"))
    bodies = {p.parent.name for p in reports}
    acknowledged = sum(len(yaml.safe_load(p.read_text("utf-8")).get("acknowledged") or []) for p in reports)
    assert (
        f"{len(reports)} 份报告，{len(bodies)} 个机构，{acknowledged} 处已登记的勾稽关系不符"
        in stream.getvalue()
    )


@needs_reference
@pytest.mark.parametrize("name", sorted(REFERENCE_REPORTS))
def test_exported_cells_equal_reference(name: str, minimal_site: Path) -> None:
    agency_id, year = REFERENCE_REPORTS[name]
    exported = json.loads((minimal_site / "data" / "reports" / f"{agency_id}-{year}.json").read_text("utf-8"))
    expected = reference(name)
    assert exported["format"] == expected["format"]
    assert exported["year"] == expected["year"]
    assert exported["base_url"] == "/"
    assert exported["url"] == f"/reports/{agency_id}/{year}/"  # from the host's root, not from the JSON file
    # Same codes, same values, same JSON types (int vs money text vs null).
    assert exported["cells"] == expected["cells"]
    for code, value in expected["cells"].items():
        assert type(exported["cells"][code]) is type(value), code
    assert exported["published"] == expected["published"]


@needs_reference
def test_pingtan_2020_carries_its_acknowledged_breaks(minimal_site: Path) -> None:
    exported = json.loads((minimal_site / "data" / "reports" / "350128-pingtan-2020.json").read_text("utf-8"))
    broken = {f["rule"]: f for f in exported["findings"] if f["status"] == "broken"}
    assert set(broken) == {"outcomes.natural", "outcomes.total"}
    assert "20" in broken["outcomes.natural"]["message"] and "26" in broken["outcomes.natural"]["message"]
    assert "21" in broken["outcomes.total"]["message"] and "27" in broken["outcomes.total"]["message"]
    assert all(f["acknowledged"] for f in broken.values())


@needs_reference
def test_blank_cells_are_reported_not_checkable(minimal_site: Path) -> None:
    exported = json.loads((minimal_site / "data" / "reports" / "410711-huayuan-2022.json").read_text("utf-8"))
    unchecked = {f["rule"] for f in exported["findings"] if f["status"] == "unchecked"}
    assert "row_total.granted" in unchecked and "outcomes.natural" in unchecked
    assert not [f for f in exported["findings"] if f["status"] == "broken"]
    assert exported["cells"]["requests.granted.natural"] is None


def test_every_report_file_references_the_schema() -> None:
    for path in sorted((REPO / "content" / "reports").glob("*/*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../../schema/report.schema.json", path
        assert (path.parent / first.split("=", 1)[1]).resolve() == REPO / "schema" / "report.schema.json"


def test_failed_build_leaves_the_site_untouched(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    out = tmp_path / "site"
    assert build.build(root, out, stream=io.StringIO()) == 0
    before = site_files(out)
    report = root / "content" / "reports" / "410204-wuyi" / "2021.yaml"
    report.write_text(report.read_text(encoding="utf-8").replace("new: [1,", "new: [2,"), encoding="utf-8")
    stream = io.StringIO()
    assert build.build(root, out, stream=stream) == 1
    assert "error[balance]" in stream.getvalue()
    after = site_files(out)
    assert after == before
    # No staging folder left behind; the lock file stays (gkgen.outputs.lock).
    assert [p.name for p in tmp_path.glob(".site.*")] == [".site.lock"]
