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

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The opening statement (编制依据、统计期限、联系方式) is the same every year by design, as are the tables'
# labels: only the narrative sections proper are compared.
COMPARED = ("overview", "active", "requests", "appeals", "problems", "other")
# A passage shorter than this is a set phrase (“以公开为常态、不公开为例外”), not a copied sentence.
RUN = 20
# Calibrated on the 平潭 bodies' consecutive reports (docs/quality.md): rewritten reports stay below it.
THRESHOLD = 0.65


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


_LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters: no digits, punctuation, spaces or Markdown marks


def letters(
    sections: Iterable[tuple[str, str]], separator: str = "\n"
) -> tuple[str, list[tuple[int, int, int]]]:
    """The narrative's letters with a separator between sections, and the runs they came from:
    (position in the letters, section number, offset in that section's text), in order."""
    kept: list[str] = []
    runs: list[tuple[int, int, int]] = []
    at = 0
    for number, (_key, text) in enumerate(sections):
        for m in _LETTERS.finditer(text):
            runs.append((at, number, m.start()))
            kept.append(m.group())
            at += len(m.group())
        kept.append(separator)  # never a letter: no run crosses from one section into the next
        at += 1
    return "".join(kept), runs


def _origin(runs: list[tuple[int, int, int]], position: int) -> tuple[int, int]:
    """Where the letter at ``position`` is: (section number, offset in its text)."""
    at, number, offset = runs[bisect.bisect_right(runs, (position, 1 << 30, 0)) - 1]
    return number, offset + position - at


def _pieces(text: str, run: int) -> set[str]:
    return {text[i : i + run] for i in range(len(text) - run + 1)}


def covered(current: str, previous: str, run: int = RUN) -> list[tuple[int, int]]:
    """The stretches [start, end) of ``current`` inside runs of ≥ ``run`` letters that ``previous`` also has."""
    seen = _pieces(previous, run)
    stretches: list[tuple[int, int]] = []
    for i in range(len(current) - run + 1):
        if current[i : i + run] in seen:
            if stretches and i <= stretches[-1][1]:
                stretches[-1] = (stretches[-1][0], i + run)
            else:
                stretches.append((i, i + run))
    return stretches


def compare(
    current: Sequence[tuple[str, str]],
    previous: Sequence[tuple[str, str]],
    previous_year: int,
    run: int = RUN,
    threshold: float = THRESHOLD,
) -> Similarity:
    """This year's narrative sections against last year's: the figure, the flag and the passages."""
    current = [s for s in current if s[0] in COMPARED]
    text, runs = letters(current)
    # Another separator for last year's text: a piece spanning two of this year's sections matches nothing.
    before, _ = letters([s for s in previous if s[0] in COMPARED], "\x00")
    stretches = covered(text, before, run)
    total = len(text) - len(current)  # the separators are not letters
    repeated = sum(end - start for start, end in stretches)
    passages: list[Passage] = []
    for start, end in stretches:
        number, first = _origin(runs, start)
        _, last = _origin(runs, end - 1)
        passages.append(Passage(current[number][0], first, last + 1))
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
