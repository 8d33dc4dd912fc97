"""Diagnostics: one problem in one file, at a line and column, in words an editor can act on."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TextIO

ERROR = "error"
WARNING = "warning"
NOTE = "note"  # e.g. a rule that could not be checked because a cell is blank

_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, NOTE: 2}


@dataclass(frozen=True)
class Diagnostic:
    path: str  # as shown to the editor: relative to the archive root, with "/"
    line: int  # 1-based; 0 when the problem is the file as a whole
    col: int  # 1-based
    severity: str
    rule: str  # e.g. "yaml", "unknown-key", "balance"
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.col, _SEVERITY_ORDER[self.severity], self.rule, self.message)

    def format(self) -> str:
        """``path:line:col: severity[rule]: message`` (and an indented hint line), safe for a terminal:
        text from content (names, keys, values) shows its control characters instead of obeying them."""
        where = f"{visible(self.path)}:{max(self.line, 1)}:{max(self.col, 1)}"
        text = f"{where}: {self.severity}[{visible(self.rule)}]: {visible(self.message)}"
        if self.hint:
            text += f"\n  hint: {visible(self.hint)}"
        return text

    def github_annotation(self) -> str:
        """A GitHub Actions workflow command, so the problem shows on the changed line of a pull request."""
        level = {ERROR: "error", WARNING: "warning", NOTE: "notice"}[self.severity]
        message = visible(self.message) + (f" — {visible(self.hint)}" if self.hint else "")
        return (
            f"::{level} file={_escape_property(visible(self.path))},line={max(self.line, 1)},"
            f"col={max(self.col, 1)},title={_escape_property(visible(self.rule))}::{_escape_data(message)}"
        )


# Shown as escapes rather than printed: C0 and C1 controls (ESC starts terminal sequences, CR and LF
# start a new line, where GitHub reads "::" as a workflow command), DEL, line and paragraph separators,
# and the bidirectional controls that make text read differently from how it is stored.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INVISIBLE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def visible(text: str) -> str:
    """Text from content as one line a terminal or a CI log shows as written: control characters as
    escapes (\\n, \\x1b, \\u202e)."""
    return _INVISIBLE.sub(_escape, text)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Collector:
    """Gathers every problem of every file; the build stops only after all are collected."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)


def report(diagnostics: list[Diagnostic], stream: TextIO, *, show_notes: bool = True) -> None:
    """Print diagnostics, one per line, and as GitHub annotations when running in GitHub Actions."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for d in diagnostics:
        if d.severity == NOTE and not show_notes:
            continue
        print(d.format(), file=stream)
        if annotate:
            print(d.github_annotation(), file=stream)
