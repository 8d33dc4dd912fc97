"""The narrative sections (preamble, 一、五、六) as Markdown, debris removed.

The published words are kept as they are; what goes is extraction debris: Word
bookmarks, page numbers and footers, a portal's navigation, and lines that
only repeat a heading. Lines of a PDF, which wrap at the page edge, are joined
back into paragraphs.
"""

from __future__ import annotations

import re

from gkgen.authoring.importer.sources import INDENT, Row

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-－—–]\s*\d{1,3}\s*[-－—–]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d{1,3}\s*/\s*\d{1,3}"
    r"|[一二三四五六七八九十]|\d{1,3}|共\s*\d+\s*页)\s*$"
)
_NAV = (
    re.compile(r"当前位置[:：].{0,300}?(?:相关链接[:：]?\s*-->|-->|相关链接[:：]?)\s*"),
    re.compile(r"(?:【\s*)?(?:打印本页|关闭窗口|打印|关闭|返回顶部|字体[:：]?\s*[大中小\s]+)(?:\s*】)?\s*$"),
    re.compile(r"\s*(?:附件下载|扫一扫在手机打开当前页|分享到[:：]?.*)\s*$"),
)
_SENTENCE_END = '。！？!?；;：:”"）)'
_PARA_START = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+[、是]|\d+[、.．]|[①-⑳])"
)


def clean_line(text: str) -> str:
    text = _BOOKMARK.sub("", text)
    for pattern in _NAV:
        text = pattern.sub("", text)
    return text.rstrip()


def is_debris(text: str) -> bool:
    t = text.strip()
    return not t or bool(_PAGE_NUMBER.match(t))


def markdown(rows: list[Row], *, wrapped: bool = False) -> str:
    """Markdown paragraphs of a narrative region; ``wrapped`` joins lines broken at the page edge."""
    lines: list[str] = []
    starts: list[bool] = []  # the line begins a paragraph (indented first line)
    for row in rows:
        starts.append(bool(row) and row[0].startswith(INDENT))
        text = " ".join(c.strip() for c in row if c.strip())
        text = clean_line(text)
        if is_debris(text):
            starts.pop()
            continue
        lines.append(text.strip())
    if wrapped:
        lines = _join_wrapped(lines, starts if any(starts) else None)
    out = []
    for line in lines:
        m = re.match(r"^(#{1,6})\s*(.*)$", line)
        if m:  # a sub-heading: never at the level of the sections (##)
            line = "#" * max(3, len(m.group(1))) + " " + m.group(2)
        out.append(line)
    return "\n\n".join(out)


def _join_wrapped(lines: list[str], starts: list[bool] | None) -> list[str]:
    paras: list[str] = []
    for i, line in enumerate(lines):
        if starts is not None:
            joins = bool(paras) and not starts[i]
        else:
            joins = (
                bool(paras) and not paras[-1].endswith(tuple(_SENTENCE_END)) and not _PARA_START.match(line)
            )
        if joins:
            sep = " " if paras[-1][-1:].isascii() and line[:1].isascii() and paras[-1][-1:].isalnum() else ""
            paras[-1] = paras[-1] + sep + line
        else:
            paras.append(line)
    return paras
