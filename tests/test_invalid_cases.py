"""One folder per invalid (or tricky) archive, with the exact diagnostics `gkgen check` must print.

tests/invalid/_base/ is a small valid archive; each case folder holds `files/`
(laid over the base), optionally `delete.txt` (paths removed from the base) and
`expected.txt`: the exact output of `gkgen check` followed by `exit: N`.
Set GKGEN_UPDATE_GOLDEN=1 to rewrite expected.txt after a deliberate change, and review the diff.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from gkgen import build

CASES = Path(__file__).parent / "invalid"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("_"))


def assemble(case: Path, into: Path) -> Path:
    shutil.copytree(CASES / "_base", into)
    files = case / "files"
    if files.is_dir():
        shutil.copytree(files, into, dirs_exist_ok=True)
    delete = case / "delete.txt"
    if delete.exists():
        for rel in delete.read_text(encoding="utf-8").split():
            (into / rel).unlink()
    return into


def run_check(root: Path) -> str:
    stream = io.StringIO()
    code = build.check(root, stream)
    return stream.getvalue() + f"exit: {code}\n"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_invalid_case(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv(
        "SOURCE_DATE_EPOCH", "1767225600"
    )  # 2026-01-01: year limits do not move with the clock
    root = assemble(CASES / name, tmp_path / "archive")
    output = run_check(root)
    expected_file = CASES / name / "expected.txt"
    if os.environ.get("GKGEN_UPDATE_GOLDEN"):
        expected_file.write_text(output, encoding="utf-8")
    assert output == expected_file.read_text(encoding="utf-8")


def test_base_archive_is_valid(tmp_path: Path) -> None:
    root = shutil.copytree(CASES / "_base", tmp_path / "archive")
    assert run_check(root).endswith("exit: 0\n")


def test_there_are_enough_cases() -> None:
    assert len([n for n in CASE_NAMES if (CASES / n / "expected.txt").exists()]) >= 15
