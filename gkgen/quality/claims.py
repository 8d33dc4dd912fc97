"""Words against tables: numbers the narrative states for a table quantity, compared with the cells.

Precision over recall: a sentence is read only when it plainly states one of the quantities below, for
the report's own year, in the table's unit. A clause is passed over when it speaks of a change
(同比、增长、减少…), a share (%), another year (上年、2020年…), a part of a count (其中、网络申请…),
or work done for or with others (指导、转办…). A number the narrative gives and the table leaves blank
is not compared (the table did not say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gkgen.content.numerals import CN_DIGITS
from gkgen.formats import rules
from gkgen.model import Report

NUMBER = r"([0-9０-９]+|[零〇一二两三四五六七八九十百]+)"
_COUNT_UNITS = "件个份"
_CASE_UNITS = "起件宗个次"
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")
_CLAUSE = re.compile(r"[^，,：:、]+")
NEAR = 12  # at most this many characters between a quantity's words and its number
_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
# A change, a share, a comparison: never a table quantity.
_CHANGE = re.compile(r"同比|环比|增长|下降|增加|减少|上升|降低|提高|持平|较上|比上|%|％|百分|占比|比例|率")
_OTHER_TIME = re.compile(r"上年|去年|上一年|前年|往年|历年|累计|以来|结转.{0,3}年|上半年|下半年|季度|月份")
_PART = re.compile(
    r"其中|当面|现场|网络|网上|在线|信函|邮寄|邮件|传真|电话|自然人|法人|企业|组织|律师|涉及|内容|主要"
)
_FOR_OTHERS = re.compile(r"指导|督促|协助|配合|转办|转交|移送|代为")
_REVIEW = re.compile(r"行政复议|复议")
_LITIGATION = re.compile(r"行政诉讼|诉讼|起诉")
_REQUESTS = re.compile(r"申请")
_DOCUMENTS = re.compile(r"文件|制作|发布|挂网")
# Most sentences state no count at all: they are passed over before any clause is read.
_ANY_COUNT = re.compile(NUMBER + r"\s*[件起宗个次份]")


@dataclass(frozen=True)
class Quantity:
    key: str
    label: str  # as a reader says it
    topic: str  # "requests" | "review" | "litigation"
    words: re.Pattern[str]  # what the clause says before the number
    units: str
    figure: str  # a key figure of the format (Format.figures), or a single cell code
    forbid: re.Pattern[str] | None = None


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(alternatives) + ")")


QUANTITIES = (
    Quantity("new", "收到的申请", "requests", _words("收到", "新收", "受理", "接收", "接到"), _COUNT_UNITS, "new",
             re.compile(r"办结|答复|处理|复议|诉讼")),
    Quantity("handled", "办结的申请", "requests", _words("办结", "答复完毕"), _COUNT_UNITS, "handled",
             re.compile(r"复议|诉讼|按时|按期|超期|逾期")),
    # Outcomes in 件 only: “依申请公开及不予公开431份” counts documents, not applications.
    Quantity("granted", "予以公开", "requests", _words("予以公开"), "件", "granted", _DOCUMENTS),
    Quantity("partial", "部分公开", "requests", _words("部分公开"), "件", "partial", _DOCUMENTS),
    Quantity("withheld", "不予公开", "requests", _words("不予公开"), "件", "withheld", _DOCUMENTS),
    Quantity("review", "行政复议案件", "review", _words("行政复议"), _CASE_UNITS, "review",
             re.compile(r"复议后|诉讼|起诉")),
    Quantity("review_upheld", "行政复议结果维持", "review", _words("维持"), _CASE_UNITS, "review.upheld"),
    Quantity("review_corrected", "行政复议结果纠正", "review", _words("纠错", "纠正"), _CASE_UNITS, "review.corrected"),
    Quantity("review_other", "行政复议其他结果", "review", _words("其他情形", "其他结果"), _CASE_UNITS, "review.other"),
    Quantity("review_pending", "行政复议尚未审结", "review", _words("尚未审结", "未审结", "审理中", "正在审理"),
             _CASE_UNITS, "review.pending"),
    Quantity("litigation", "行政诉讼案件", "litigation", _words("行政诉讼"), _CASE_UNITS, "litigation"),
    Quantity("litigation_upheld", "行政诉讼结果维持", "litigation", _words("维持"), _CASE_UNITS,
             "litigation_direct.upheld+litigation_after_review.upheld"),
    Quantity("litigation_corrected", "行政诉讼结果纠正", "litigation", _words("纠错", "纠正"), _CASE_UNITS,
             "litigation_corrected"),
    Quantity("litigation_other", "行政诉讼其他结果", "litigation", _words("其他情形", "其他结果"), _CASE_UNITS,
             "litigation_direct.other+litigation_after_review.other"),
    Quantity("litigation_pending", "行政诉讼尚未审结", "litigation", _words("尚未审结", "未审结", "审理中", "正在审理"),
             _CASE_UNITS, "litigation_direct.pending+litigation_after_review.pending"),
)  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """A number the narrative states for a table quantity, with the table's number for it."""

    quantity: str  # Quantity.key
    label: str
    stated: int
    table: int
    cells: tuple[str, ...]  # the cells the table's number is (the sum of)
    place: str  # the cells' official labels, for a reader
    section: str  # narrative section key
    start: int  # the sentence's offsets in the section's Markdown
    end: int
    sentence: str
    note: str = ""  # e.g. the stated number equals two cells together

    @property
    def agrees(self) -> bool:
        return self.stated == self.table


