"""Small typed checks on YAML values that report at the value's position.

Shared by the report, agency and config validators so that every file speaks
the same language about missing keys, unknown keys and wrong types.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from decimal import Decimal

from gkgen.content.diagnostics import ERROR, Diagnostic
from gkgen.content.yamlpos import Document, Path, YamlSyntaxError

TYPE_NAMES = {str: "文字", int: "整数", dict: "键值映射", list: "列表", type(None): "null"}


def type_name(value: object) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, Decimal):
        return "小数"
    return TYPE_NAMES.get(type(value), type(value).__name__)


class Checker:
    """Checks values of one document and collects diagnostics at their positions."""

    def __init__(self, doc: Document, shown: str):
        self.doc = doc
        self.shown = shown
        self.diagnostics: list[Diagnostic] = []
        self._flagged = doc.flagged

    def error(
        self,
        path: Path,
        rule: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        severity: str = ERROR,
    ) -> None:
        pos = self.doc.key_position(path) if key else self.doc.position(path)
        if not key and pos in self._flagged:  # the reader already said what is wrong with this value
            return
        self.diagnostics.append(Diagnostic(self.shown, pos.line, pos.col, severity, rule, message, hint))

    def mapping(self, value: object, path: Path, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.error(path, "type", f"{what}应为键值映射（key: value），实际是{type_name(value)}")
        return None

    def keys(
        self,
        mapping: dict,
        path: Path,
        required: Iterable[str],
        optional: Iterable[str],
        what: str,
        missing_hint: str | None = None,
    ) -> None:
        """Report unknown keys (likely typos, with a suggestion) and missing required keys."""
        required, optional = tuple(required), tuple(optional)
        known = (*required, *optional)
        for key in mapping:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = f"是否应为 `{close[0]}`？" if close else f"可用的键：{', '.join(known)}"
                self.error((*path, key), "unknown-key", f"{what}中有未知的键 `{key}`", hint, key=True)
        for key in required:
            if key not in mapping:
                self.error(
                    path,
                    "missing-key",
                    f"{what}缺少必需的键 `{key}`",
                    missing_hint or (f"请添加 `{key}:`（未知时写 null）" if key in _NULLABLE_HINT else None),
                )

    def text(self, value: object, path: Path, what: str, *, nullable: bool = False) -> str | None:
        if value is None and nullable:
            return None
        if isinstance(value, str) and value.strip():
            found = _HIDDEN.search(value)
            if found is None:
                return value
            self.error(
                path,
                "value",
                f"{what}中含有控制字符或文字方向控制符 U+{ord(found.group()):04X}",
                "多见于从网页或 PDF 复制的文字：请删除这个看不见的字符",
            )
            return None
        if isinstance(value, str):
            self.error(path, "type", f"{what}不能为空")
        else:
            expected = "文字或 null" if nullable else "文字"
            self.error(path, "type", f"{what}应为{expected}，实际是{type_name(value)}")
        return None

    def document_problems(self) -> None:
        """What the YAML reader found: keys written twice, numbers not written as plain decimals."""
        for problem in self.doc.problems:
            pos = problem.position
            self.diagnostics.append(
                Diagnostic(self.shown, pos.line, pos.col, ERROR, problem.rule, problem.message, problem.hint)
            )
        for key, pos in self.doc.duplicate_keys:
            self.diagnostics.append(
                Diagnostic(
                    self.shown,
                    pos.line,
                    pos.col,
                    ERROR,
                    "duplicate-key",
                    f"键 `{key}` 重复出现",
                    "YAML 中同一映射的键只能出现一次，后者会覆盖前者",
                )
            )


# Invisible characters that change how text shows (bidi overrides) or what a terminal does (C0/C1
# controls); a line break and a tab are ordinary in multi-line text.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

_NULLABLE_HINT = {"published", "source", "url", "region_code", "city", "county", "notes"}


def syntax_diagnostic(exc: YamlSyntaxError, shown: str, hint: str | None = None) -> Diagnostic:
    """A file the YAML reader refused, at the position of the problem (its own hint first)."""
    pos = exc.position
    return Diagnostic(
        shown, pos.line, pos.col, ERROR, "yaml", f"YAML 语法错误：{exc.message}", exc.hint or hint
    )
