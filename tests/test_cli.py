"""The command line as an editor uses it: exit codes, annotations, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

BASE = REPO / "tests" / "invalid" / "_base"


def gkgen(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "gkgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_check_and_build_work_in_the_current_folder(tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    assert gkgen("check", cwd=root).returncode == 0
    result = gkgen("build", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "reports" / "410204-wuyi" / "2021" / "index.html").is_file()
    elsewhere = tmp_path / "elsewhere"
    assert gkgen("build", "--out", str(elsewhere), cwd=root).returncode == 0
    assert (elsewhere / "data" / "reports" / "410204-wuyi-2021.json").is_file()


def test_github_annotations(tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    report = root / "content/reports/410204-wuyi/2021.yaml"
    report.write_text(
        report.read_text("utf-8").replace("review: [1, 0, 0, 0, 1]", "review: [10, 1, 0, 0, 0]"),
        encoding="utf-8",
    )
    result = gkgen("check", cwd=root, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    plain = next(line for line in lines if "error[appeals]" in line)
    assert plain.startswith("content/reports/410204-wuyi/2021.yaml:55:")
    annotation = next(line for line in lines if line.startswith("::error "))
    assert annotation.startswith("::error file=content/reports/410204-wuyi/2021.yaml,line=55,col=")
    assert "总计 = 0" in annotation and "10+1+0+0 = 11" in annotation


@pytest.mark.parametrize(
    "damage",
    [
        lambda root: (root / "content/reports/410204-wuyi/2021.yaml").write_bytes(b"\xff\xfe\x00garbage"),
        lambda root: (root / "content/reports/410204-wuyi/2021.yaml").write_text("- just\n- a list\n"),
        lambda root: (root / "content/reports/410204-wuyi/2021.yaml").write_text(""),
        lambda root: (root / "content/agencies/41-henan.yaml").write_text("id: not-a-list\n"),
        lambda root: (root / "content/agencies/41-henan.yaml").write_text("- 3\n- [1, 2]\n"),
        lambda root: (root / "content/reports/410204-wuyi/2021.md").write_text("\x00\x01"),
        lambda root: (root / "gkgen.yaml").write_text("[1, 2"),
        lambda root: (root / "content/reports/410204-wuyi/2021.yaml").write_text(
            "agency: {a: [b: c]}\nyear: []\n"
        ),
        lambda root: shutil.rmtree(root / "content/agencies"),
    ],
)
def test_damaged_input_never_gives_a_traceback(damage, tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    damage(root)
    for command in ("check", "build"):
        result = gkgen(command, cwd=root)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "内部错误" not in result.stderr
        assert "error[" in result.stderr
    assert not (root / "site").exists()


def test_new_writes_a_complete_blank_report_that_check_refuses_until_filled(tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    result = gkgen("new", "--agency", "410204-wuyi", "--year", "2020", cwd=root)
    assert result.returncode == 0, result.stderr
    text = (root / "content/reports/410204-wuyi/2020.yaml").read_text("utf-8")
    assert 'format: "2019"' in text  # the format prescribed for 2020
    assert "other: [null, null, null, null, null, null, null]  # （六）其他处理" in text
    assert "procurement: [null, null]  # 政府集中采购" in text
    assert "# 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计" in text
    md = (root / "content/reports/410204-wuyi/2020.md").read_text("utf-8")
    assert (
        "## 一、总体情况" in md
        and "## 五、存在的主要问题及改进情况" in md
        and "## 六、其他需要报告的事项" in md
    )
    check = gkgen("check", cwd=root)
    assert check.returncode == 1
    assert (
        "content/reports/410204-wuyi/2020.yaml:5:8: error[type]: title（报告标题）应为文字，实际是null"
        in check.stderr
    )
    assert "2020.md:1:1: error[narrative]: 章节“一、总体情况”没有正文" in check.stderr
    # Never overwrites.
    again = gkgen("new", "--agency", "410204-wuyi", "--year", "2020", cwd=root)
    assert again.returncode == 1 and "已存在" in again.stderr
    unknown = gkgen("new", "--agency", "nobody-here", "--year", "2021", cwd=root)
    assert unknown.returncode == 1 and "不在机构名录" in unknown.stderr


def test_new_refuses_a_broken_registry_with_its_location(tmp_path: Path) -> None:
    root = shutil.copytree(BASE, tmp_path / "archive")
    registry = sorted((root / "content" / "agencies").glob("*.yaml"))[0]
    registry.write_text(registry.read_text("utf-8") + "- id: [broken\n", encoding="utf-8")
    result = gkgen("new", "--agency", "410204-wuyi", "--year", "2020", cwd=root)
    assert result.returncode == 1
    assert f"content/agencies/{registry.name}:" in result.stderr and "机构名录有错误" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "content/reports/410204-wuyi/2020.yaml").exists()


@pytest.mark.parametrize("value", ["abc", "0", "-5", "１０"])
def test_a_bad_shard_size_setting_fails_clearly(tmp_path: Path, value: str) -> None:
    root = shutil.copytree(REPO / "content", tmp_path / "archive" / "content").parent
    result = gkgen("build", cwd=root, env={"GKGEN_SHARD_PAGES": value})
    assert result.returncode == 1, result.stderr
    assert "GKGEN_SHARD_PAGES" in result.stderr and "正整数" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


def test_the_shard_size_setting_splits_the_search_index(tmp_path: Path) -> None:
    root = shutil.copytree(REPO / "content", tmp_path / "archive" / "content").parent
    reports = len(list((root / "content" / "reports").glob("*/*.yaml")))
    assert gkgen("build", cwd=root, env={"GKGEN_SHARD_PAGES": "40"}).returncode == 0
    manifest = json.loads((root / "site" / "pagefind" / "shards.json").read_text("utf-8"))
    sizes = [s["pages"] for s in manifest["shards"]]
    assert sum(sizes) == reports and max(sizes) <= 40 and len(sizes) >= 3, sizes
    # Back to the default: the shards are planned again, one for the whole (small) archive.
    assert gkgen("build", cwd=root).returncode == 0
    manifest = json.loads((root / "site" / "pagefind" / "shards.json").read_text("utf-8"))
    assert [s["pages"] for s in manifest["shards"]] == [reports]
