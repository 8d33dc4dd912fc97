"""What the importer refuses, and the bulk command: garbage never becomes a report, and a folder
imports with one closing table."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from gkgen.authoring.importer import cli, import_file
from tests.helpers import REPO


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return cli.run(parser.parse_args(list(argv)))


def _archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content" / "agencies", root / "content" / "agencies")
    (root / "content" / "reports").mkdir()
    return root


def _garbage(tmp_path: Path) -> list[Path]:
    files = []
    random_bytes = tmp_path / "random.txt"
    random_bytes.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20000)))
    files.append(random_bytes)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(
        "平潭综合实验区财政金融局2021年度政府信息公开工作年度报告\n一、总体情况\n".encode("utf-16")
    )
    files.append(utf16)
    nested = tmp_path / "nested.html"
    nested.write_text("<div>" * 200000 + "规章" + "</div>" * 200000, encoding="utf-8")
    files.append(nested)
    docx = tmp_path / "no-tables.docx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    files.append(docx)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200000 + "]" * 200000, encoding="utf-8")
    files.append(deep)
    return files


def test_garbage_is_refused_whatever_year_says(tmp_path: Path, capsys) -> None:
    root = _archive(tmp_path)
    registry_before = {p.name: p.read_bytes() for p in (root / "content" / "agencies").iterdir()}
    for path in _garbage(tmp_path):
        result = import_file(path, year=2021)
        assert result.errors, path.name
        assert not result.doc, path.name
        assert _run(str(path), "--year", "2021", "--into", str(root)) == 1
        err = capsys.readouterr().err
        assert "Traceback" not in err and "内部错误" not in err, (path.name, err)
    assert not any((root / "content" / "reports").iterdir())  # nothing written
    assert {p.name: p.read_bytes() for p in (root / "content" / "agencies").iterdir()} == registry_before


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    from gkgen.authoring import importer as importer

    monkeypatch.setattr(importer, "MAX_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("规章" * 1000, encoding="utf-8")
    assert "超过" in import_file(big).errors[0]


def test_a_page_saved_inside_a_javascript_string(tmp_path: Path) -> None:
    # The table's attribute quotes are escaped as \" : colspan must still place the cells.
    rows = (
        '<tr><td colspan=\\"2\\">信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>'
        '<tr><td colspan=\\"2\\">规章</td><td>1</td><td>0</td><td>12</td></tr>'
        '<tr><td colspan=\\"2\\">行政规范性文件</td><td>16</td><td>\\u0034</td><td>40</td></tr>'
    )
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><meta name="ArticleTitle" content="测试县人民政府2021年度政府信息公开工作年度报告"/></head><body>'
        '<script>document.write("<p>一、总体情况</p><p>测试。</p><p>二、主动公开政府信息情况</p>'
        f"<table>{rows}</table><p>五、存在的主要问题及改进情况</p><p>无。</p>"
        '<p>六、其他需要报告的事项</p><p>无。</p>");</script></body></html>',
        encoding="utf-8",
    )
    r = import_file(page)
    assert not r.errors, r.errors
    cells = r.doc["cells"]
    assert [cells[f"active.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [1, 0, 12]
    assert [cells[f"active.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [16, 4, 40]


def test_a_folder_imports_in_parallel_with_a_closing_table(tmp_path: Path, capsys, shared) -> None:
    folder = shared / "reports" / "pingtan-bodies"
    if not folder.is_dir():
        pytest.skip("shared/reports/pingtan-bodies is not beside the repo")
    root = _archive(tmp_path)
    picked = tmp_path / "in"
    picked.mkdir()
    for name in ("2019-caijinju.txt", "2021-caijinju.txt", "2024-guoziju.txt", "2020-gonganju.txt"):
        shutil.copy(folder / name, picked / name)
    (picked / ".hidden.txt").write_text("not a report", encoding="utf-8")
    # A relative path through ".." is a folder like any other (hidden files inside it are skipped).
    relative = os.path.relpath(picked, Path.cwd())
    assert _run(relative, "--into", str(root), "--jobs", "2") == 1  # 公安局 2020 has no tables
    out = capsys.readouterr().out
    table = out[out.index("导入结果") :]
    assert "| 2019-caijinju.txt | content/reports/350128-caijinju/2019.yaml |" in table
    assert "| 2024-guoziju.txt | content/reports/350128-touzicujinju/2024.yaml |" in table  # its new name
    assert "| 2020-gonganju.txt | 未导入：没有识别出官方表格的任何一行" in table
    assert ".hidden" not in out
    assert "共 4 个文件：写入 3 份报告，未导入 1 个" in table
    assert not (root / "content" / "agencies" / "00-import.yaml").exists()  # every body was known


def test_a_broken_registry_stops_the_import_with_its_location(tmp_path: Path, capsys, shared) -> None:
    root = _archive(tmp_path)
    registry = root / "content" / "agencies" / "35-fujian.yaml"
    registry.write_text(registry.read_text("utf-8") + "- id: [broken\n", encoding="utf-8")
    report = shared / "reports" / "pingtan-2021.txt"
    assert _run(str(report), "--into", str(root)) == 1
    err = capsys.readouterr().err
    assert "content/agencies/35-fujian.yaml:" in err and "机构名录有错误" in err
    assert not any((root / "content" / "reports").iterdir())


def test_a_symlinked_registry_file_stops_the_import_and_is_never_written_through(
    tmp_path: Path, capsys, shared
) -> None:
    root = tmp_path / "archive"
    (root / "content" / "agencies").mkdir(parents=True)
    (root / "content" / "reports").mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("", encoding="utf-8")
    (root / "content" / "agencies" / "35-fujian.yaml").symlink_to(outside)
    assert _run(str(shared / "reports" / "pingtan-2021.txt"), "--into", str(root)) == 1
    err = capsys.readouterr().err
    assert "content/agencies/35-fujian.yaml" in err and "机构名录有错误" in err
    assert outside.read_text("utf-8") == ""
    assert not any((root / "content" / "reports").iterdir())


def test_json_output_of_a_folder_is_a_list(tmp_path: Path, capsys, shared) -> None:
    picked = tmp_path / "in"
    picked.mkdir()
    for name in ("pingtan-2021.txt", "pingtan-2022.txt"):
        shutil.copy(shared / "reports" / name, picked / name)
    assert _run(str(picked), "--json") == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["year"] for d in docs] == [2021, 2022]
