"""On time or late: a report's publication date against the deadline the law (or a local rule) sets.

《中华人民共和国政府信息公开条例》(2019 revision, 国务院令第711号, in force 2019-05-15) 第四十九条 sets
two deadlines for reports on 2019 onward: 县级以上人民政府部门, 1月31日; the 本级政府 report that the
government's open-information office publishes, 3月31日. It sets none for 乡镇、街道 or other bodies.
The 2008 条例 (国务院令第492号) 第三十一条 gave every body 3月31日 (reports on 2008–2018).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gkgen.model import LocalDeadline

ARTICLE_49 = (
    "《中华人民共和国政府信息公开条例》（2019年修订）第四十九条：县级以上人民政府部门应当在每年1月31日前"
    "向本级政府信息公开工作主管部门提交本行政机关上一年度政府信息公开工作年度报告并向社会公布。"
    "县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级政府上一年度"
    "政府信息公开工作年度报告。"
)
ARTICLE_31_2008 = (
    "《中华人民共和国政府信息公开条例》（2008年施行）第三十一条：各级行政机关应当在每年3月31日前"
    "公布本行政机关的政府信息公开工作年度报告。"
)
DEPARTMENTS = ("省级部门", "市级部门", "区县部门")
GOVERNMENTS = ("省级政府", "市级政府", "区县政府")
FIRST_YEAR_2019_RULES = 2019  # reports on 2019 were due in 2020, under the revision in force since 2019-05-15


@dataclass(frozen=True)
class Timeliness:
    status: str  # "on_time" | "late" | "unknown"
    deadline: str | None  # ISO date, when one applies
    days_late: int | None  # when late
    basis: str  # the article (or local rule) the deadline comes from; empty when none applies
    reason: str = ""  # why unknown, in plain Chinese

    @property
    def summary(self) -> str:
        if self.status == "on_time":
            return "按时发布"
        if self.status == "late":
            return f"逾期 {self.days_late} 天"
        return "无法判断"


def deadline_for(year: int, level: str, local: LocalDeadline | None) -> tuple[dt.date, str] | None:
    """The date by which the report on ``year`` was due, and its basis; None when no rule places the body."""
    due_year = year + 1
    if local is not None:
        return dt.date(due_year, local.month, local.day), local.basis
    if year < FIRST_YEAR_2019_RULES:
        return dt.date(due_year, 3, 31), ARTICLE_31_2008
    if level in DEPARTMENTS:
        return dt.date(due_year, 1, 31), ARTICLE_49
    if level in GOVERNMENTS:
        return dt.date(due_year, 3, 31), ARTICLE_49
    return None


def assess(year: int, published: str | None, level: str, local: LocalDeadline | None = None) -> Timeliness:
    due = deadline_for(year, level, local)
    if due is None:
        return Timeliness(
            "unknown",
            None,
            None,
            ARTICLE_49,
            f"条例第四十九条只规定了县级以上人民政府及其部门的发布期限，没有规定{level}的期限",
        )
    deadline, basis = due
    if published is None:
        return Timeliness("unknown", deadline.isoformat(), None, basis, "原报告未注明发布日期")
    late = (dt.date.fromisoformat(published) - deadline).days
    if late > 0:
        return Timeliness("late", deadline.isoformat(), late, basis)
    return Timeliness("on_time", deadline.isoformat(), None, basis)
