"""Reading content files: bytes → text, with encoding problems reported in words."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gkgen.diagnostics import ERROR, Diagnostic


@dataclass(frozen=True)
class TextFile:
    path: Path
    shown: str  # path as shown in diagnostics (relative to the archive root)
    text: str


def read_text(path: Path, shown: str) -> tuple[TextFile | None, Diagnostic | None]:
    """Read a UTF-8 file; a file in another encoding is refused at its first undecodable byte."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, Diagnostic(shown, 0, 0, ERROR, "io", f"无法读取文件：{exc.strerror}")
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
