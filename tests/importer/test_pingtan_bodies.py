"""The layouts of 平潭's bodies' reports (2019–2025) that taught the importer something.

Each case is a real page text from ../shared/reports/pingtan-bodies/ and what its original page's
table shows (read cell by cell from the archived page.html).
"""

from __future__ import annotations

import pytest

from gkgen.authoring.importer import import_file

pytestmark = pytest.mark.usefixtures("shared")


@pytest.fixture
def bodies(shared):
    folder = shared / "reports" / "pingtan-bodies"
    if not folder.is_dir():
        pytest.skip("shared/reports/pingtan-bodies is not beside the repo")
    return folder


def _row(result, prefix: str) -> list:
    return [v for code, v in result.doc["cells"].items() if code.rsplit(".", 1)[0] == prefix]


def test_a_section_of_the_province_own_before_the_last_two(bodies):
    # 苏平 2023: "四、…行政复议…" then "五、信息处理费收取情况…000" then "六、存在的主要问题…"
    r = import_file(bodies / "2023-suping.txt")
    assert not r.errors and not r.doubts
    assert _row(r, "review") == [0, 0, 0, 0, 0]
    assert r.doc["narrative"]["problems"].startswith("（一）存在的主要问题")


def test_sections_numbered_one_higher_after_an_extra_second_section(bodies):
    # 旅游与文化体育局 2020: "二、政务公开工作主要任务落实情况", so 主动公开 is "三、" and so on.
    r = import_file(bodies / "2020-lvyouwentiju.txt")
    assert not r.errors
    assert _row(r, "active.licensing") == [15, 11, 0]  # not the 11 and 598 of the narrative
    assert _row(r, "requests.granted") == [0] * 7


def test_a_table_ends_where_the_narrative_resumes(bodies):
    # 财政金融局 2021: "行政事业性收费7816 (二)主动公开政府信息的主要类别 2021年，在主动公开的198条…"
    r = import_file(bodies / "2021-caijinju.txt")
    assert not r.errors and not r.doubts
    assert "active_extra" not in r.doc
    assert _row(r, "active.fees") == ["7816"]


def test_a_year_that_starts_the_narrative_is_not_part_of_the_last_cell(bodies):
    # 市场监督管理局 2025: "行政事业性收费02025年，我局…" and "四、结转下年度继续办理20000022025年…"
    r = import_file(bodies / "2025-shichangjianguanju.txt")
    assert not r.errors
    assert _row(r, "active.fees") == ["0"]
    assert _row(r, "requests.carried_forward") == [2, 0, 0, 0, 0, 0, 2]
    assert "active_extra" not in r.doc


def test_row_words_in_the_narrative_before_the_table_are_not_rows(bodies):
    # 交通与建设局 2020: "…行政许可类信息3条…" before the table's "行政许可88-720".
    r = import_file(bodies / "2020-jiaotongjiansheju.txt")
    assert r.doc["cells"]["active.licensing.prev_items"] == 88
    assert {"active.licensing.change", "active.licensing.decisions"} <= set(r.doubts)  # -7|20 or -72|0
    # 自然资源与生态环境局 2019: "…土地出让、行政处罚。其中…行政处罚类12条。" then the table.
    r = import_file(bodies / "2019-ziranziyuanju.txt")
    assert not any("类信息" in w for w in r.warnings)  # no narrative line taken for a table row
    assert _row(r, "active.rules") == [0, 0, 0]
    assert "121212" in r.doubts["active.normative.made"]  # the table's own digits (12|12|12 on the page)
    assert "88022" in r.doubts["active.penalty.prev_items"]  # (88|0|22 on the page), not the 12 of the text


def test_a_short_label_run_into_a_variant_label_is_one_label(bodies):
    # 君山 2024: "2.其他法律和行政法规禁止公开" is not "其他" (3.其他) followed by another label.
    r = import_file(bodies / "2024-junshan.txt")
    assert not r.errors and not r.doubts
    assert _row(r, "requests.other.other") == [0] * 7


def test_readings_that_agree_a_cell_is_blank_are_still_a_doubt(bodies):
    # 公安局 2019: "0 00000" is six digits for seven cells; the page shows 0 | (空) | 0 | 0 | 0 | 0 | 0.
    r = import_file(bodies / "2019-gonganju.txt")
    new = [c for c in r.doc["cells"] if c.startswith("requests.new.")]
    assert all(r.doc["cells"][c] is None for c in new)
    assert set(new) <= set(r.doubts)


def test_a_covering_letter_names_the_body_before_guanyu(bodies):
    r = import_file(bodies / "2020-suping.txt")
    assert r.doc["agency"]["name"] == "平潭综合实验区苏平片区管理局"


def test_a_page_that_carries_only_its_title_is_refused(bodies):
    r = import_file(bodies / "2020-gonganju.txt", year=2020)
    assert r.errors and "没有识别出官方表格的任何一行" in r.errors[0]
    assert not r.doc


def test_provenance_is_recorded(bodies):
    import hashlib

    path = bodies / "2024-caijinju.txt"
    r = import_file(path)
    assert r.doc["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert r.doc["source"]["url"].startswith("https://www.pingtan.gov.cn/")
    assert r.doc["method"].startswith("由原报告的文本导入")
    assert "gkgen" not in r.doc["method"] and ".txt" not in r.doc["method"]
