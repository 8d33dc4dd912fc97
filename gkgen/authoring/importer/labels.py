"""Loose matching of table labels, read from the format description.

Every row label of a section (and its ``aliases``), the group headings above the
rows and the header words of the section are turned into comparable keys
(``text.key``: numbering, spaces and punctuation removed). A piece of text is then
covered by known keys from left to right, longest first; what no key covers is a
gap, matched fuzzily against the row labels (truncated labels, typos) or reported.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from gkgen.authoring.importer.text import key
from gkgen.formats import Format

ROW = "row"
GROUP = "group"
HEADER = "header"

# Words of the tables' headers that are no row (the same in every format).
_COMMON_HEADERS = (
    "信息内容",
    "申请人情况",
    "法人或其他组织",
    "本列数据的勾稽关系为第一项加第二项之和等于第三项加第四项之和",
    "本列数据的勾稽关系为",
    "第二十条第项",
    "单位万元",
    "单位元",
    "行政复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "总计",
    "合计",
)


@dataclass(frozen=True)
class Entry:
    kind: str  # ROW | GROUP | HEADER
    name: str  # row key for ROW, the label text otherwise
    order: int = -1  # a row's position in its section


@dataclass(frozen=True)
class Piece:
    text: str  # the key text covered
    entries: tuple[Entry, ...]  # what it may be; empty for an unmatched gap
    fuzzy: bool = False


class LabelIndex:
    def __init__(self, rows: list[tuple[str, str, tuple[str, ...]]], groups: list[str], headers: list[str]):
        """rows: (row key, official label, aliases) in printed order."""
        self.by_key: dict[str, list[Entry]] = {}
        self.row_keys: dict[str, list[str]] = {}  # row key -> its label keys
        self.labels: dict[str, str] = {}
        for order, (rkey, label, aliases) in enumerate(rows):
            self.labels[rkey] = label
            for text in (label, *aliases):
                k = key(text)
                if k:
                    self._add(k, Entry(ROW, rkey, order))
                    self.row_keys.setdefault(rkey, []).append(k)
        for g in groups:
            k = key(g)
            if k:
                self._add(k, Entry(GROUP, g))
        for h in headers:
            k = key(h)
            if k:
                self._add(k, Entry(HEADER, h))
        self._keys_by_len = sorted(self.by_key, key=len, reverse=True)

    def _add(self, k: str, entry: Entry) -> None:
        bucket = self.by_key.setdefault(k, [])
        if entry not in bucket:
            bucket.append(entry)

    def cover(self, text: str) -> list[Piece]:
        """Cut ``text`` (any form; it is keyed here) into known labels and gaps."""
        s = key(text)
        pieces: list[Piece] = []
        i = 0
        gap_start = None
        while i < len(s):
            k = self._longest_at(s, i)
            if k is None:
                if gap_start is None:
                    gap_start = i
                i += 1
                continue
            if gap_start is not None:
                pieces.append(self.uncovered(s[gap_start:i]))
                gap_start = None
            pieces.append(Piece(k, tuple(self.by_key[k])))
            i += len(k)
        if gap_start is not None:
            pieces.append(self.uncovered(s[gap_start:]))
        return pieces

    def _longest_at(self, s: str, i: int) -> str | None:
        for k in self._keys_by_len:
            if s.startswith(k, i):
                # a short key inside a longer unknown word is no match ("其他" in "其他对外…")
                return k
        return None

    def uncovered(self, gap: str) -> Piece:
        """An uncovered stretch: a truncated or misspelt row label, or unknown text."""
        if len(gap) < 3:
            return Piece(gap, ())
        best: tuple[float, str] | None = None
        for rkey, keys in self.row_keys.items():
            for k in keys:
                if len(gap) >= 6 and (k.startswith(gap) or gap.startswith(k)):
                    score = 0.9 + min(len(gap), len(k)) / 1000
                else:
                    score = difflib.SequenceMatcher(None, gap, k, autojunk=False).ratio()
                if best is None or score > best[0]:
                    best = (score, rkey)
        if best and best[0] >= 0.8:
            order = next(e.order for e in self.by_key[self.row_keys[best[1]][0]] if e.kind == ROW)
            return Piece(gap, (Entry(ROW, best[1], order),), fuzzy=True)
        return Piece(gap, ())


def requests_index(fmt: Format) -> LabelIndex:
    rows = [(r.key, r.label, r.aliases) for r in fmt.request_rows]
    groups = sorted({p for r in fmt.request_rows for p in r.parents})
    headers = [*_COMMON_HEADERS, fmt.requests_caption, *(c.label for c in fmt.request_columns)]
    return LabelIndex(rows, groups, headers)


def active_index(fmt: Format, others: list[Format]) -> LabelIndex:
    rows = [(r.key, r.label, r.aliases) for _g, r in fmt.active_rows]
    headers = list(_COMMON_HEADERS)
    for f in [fmt, *others]:
        for g in f.active_groups:
            headers.append(g.clause)
            headers.extend(c.label for c in g.columns)
    return LabelIndex(rows, [], headers)


def header_words(fmts: list[Format]) -> list[str]:
    """Every header word of every format (to tell header cells from unknown rows)."""
    words = list(_COMMON_HEADERS)
    for f in fmts:
        words.append(f.requests_caption)
        words.extend(c.label for c in f.request_columns)
        for g in f.active_groups:
            words.append(g.clause)
            words.extend(c.label for c in g.columns)
        words.extend(g.label for g in f.appeal_groups)
        words.extend(c.label for c in f.appeal_columns)
    return [w for w in words if w]
