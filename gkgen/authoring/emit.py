"""Write archive content files in the canonical editors' format (docs/content-format.md).

``report_yaml`` turns a report in the interchange JSON shape (spec: report-format.md)
into the text of ``content/reports/<agency>/<year>.yaml``; ``narrative_markdown`` turns
the narrative sections into the text of the ``.md`` beside it. Both are deterministic,
and the YAML loads back with ``yaml.safe_load`` to exactly the values given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import yaml

from gkgen import formats
from gkgen.formats import ACTIVE, APPEALS, EXTRA_CODE, MONEY, REQUESTS, SIGNED, Column, Format, TableRow
from gkgen.formats.sections import HEADINGS, PREAMBLE

SCHEMA_LINE = "# yaml-language-server: $schema=../../../schema/report.schema.json"


_INDENT = "  "
_DOC_END = re.compile(r"\n\.\.\.\n?\Z")


# --------------------------------------------------------------------------- scalars


def _round_trips(text: str, value: object, indent: str = "") -> bool:
    """Whether ``k: <text>`` (at ``indent``) loads back as exactly ``value``."""
    try:
        loaded = yaml.safe_load(f"{indent}k: {text}\n" if indent else f"k: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and type(loaded.get("k")) is type(value) and loaded["k"] == value


def _double_quoted(value: str) -> str:
    out = yaml.safe_dump(value, default_style='"', allow_unicode=True, width=10**9)
    return _DOC_END.sub("", out).rstrip("\n")


def _literal_block(value: str, indent: str) -> str | None:
    """``value`` as a ``|`` block scalar whose lines sit two spaces deeper than ``indent``."""
    out = yaml.safe_dump(value, default_style="|", allow_unicode=True, width=10**9)
    head, _, body = _DOC_END.sub("", out).partition("\n")
    if not head.startswith("|"):
        return None  # the emitter refused the block style (e.g. non-printable characters)
    lines = [(indent + line) if line else line for line in body.rstrip("\n").split("\n")]
    return head + "\n" + "\n".join(lines)


def yaml_scalar(value: object, indent: str = "") -> str:
    """One scalar as YAML text for a block mapping value at ``indent`` (round-trips exactly).

    Strings are plain where YAML allows it, quoted where needed (``'2021'``, ``'null'``,
    dates); multi-line strings become a literal block, or a double-quoted string when a
    block cannot hold them exactly.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} {value!r} as a YAML scalar")
    if "\n" not in value and "\r" not in value:
        out = _DOC_END.sub("", yaml.safe_dump(value, allow_unicode=True, width=10**9)).rstrip("\n")
        if "\n" not in out and _round_trips(out, value, indent):
            return out
    else:
        block = _literal_block(value, indent)
        if block is not None and _round_trips(block, value, indent):
            return block
    out = _double_quoted(value)
    if not _round_trips(out, value, indent):  # pragma: no cover - double quotes escape everything
        raise ValueError(f"cannot write {value!r} as a YAML scalar")
    return out


# --------------------------------------------------------------------------- cells


