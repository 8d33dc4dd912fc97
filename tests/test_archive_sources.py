"""Every report in content/ against the text it was entered from (found by its SHA-256 in shared/).

Two checks that need no transcription:
- Importing the source again gives the archive's cells, except the cells the report lists under
  `doubts` (which the editor settled against the original page): a wrong cell the importer did not
  doubt fails, and so does a doubt the editor did not settle.
- The digits of the source's table region, in table order, are the archive's cells joined in the
  same order: a misplaced digit, a lost cell or an invented one shows.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path

import pytest

from gkgen import formats
from gkgen.authoring.importer import import_file
from gkgen.build import load_archive
from gkgen.model import Report
from tests.helpers import REPO, SHARED


@cache
def _sources() -> dict[str, Path]:
    files = [
        *(SHARED / "seeds").glob("*.txt"),
        *(SHARED / "reports").glob("*.txt"),
        *(SHARED / "reports" / "pingtan-bodies").glob("*.txt"),
    ]
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in files}


@cache
def _reports() -> tuple[Report, ...]:
    return tuple(load_archive(REPO).archive.reports)


def _with_sources() -> list[tuple[str, Report, Path]]:
    if not (SHARED / "seeds").is_dir():
        return []
    out = []
    for r in _reports():
        if r.source_sha256 in _sources():
            out.append((r.id, r, _sources()[r.source_sha256]))
    return out


needs_shared = pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="shared/ not beside the repo")


@needs_shared
def test_every_report_names_the_text_it_was_entered_from() -> None:
    missing = [r.id for r in _reports() if r.source_sha256 not in _sources()]
    assert not missing
    assert len(_with_sources()) == len(_reports())


@needs_shared
@pytest.mark.parametrize(
    ("rid", "report", "source"), _with_sources(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_importing_the_source_again_gives_the_archive(rid: str, report: Report, source: Path) -> None:
    result = import_file(source)
    assert not result.errors, result.errors
    assert result.doc["format"] == report.format.id
    settled = dict(report.doubts)
    archived = dict(zip(report.format.codes, report.values, strict=True))
    imported = result.doc["cells"]
    silent = {
        c: (imported[c], archived[c])
        for c in report.format.codes
        if imported[c] != archived[c] and c not in settled
    }
    assert not silent, f"cells the importer got wrong without a doubt: {silent}"
    unsettled = set(result.doubts) - set(settled)
    assert not unsettled, f"doubts the report does not record as settled: {sorted(unsettled)}"


# --------------------------------------------------------------------------- digits

_LABEL_NUMBER = re.compile(
    r"(\d+)\s*[.．、](?=\s*[\u4e00-\u9fff“\"])"
)  # "…0000002.其他法律…": 2 numbers the label
_YEAR_AFTER = re.compile(r"(\d*?)((?:19|20)\d\d)(?=年)")  # "…02025年，我局…": the year starts the narrative
_UNIT = r"(?:个|笔|件|项|元|万元|[（(](?:万元|元)[)）])"
_NUMBER_RUN = re.compile(rf"(?:[\d\s.,\-－−]|{_UNIT})*")


def _digits(text: str, *, yuan: bool = False) -> str:
    text = re.sub(r"\d+位小数", "", text)
    if yuan:  # an amount printed in 万元 where the column is in 元 is kept in 元 (×10,000, exactly)
        text = re.sub(r"(\d+(?:\.\d+)?)万元", lambda m: _in_yuan(m.group(1)), text)
    text = _YEAR_AFTER.sub(lambda m: m.group(1), text)
    text = _LABEL_NUMBER.sub(lambda m: m.group(1)[:-1], text)
    return re.sub(r"\D", "", text)


def _region(text: str, start_words: tuple[str, ...], last_label: str, *, after: int = 0) -> tuple[str, int]:
    """From the first of ``start_words`` to the numbers right after the last occurrence of
    ``last_label`` (the table's last row), nothing beyond them."""
    start = min((i for w in start_words if (i := text.find(w, after)) >= 0), default=-1)
    assert start >= 0, start_words
    end_label = text.rfind(last_label)
    assert end_label >= start, last_label
    end = end_label + len(last_label)
    m = _NUMBER_RUN.match(text, end)
    run_end = m.end() if m else end
    # A year glued to the last number belongs to the sentence after the table.
    if text.startswith("年", run_end):
        run_end = max(end, run_end - 4)
    return text[start:run_end], run_end


def _in_yuan(amount: str) -> str:
    from decimal import Decimal

    value = Decimal(amount) * 10000
    return format(value.normalize() if value == value.to_integral() else value, "f")


def _cell_digits(value) -> str:
    return "" if value is None else re.sub(r"\D", "", str(value))


def _text_sources() -> list[tuple[str, Report, Path]]:
    """Reports entered from a page text whose table cells run together (平潭's portal)."""
    return [(rid, r, p) for rid, r, p in _with_sources() if "pingtan" in p.name or "pingtan-bodies" in str(p)]


@needs_shared
@pytest.mark.parametrize(
    ("rid", "report", "source"), _text_sources(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_source_table_digits_equal_the_archive_cells_in_order(rid: str, report: Report, source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    text = text[text.index("正文") :].replace("继续 办理", "继续办理")
    fmt = report.format
    cells = dict(zip(fmt.codes, report.values, strict=True))
    last_active = fmt.active_rows[-1][1].label
    labels_in_text = [r.label for _, r in fmt.active_rows if r.label in text]
    active, end = _region(text, ("第二十条",), labels_in_text[-1] if labels_in_text else last_active)
    requests, end = _region(text, ("一、本年新收",), "结转下年度继续办理", after=end)
    # Table 四: the numbers after the last column heading (…尚未审结 总计) of its three groups.
    appeals_start = text.find("行政复议", end)
    next_section = re.compile(r"[五六七]\s*、").search(text, appeals_start)
    stop = next_section.start() if next_section else len(text)
    header_end = text.rfind("总计", appeals_start, stop) + 2
    m = _NUMBER_RUN.match(text, header_end)
    appeals = text[header_end : m.end()]
    if text.startswith("年", m.end()):
        appeals = appeals[:-4]
    expected = {
        "active": "".join(_cell_digits(cells[c.code]) for c in fmt.cells if c.section == "active"),
        "requests": "".join(_cell_digits(cells[c.code]) for c in fmt.cells if c.section == "requests"),
        "appeals": "".join(_cell_digits(cells[c.code]) for c in fmt.cells if c.section == "appeals"),
    }
    # Two reports print （六）其他处理 in the other format's layout (one row where the format has three
    # sub-rows, or three where it has one); there the digits of （六） are left out on both sides (the
    # re-import test above still checks those cells).
    sub_rows_printed = "申请人无正当理由逾期不补正" in requests
    sub_rows_in_format = any(r.key.startswith("other.") for r in fmt.request_rows)
    if sub_rows_printed != sub_rows_in_format:
        requests = re.sub(r"（六）其他处理.*?（七）总计", "（七）总计", requests, flags=re.S)
        expected["requests"] = "".join(
            _cell_digits(cells[c.code])
            for c in fmt.cells
            if c.section == "requests" and not c.code.startswith("requests.other")
        )
    yuan = any(c.unit == "元" for g in fmt.active_groups for c in g.columns)
    found = {"active": _digits(active, yuan=yuan), "requests": _digits(requests), "appeals": _digits(appeals)}
    assert found == expected
    assert formats.get(report.format.id) is fmt
