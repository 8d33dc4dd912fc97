"""Reading content files: bytes → text, with encoding problems reported in words; listing the reports."""

from __future__ import annotations

import os
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from gkgen.content.diagnostics import ERROR, Diagnostic


@dataclass(frozen=True)
class TextFile:
    path: Path
    shown: str  # path as shown in diagnostics (relative to the archive root)
    text: str


MAX_FILE_BYTES = 4 * 1024 * 1024  # the longest real report's files are tens of KB


def read_text(path: Path, shown: str) -> tuple[TextFile | None, Diagnostic | None]:
    """Read a UTF-8 file; a file in another encoding is refused at its first undecodable byte, and one
    too large to be a report (a pasted PDF, or a file made to exhaust the build) is not read at all."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, Diagnostic(shown, 0, 0, ERROR, "io", f"无法读取文件：{exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        return None, Diagnostic(
            shown,
            0,
            0,
            ERROR,
            "io",
            f"文件过大（超过 {MAX_FILE_BYTES // 1024 // 1024} MB）：报告文件只应有表格数据或正文",
            "请检查是否误粘贴了整份 PDF 或网页",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = "，看起来是 GBK/GB18030 编码"
        except UnicodeDecodeError:
            pass
        return None, Diagnostic(
            shown,
            line,
            col,
            ERROR,
            "encoding",
            f"文件不是 UTF-8 编码（第 {line} 行第 {col} 字节无法按 UTF-8 解码{guess}）",
            "请在编辑器中以 UTF-8 编码另存此文件（例如记事本“另存为”→编码选 UTF-8）",
        )
    return TextFile(path, shown, text.replace("\r\n", "\n").replace("\r", "\n")), None


@dataclass(frozen=True)
class Entry:
    name: str
    stat: tuple[int, int, int, int] | None  # (mtime_ns, size, inode, ctime_ns); None for a folder
    children: tuple[Entry, ...] | None = None  # a folder's entries, by name; None for a file
    symlink: bool = False  # refused: content is read only from the archive's own files


@dataclass(frozen=True)
class ReportsScan:
    """content/reports/ listed once per build, with every file's stat: the fingerprint, the discovery of
    the reports and the cache's change detection all read this instead of each walking 20,000 files."""

    started_ns: int  # wall clock just before the first stat was read (for racy-stat checks)
    entries: tuple[Entry, ...]  # the folder's entries, by name; () when it does not exist


def stat_of(st: os.stat_result) -> tuple[int, int, int, int]:
    """A content file's stat for change detection: with ctime, which no tool can set back (git does the
    same). Not for outputs: hard-linking a page for the indexer changes its ctime, not its bytes."""
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def scan_reports(root: Path) -> ReportsScan:
    started = time.time_ns()
    top = root / "content" / "reports"
    if top.parent.is_symlink() or top.is_symlink() or not top.is_dir():  # a symlink is refused, not read
        return ReportsScan(started, ())
    entries = []
    for entry in sorted(os.scandir(top), key=lambda e: e.name):
        if entry.is_symlink():  # never followed: it may lead outside the archive
            entries.append(Entry(entry.name, None, None, symlink=True))
        elif entry.is_dir():
            files = sorted(os.scandir(entry.path), key=lambda e: e.name)
            children = tuple(
                Entry(f.name, None, None, symlink=True) if f.is_symlink() else Entry(f.name, _stat(f))
                for f in files
            )
            entries.append(Entry(entry.name, None, children))
        else:
            entries.append(Entry(entry.name, _stat(entry)))
    return ReportsScan(started, tuple(entries))


def _stat(entry: os.DirEntry) -> tuple[int, int, int, int] | None:
    try:
        return stat_of(entry.stat())
    except OSError:  # removed while listed
        return None


# Characters that make a name show as something else, or break a terminal or a log line.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def name_problem(name: str) -> str | None:
    """Why a file or folder name in the archive is refused, or None."""
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI for ch in name):
        return "名称中含有控制字符或文字方向控制符"
    if name != name.strip():
        return "名称首尾有空白"
    if unicodedata.normalize("NFC", name) != name:
        return "名称不是 Unicode NFC 规范形式（同样的字在不同系统上会显示为不同的文件）"
    return None


def symlink_diagnostic(shown: str) -> Diagnostic:
    return Diagnostic(
        shown,
        0,
        0,
        ERROR,
        "path",
        "不允许使用符号链接：档案只读取仓库中的普通文件和目录",
        "请把文件本身放进仓库，删除这个链接",
    )


def archive_path_problems(root: Path, templates: Path) -> list[Diagnostic]:
    """Symlinks where the build would follow them out of the archive: content/ and its two folders,
    the config file, and anything under templates/ (content/reports/ is checked by its scan)."""
    problems = []
    for rel in ("content", "gkgen.yaml"):
        if (root / rel).is_symlink():
            problems.append(symlink_diagnostic(rel))
    content = root / "content"
    if content.is_dir() and not content.is_symlink():  # its own entries: reports/, agencies/ and any other
        for entry in sorted(os.scandir(content), key=lambda e: e.name):
            if entry.is_symlink():
                problems.append(symlink_diagnostic(f"content/{entry.name}"))
    if templates.is_symlink():
        problems.append(symlink_diagnostic("templates"))
    elif templates.is_dir():
        for folder, dirs, names in os.walk(templates):
            for name in sorted(dirs + names):
                path = Path(folder, name)
                if path.is_symlink():
                    problems.append(symlink_diagnostic(path.relative_to(templates.parent).as_posix()))
    return problems


def committed_cache_problems(root: Path, cache_dir: str) -> list[Diagnostic]:
    """The build cache holds pickles, which run code when loaded: one that came with the repository (a
    pull request can add it with `git add -f`) must never be loaded. The build stops before reading it."""
    from gkgen.content import history

    return [
        Diagnostic(
            name,
            0,
            0,
            ERROR,
            "path",
            f"构建缓存 {cache_dir}/ 不应提交到仓库：其中的文件会在构建时被载入执行",
            f"请删除：git rm -r --cached {cache_dir}",
        )
        for name in history.tracked(root, cache_dir)
    ]
