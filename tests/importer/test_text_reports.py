"""The nine shared text reports: every cell equals the reference, or is flagged in doubts."""

from __future__ import annotations

import json

import pytest

from gkgen.authoring.importer import EMPTY_SECTION, import_file

SEEDS = [
    "000_3ca3de85e6c81d95",
    "001_9467565b4386b6db",
    "002_fd38466faf71b272",
    "003_071553c8290f36c9",
    "004_ece336a5f188f35c",
]
PINGTAN = ["pingtan-2019", "pingtan-2020", "pingtan-2021", "pingtan-2022"]


def _source(shared, stem):
    return shared / "seeds" / f"{stem}.txt" if stem[0].isdigit() else shared / "reports" / f"{stem}.txt"


@pytest.mark.parametrize("stem", SEEDS + PINGTAN)
def test_cells_match_reference(shared, stem):
    ref = json.loads((shared / "reports" / "reference" / f"{stem}.json").read_text(encoding="utf-8"))
    result = import_file(_source(shared, stem))
    assert not result.errors
    doc = result.doc
    assert doc["format"] == ref["format"]
    assert doc["year"] == ref["year"]
    assert set(doc["cells"]) == set(ref["cells"])
    wrong = []
    for code, expected in ref["cells"].items():
        got = doc["cells"][code]
        if got == expected:
            continue
        # A cell may differ only where the importer says it is not sure (and the text is ambiguous).
        if code in result.doubts and code in ref["doubts"]:
            assert got is None, f"{code}: a doubtful cell must not carry a guess ({got!r})"
            continue
        wrong.append((code, expected, got))
    assert not wrong, f"cells differ from the reference without a doubt: {wrong[:10]}"
    # No doubt where the reference is sure and the importer got it right anyway.
    assert set(result.doubts) <= set(ref["doubts"]), sorted(set(result.doubts) - set(ref["doubts"]))


@pytest.mark.parametrize("stem", SEEDS + PINGTAN)
def test_narrative_sections(shared, stem):
    result = import_file(_source(shared, stem))
    story = result.doc["narrative"]
    for key in ("overview", "problems", "other"):
        assert story[key].strip(), key
    if stem.startswith("003"):
        # section 六 is only page-number debris ("五", "2") in this source
        assert story["other"] == EMPTY_SECTION
    else:
        assert story["other"] != EMPTY_SECTION
    text = "\n".join(story.values())
    assert "[bookmark" not in text
    assert "当前位置" not in text and "-->" not in text
    assert "二、主动公开" not in story["overview"]


def test_details_of_the_seeds(shared):
    r = import_file(shared / "seeds" / "000_3ca3de85e6c81d95.txt")
    assert r.doc["title"] == "五一办事处政府信息公开工作年度报告"
    assert r.doc["agency"]["name"] == "五一办事处"
    assert r.doc["narrative"]["other"] == "无"
    assert r.doc["narrative"]["problems"].startswith("（一）存在问题：")
    r = import_file(shared / "seeds" / "002_fd38466faf71b272.txt")
    assert r.doc["agency"]["name"] == "龙亭区政府办公室"  # completed from the narrative
    assert any("不完全一致" in w for w in r.warnings)  # the wrapped label was matched loosely, and said so
    r = import_file(shared / "seeds" / "004_ece336a5f188f35c.txt")
    assert r.doc["cells"]["requests.granted.natural"] is None  # blank, not 0
    assert r.doc["cells"]["requests.granted.total"] == 0


def test_pingtan_metadata_and_splits(shared):
    r = import_file(shared / "reports" / "pingtan-2021.txt")
    assert r.doc["published"] == "2022-02-08"
    assert r.doc["source"]["url"].endswith("t20220208_80613.htm")
    assert r.doc["cells"]["active.fees.amount"] == "24252.311082"
    # 270020130: two splits fit row_total; the column rules choose 27|0|0|2|0|1|30
    assert [r.doc["cells"][f"requests.granted.{c}"] for c in ("natural", "legal", "other_org", "total")] == [
        27,
        0,
        1,
        30,
    ]
    # 693665: 69|3|665 or 69|36|65 — nothing decides, so no number and a doubt
    assert r.doc["cells"]["active.normative.issued"] is None
    assert "693665" in r.doubts["active.normative.issued"]
    assert r.doc["cells"]["review.total"] == 3 and r.doc["cells"]["litigation_direct.total"] == 12
    r = import_file(shared / "reports" / "pingtan-2020.txt")
    assert r.doc["cells"]["active.fees.change"] == -15
    assert r.doc["cells"]["active.rules.total"] == 7
    assert any("outcomes.natural" in w for w in r.warnings)  # broken in the source, and said so
