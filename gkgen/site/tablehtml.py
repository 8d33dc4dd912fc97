"""The official tables' HTML, written in Python rather than by a Jinja macro.

A report page holds ~200 value cells; through a macro each cell cost a dozen attribute look-ups and
escapes, and the tables were the largest part of rendering a report (measured: the macro was ~30% of
the report stage's time). Every piece of text is escaped here as autoescape would, and the result is
``Markup`` so the template does not escape it twice. The bytes are those the macro wrote (tested).
"""

from __future__ import annotations

from markupsafe import Markup


def escape(text: str) -> str:
    """What Jinja's autoescape (markupsafe) writes, character for character, without its per-call cost."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def _spans(cell) -> str:
    out = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    return out + (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")


def _body_cell(c, narrow: bool = False) -> str:
    if c.header:
        kind = "group" if c.scope == "rowgroup" else "label"
        return f'<th scope="{escape(c.scope)}"{_spans(c)} class="{kind}">{escape(c.text)}</th>\n'
    code = escape(c.code or "")
    classes = (
        "num"
        + (" null" if c.null else "")
        + (" flag" if c.flags else "")
        + (" involved" if c.involved else "")
        + (" key" if c.key else "")
    )
    flags = ""
    if c.flags:
        described = " ".join(f"finding-{n}" for n in c.flags)
        flags = f' data-flag="{",".join(str(n) for n in c.flags)}" aria-describedby="{described}"'
    # The narrow copy of a table repeats its numbers: its own ids, and no data-cell (each code once a page).
    where = f'id="m-cell-{code}"' if narrow else f'id="cell-{code}" data-cell="{code}"'
    return f'<td {where} class="{classes}"{flags}>{escape(c.text)}</td>\n'


def _head_cell(h) -> str:
    key = ' class="key"' if h.key else ""
    return f'<th scope="{escape(h.scope)}"{_spans(h)}{key}>{escape(h.label)}</th>\n'


def _table(table, layout: str, narrow: bool = False) -> list[str]:
    caption = escape(table.caption)
    parts = [
        f'<div class="table-scroll {layout}" tabindex="0" role="region" aria-label="{caption}（可左右滚动）">\n'
        f'<table class="official {escape(table.kind)}">\n<caption>{caption}</caption>\n<thead>\n'
    ]
    for row in table.head:
        parts.append("<tr>\n")
        parts += [_head_cell(h) for h in row]
        parts.append("</tr>\n")
    parts.append("</thead>\n<tbody>\n")
    for row in table.body:
        parts.append("<tr>\n")
        parts += [_body_cell(c, narrow) for c in row]
        parts.append("</tr>\n")
    parts.append("</tbody>\n</table>\n</div>\n")
    return parts


def official_table(table) -> Markup:
    """A tables.TableView as the report page shows it.

    A wide table says on a phone that it scrolls sideways (the cue is hidden from screen readers,
    whose users move cell by cell). A table with a ``narrow`` layout is written twice: the official
    layout for wide screens and print, the narrow one for phones; CSS shows one of them.
    """
    parts = []
    if table.kind == "requests":
        parts.append(
            '<p class="scroll-cue" aria-hidden="true">表格较宽：左右滑动查看各类申请人，“总计”列始终显示在右侧</p>\n'
        )
    if table.narrow is None:
        parts += _table(table, "layout-any")
    else:
        parts += _table(table, "layout-wide")
        parts += _table(table.narrow, "layout-narrow", narrow=True)
    return Markup("".join(parts))
