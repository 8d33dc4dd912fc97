"""Split a report's narrative Markdown into the official sections.

Sections are level-2 headings in the official order (一 … 六), matched loosely
by their number or wording, so a heading like "## 5、存在的主要问题" still
lands in 五. Headings are found with markdown-it (which knows code blocks and
setext headings) and mapped back to source lines for diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gkgen.content.markdown import parser
from gkgen.formats.sections import HEADINGS, PREAMBLE, REQUIRED, SECTIONS

REQUIRED_PLACEHOLDER = "（原报告本节未填写内容）"
_ORDER = {s.key: i for i, s in enumerate(SECTIONS)}
_NUMERALS = {s.number: s.key for s in SECTIONS}
_DIGITS = {str(i + 1): s.key for i, s in enumerate(SECTIONS)}
_LEADING_NUMBER = re.compile(r"^\s*[（(]?\s*([一二三四五六]|[1-6])\s*[）)]?\s*[、.．,，\s]")


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    hint: str | None = None
    severity: str = "error"


@dataclass(frozen=True)
class ParsedNarrative:
    sections: tuple[tuple[str, str], ...]  # (key, Markdown body) in document order
    problems: tuple[Problem, ...]


def section_of(heading: str) -> str | None:
    """Which official section a heading names, by its number first, then its words."""
    match = _LEADING_NUMBER.match(heading)
    if match:
        number = match.group(1)
        return _NUMERALS.get(number) or _DIGITS.get(number)
    for section in SECTIONS:
        if any(w in heading for w in section.words):
            return section.key
    return None


def parse(text: str) -> ParsedNarrative:
    lines = text.split("\n")
    tokens = parser().parse(text)
    headings: list[tuple[int, int, str]] = []  # (first line, line after, heading text)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            headings.append((token.map[0], token.map[1], tokens[i + 1].content.strip()))

    problems: list[Problem] = []
    sections: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    first_heading_line = headings[0][0] if headings else len(lines)
    preamble = "\n".join(lines[:first_heading_line]).strip()
    if preamble:
        sections.append((PREAMBLE, preamble))
    last_order = -1
    for n, (start, after, heading) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
        body = "\n".join(lines[after:end]).strip()
        key = section_of(heading)
        line = start + 1
        if key is None:
            problems.append(
                Problem(
                    line,
                    f"无法识别的章节标题“{heading}”",
                    "二级标题（## ）只用于六个部分，如“## 五、存在的主要问题及改进情况”；小标题请用 ### 或正文",
                )
            )
            continue
        if key in seen:
            problems.append(Problem(line, f"章节“{HEADINGS[key]}”重复出现（第 {seen[key]} 行已有）"))
            continue
        if _ORDER[key] < last_order:
            problems.append(
                Problem(
                    line,
                    f"章节“{HEADINGS[key]}”的位置不符合年度报告的法定顺序（一至六）",
                    severity="warning",
                )
            )
        last_order = max(last_order, _ORDER[key])
        seen[key] = line
        if not body and key in REQUIRED:
            problems.append(
                Problem(
                    line,
                    f"章节“{HEADINGS[key]}”没有正文",
                    f"请照原报告录入；原报告此节确实为空时写“{REQUIRED_PLACEHOLDER}”",
                )
            )
        sections.append((key, body))

    for key in REQUIRED:
        if key not in seen:
            problems.append(
                Problem(
                    max(len(lines) - (1 if lines and lines[-1] == "" else 0), 1),
                    f"缺少必需的章节“{HEADINGS[key]}”",
                    f"请添加一行“## {HEADINGS[key]}”及其正文；原报告此节为空时写“{REQUIRED_PLACEHOLDER}”",
                )
            )
    return ParsedNarrative(tuple(sections), tuple(problems))
