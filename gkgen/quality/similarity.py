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
from itertools import accumulate

from gkgen.formats import sections

# The opening statement (编制依据、统计期限、联系方式) is the same every year by design, as are the tables'
# labels: only the narrative sections proper are compared.
COMPARED = sections.KEYS
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
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _pieces(text: str, run: int) -> set[str]:
    return {text[i : i + run] for i in range(len(text) - run + 1)}


def covered(current: str, previous: str, run: int = RUN) -> list[tuple[int, int]]:
    """The stretches [start, end) of ``current`` inside runs of ≥ ``run`` letters that ``previous`` also has."""
    seen = _pieces(previous, run)
    hits = [i for i in range(len(current) - run + 1) if current[i : i + run] in seen]
    stretches: list[tuple[int, int]] = []
    for i in hits:
        if stretches and i <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], i + run)
        else:
            stretches.append((i, i + run))
    return stretches


def _offsets(text: str, wanted: list[int]) -> dict[int, int]:
    """Where in ``text`` its letters numbered ``wanted`` (ascending, from 0) are: one pass over its runs of
    letters, stopping after the last one wanted."""
    found: dict[int, int] = {}
    pending = iter(wanted)
    want = next(pending, None)
    count = 0
    for m in _LETTERS.finditer(text):
        length = m.end() - m.start()
        while want is not None and want < count + length:
            found[want] = m.start() + want - count
            want = next(pending, None)
        if want is None:
            break
        count += length
    return found


def compare(
    current: Sequence[tuple[str, str]],
    previous: Sequence[tuple[str, str]],
    previous_year: int,
    run: int = RUN,
    threshold: float = THRESHOLD,
) -> Similarity:
    """This year's narrative sections against last year's: the figure, the flag and the passages."""
    current = [s for s in current if s[0] in COMPARED]
    parts = [_NOT_LETTERS.sub("", text) for _key, text in current]
    # A separator after each section, another one in last year's text: no piece spans two sections.
    text = "".join(part + "\n" for part in parts)
    before = "".join(_NOT_LETTERS.sub("", t) + "\x00" for key, t in previous if key in COMPARED)
    stretches = covered(text, before, run)
    total = sum(len(part) for part in parts)
    repeated = sum(end - start for start, end in stretches)
    section_starts = list(accumulate((len(part) + 1 for part in parts), initial=0))
    located: list[tuple[int, int, int]] = []  # (section number, first letter, last letter) within the section
    wanted: dict[int, set[int]] = {}
    for start, end in stretches:
        number = bisect.bisect_right(section_starts, start) - 1
        first, last = start - section_starts[number], end - 1 - section_starts[number]
        located.append((number, first, last))
        wanted.setdefault(number, set()).update((first, last))
    offsets = {number: _offsets(current[number][1], sorted(w)) for number, w in wanted.items()}
    passages = tuple(
        Passage(current[number][0], offsets[number][first], offsets[number][last] + 1)
        for number, first, last in located
    )
    share = repeated / total if total else 0.0
    return Similarity(previous_year, total, repeated, bool(total) and share >= threshold, passages)


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
