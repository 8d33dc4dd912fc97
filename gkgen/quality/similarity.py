"""内容雷同: how much of a report's narrative repeats the same body's previous report word for word.

The measure (stated on every page that shows it):

1. Both narratives, without their opening statement (编制依据、统计期限、联系方式, the same every year by
   design), are reduced to their letters: digits, whitespace, punctuation and Markdown marks are
   removed, so that dates and figures, which change every year by themselves, do not hide a copied
   sentence ("2021年共收到申请20件" and "2022年共收到申请35件" are the same words).
2. A character of this year's text counts as *repeated* when it lies inside a run of at least ``RUN``
   consecutive letters that also occurs, letter for letter, in last year's text.
3. The figure is repeated ÷ all letters of this year's narrative. A report is flagged when the figure
   is at least ``THRESHOLD`` (calibrated on real consecutive pairs: docs/quality.md).

One pass over each text with a set of last year's ``RUN``-letter pieces: O(length) per pair, whatever
the archive's size (only consecutive reports of one body are ever compared).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The opening statement (编制依据、统计期限、联系方式) is the same every year by design, as are the tables'
# labels: only the narrative sections proper are compared.
COMPARED = ("overview", "active", "requests", "appeals", "problems", "other")
# A passage shorter than this is a set phrase (“以公开为常态、不公开为例外”), not a copied sentence.
RUN = 20
# Calibrated on the 平潭 bodies' consecutive reports (docs/quality.md): rewritten reports stay below it.
THRESHOLD = 0.7


@dataclass(frozen=True)
class Passage:
    """A stretch of a narrative section that repeats last year's text: offsets in the section's Markdown."""

    section: str
    start: int
    end: int


@dataclass(frozen=True)
class Similarity:
    previous_year: int
    letters: int  # letters of this year's narrative (after step 1)
    repeated: int  # of which inside runs found in last year's narrative
    flagged: bool
    passages: tuple[Passage, ...] = ()

    @property
    def share(self) -> float:
        return self.repeated / self.letters if self.letters else 0.0

    @property
    def percent(self) -> int:
        """The share as a whole percentage, rounded down (a page never shows 100% for 99.6%)."""
        return (self.repeated * 100) // self.letters if self.letters else 0


def letters(sections: Iterable[tuple[str, str]]) -> tuple[str, list[tuple[int, int]]]:
    """The narrative's letters with a separator between sections, and where each letter came from
    (section number, offset in that section's text)."""
    kept: list[str] = []
    where: list[tuple[int, int]] = []
    for number, (_key, text) in enumerate(sections):
        for offset, ch in enumerate(text):
            if ch.isalpha():
                kept.append(ch)
                where.append((number, offset))
        kept.append("\n")  # never a letter: no run crosses from one section into the next
        where.append((number, len(text)))
    return "".join(kept), where


def _pieces(text: str, run: int) -> set[str]:
    return {text[i : i + run] for i in range(len(text) - run + 1)}


def covered(current: str, previous: str, run: int = RUN) -> bytearray:
    """1 for each letter of ``current`` inside a run of ≥ ``run`` letters that ``previous`` also has."""
    seen = _pieces(previous, run)
    starts = bytearray(len(current) + 1)
    for i in range(len(current) - run + 1):
        if current[i : i + run] in seen:
            starts[i] = 1
    flags = bytearray(len(current))
    reach = -1  # the last position covered by a run started so far
    for i in range(len(current)):
        if starts[i]:
            reach = i + run - 1
        if i <= reach and current[i] != "\n":
            flags[i] = 1
    return flags


def compare(
    current: Sequence[tuple[str, str]],
    previous: Sequence[tuple[str, str]],
    previous_year: int,
    run: int = RUN,
    threshold: float = THRESHOLD,
) -> Similarity:
    """This year's narrative sections against last year's: the figure, the flag and the passages."""
    current = [s for s in current if s[0] in COMPARED]
    text, where = letters(current)
    before, _ = letters([s for s in previous if s[0] in COMPARED])
    flags = covered(text, before, run)
    total = sum(1 for ch in text if ch != "\n")
    repeated = sum(flags)
    passages: list[Passage] = []
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flags) and flags[j + 1]:
            j += 1
        (number, start), (_, last) = where[i], where[j]
        passages.append(Passage(current[number][0], start, last + 1))
        i = j + 1
    share = repeated / total if total else 0.0
    return Similarity(previous_year, total, repeated, bool(total) and share >= threshold, tuple(passages))


@dataclass(frozen=True)
class Segment:
    text: str
    repeated: bool


def segments(text: str, passages: Iterable[Passage], section: str) -> list[Segment]:
    """A section's text cut into plain and repeated pieces, for a page to escape and mark one by one."""
    out: list[Segment] = []
    at = 0
    for p in sorted((p for p in passages if p.section == section), key=lambda p: p.start):
        if p.start > at:
            out.append(Segment(text[at : p.start], False))
        out.append(Segment(text[max(p.start, at) : p.end], True))
        at = max(at, p.end)
    if at < len(text):
        out.append(Segment(text[at:], False))
    return out
