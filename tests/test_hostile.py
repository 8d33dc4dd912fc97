"""Content from an untrusted pull request: refused with a located error, never followed, never obeyed.

The exact messages for single files are golden cases in tests/invalid/ (yaml-alias-bomb,
numbers-not-plain-decimals, numbers-out-of-range, published-in-future, agency-id-control-character,
config-base-url-*, key-with-control-characters). Here: what a golden case cannot hold (symlinks, odd
file names, `gkgen build`, the GitHub Actions output, time limits).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from gkgen import cli
from gkgen.content import diagnostics, files, validate, yamlpos
from tests.helpers import REPO, site_files

BASE = REPO / "tests" / "invalid" / "_base"
REPORT = "content/reports/410204-wuyi/2021.yaml"
ERROR_LINE = re.compile(r"^(?!::)\S.*?:\d+:\d+: (error|warning|note)\[[a-z_-]+\]: ")


@pytest.fixture()
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    monkeypatch.setenv("GKGEN_JOBS", "1")
    return shutil.copytree(BASE, tmp_path / "archive")


def run(capfd: pytest.CaptureFixture, *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    captured = capfd.readouterr()
    return code, captured.out + captured.err


def edit(root: Path, old: str, new: str, rel: str = REPORT) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_refused(code: int, output: str) -> None:
    assert code == 1, output
    assert "Traceback" not in output and "内部错误" not in output
    assert any(ERROR_LINE.match(line) and ": error[" in line for line in output.splitlines()), output


# -- YAML ----------------------------------------------------------------------------------------


def bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['  a0: &a0 ["哈哈哈哈哈哈哈哈哈哈"]']
    for i in range(1, levels + 1):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "notes:\n" + "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_by_check_and_build(archive: Path, capfd) -> None:
    edit(archive, "notes: null\n", bomb())
    for argv in (("check",), ("build", "--no-cache")):
        started = time.perf_counter()
        code, output = run(capfd, *argv, "--root", str(archive))
        assert time.perf_counter() - started < 5
        assert_refused(code, output)
        assert f"{REPORT}:13:12: error[yaml]: YAML 语法错误：不允许使用 YAML 锚点和别名" in output
    assert not (archive / "site").exists()


@pytest.mark.parametrize(
    "cell",
    ["[1.0e+999999999]", "[1.0e+5000]", "[" + "9" * 5000 + "]", "[1.0e+30]", "[9223372036854775808]"],
)
def test_huge_numbers_are_refused_at_their_cell_by_check_and_build(archive: Path, capfd, cell) -> None:
    edit(archive, "licensing: [0]", f"licensing: {cell}")
    for argv in (("check",), ("build", "--no-cache")):
        started = time.perf_counter()
        code, output = run(capfd, *argv, "--root", str(archive))
        assert time.perf_counter() - started < 10
        assert_refused(code, output)
        assert f"{REPORT}:18:15: error[" in output


@pytest.mark.parametrize(
    ("text", "value"),
    [("5", 5), ("-3", -3), ("+5", 5), ("0", 0), ("2.50", "2.50"), ('"010"', "010"), ("null", None)],
)
def test_plain_decimals_are_numbers_as_written(text: str, value) -> None:
    doc = yamlpos.parse(f"a: {text}\n")
    assert not doc.problems
    assert (str(doc.value["a"]) if isinstance(value, str) else doc.value["a"]) == value


@pytest.mark.parametrize("text", ["010", "0x10", "1:30", "0o10", "1_000", ".inf", ".nan", "1e5", "0b1"])
def test_other_numerals_stay_text_and_are_reported_at_their_position(text: str) -> None:
    doc = yamlpos.parse(f"a: [1, {text}]\n")
    assert doc.value["a"][1] == text  # never 8, 16 or 90
    assert [p.position for p in doc.problems] == [yamlpos.Position(1, 8)]


@pytest.mark.parametrize("text", ["!!str 5", "!!int '5'", "!foo bar", "!!python/object:os.system x"])
def test_explicit_tags_are_refused(text: str) -> None:
    with pytest.raises(yamlpos.YamlSyntaxError, match="标签"):
        yamlpos.parse(f"a: {text}\n")


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    for text in ("[" * 900 + "]" * 900, "[" * 5000 + "]" * 5000):
        with pytest.raises(yamlpos.YamlSyntaxError):
            yamlpos.parse(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("0", True),
        ("24252.311082", True),
        ("999999999999999.999999", True),
        ("1234567890123456", False),  # 16 whole digits
        ("0.1234567", False),  # 7 decimals
        ("007", False),
        ("１２３", False),  # full-width digits
        ("1e5", False),
        ("-1", False),
    ],
)
def test_money_text_is_plain_bounded_decimal(text: str, ok: bool) -> None:
    doc = yamlpos.parse(f'a: "{text}"\n')
    checker = validate.ReportValidator(doc, "x.yaml", {}, "x", "2021", 2026)
    result = checker.money(doc.value["a"], ("a",), "金额")
    assert (result == text) if ok else (result is None and checker.diagnostics)


# -- dates ---------------------------------------------------------------------------------------


def test_the_build_date_comes_from_source_date_epoch_in_china_time(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767196800")  # 2025-12-31 16:00 UTC = 2026-01-01 00:00 in China
    assert validate.build_date() == dt.date(2026, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs((validate.build_date() - dt.datetime.now(dt.UTC).date()).days) <= 1


def test_a_report_published_after_the_build_date_is_refused_by_build(archive: Path, capfd) -> None:
    edit(archive, "published: null", "published: 2026-01-02")
    code, output = run(capfd, "build", "--root", str(archive))
    assert_refused(code, output)
    assert f"{REPORT}:6:12: error[value]: published 2026-01-02 晚于本次构建的日期 2026-01-01" in output


# -- paths ---------------------------------------------------------------------------------------


def outside_secret(tmp_path: Path) -> Path:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "2021.yaml").write_text("机密: [\n", encoding="utf-8")  # read, it would be error[yaml]
    (secret / "2021.md").write_text((BASE / REPORT).with_suffix(".md").read_text("utf-8") + "\n机密\n")
    (secret / "registry.yaml").write_text("机密: [\n", encoding="utf-8")
    (secret / "gkgen.yaml").write_text("机密: [\n", encoding="utf-8")
    return secret


def link_report_file(root: Path, secret: Path) -> str:
    target = root / REPORT.replace(".yaml", ".md")
    target.unlink()
    target.symlink_to(secret / "2021.md")
    return "content/reports/410204-wuyi/2021.md"


def link_report_yaml(root: Path, secret: Path) -> str:
    (root / REPORT).unlink()
    (root / REPORT).symlink_to(secret / "2021.yaml")
    return REPORT


def link_agency_folder(root: Path, secret: Path) -> str:
    (root / "content/reports/410204-wuyi/2021.yaml").unlink()
    (root / "content/reports/410204-wuyi/2021.md").unlink()
    (root / "content/reports/410204-wuyi").rmdir()
    (root / "content/reports/410204-wuyi").symlink_to(secret, target_is_directory=True)
    return "content/reports/410204-wuyi"


def link_registry_file(root: Path, secret: Path) -> str:
    (root / "content/agencies/42-more.yaml").symlink_to(secret / "registry.yaml")
    return "content/agencies/42-more.yaml"


def link_config(root: Path, secret: Path) -> str:
    (root / "gkgen.yaml").symlink_to(secret / "gkgen.yaml")
    return "gkgen.yaml"


def link_reports_folder(root: Path, secret: Path) -> str:
    shutil.move(root / "content/reports", secret / "reports")
    shutil.copy(secret / "2021.yaml", secret / "reports/410204-wuyi/2021.yaml")
    (root / "content/reports").symlink_to(secret / "reports", target_is_directory=True)
    return "content/reports"


def link_anything_in_content(root: Path, secret: Path) -> str:
    (root / "content/notes.md").symlink_to(secret / "2021.md")
    return "content/notes.md"


def link_content_folder(root: Path, secret: Path) -> str:
    shutil.move(root / "content", secret / "content")
    shutil.copy(secret / "2021.yaml", secret / "content/reports/410204-wuyi/2021.yaml")
    shutil.copy(secret / "2021.yaml", secret / "content/agencies/41-henan.yaml")
    (root / "content").symlink_to(secret / "content", target_is_directory=True)
    return "content"


@pytest.mark.parametrize(
    "make_link",
    [
        link_report_file,
        link_report_yaml,
        link_agency_folder,
        link_registry_file,
        link_config,
        link_content_folder,
        link_reports_folder,
        link_anything_in_content,
    ],
)
def test_a_symlink_is_refused_by_name_and_never_read(archive: Path, tmp_path: Path, capfd, make_link) -> None:
    secret = outside_secret(tmp_path)
    shown = make_link(archive, secret)
    for argv in (("check",), ("build", "--no-cache")):
        code, output = run(capfd, *argv, "--root", str(archive))
        assert_refused(code, output)
        assert f"{shown}:1:1: error[path]: 不允许使用符号链接" in output
        assert "机密" not in output
        read = [
            line for line in output.splitlines() if re.match(r"\S+:\d+:\d+: error\[(?!path|agency)", line)
        ]
        assert not read, read  # no problem inside a file behind the link: it was not read
    assert not (archive / "site").exists()


def test_a_symlink_under_templates_is_refused(tmp_path: Path) -> None:
    templates = shutil.copytree(REPO / "templates", tmp_path / "templates")
    (templates / "evil.html").symlink_to("/etc/passwd")
    problems = files.archive_path_problems(tmp_path / "archive", templates)
    assert [(d.path, d.rule) for d in problems] == [("templates/evil.html", "path")]


def test_the_real_templates_have_no_symlinks() -> None:
    assert files.archive_path_problems(REPO, REPO / "templates") == []


@pytest.mark.parametrize(
    ("name", "rel"),
    [
        ("410204-wuyi\n", "content/reports/410204-wuyi\\n"),
        ("410204-wuyi\u202e", "content/reports/410204-wuyi\\u202e"),
    ],
)
def test_an_agency_folder_with_an_odd_name_is_refused(archive: Path, capfd, name: str, rel: str) -> None:
    (archive / "content/reports" / name).mkdir()
    code, output = run(capfd, "check", "--root", str(archive))
    assert_refused(code, output)
    assert f"{rel}:1:1: error[path]: 目录名" in output


@pytest.mark.parametrize("name", ["x\x1b[2J.yaml", "caf\u0065\u0301.yaml", " 41.yaml"])
def test_a_registry_file_with_an_odd_name_is_refused(archive: Path, capfd, name: str) -> None:
    shutil.copy(archive / "content/agencies/41-henan.yaml", archive / "content/agencies" / name)
    code, output = run(capfd, "check", "--root", str(archive))
    assert_refused(code, output)
    assert "error[path]: 文件名不可用" in output
    assert "\x1b" not in output


def test_a_stray_file_name_cannot_reach_the_terminal(archive: Path, capfd) -> None:
    (archive / "content/reports/410204-wuyi/\x1b]0;pwned\x07\n::error::x").write_text("x")
    code, output = run(capfd, "check", "--root", str(archive))
    assert_refused(code, output)
    assert "\x1b" not in output and "\x07" not in output
    assert not any(line.startswith("::") for line in output.splitlines())


# -- base_url --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    ["https://x.org/\n", "javascript:alert(1)", "//evil.org/", "/a b/", "/a/../b/", "ftp://x.org/"],
)
def test_a_bad_base_url_on_the_command_line_is_refused(archive: Path, capfd, base_url: str) -> None:
    code, output = run(capfd, "build", "--root", str(archive), "--base-url", base_url)
    assert_refused(code, output)
    assert "--base-url:1:1: error[config]: --base-url 应为 http(s) 网址或以 / 开头的路径" in output
    assert not (archive / "site").exists()


# -- output for terminals and GitHub Actions --------------------------------------------------------


def test_content_cannot_inject_github_workflow_commands(archive: Path, capfd, monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    edit(archive, "notes: null\n", 'notes: null\n"k\\n::error file=README.md::pwned\\r\\n%0A, x:y": 1\n')
    code, output = run(capfd, "check", "--root", str(archive))
    assert_refused(code, output)
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=content/reports/410204-wuyi/2021.yaml,line=12,col=1,title=unknown-key::"
        "报告中有未知的键 `k\\n::error file=README.md::pwned\\r\\n%250A, x:y` — 可用的键："
        "agency, year, format, title, published, source, entered_by, notes, method, doubts, no_tables, format_note, active, "
        "requests, appeals, active_extra, acknowledged"
    ]
    assert "\r" not in output


def test_a_failed_build_leaves_the_site_as_it_was(archive: Path, capfd) -> None:
    code, output = run(capfd, "build", "--root", str(archive))
    assert code == 0, output
    before = site_files(archive / "site")
    edit(archive, "licensing: [0]", "licensing: [0x10]")
    code, output = run(capfd, "build", "--root", str(archive))
    assert_refused(code, output)
    assert site_files(archive / "site") == before


# -- URLs in the JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("/gk-archive", "/gk-archive/reports/410204-wuyi/2021/"),
        ("https://example.org/gk/", "https://example.org/gk/reports/410204-wuyi/2021/"),
    ],
)
def test_report_json_urls_do_not_depend_on_where_the_json_is(archive, capfd, base_url, expected) -> None:
    code, output = run(capfd, "build", "--root", str(archive), "--base-url", base_url)
    assert code == 0, output
    document = json.loads((archive / "site/data/reports/410204-wuyi-2021.json").read_text("utf-8"))
    assert document["base_url"] == expected.split("reports/")[0]
    assert document["url"] == expected
    index = json.loads((archive / "site/data/reports/index.json").read_text("utf-8"))
    assert [entry["url"] for entry in index] == [expected]


def test_symlinks_in_scan_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "content/reports").mkdir(parents=True)
    os.symlink("/", tmp_path / "content/reports/root")
    scan = files.scan_reports(tmp_path)
    assert [(e.name, e.symlink, e.children) for e in scan.entries] == [("root", True, None)]


class _Planted:
    """A pickle that leaves a mark when it is loaded."""

    def __init__(self, mark: Path):
        self.mark = mark

    def __reduce__(self):
        return (Path.touch, (self.mark,))


def test_a_committed_build_cache_is_never_loaded(archive: Path, tmp_path: Path, capfd) -> None:
    mark = tmp_path / "pickle-was-loaded"
    state = archive / ".gkgen-cache" / "state"
    state.mkdir(parents=True)
    for name in ("outputs.pickle", *(f"sources-{n:02}.pickle" for n in range(32))):
        (state / name).write_bytes(pickle.dumps(_Planted(mark)))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(archive)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A", "-f"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    for argv in (("check",), ("build",)):
        code, output = run(capfd, *argv, "--root", str(archive))
        assert_refused(code, output)
        assert (
            ".gkgen-cache/state/outputs.pickle:1:1: error[path]: 构建缓存 .gkgen-cache/ 不应提交到仓库"
            in output
        )
    assert not mark.exists()
    assert not (archive / "site").exists()


def test_a_file_too_large_to_be_a_report_is_not_read(archive: Path, capfd) -> None:
    md = archive / REPORT.replace(".yaml", ".md")
    md.write_text(md.read_text("utf-8") + "长" * (files.MAX_FILE_BYTES // 3 + 1), encoding="utf-8")
    code, output = run(capfd, "check", "--root", str(archive))
    assert_refused(code, output)
    assert "content/reports/410204-wuyi/2021.md:1:1: error[io]: 文件过大（超过 4 MB）" in output


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("a\rb", "a\\rb"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x07\x00\x7f", "\\x07\\x00\\x7f"),
        ("\x85\x9b", "\\x85\\x9b"),  # C1: NEL, CSI
        ("\u202etxt.exe", "\\u202etxt.exe"),
        ("\u2066\u2069\u200f", "\\u2066\\u2069\\u200f"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        ("五一办事处：“规章”", "五一办事处：“规章”"),  # ordinary text is left alone
    ],
)
def test_visible_shows_what_would_otherwise_act(text: str, shown: str) -> None:
    assert diagnostics.visible(text) == shown


def test_every_printed_field_of_a_diagnostic_is_made_visible() -> None:
    d = diagnostics.Diagnostic("c/\x1b.yaml", 1, 2, "error", "r", "m\n::error::x", "h\r\n::warning::y")
    assert d.format() == "c/\\x1b.yaml:1:2: error[r]: m\\n::error::x\n  hint: h\\r\\n::warning::y"
    assert d.github_annotation() == (
        "::error file=c/\\x1b.yaml,line=1,col=2,title=r::m\\n::error::x — h\\r\\n::warning::y"
    )
