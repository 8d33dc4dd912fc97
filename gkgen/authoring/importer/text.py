"""Text normalisation shared by the importer's modules.

Two forms of a piece of text are used: ``nfkc`` (full-width forms folded: ``（１）`` →
``(1)``, ideographic spaces → spaces) for scanning numbers, and ``key`` (numbering, spaces
and punctuation removed) for comparing labels loosely.
"""

from __future__ import annotations

import functools
import re
import unicodedata

CJK = "\u3400-\u9fff\uf900-\ufaff"
CN_NUM = "一二三四五六七八九十"

# Numbering in front of a label or heading, wherever it stands: 一、 (一) 1. 1、 (1) ①
_NUMBERING = re.compile(
    rf"[{CN_NUM}]+\s*[、.,]"
    rf"|\(\s*[{CN_NUM}\d]+\s*\)"
    r"|(?<![\d.])\d{1,2}\s*[、.](?!\d)"
    r"|[\u2460-\u2473]"
)
_NOT_KEY = re.compile(rf"[^{CJK}A-Za-z0-9]+")


def nfkc(text: str) -> str:
    """Full-width forms folded, character by character (offsets are kept)."""
    return "".join(_fold(c) for c in text)


@functools.cache
def _fold(c: str) -> str:
    if c in "\u00a0\u3000\u200b\ufeff":
        return " "
    folded = unicodedata.normalize("NFKC", c)
    return folded if len(folded) == 1 else c


def key(text: str) -> str:
    """A label's comparable form: no numbering, no spaces, no punctuation."""
    text = nfkc(text)
    text = _NUMBERING.sub("", text)
    return _NOT_KEY.sub("", text)


def is_blank(text: str) -> bool:
    return not text or not text.strip()


NULL_MARKS = frozenset({"/", "-", "—", "——", "--", "－", "／", "无", "\\", "–", "---", "×"})


def is_null_mark(text: str) -> bool:
    return nfkc(text).strip() in NULL_MARKS or text.strip() in NULL_MARKS
