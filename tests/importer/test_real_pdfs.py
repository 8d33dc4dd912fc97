"""The three real PDFs: figures read from the documents themselves (rendered pages)."""

from __future__ import annotations

import pytest

from gkgen.authoring.importer import import_file

pytest.importorskip("pdfplumber")


def _row(doc, row):
    cols = ("natural", "commercial", "research", "nonprofit", "legal", "other_org", "total")
    return [doc["cells"][f"requests.{row}.{c}"] for c in cols]


def _appeals(doc):
    return [
        [doc["cells"][f"{g}.{c}"] for c in ("upheld", "corrected", "other", "pending", "total")]
        for g in ("review", "litigation_direct", "litigation_after_review")
    ]


def test_hongze_2023(shared):
    r = import_file(shared / "reports" / "pdf" / "hongze-2023.pdf")
    assert not r.errors
    d = r.doc
    assert (d["year"], d["format"], d["agency"]["name"]) == (2023, "2021", "洪泽区人民政府")
    assert _row(d, "new") == [21, 0, 0, 0, 0, 0, 21]
    assert _row(d, "total") == [21, 0, 0, 0, 0, 0, 21]
    assert _row(d, "unable.not_held") == [10, 0, 0, 0, 0, 0, 10]
    assert d["cells"]["active.penalty.decisions"] == 4119
    assert d["cells"]["active.fees.amount"] == "7730.28"
    # As printed: 行政复议 10 upheld, 1 corrected, total 0; 复议后起诉 5 upheld, total 0.
    assert _appeals(d) == [[10, 1, 0, 0, 0], [0, 0, 0, 0, 0], [5, 0, 0, 0, 0]]
    assert any("appeals.review" in w for w in r.warnings)
    # The report prints one （六）其他处理 row of zeros: its parts are zeros, and it is said.
    assert _row(d, "other.other") == [0] * 7
    assert any("其他处理" in w for w in r.warnings)
    assert d["narrative"]["other"].endswith("全年收取政府信息公开信息处理费0元。")


def test_hongze_2024(shared):
    r = import_file(shared / "reports" / "pdf" / "hongze-2024.pdf")
    d = r.doc
    assert (d["year"], d["agency"]["name"]) == (2024, "淮安市洪泽区人民政府")
    assert _row(d, "new") == [95, 0, 0, 0, 0, 0, 95]
    assert _row(d, "granted") == [50, 0, 0, 0, 0, 0, 50]
    assert _row(d, "unable.not_held") == [31, 0, 0, 0, 0, 0, 31]
    assert _row(d, "total") == [95, 0, 0, 0, 0, 0, 95]
    assert _appeals(d) == [[1, 1, 0, 0, 2], [1, 0, 0, 0, 1], [2, 0, 1, 0, 3]]
    assert [d["cells"][f"active.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [3, 0, 8]
    assert not r.doubts


def test_huaian_2024(shared):
    r = import_file(shared / "reports" / "pdf" / "huaian-2024.pdf")
    d = r.doc
    assert (d["year"], d["agency"]["name"]) == (2024, "淮安市人民政府")
    assert _row(d, "new") == [3001, 53, 0, 0, 61, 4, 3119]
    assert _row(d, "carried_over") == [34, 0, 0, 0, 0, 0, 34]
    assert _row(d, "other.no_correction") == [67, 3, 0, 0, 1, 0, 71]
    assert _row(d, "total") == [2932, 53, 0, 0, 61, 4, 3050]
    assert _row(d, "carried_forward") == [103, 0, 0, 0, 0, 0, 103]
    assert _appeals(d) == [[72, 64, 178, 37, 351], [13, 4, 8, 1, 26], [12, 1, 1, 6, 20]]
    assert d["cells"]["active.licensing.decisions"] == 447228
    assert d["cells"]["active.fees.amount"] == "96171.6"
    assert not r.doubts
    assert not [w for w in r.warnings if "勾稽" in w]
    assert d["narrative"]["overview"].startswith("2024年，我市坚持")
