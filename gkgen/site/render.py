"""Rendering pages from the model with Jinja2 (autoescape on, undefined is an error).

A ``Renderer`` is the templates configured for one site; it is made from the
site's config and its static assets and passed to whatever renders (the build,
each worker process through the pool's initializer). The site-wide globals
every template may use:

- ``site``: the Config (title, description, license, contact, …)
- ``url(path)``: a site-relative path → a URL under the base path
- ``urls``: every page's site-relative URL (gkgen.site.urls)
- ``asset(name)``: a static file's URL with its content-hashed name
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import jinja2
from markupsafe import Markup

from gkgen.content import markdown
from gkgen.content.config import Config
from gkgen.site import tablehtml, urls

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

_HEADING = re.compile(r"<(/?)h([1-6])>")


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """A Jinja environment for ``templates``, without the site globals (``Renderer`` adds them)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates.resolve()),
        autoescape=True,  # every template, whatever its extension: reports are untrusted input
        undefined=jinja2.StrictUndefined,  # a template touching a missing field fails the build
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["official_table"] = tablehtml.official_table
    env.globals["urls"] = urls  # every page's URL (gkgen.site.urls)
    env.filters["num"] = number
    env.filters["delta"] = delta
    return env


class Renderer:
    """The templates configured for one site: each template is loaded once per Renderer.

    Made in the main process and passed to the workers (gkgen.workers), never set globally."""

    def __init__(self, config: Config, asset: Callable[[str], str], templates: Path = TEMPLATES):
        self.config = config
        self.asset = asset
        self.templates = templates
        self._env: jinja2.Environment | None = None

    @property
    def env(self) -> jinja2.Environment:
        if self._env is None:  # made where it is used: a Renderer sent to a worker carries no templates
            base = self.config.base_path
            self._env = environment(self.templates)
            self._env.globals.update(
                site=self.config, url=lambda path="": base + path.lstrip("/"), asset=self.asset
            )
        return self._env

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_env": None}

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)


def narrative_html(text: str, top: int = 3) -> Markup:
    """A narrative section's Markdown as HTML, its headings shifted to start at h<top>.

    The page has the h1 (the report) and h2 (the six sections), so headings inside a
    section's text become h3 and below (headings stay in order). Raw HTML is off.
    """
    html = markdown.to_html(text)
    levels = sorted({int(m.group(2)) for m in _HEADING.finditer(html)})
    shift = {level: min(6, top + i) for i, level in enumerate(levels)}
    return Markup(_HEADING.sub(lambda m: f"<{m.group(1)}h{shift[int(m.group(2))]}>", html))


MINUS = "\u2212"  # the real minus sign


def number(value: object) -> str:
    """A published value as a reader sees it: every digit kept (never rounded), null as —.

    Digits before the decimal point are grouped by thousands (73802895.90 → 73,802,895.90) and a
    negative number takes the real minus sign (−18), as the year-over-year changes do. Exports and
    JSON keep the plain value; this is for pages only.
    """
    if value is None:
        return "—"
    text = str(value)
    negative = text.startswith("-")
    whole, dot, fraction = text.removeprefix("-").partition(".")
    if whole.isdigit() and len(whole) > 3:
        whole = f"{int(whole):,}" if not whole.startswith("0") else whole
    return (MINUS if negative else "") + whole + dot + fraction


def delta(value: int | None) -> str:
    """A change from the previous year: +5, −3, ±0; blank when unknown."""
    if value is None:
        return ""
    if value > 0:
        return f"+{number(value)}"
    if value < 0:
        return number(value)
    return "±0"
