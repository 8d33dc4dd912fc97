"""Markdown → HTML for narratives: CommonMark with raw HTML off (a report is untrusted input)."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt


@cache
def _parser() -> MarkdownIt:
    # "commonmark" + html False: any <tag> in a report is shown as text, never interpreted.
    # markdown-it's validateLink already refuses javascript:, vbscript:, file: and data: (except images).
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def parser() -> MarkdownIt:
    return _parser()


def to_html(text: str) -> str:
    return _parser().render(text)
