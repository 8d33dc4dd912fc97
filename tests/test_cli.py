"""The command line as an editor uses it: exit codes, annotations, never a traceback."""

from __future__ import annotations

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
    return subprocess.run([sys.executable, "-m", "gkgen", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=120)


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
    report.write_text(report.read_text("utf-8").replace("review: [1, 0, 0, 0, 1]", "review: [10, 1, 0, 0, 0]"),
                      encoding="utf-8")
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
        lambda root: (root / "content/reports/410204-wuyi/2021.yaml").write_text("agency: {a: [b: c]}\nyear: []\n"),
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
