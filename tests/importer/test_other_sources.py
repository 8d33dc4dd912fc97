"""Web page, Word and PDF versions of shared reports, made at test time from the references."""

from __future__ import annotations

import pytest

from gkgen.authoring.importer import import_file
from tests.helpers import require_browser

from . import makefiles

STEMS = ["002_fd38466faf71b272", "004_ece336a5f188f35c", "pingtan-2019", "pingtan-2021"]


def _title(ref):
    return f"测试县人民政府{ref['year']}年政府信息公开工作年度报告"


def _check(result, ref):
    assert not result.errors, result.errors
    assert result.doc["format"] == ref["format"]
    assert result.doc["year"] == ref["year"]
    wrong = {c: (v, result.doc["cells"][c]) for c, v in ref["cells"].items() if result.doc["cells"][c] != v}
    assert not wrong
    assert not result.doubts
    story = result.doc["narrative"]
    assert story["overview"] == makefiles.OVERVIEW
    assert story["problems"] == makefiles.PROBLEMS
    assert story["other"] == makefiles.OTHER
    assert result.doc["agency"]["name"] == "测试县人民政府"


@pytest.mark.parametrize("stem", STEMS)
def test_html(shared, tmp_path, stem):
    ref = makefiles.reference(stem)
    path = tmp_path / "report.html"
    path.write_text(makefiles.report_html(ref, _title(ref)), encoding="utf-8")
    result = import_file(path)
    _check(result, ref)
    assert result.doc["published"] == "2022-01-20"  # from <meta name="PubDate">
    assert "首页" not in result.doc["narrative"].get("preamble", "")


@pytest.mark.parametrize("stem", STEMS)
def test_docx(shared, tmp_path, stem):
    pytest.importorskip("docx")
    ref = makefiles.reference(stem)
    path = tmp_path / "report.docx"
    makefiles.report_docx(ref, _title(ref), path)
    _check(import_file(path), ref)


@pytest.mark.parametrize("stem", ["002_fd38466faf71b272", "pingtan-2019"])
def test_pdf_printed_by_chromium(shared, tmp_path, stem):
    pytest.importorskip("pdfplumber")
    ref = makefiles.reference(stem)
    html = tmp_path / "report.html"
    html.write_text(makefiles.report_html(ref, _title(ref)), encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    require_browser()  # Chromium prints the HTML fixture to PDF
    assert makefiles.html_to_pdf(html, pdf), "Chromium did not print the HTML fixture to PDF"
    _check(import_file(pdf), ref)
