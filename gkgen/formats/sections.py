"""The six sections of every annual report (article 50 of the 2019 regulation), described once.

Every format has the same six sections in the same order (spec: report-format.md); three of
them carry the tables (二、三、四, keyed as the tables are). The narrative parser, the importer,
``gkgen new``, the YAML/Markdown writer, the report page and the quality checks all read this
table; nothing else lists the sections.
"""

from __future__ import annotations

from dataclasses import dataclass

from gkgen.formats import ACTIVE, APPEALS, REQUESTS


@dataclass(frozen=True)
class Section:
    key: str
    number: str  # 一 … 六
    heading: str  # the official heading, as a page and a written .md print it
    short: str  # the heading in a page's table of contents
    words: tuple[str, ...]  # words that identify a loosely worded heading
    required: bool = False  # the narrative must have this section, with text

    @property
    def has_table(self) -> bool:
        return self.key in (ACTIVE, REQUESTS, APPEALS)


SECTIONS = (
    Section("overview", "一", "一、总体情况", "一、总体情况", ("总体情况",), required=True),
    Section(ACTIVE, "二", "二、主动公开政府信息情况", "二、主动公开", ("主动公开",)),
    Section(REQUESTS, "三", "三、收到和处理政府信息公开申请情况", "三、申请的办理", ("收到和处理", "依申请")),
    Section(
        APPEALS, "四", "四、政府信息公开行政复议、行政诉讼情况", "四、复议和诉讼", ("行政复议", "行政诉讼")
    ),
    Section(
        "problems",
        "五",
        "五、存在的主要问题及改进情况",
        "五、问题与改进",
        ("存在的主要问题", "改进情况"),
        required=True,
    ),
    Section("other", "六", "六、其他需要报告的事项", "六、其他事项", ("其他需要报告",), required=True),
)

# The text before the first heading (编制依据、统计期限…): kept, but no section of its own.
PREAMBLE = "preamble"

KEYS = tuple(s.key for s in SECTIONS)
HEADINGS = {s.key: s.heading for s in SECTIONS}
SHORT_HEADINGS = {s.key: s.short for s in SECTIONS}
REQUIRED = tuple(s.key for s in SECTIONS if s.required)
# The keys of a report's narrative, in document order.
NARRATIVE_KEYS = (PREAMBLE, *KEYS)
