"""Chinese digits, shared by the importer (dates such as 二〇二一年) and the quality checks (counts
such as 三件 in a narrative)."""

from __future__ import annotations

CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
