"""Damaged input: truncated tables, unknown rows, run-together digits, scanned PDFs."""

from __future__ import annotations

import json

import pytest

from gkgen.authoring.importer import import_file
from gkgen.authoring.importer.digits import Item, readings
from gkgen.formats import COUNT


def test_truncated_table_leaves_nulls_with_doubts(shared, tmp_path):
    text = (shared / "seeds" / "002_fd38466faf71b272.txt").read_text(encoding="utf-8")
    cut = text.index("→→3.要求提供公开出版物".replace("→", "\t"))
    rest = text[text.index("五、存在的主要问题及改进情况") :]
    path = tmp_path / "truncated.txt"
    path.write_text(text[:cut] + "\n" + rest, encoding="utf-8")
    r = import_file(path)
    assert not r.errors
    cells = r.doc["cells"]
    assert cells["requests.unable.not_held.natural"] == 17  # what is there is read
    for code in ("requests.total.total", "requests.carried_forward.natural", "review.total"):
        assert cells[code] is None
        assert code in r.doubts
    assert any("没有找到" in w for w in r.warnings)


def test_unknown_row_is_reported_not_dropped(shared, tmp_path):
    text = (shared / "seeds" / "001_9467565b4386b6db.txt").read_text(encoding="utf-8")
    text = text.replace(
        "\t\t3.补正后申请内容仍不明确",
        "\t\t3.其他不明原因的特殊申请\t\t4\t0\t0\t0\t0\t0\t4\n\t\t3.补正后申请内容仍不明确",
    )
    text = text.replace("行政规范性文件\t0\t0\t0", "行政规范性文件\t0\t0\t0\n其他主动公开文件\t3\t3\t10")
    path = tmp_path / "unknown.txt"
    path.write_text(text, encoding="utf-8")
    r = import_file(path)
    assert any("其他不明原因的特殊申请" in w for w in r.warnings)
    # section 二's extra row is kept as an extra row, with doubts for the editor
    assert r.doc["active_extra"] == [
        {"label": "其他主动公开文件", "group": "normative", "values": [3, 3, 10]}
    ]
    assert "active.extra.1.issued" in r.doubts
    assert r.doc["cells"]["requests.unable.unclear.natural"] == 0


def test_label_variants_and_typos(shared, tmp_path):
    text = (shared / "seeds" / "000_3ca3de85e6c81d95.txt").read_text(encoding="utf-8")
    text = text.replace("2.其他法律行政法规禁止公开", "（2）其他法律行政止公开")
    text = text.replace("4.保护第三方合法权益", "四、保护第三方合法权益")
    text = text.replace("5.属于三类内部事务信息", "5.属于三类内部事物信息")
    path = tmp_path / "variants.txt"
    path.write_text(text, encoding="utf-8")
    r = import_file(path)
    ref = json.loads(
        (shared / "reports" / "reference" / "000_3ca3de85e6c81d95.json").read_text(encoding="utf-8")
    )
    assert r.doc["cells"] == ref["cells"]


def test_run_together_row_decided_by_rules(shared, tmp_path):
    # 640020470 alone allows many splits; with the other rows the rules leave one.
    r = import_file(shared / "reports" / "pingtan-2021.txt")
    assert [r.doc["cells"][f"requests.new.{c}"] for c in ("natural", "nonprofit", "other_org", "total")] == [
        64,
        2,
        4,
        70,
    ]


def test_readings_enumerate_splits():
    count3 = [COUNT] * 3
    found = readings([Item("num", "693665")], count3)
    assert (69, 3, 665) in found and (69, 36, 65) in found
    assert all(len(r) == 3 for r in found)
    assert readings([Item("num", "000")], count3) == [(0, 0, 0)]  # no leading zeros: one reading
    assert readings([Item("num", "0"), Item("blank"), Item("num", "5")], count3) == [(0, None, 5)]


def test_scanned_pdf_needs_ocr(tmp_path):
    image = pytest.importorskip("PIL.Image")
    path = tmp_path / "scan.pdf"
    image.new("RGB", (600, 800), "white").save(path)
    r = import_file(path)
    assert r.errors and "OCR" in r.errors[0]


def test_unsupported_and_empty_files(tmp_path):
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "docx" in import_file(doc).errors[0]
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert import_file(empty).errors
