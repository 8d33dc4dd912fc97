"""A report's title, body, year, publication date and region hints."""

from __future__ import annotations

import re
from collections import Counter

from gkgen.authoring.importer.sources import Row
from gkgen.authoring.importer.text import nfkc
from gkgen.content.numerals import CN_DIGITS

_REPORT_WORDS = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_TITLE_WORDS = re.compile(r"(?:政府)?信息公开(?:工作)?(?:年度)?报告")
_NAV_LINE = re.compile(r"当前位置|首页\s*[>＞»]|[>＞»].*[>＞»]")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?")
_CN_DATE = re.compile(
    r"([二〇零一三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)


def title(rows: list[Row], limit: int = 8) -> tuple[str | None, int]:
    """The report's title and how many leading rows it takes (0 if not found)."""
    for i, row in enumerate(rows[:limit]):
        text = " ".join(c.strip() for c in row if c.strip())
        text = re.sub(r"^#+\s*", "", text).strip()
        if not text:
            continue
        m = _TITLE_WORDS.search(text)
        if m and len(text) <= 80 and not _NAV_LINE.search(text):
            nxt = " ".join(c.strip() for c in rows[i + 1]) if i + 1 < len(rows) else ""
            if re.fullmatch(r"\s*(?:19|20)\d{2}\s*", nxt) and not _YEAR_IN_TITLE.search(text):
                # the year printed apart ("测试机关 年…报告" / "2021")
                return re.sub(r"\s*年", nxt.strip() + "年", text, count=1), i + 2
            # a title split over two lines: "洪泽区人民政府" / "2023 年政府信息公开工作年度报告"
            if i > 0 and not _name_part(text[: m.start()]):
                prev = " ".join(c.strip() for c in rows[i - 1] if c.strip())
                prev = re.sub(r"^#+\s*", "", prev).strip()
                if prev and len(prev) <= 30 and not _REPORT_WORDS.search(prev):
                    return f"{prev}{text}", i + 1
            return text, i + 1
        if len(text) > 80:
            break
    return None, 0


def inline_title(text: str) -> str | None:
    """A title at the start of run-together text ("平潭综合实验区2019年…年度报告 根据…")."""
    m = re.match(r"^\s*(\S{2,40}?" + _REPORT_WORDS.pattern + r")", text)
    return m.group(1) if m else None


def _name_part(text: str) -> str:
    text = _YEAR_IN_TITLE.sub("", nfkc(text))
    return re.sub(r"[\s《》<>“”\"]", "", text)


def body_name(title_text: str | None) -> str | None:
    """The body's name from the title: year and report words removed."""
    if not title_text:
        return None
    t = re.sub(r"\s+", "", nfkc(title_text))
    t = t.strip('《》<>“”"')
    m = _REPORT_WORDS.search(t)
    if not m:
        return None
    words = t[m.start() : m.end()]
    head = t[: m.start()]
    if words.startswith("政府") and head.endswith("人民"):
        head += "政府"
    head = _YEAR_IN_TITLE.sub("", head)
    # A covering letter's title: "苏平片区管理局关于报送2020年度…年度报告的函" names the body before 关于.
    head = re.sub(r"关于(?:报送|印发|公布|发布)?.*$", "", head) if "关于" in head[2:] else head
    head = head.strip("关于的-—_ ")
    return head or None


_REGION_MARK = re.compile(r"[省市区县旗乡镇]|街道|自治")


def full_name(name: str | None, rows: list[Row]) -> str | None:
    """A name without any place ("政府办公室") completed from the text ("龙亭区政府办公室")."""
    if not name or _REGION_MARK.search(name.removesuffix("人民政府").removesuffix("政府办公室")):
        return name
    text = nfkc(" ".join(" ".join(r) for r in rows[:300]))
    found = Counter(
        m.group(1)
        for m in re.finditer(r"([\u4e00-\u9fff]{1,6}?(?:市|区|县|旗|乡|镇))" + re.escape(name), text)
    )
    if found:
        place, _ = found.most_common(1)[0]
        for cut in ("我", "在", "为", "由", "的", "是", "，"):
            place = place.split(cut)[-1]
        return place + name
    return name


def year(title_text: str | None, rows: list[Row]) -> tuple[int | None, str]:
    """The year reported on, and where it was read."""
    if title_text:
        m = _YEAR_IN_TITLE.search(nfkc(title_text).replace(" ", ""))
        if m:
            return int(m.group(1)), "标题"
    text = nfkc(" ".join(" ".join(r) for r in rows[:80]))
    m = _PERIOD.search(text.replace(" ", ""))
    if m:
        return int(m.group(1)), "统计期限"
    years = Counter(int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", text))
    if years:
        return years.most_common(1)[0][0], "正文中最常见的年份"
    return None, ""


def published(meta: dict[str, str], rows: list[Row]) -> str | None:
    """The publication date, from a page header or a dated signature at the end."""
    for field in ("发布时间", "发布日期"):
        if field in meta:
            m = _DATE.search(nfkc(meta[field]))
            if m:
                return _iso(*m.groups())
    tail = [" ".join(c.strip() for c in r if c.strip()) for r in rows[-8:]]
    for line in reversed(tail):
        line = nfkc(line).strip()
        if not line or len(line) > 30:
            continue
        m = _DATE.fullmatch(line.replace(" ", "")) or re.search(
            r"(?:日期|时间)[:：]\s*" + _DATE.pattern, line
        )
        if m:
            return _iso(*m.groups()[-3:])
        m = _CN_DATE.fullmatch(line.replace(" ", ""))
        if m:
            return _iso(_cn_year(m.group(1)), str(_cn_number(m.group(2))), str(_cn_number(m.group(3))))
    head = nfkc(" ".join(" ".join(r) for r in rows[:6]))
    m = re.search(r"(?:发布时间|发布日期|时间)[:：]\s*" + _DATE.pattern, head)
    if m:
        return _iso(*m.groups()[-3:])
    return None


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        yi, mi, di = int(y), int(m), int(d)
    except ValueError:
        return None
    if not (1 <= mi <= 12 and 1 <= di <= 31):
        return None
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def _cn_year(text: str) -> str:
    return "".join(str(CN_DIGITS.get(c, 0)) for c in text)


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_DIGITS.get(text[1], 0)
    if "十" in text:
        a, _, b = text.partition("十")
        return CN_DIGITS.get(a, 0) * 10 + (CN_DIGITS.get(b, 0) if b else 0)
    return CN_DIGITS.get(text, 0)