def number_value(text: str) -> int | None:
    """Arabic (half or full width) or small Chinese numerals (零 … 九百九十九)."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    digits = {**CN_DIGITS, "两": 2}  # 两件: a count, never a date
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def _codes(report: Report, figure: str) -> tuple[str, ...]:
    if figure in report.format.figures:
        return tuple(report.format.figures[figure])
    return tuple(figure.split("+"))


def _table_value(report: Report, codes: tuple[str, ...]) -> int | None:
    total = 0
    for code in codes:
        try:
            report.format.index_of(code)
        except KeyError:
            return None
        value = report.cell(code)
        if not isinstance(value, int):
            return None  # blank (not reported): nothing to compare with
        total += value
    return total


def _place(report: Report, codes: tuple[str, ...]) -> str:
    labels = [report.format.cell(c).label for c in codes]
    if len(labels) > 2:
        return f"{labels[0]} 等 {len(labels)} 格之和"
    return " + ".join(labels)


def _stated(clause: str, q: Quantity) -> int | None:
    """The number the clause states for ``q``: the first number with the right unit after its words."""
    words = q.words.search(clause)
    if not words:
        return None
    number = re.compile(NUMBER + r"\s*[" + q.units + "]")
    found = number.search(clause, words.end())
    if found is None or found.start() - words.end() > NEAR:
        return None
    if re.search(r"[0-9０-９]", clause[words.end() : found.start()]):
        return None
    if clause[found.start() - 1 : found.start()] in ("约", "近", "逾", "超"):
        return None  # an approximation or a threshold, not the count
    if clause[found.end() - 1] == "个" and not found.group(1)[0].isdigit():
        return None  # 三个一、两个平台: a name, not a count
    if clause[found.end() : found.end() + 1] in ("%", "％"):
        return None
    return number_value(found.group(1))


def _topic(clause: str, current: str | None) -> str | None:
    if _LITIGATION.search(clause) and not re.search(r"行政复议\D{0,4}[0-9０-９]", clause):
        return "litigation"
    if _REVIEW.search(clause):
        return "review"
    if _REQUESTS.search(clause):
        return "requests"
    return current


def read(report: Report) -> tuple[Claim, ...]:
    """Every number the narrative states for a quantity the tables have, with the tables' number."""
    if not report.format.has_tables:
        return ()
    found: list[Claim] = []
    for section, text in report.narrative:
        for found_sentence in _SENTENCE.finditer(text):
            sentence, start, end = found_sentence.group(), found_sentence.start(), found_sentence.end()
            if not _ANY_COUNT.search(sentence):
                continue
            topic: str | None = None
            year = report.year
            parts = False  # after 其中, a sentence counts parts of a total, not the total
            for clause in _CLAUSE.findall(sentence):
                parts = parts or "其中" in clause
                years = _YEAR.findall(clause)
                if years:
                    year = int(years[-1])
                topic = _topic(clause, topic)
                if year != report.year or _CHANGE.search(clause) or _OTHER_TIME.search(clause):
                    continue
                if _FOR_OTHERS.search(clause):
                    continue
                for q in QUANTITIES:
                    if q.topic != topic or (q.forbid and q.forbid.search(clause)):
                        continue
                    if q.key in ("new", "handled") and (parts or _PART.search(clause)):
                        continue
                    stated = _stated(clause, q)
                    if stated is None:
                        continue
                    codes = _codes(report, q.figure)
                    table = _table_value(report, codes)
                    if table is None:
                        continue
                    note = _note(report, q, stated) if stated != table else ""
                    found.append(
                        Claim(q.key, q.label, stated, table, codes, _place(report, codes), section, start, end,
                              sentence.strip(), note)
                    )  # fmt: skip
                    break
    return tuple(found)


# The rule that makes a quantity's total the sum of parts (its right-hand side): a narrative may agree with
# the parts while the published total cell does not (a break of the table's own rules, shown at the top of
# the page).
_PARTS = {"new": "row_total.new", "handled": "row_total.total", "review": "appeals.review"}


def _note(report: Report, q: Quantity, stated: int) -> str:
    """What the stated number is, when it is not the cell's but a sum the reader can check."""
    if q.key == "new":
        new, carried = report.figure("new"), report.figure("carried_over")
        if new is not None and carried and stated == new + carried:
            return f"正文的数字等于本年新收（{new}）与上年结转（{carried}）之和"
    sum_of_parts = rules.equation(report.format, _PARTS[q.key]) if q.key in _PARTS else None
    if sum_of_parts is not None:
        total = _table_value(report, sum_of_parts.right)
        if total is not None and total == stated and total != _table_value(report, _codes(report, q.figure)):
            return (
                f"表格中各分项相加为 {total}，与正文一致，但表格的总计格不是这个数（表格自身的勾稽关系不符）"
            )
    return ""


def contradictions(claims: tuple[Claim, ...]) -> tuple[Claim, ...]:
    return tuple(c for c in claims if not c.agrees)
