"""Find the six official section headings in a report's rows.

Headings are matched loosely: by their words after a number (``一、`` or the
``5、`` that Word's list numbering leaves), on a line of their own or inside a
long line of run-together text. They are looked for in order, each after the
one before, so a table's row ``四、结转下年度继续办理`` is not taken for section 四.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gkgen.authoring.importer.sources import Row
from gkgen.authoring.importer.text import CJK, nfkc
from gkgen.formats.sections import KEYS

# How each section's heading is worded in published reports, looser than gkgen.formats.sections' words
# (which match headings an editor wrote): extracted text adds 的, 情况 and alternative wordings.
_WORDING = {
    "overview": r"总体情况|概述|基本情况|总体概况",
    "active": r"主动公开政府信息(?:的)?情况|主动公开政府信息|主动公开情况",
    "requests": r"收到和处理政府信息公开申请(?:的)?情况|收到和处理政府信息公开申请|收到和处理|依申请公开(?:政府信息)?(?:的)?情况",
    "appeals": rf"[{CJK}、，,]{{0,14}}?(?:行政(?:法)?复议|行政诉讼)(?:[、，,和及]?(?:提起)?行政诉讼)?(?:的)?(?:情况)?",
    "problems": r"(?:政府信息公开工作)?存在的?主要问题|存在的?问题(?:及|和)?改进|主要问题(?:及|和)改进",
    "other": r"其他需要报告的事项|其他需要报告|其它需要报告的事项",
}
_WORDS = tuple(_WORDING[k] for k in KEYS)


@dataclass(frozen=True)
class Pos:
    row: int
    cell: int
    offset: int

    def key(self) -> tuple[int, int, int]:
        return (self.row, self.cell, self.offset)


@dataclass(frozen=True)
class Heading:
    key: str
    start: Pos  # where the heading begins
    end: Pos  # where its text ends (the section body begins)
    text: str


# A body may add a section of its own (福建's "五、信息处理费收取情况" before the last two, or
# "二、政务公开工作主要任务落实情况" after the first), so every section after 一 may be numbered one
# higher. Sections are still looked for in order and by their words, so a table row such as
# "四、结转下年度继续办理" is not taken for one.
_SHIFT = (0, 1, 1, 1, 1, 1)
_ALL_NUMERALS = "一二三四五六七"


def _patterns(n: int) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    numerals = _ALL_NUMERALS[n : n + 1 + _SHIFT[n]]
    digits = "".join(str(i + 1) for i in range(n, n + 1 + _SHIFT[n]))
    number = rf"(?:[{numerals}]|[{digits}])"
    words = _WORDS[n]
    numbered_line = re.compile(rf"^[#*\s]*{number}\s*[、.．,，:：]?\s*(?:{words})")
    bare_line = re.compile(rf"^[#*\s]*(?:{words})")
    number_inline = rf"(?:(?<![(（{_ALL_NUMERALS}十第])[{numerals}]|(?<![(（\d.])[{digits}])"
    inline = re.compile(rf"{number_inline}\s*[、.．]\s*(?:{words})")
    return numbered_line, bare_line, inline


_PATTERNS = [_patterns(n) for n in range(len(KEYS))]


def find(rows: list[Row]) -> list[Heading]:
    """The headings found, in document order (missing ones are simply absent)."""
    found: list[Heading] = []
    pos = Pos(0, 0, 0)
    for n in range(len(KEYS)):
        hit = _search(rows, pos, n, numbered=True) or _search(rows, pos, n, numbered=False)
        if hit is not None:
            found.append(hit)
            pos = hit.end
    return found


def _search(rows: list[Row], pos: Pos, n: int, *, numbered: bool) -> Heading | None:
    numbered_line, bare_line, inline_re = _PATTERNS[n]
    line_re = numbered_line if numbered else bare_line
    for r in range(pos.row, len(rows)):
        row = rows[r]
        for c in range(len(row)):
            if (r, c) < (pos.row, pos.cell):
                continue
            start = pos.offset if (r, c) == (pos.row, pos.cell) else 0
            text = nfkc(row[c])
            if start == 0 and (len(row) == 1 or c == 0 or not numbered):
                stripped = text.strip()
                m = line_re.match(stripped)
                # a heading on its own line (short; not a sentence that merely starts so)
                limit = 40 if numbered else 24
                if m and len(stripped) <= limit and not _is_sentence(stripped):
                    return Heading(KEYS[n], Pos(r, c, 0), Pos(r, c, len(row[c])), stripped)
            if not numbered:
                continue
            m = inline_re.search(text, start)
            if m:
                end = _after_closing_words(text, m.end())
                return Heading(KEYS[n], Pos(r, c, m.start()), Pos(r, c, end), text[m.start() : end])
    return None


def _after_closing_words(text: str, end: int) -> int:
    """Let a heading in running text swallow its usual last words (情况, 及改进情况)."""
    for tail in ("及改进情况", "和改进情况", "情况", "的事项", "事项"):
        if text.startswith(tail, end):
            return end + len(tail)
    return end


def _is_sentence(text: str) -> bool:
    """A line that is prose (ends a sentence mid-line), not a heading."""
    body = text.rstrip("。:：")
    return "。" in body and len(body) > 25


def slice_rows(rows: list[Row], start: Pos | None, end: Pos | None) -> list[Row]:
    """The rows between two positions, cells cut at the offsets."""
    s = start or Pos(0, 0, 0)
    e = end or Pos(len(rows), 0, 0)
    out: list[Row] = []
    for r in range(s.row, min(e.row + 1, len(rows))):
        row = rows[r]
        cells: Row = []
        for c, cell in enumerate(row):
            if (r, c) < (s.row, s.cell) or (r, c) > (e.row, e.cell):
                continue
            lo = s.offset if (r, c) == (s.row, s.cell) else 0
            hi = e.offset if (r, c) == (e.row, e.cell) else len(cell)
            if (r, c) == (e.row, e.cell) and hi == 0:
                continue
            cells.append(cell[lo:hi])
        if cells:
            out.append(cells)
    return out


def regions(rows: list[Row], headings: list[Heading]) -> dict[str, tuple[Pos | None, Pos | None]]:
    """Each section's span: from the end of its heading to the start of the next heading
    found. A section whose heading is missing gets the span between its neighbours."""
    by_key = {h.key: h for h in headings}
    out: dict[str, tuple[Pos | None, Pos | None]] = {}
    for i, key in enumerate(KEYS):
        nxt = next((by_key[k].start for k in KEYS[i + 1 :] if k in by_key), None)
        if key in by_key:
            out[key] = (by_key[key].end, nxt)
        else:
            prev = next((by_key[k].end for k in reversed(KEYS[:i]) if k in by_key), None)
            out[key] = (prev, nxt)
    return out


def preamble_end(headings: list[Heading]) -> Pos | None:
    return headings[0].start if headings else None
