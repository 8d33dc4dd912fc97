"""Rendering pages from the model with Jinja2 (autoescape on, undefined is an error)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from gkgen import markdown
from gkgen.model import Report

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,  # every template, whatever its extension: reports are untrusted input
        undefined=jinja2.StrictUndefined,  # a template touching a missing field fails the build
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def report_page(report: Report) -> str:
    narrative = [(key, Markup(markdown.to_html(text))) for key, text in report.narrative]
    return environment().get_template("report.html").render(report=report, narrative=narrative)
