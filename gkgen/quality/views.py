"""What the report page's quality panel shows: small frozen views over a report's ``Quality``.

Repeated passages are shown by cutting the text into segments the template escapes one by one; a
contradicted sentence is marked in the rendered narrative by wrapping its escaped text, never by
trusting the report's text as HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

from gkgen.formats.sections import HEADINGS
from gkgen.model import Report
from gkgen.quality import Quality, similarity
from gkgen.quality.claims import Claim
from gkgen.quality.similarity import Segment


@dataclass(frozen=True)
class NumberedClaim:
    number: int
    claim: Claim
    anchor: str  # id of the sentence in the narrative ("claim-1"), or of its section when not found
    cell_anchor: str  # id of the table cell
    heading: str  # the narrative section it is in


@dataclass(frozen=True)
class RepeatedSection:
    heading: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class QualityPanel:
    quality: Quality
    level: str
    published: str | None
    contradictions: tuple[NumberedClaim, ...]
    agreeing: int  # numbers read from the narrative that agree with the table
    repeated: tuple[RepeatedSection, ...]
    blank_rows: tuple[tuple[str, tuple[str, ...]], ...]  # (row label, blank columns' labels)
    run: int = similarity.RUN
    threshold_percent: int = round(similarity.THRESHOLD * 100)


def claim_anchor(number: int) -> str:
    return f"claim-{number}"


def panel(report: Report, found_in_html: set[int]) -> QualityPanel | None:
    """The panel's view; ``found_in_html``: the numbers of the contradictions marked in the narrative."""
    q = report.quality
    if q is None:
        return None
    numbered = tuple(
        NumberedClaim(
            n,
            c,
            claim_anchor(n) if n in found_in_html else f"section-{c.section}",
            f"cell-{c.cells[0]}",
            HEADINGS.get(c.section, "正文"),
        )
        for n, c in enumerate(q.contradictions, start=1)
    )
    repeated: list[RepeatedSection] = []
    if q.similarity is not None and q.similarity.passages:
        for key, text in report.narrative:
            if any(p.section == key for p in q.similarity.passages):
                cut = similarity.segments(text, q.similarity.passages, key)
                repeated.append(RepeatedSection(HEADINGS.get(key, "正文"), tuple(cut)))
    fmt = report.format
    return QualityPanel(
        q,
        report.agency.level,
        report.published,
        numbered,
        sum(1 for c in q.claims if c.agrees),
        tuple(repeated),
        _by_row(fmt.cell(code).label for code in q.blanks.cells),
    )


def _by_row(labels) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """“row · column” labels grouped by row, in table order."""
    rows: dict[str, list[str]] = {}
    for label in labels:
        row, _, column = label.rpartition(" · ")
        rows.setdefault(row or label, []).append(column if row else "")
    return tuple((row, tuple(c for c in columns if c)) for row, columns in rows.items())


def mark_sentences(
    html: Markup, section: str, claims: Sequence[Claim], first: int
) -> tuple[Markup, set[int]]:
    """The section's HTML with each contradicted sentence wrapped in <mark id="claim-N">.

    Only a sentence whose escaped text appears as is in the HTML is marked (one with Markdown inside it
    is not: the panel then links to its section). Returns the numbers marked."""
    out = str(html)
    marked: set[int] = set()
    for n, c in enumerate(claims, start=first):
        if c.section != section or c.agrees:
            continue
        text = escapeHtml(c.sentence)  # escaped as markdown-it escapes text, to be found in its output
        at = out.find(text)
        if at < 0:
            continue
        wrapped = f'<mark class="claim" id="{claim_anchor(n)}">{text}</mark>'
        out = out[:at] + wrapped + out[at + len(text) :]
        marked.add(n)
    return Markup(out), marked