def _cell_text(value: object, kind: str, code: str) -> str:
    """One table value as flow-list YAML: ``null``, an int, or a quoted decimal string."""
    if value is None:
        return "null"
    if kind == MONEY:
        if isinstance(value, bool | float):
            raise TypeError(f"{code}: money must be decimal text, not {type(value).__name__} {value!r}")
        if isinstance(value, int | Decimal):
            value = str(value)
        if not isinstance(value, str):
            raise TypeError(f"{code}: money must be decimal text, not {type(value).__name__}")
        return _double_quoted(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{code}: a count must be an int or null, not {type(value).__name__} {value!r}")
    if value < 0 and kind != SIGNED:
        raise ValueError(f"{code}: negative count {value}")
    return str(value)


def _flow_row(values: Sequence[object], kinds: Sequence[str], codes: Sequence[str]) -> str:
    return "[" + ", ".join(_cell_text(v, k, c) for v, k, c in zip(values, kinds, codes, strict=True)) + "]"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def _doubt_lines(doubts: Mapping[str, object], codes: Iterable[str], indent: str) -> list[str]:
    return [f"{indent}# 存疑 {code}: {_one_line(doubts[code])}" for code in codes if code in doubts]


def _agency_id(agency: object) -> str:
    if isinstance(agency, Mapping):
        agency = agency.get("id")
    if not isinstance(agency, str) or not agency:
        raise ValueError(f"report has no agency id: {agency!r}")
    return agency


def _check_codes(
    fmt: Format, cells: Mapping[str, object], doubts: Mapping[str, object], n_extra: int
) -> None:
    known = set(fmt.codes)
    missing = [c for c in fmt.codes if c not in cells]
    unknown = sorted(set(cells) - known)
    if missing or unknown:
        raise ValueError(
            f"cells do not match format {fmt.id}: missing {missing[:5]}{'…' if len(missing) > 5 else ''}, "
            f"unknown {unknown[:5]}{'…' if len(unknown) > 5 else ''}"
        )
    for code in doubts:
        m = EXTRA_CODE.match(code)
        if code not in known and not (m and 1 <= int(m.group(1)) <= n_extra):
            raise ValueError(f"doubt on unknown cell {code!r}")


# --------------------------------------------------------------------------- blocks


def _table_block(
    name: str,
    caption: str,
    groups: Sequence[tuple[str, Sequence[Column], Sequence[tuple[TableRow, str]]]],
    cells: Mapping[str, object],
    doubts: Mapping[str, object],
) -> list[str]:
    """One table as the editors write it: ``name:``, then per group a comment naming the columns and
    one line per row (its values in printed order, its official label as a comment), each row with
    its doubts as comments above it. A row is (the format's row, the label its comment shows)."""
    lines = [f"{name}:  # {caption}" if caption else f"{name}:"]
    for comment, columns, rows in groups:
        lines.append(f"{_INDENT}# {comment}{', '.join(c.label for c in columns)}")
        kinds = [c.kind for c in columns]
        for row, label in rows:
            codes = list(row.codes)
            lines += _doubt_lines(doubts, codes, _INDENT)
            values = [cells[c] for c in codes]
            lines.append(f"{_INDENT}{row.key}: {_flow_row(values, kinds, codes)}  # {label}")
    return lines


def _active_block(fmt: Format, cells: Mapping[str, object], doubts: Mapping[str, object]) -> list[str]:
    rows = {tr.key: tr for tr in fmt.table_rows(ACTIVE)}
    groups = [
        (f"{g.clause}：", g.columns, [(rows[r.key], r.full_label) for r in g.rows]) for g in fmt.active_groups
    ]
    return _table_block("active", fmt.active_caption, groups, cells, doubts)


def _requests_block(fmt: Format, cells: Mapping[str, object], doubts: Mapping[str, object]) -> list[str]:
    rows = [(tr, tr.row.full_label) for tr in fmt.table_rows(REQUESTS)]
    return _table_block("requests", fmt.requests_caption, [("", fmt.request_columns, rows)], cells, doubts)


def _appeals_block(fmt: Format, cells: Mapping[str, object], doubts: Mapping[str, object]) -> list[str]:
    rows = [(tr, "·".join((*tr.row.parents, tr.row.label))) for tr in fmt.table_rows(APPEALS)]
    return _table_block("appeals", fmt.appeals_caption, [("", fmt.appeal_columns, rows)], cells, doubts)


def _active_extra_block(fmt: Format, extra: Sequence[Mapping], doubts: Mapping[str, object]) -> list[str]:
    groups = {row.key: group for group, row in fmt.active_rows}
    lines = ["active_extra:"]
    for n, item in enumerate(extra, start=1):
        group = groups.get(item.get("group"))
        if group is None:
            raise ValueError(
                f"active_extra {n}: group {item.get('group')!r} is not an active row of {fmt.id}"
            )
        codes = list(fmt.extra_codes(n, item["group"]))
        lines += _doubt_lines(doubts, codes, _INDENT)
        lines.append(f"{_INDENT}- label: {yaml_scalar(item['label'], _INDENT * 2)}")
        lines.append(f"{_INDENT}  group: {yaml_scalar(item['group'], _INDENT * 2)}")
        lines.append(
            f"{_INDENT}  values: {_flow_row(item['values'], [c.kind for c in group.columns], codes)}"
        )
    return lines


def _doubts_block(doubts: Mapping[str, object]) -> list[str]:
    """The record of the importer's doubts: an editor replaces each reason with how it was settled."""
    lines = ["doubts:  # 导入时存疑的单元格：核对原件后，把说明改为核对结果"]
    lines += [
        f"{_INDENT}{code}: {yaml_scalar(_one_line(reason), _INDENT)}" for code, reason in doubts.items()
    ]
    return lines


def _acknowledged_block(items: Sequence[Mapping]) -> list[str]:
    if not items:
        return ["acknowledged: []"]
    lines = ["acknowledged:"]
    for item in items:
        lines.append(f"{_INDENT}- rule: {yaml_scalar(item['rule'], _INDENT * 2)}")
        lines.append(f"{_INDENT}  note: {yaml_scalar(item.get('note'), _INDENT * 2)}")
    return lines


# --------------------------------------------------------------------------- public


def report_yaml(doc: Mapping) -> str:
    """The text of ``content/reports/<agency>/<year>.yaml`` for a report in interchange shape.

    ``doc`` has the interchange keys (agency, year, format, published, source, cells,
    acknowledged) plus optional title, entered_by, notes, active_extra and doubts
    ({code: reason}, written as ``# 存疑`` comments above the row holding the cell).
    ``cells`` must hold exactly the codes of the report's format.
    """
    format_id = str(doc["format"])
    fmt = formats.get(format_id)
    if fmt is None:
        raise ValueError(f"unknown format {format_id!r}")
    year = doc["year"]
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, not {year!r}")
    cells: Mapping[str, object] = doc.get("cells") or {}
    doubts: Mapping[str, object] = doc.get("doubts") or {}
    extra: Sequence[Mapping] = doc.get("active_extra") or []
    if extra and not fmt.active_groups:
        raise ValueError(f"format {fmt.id} has no section 二 table for active_extra rows")
    _check_codes(fmt, cells, doubts, len(extra))
    source = doc.get("source") or {}

    lines = [
        SCHEMA_LINE,
        f"agency: {yaml_scalar(_agency_id(doc['agency']))}",
        f"year: {year}",
        f"format: {_double_quoted(fmt.id)}",
        f"title: {yaml_scalar(doc.get('title'))}",
        f"published: {yaml_scalar(doc.get('published'))}",
        "source:",
        f"{_INDENT}url: {yaml_scalar(source.get('url'), _INDENT)}",
        f"{_INDENT}title: {yaml_scalar(source.get('title'), _INDENT)}",
        *(
            f"{_INDENT}{key}: {yaml_scalar(source[key], _INDENT)}"
            for key in ("archived", "sha256")
            if source.get(key)
        ),
        f"entered_by: {yaml_scalar(doc.get('entered_by'))}",
        *([f"method: {yaml_scalar(doc['method'])}"] if doc.get("method") else []),
        *([f"format_note: {yaml_scalar(doc['format_note'])}"] if doc.get("format_note") else []),
        f"notes: {yaml_scalar(doc.get('notes'))}",
    ]
    if fmt.active_groups:
        lines += ["", *_active_block(fmt, cells, doubts)]
    if fmt.request_rows:
        lines += ["", *_requests_block(fmt, cells, doubts)]
    if fmt.appeal_groups:
        lines += ["", *_appeals_block(fmt, cells, doubts)]
    if extra:
        lines += ["", *_active_extra_block(fmt, extra, doubts)]
    if doubts:
        lines += ["", *_doubts_block(doubts)]
    lines += ["", *_acknowledged_block(doc.get("acknowledged") or [])]
    return "\n".join(lines) + "\n"


_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def narrative_markdown(narrative: Mapping[str, str | None]) -> str:
    """The text of ``content/reports/<agency>/<year>.md``: preamble, then ``## heading`` sections.

    Keys: ``preamble`` and those of ``gkgen.formats.sections.HEADINGS``; a section is written when its key is
    present and not None. Bodies are Markdown already and are kept as given (leading blank
    lines and trailing whitespace removed).
    """
    unknown = set(narrative) - set(HEADINGS) - {PREAMBLE}
    if unknown:
        raise ValueError(f"unknown narrative keys: {sorted(unknown)}")
    parts: list[str] = []
    preamble = narrative.get(PREAMBLE)
    if preamble is not None and preamble.strip():
        parts.append(_LEADING_BLANK_LINES.sub("", preamble).rstrip())
    for key, heading in HEADINGS.items():
        body = narrative.get(key)
        if body is None:
            continue
        body = _LEADING_BLANK_LINES.sub("", body).rstrip()
        parts.append(f"## {heading}\n\n{body}" if body else f"## {heading}")
    return "\n\n".join(parts) + "\n" if parts else ""
