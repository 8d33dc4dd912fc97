"""Place the numbers of sections 二、三、四 on their cell codes.

Each section's rows are turned into a stream of tokens (label text, numbers, blank
cells, line ends). Walking the stream, the items after a row's label are that
row's values, up to the next label or header. ``digits.readings`` lists what each
row's items can mean; the reconciliation rules (balance, row_total, outcomes,
appeals) choose among them. A cell on which the readings that fit the rules best
still disagree is left null and listed in ``doubts`` with the alternatives.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from gkgen.authoring.importer import labels
from gkgen.authoring.importer.digits import BLANK, NULL, NUM, Item, Value, readings
from gkgen.authoring.importer.labels import GROUP, HEADER, ROW, LabelIndex
from gkgen.authoring.importer.sources import Row
from gkgen.authoring.importer.text import CJK, is_blank, is_null_mark, key, nfkc
from gkgen.formats import ACTIVE, APPEALS, REQUESTS, Format, cell_code, extra_code, rules
from gkgen.formats.rules import Equation

MAX_COMBINATIONS = 200000

# A number: digits, maybe negative, thousands groups, decimals, a money unit.
_NUMBER = re.compile(r"-?\d+(?:,\d{3})+(?:\.\d+)?(?:万元|元)?|-?\d+(?:\.\d+)?(?:万元|元)?")
_AFTER_PUNCTUATION = re.compile(r"[。；;，,、：:）)]")
_YEAR = re.compile(r"(?:19|20)\d\d")
_NUMBERING_AFTER = re.compile(rf"\s?[.、．](?=\s?[{CJK}“\"])")


@dataclass
class Tok:
    kind: str  # text | num | blank | null | eol
    text: str = ""


@dataclass
class Hit:
    kind: str  # ROW | GROUP | unknown
    name: str  # row key, group label, or the unknown text
    items: list[Item] = field(default_factory=list)
    fuzzy: bool = False
    after: str | None = None  # the row found before an unknown one

    def has_values(self) -> bool:
        return any(it.kind != BLANK for it in self.items)


@dataclass
class Placed:
    cells: dict[str, Value] = field(default_factory=dict)
    doubts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)  # section 二 rows beyond the format
    found_rows: int = 0


# --------------------------------------------------------------------------- tokens


def tokens(rows: list[Row], header_keys: tuple[str, ...] = ()) -> list[Tok]:
    out: list[Tok] = []
    for row in rows:
        for cell in row:
            out.extend(_cell_tokens(cell, header_keys))
        out.append(Tok("eol"))
    return out


def _cell_tokens(cell: str, header_keys: tuple[str, ...]) -> list[Tok]:
    if is_blank(cell):
        return [Tok(BLANK)]
    if is_null_mark(cell):
        return [Tok(NULL)]
    text = nfkc(cell).replace("−", "-").replace("－", "-")
    k = key(text)
    # A header cell whose words carry digits ("保留4位小数") is a header, not values.
    if len(k) <= 30 and any(k.startswith(h) for h in header_keys) and not _mostly_numbers(text):
        return [Tok("text", text)]
    out: list[Tok] = []
    pos = 0
    for m in _NUMBER.finditer(text):
        number = m.group(0)
        if m.start() > 0 and text[m.start() - 1] in "(（" and text[m.end() : m.end() + 1] in (")", "）"):
            continue  # (1) numbering
        before = text[pos : m.start()]
        if text.startswith("年", m.end()) and _YEAR.fullmatch(number[-4:]) and number.isdigit():
            # "…行政事业性收费02025年，我局…": a year starts the narrative after the table; only
            # the digits before it are the cell's. A bare year ("2022年，未有…") is words, not a value.
            if len(number) > 4:
                if before.strip():
                    out.append(Tok("text", before))
                out.append(Tok(NUM, number[:-4]))
                before = ""
            year_text = before + number[-4:]
            if out and out[-1].kind == "text":
                out[-1].text += year_text
            else:
                out.append(Tok("text", year_text))
            pos = m.end()
            continue
        after = _NUMBERING_AFTER.match(text, m.end())
        if after and "." not in number and "元" not in number and not number.startswith("-"):
            # "…00000002.其他法律…": the last digit is the next label's number.
            if before.strip():
                out.append(Tok("text", before))
            if len(number) > 1:
                out.append(Tok(NUM, number[:-1]))
            pos = m.start() + len(number)
            continue
        if before.strip():
            if out and out[-1].kind == "text":
                out[-1].text += before
            else:
                out.append(Tok("text", before))
        out.append(Tok(NUM, number.replace(",", "")))
        pos = m.end()
    rest = text[pos:]
    if rest.strip():
        stripped = rest.strip()
        if all(ch in "/-—–\\" for ch in stripped.replace(" ", "")):
            out.extend(Tok(NULL) for _ in stripped.split())
        elif out and out[-1].kind == "text":
            out[-1].text += rest
        else:
            out.append(Tok("text", rest))
    return out


def _mostly_numbers(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return digits > len(key(text)) / 2


# --------------------------------------------------------------------------- walking


def walk(toks: list[Tok], index: LabelIndex, warnings: list[str]) -> tuple[dict[str, Hit], list[Hit]]:
    """Rows found (by row key) and the other hits (group rows with values, unknown rows)."""
    found: dict[str, Hit] = {}
    others: list[Hit] = []
    current: Hit | None = None
    last_order = -1
    last_row: str | None = None
    body = False

    def close() -> None:
        nonlocal current
        if current is not None and current.kind != ROW and current.has_values():
            others.append(current)
        current = None

    for tok in toks:
        if tok.kind == "eol":
            continue
        if tok.kind in (NUM, BLANK, NULL):
            if current is not None:
                current.items.append(Item(tok.kind, tok.text))
            continue
        text = tok.text
        prose = _is_prose(text)
        after_prose = False
        if not body and (prose or _is_long_prose(text) or "、" in text):
            # Prose before the table may name a row's words ("…土地出让、行政处罚。其中…"): only
            # what follows its last punctuation can be the table's start ("…之和）申请人情况…"),
            # and only if a label, exactly as printed, ends it right before the numbers
            # ("…、行政许可类信息3条" and "…行政处罚类12条" are prose).
            text = _AFTER_PUNCTUATION.split(text)[-1]
            prose, after_prose = False, True
            tail = _pieces(index, text)
            if not tail or not tail[-1].entries or tail[-1].fuzzy:
                continue
        pieces = _pieces(index, text)
        if body and (_is_long_prose(text) or (prose and not any(p.entries for p in pieces))):
            break  # the table has ended: the narrative goes on after it (and may name a row's words)
        for piece in pieces:
            rows = [e for e in piece.entries if e.kind == ROW]
            nonrows = [e for e in piece.entries if e.kind != ROW]
            row = None
            if rows and not (after_prose and piece.fuzzy):
                cand = rows[0]
                if not nonrows or (body and cand.order > last_order):
                    row = cand
            if row is not None:
                earlier = found.get(row.name)
                if earlier is not None and earlier.fuzzy and not piece.fuzzy and earlier.has_values():
                    # the row's own label, after words that only resembled it: the table's values win
                    warnings.append(f"表格行「{index.labels[row.name]}」按其准确标签处的数值读取")
                    del found[row.name]
                if row.name in found and found[row.name].has_values():
                    if current is not None and current.kind == ROW and current.name == row.name:
                        continue  # the label repeated in a merged cell
                    warnings.append(f"表格行「{index.labels[row.name]}」出现了两次，第二次的数值未采用")
                    close()
                    current = Hit("dup", row.name)
                    continue
                close()
                current = found.setdefault(row.name, Hit(ROW, row.name, fuzzy=piece.fuzzy))
                if piece.fuzzy:
                    warnings.append(
                        f"表格行标签「{piece.text}」按「{index.labels[row.name]}」读取（标签与官方格式不完全一致）"
                    )
                last_order = max(last_order, row.order)
                last_row = row.name
                body = True
                continue
            kinds = {e.kind for e in nonrows}
            if GROUP in kinds:
                if (current is not None and current.has_values()) or current is None or current.kind != ROW:
                    close()
                    current = Hit(GROUP, next(e.name for e in nonrows if e.kind == GROUP))
                continue
            if HEADER in kinds:
                close()
                continue
            # an uncovered stretch of text
            gap = piece.text
            if (
                current is not None
                and current.kind == ROW
                and any(gap in k for k in index.row_keys[current.name])
            ):
                continue  # the rest of a label that wrapped onto another line
            if len(gap) < 2:
                continue
            close()
            current = Hit("unknown", gap, after=last_row) if body else None
    close()
    return found, others


_NEXT_SECTION = re.compile(r"^\s*[五六七八]\s*[、.．]")
_SUBHEADING = re.compile(r"^\s*[(（][一二三四五六七八九十]+[)）]\s*[\u4e00-\u9fff]{8}")


def _is_long_prose(text: str) -> bool:
    """Sentences no table label could be: a full stop, or a long run with commas (the longest
    label, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", is 26 characters of words)."""
    return "。" in text or (len(key(text)) >= 40 and ("，" in text or "," in text))


def _is_prose(text: str) -> bool:
    """Words after a table that are the narrative again: a sentence, or a sub-heading such as
    "(二)主动公开政府信息的主要类别". No label of the official tables is either."""
    return bool(_SUBHEADING.match(text)) or (len(key(text)) >= 6 and any(p in text for p in "。；，;,"))


def _pieces(index: LabelIndex, text: str) -> list:
    """The cover of ``text``, where a short label run into unknown words ("其他" + "不明原因的申请")
    is not taken for that label: the whole is one unknown (or fuzzily matched) stretch."""
    pieces = index.cover(text)
    out = []
    i = 0
    while i < len(pieces):
        p = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if (
            p.entries
            and any(e.kind == ROW for e in p.entries)
            and len(p.text) <= 4
            and nxt
            and (not nxt.entries or nxt.fuzzy)  # "其他" + "法律和行政法规禁止公开" is one label
            and len(nxt.text) >= 2
        ):
            out.append(index.uncovered(p.text + nxt.text))
            i += 2
            continue
        out.append(p)
        i += 1
    return out


# --------------------------------------------------------------------------- rules


# The reconciliation rules are the validator's (gkgen.formats.rules): the solver keeps the readings
# under which most of them hold.


def request_rules(fmt: Format) -> list[Equation]:
    return [eq for eq in rules.equations(fmt) if eq.table == REQUESTS]


def appeal_rules(fmt: Format) -> list[Equation]:
    return [eq for eq in rules.equations(fmt) if eq.table == APPEALS]


# --------------------------------------------------------------------------- solving


@dataclass
class RowChoice:
    name: str  # how a doubt names the row
    codes: list[str]
    options: list[tuple[Value, ...]]
    raw: str  # the source text of the row, for messages
    note: str | None = None  # a doubt that holds whatever the rules say


def solve(choices: list[RowChoice], equations: list[Equation], out: Placed) -> None:
    """Choose a reading per row: the combination that satisfies the most rules."""
    cells: dict[str, Value] = {}
    ambiguous: list[RowChoice] = []
    for ch in choices:
        if not ch.options:
            for code in ch.codes:
                cells[code] = None
                if ch.raw:  # the source printed something here that reads as no row of numbers
                    out.doubts[code] = (
                        f"{ch.name}：原文「{ch.raw}」无法读成本行的 {len(ch.codes)} 个数值；请对照原件填写"
                    )
            continue
        if len(ch.options) == 1:
            cells.update(zip(ch.codes, ch.options[0], strict=True))
        else:
            ambiguous.append(ch)
    rules_of: dict[str, list[Equation]] = {}
    for eq in equations:
        for code in (*eq.left, *eq.right):
            rules_of.setdefault(code, []).append(eq)

    # Rows first narrowed on their own by the rules within the row (row_total).
    for ch in ambiguous:
        local = [r for r in equations if set(r.left) | set(r.right) <= set(ch.codes)]
        if not local:
            continue
        scored = []
        for opt in ch.options:
            trial = dict(zip(ch.codes, opt, strict=True))
            scored.append((sum(1 for r in local if r.holds(trial) is True), opt))
        best = max(s for s, _ in scored)
        if best > 0:
            ch.options = [o for s, o in scored if s == best]
    for ch in list(ambiguous):
        if len(ch.options) == 1:
            cells.update(zip(ch.codes, ch.options[0], strict=True))
            ambiguous.remove(ch)

    best_combos: list[tuple[tuple[Value, ...], ...]] = []
    size = 1
    for ch in ambiguous:
        size *= len(ch.options)
    # dict, not set: the rules in a fixed order, so that the doubts below read the same on every run
    involved = list(dict.fromkeys(r for ch in ambiguous for code in ch.codes for r in rules_of.get(code, [])))
    if ambiguous and size <= MAX_COMBINATIONS:
        best_score: tuple[int, int] | None = None
        for combo in itertools.product(*(ch.options for ch in ambiguous)):
            trial = dict(cells)
            for ch, opt in zip(ambiguous, combo, strict=True):
                trial.update(zip(ch.codes, opt, strict=True))
            results = [r.holds(trial) for r in involved]
            score = (sum(1 for x in results if x is True), -sum(1 for x in results if x is False))
            if best_score is None or score > best_score:
                best_score, best_combos = score, [combo]
            elif score == best_score:
                best_combos.append(combo)
    for i, ch in enumerate(ambiguous):
        opts = [combo[i] for combo in best_combos] if best_combos else ch.options
        distinct = list(dict.fromkeys(opts))
        if len(distinct) == 1:
            cells.update(zip(ch.codes, distinct[0], strict=True))
            continue
        alternatives = "；".join(" | ".join(_show(v) for v in o) for o in distinct[:6])
        more = f"（另有 {len(distinct) - 6} 种）" if len(distinct) > 6 else ""
        for j, code in enumerate(ch.codes):
            values = {o[j] for o in distinct}
            # Readings that agree on a number decide it; readings that agree this cell is blank only
            # say the row printed fewer numbers than columns, which does not place them: a doubt.
            if len(values) == 1 and None not in values:
                cells[code] = distinct[0][j]
            else:
                cells[code] = None
                out.doubts[code] = (
                    f"{ch.name}：原文「{ch.raw}」可有多种读法，勾稽关系无法确定：{alternatives}{more}；请对照原件填写"
                )
    # A row read in more than one way whose chosen reading still breaks a rule.
    for ch in choices:
        if ch.note:
            for code in ch.codes:
                out.doubts.setdefault(code, ch.note)
    for ch in ambiguous:
        for rule in dict.fromkeys(r for code in ch.codes for r in rules_of.get(code, [])):
            if rule.holds(cells) is False:
                for code in ch.codes:
                    out.doubts.setdefault(
                        code,
                        f"{ch.name}：原文「{ch.raw}」的拆分由勾稽关系选定，但 {rule.id} 仍不平衡；请对照原件核对",
                    )
    out.cells.update(cells)


def _show(v: Value) -> str:
    return "空" if v is None else str(v)


def _raw(items: list[Item]) -> str:
    parts = []
    for it in items:
        parts.append(it.text if it.kind == NUM else ("/" if it.kind == NULL else "□"))
    return " ".join(parts).strip()


# --------------------------------------------------------------------------- sections


def place_requests(fmt: Format, rows: list[Row], out: Placed, all_formats: list[Format]) -> None:
    index = labels.requests_index(fmt)
    header_keys = tuple(key(w) for w in labels.header_words(all_formats) if len(key(w)) >= 4)
    found, others = walk(tokens(rows, header_keys), index, out.warnings)
    cols = fmt.request_columns
    kinds = [c.kind for c in cols]
    units = [c.unit for c in cols]
    out.found_rows += len(found)
    choices: list[RowChoice] = []
    missing: list[str] = []
    group_values = {h.name: h for h in others if h.kind == GROUP}
    for r in fmt.request_rows:
        codes = [cell_code(REQUESTS, r.key, c.key) for c in cols]
        hit = found.get(r.key)
        name = r.full_label
        if hit is None or not hit.items:
            merged = next((g for p in r.parents for g in [group_values.get(p)] if g), None)
            if merged is not None:
                choices.append(_merged_child(fmt, r, merged, codes, kinds, units))
                continue
            missing.append(r.key)
            choices.append(RowChoice(name, codes, [], ""))
            continue
        opts = readings(hit.items, kinds, units)
        note = _count_note(hit.items, len(cols), name)
        choices.append(RowChoice(name, codes, opts, _raw(hit.items), note))
        if not opts:
            for code in codes:
                out.doubts[code] = (
                    f"{name}：原文「{_raw(hit.items)}」无法拆成 {len(cols)} 个数值；请对照原件填写"
                )
    solve(choices, request_rules(fmt), out)
    if found:
        for rkey in missing:
            r = fmt.request_row(rkey)
            for c in cols:
                out.doubts.setdefault(
                    cell_code(REQUESTS, rkey, c.key),
                    f"表格中没有找到「{r.full_label}」这一行（或该行没有数值）",
                )
        if missing:
            out.warnings.append(f"三：{len(missing)} 行没有找到或没有数值：" + "、".join(missing))
    else:
        out.warnings.append("没有找到第三部分（收到和处理政府信息公开申请情况）的表格")
    for hit in others:
        if hit.kind == "unknown":
            out.warnings.append(
                f"三：表格中有无法识别的行「{hit.name}」（数值 {_raw(hit.items)}），未导入；请核对"
            )
        elif hit.kind == GROUP:
            out.warnings.append(
                f"三：原报告的「{hit.name}」只有一行（{_raw(hit.items)}），没有该格式规定的分项；"
                "全为 0 时各分项记为 0，否则各分项留空待核"
            )


def _merged_child(fmt: Format, row, merged: Hit, codes, kinds, units) -> RowChoice:
    """A row of the format printed only as its group's one merged row ("（六）其他处理")."""
    siblings = [r for r in fmt.request_rows if merged.name in r.parents]
    opts = readings(merged.items, kinds, units)
    name = row.full_label
    if len(siblings) == 1 or (len(opts) == 1 and all(v == 0 for v in opts[0])):
        # counts are never negative: parts of a sum of zeros are zeros
        return RowChoice(name, codes, opts, _raw(merged.items))
    reason = (
        f"{name}：原报告只有合并行「{merged.name}」（{_raw(merged.items)}），没有分项；"
        f"各分项无法确定，请对照原件填写"
    )
    return RowChoice(name, codes, [tuple([None] * len(codes))], _raw(merged.items), reason)


def _count_note(items: list[Item], n: int, name: str) -> str | None:
    """A doubt for a row with fewer separate values than columns and nothing to split."""
    vals = [it for it in items if it.kind != BLANK]
    while items and items[-1].kind == BLANK:
        items = items[:-1]
    if len(items) < n and all(len(it.text) == 1 for it in vals if it.kind == NUM):
        return f"{name}：原文只有 {len(items)} 个单元格（「{_raw(items)}」），少于 {n} 列；空缺位置无法确定"
    return None


def place_active(fmt: Format, rows: list[Row], out: Placed, all_formats: list[Format]) -> None:
    others_f = [f for f in all_formats if f is not fmt]
    index = labels.active_index(fmt, others_f)
    header_keys = tuple(key(w) for w in labels.header_words(all_formats) if len(key(w)) >= 4)
    found, others = walk(tokens(rows, header_keys), index, out.warnings)
    out.found_rows += len(found)
    choices = []
    missing = []
    for group, r in fmt.active_rows:
        codes = [cell_code(ACTIVE, r.key, c.key) for c in group.columns]
        kinds = [c.kind for c in group.columns]
        units = [c.unit for c in group.columns]
        hit = found.get(r.key)
        if hit is None or not hit.items:
            missing.append(r.label)
            choices.append(RowChoice(r.label, codes, [], ""))
            continue
        opts = readings(hit.items, kinds, units)
        _note_money_units(hit.items, group.columns, out, r.label)
        choices.append(RowChoice(r.label, codes, opts, _raw(hit.items)))
        if not opts:
            for code in codes:
                out.doubts[code] = (
                    f"{r.label}：原文「{_raw(hit.items)}」无法读成 {len(codes)} 个数值；请对照原件填写"
                )
    solve(choices, [], out)
    if found:
        for group, r in fmt.active_rows:
            if r.label in missing:
                for c in group.columns:
                    out.doubts.setdefault(
                        cell_code(ACTIVE, r.key, c.key), f"二：表格中没有找到「{r.label}」这一行"
                    )
    else:
        out.warnings.append("没有找到第二部分（主动公开政府信息情况）的表格")
    groups = {r.key: g for g, r in fmt.active_rows}
    for hit in others:
        if hit.kind != "unknown":
            continue
        values = [it for it in hit.items if it.kind != BLANK]
        target = None
        for g_key in ([hit.after] if hit.after in groups else []) + [r.key for _, r in fmt.active_rows]:
            if g_key and len(groups[g_key].columns) == len(values):
                target = g_key
                break
        if target is None:
            out.warnings.append(
                f"二：表格中有无法识别的行「{hit.name}」（数值 {_raw(hit.items)}），未导入；请核对"
            )
            continue
        g = groups[target]
        opts = readings(hit.items, [c.kind for c in g.columns], [c.unit for c in g.columns])
        n = len(out.extra) + 1
        vals = list(opts[0]) if len(opts) == 1 else [None] * len(g.columns)
        out.extra.append({"label": hit.name, "group": target, "values": vals})
        for c in g.columns:
            out.doubts[extra_code(n, c.key)] = (
                f"二：表格中多出的行「{hit.name}」（数值 {_raw(hit.items)}），按「{g.rows[0].label}」的列导入；请核对"
            )
        out.warnings.append(f"二：表格中多出一行「{hit.name}」，作为附加行导入（active_extra）")


def _note_money_units(items: list[Item], columns, out: Placed, label: str) -> None:
    for it, col in zip([i for i in items if i.kind != BLANK], columns, strict=False):
        if (
            it.kind == NUM
            and col.unit
            and it.text.endswith(("元", "万元"))
            and not it.text.endswith(col.unit)
        ):
            out.warnings.append(f"二：「{label}」的金额「{it.text}」单位与表头不同，已换算为{col.unit}")


def place_appeals(fmt: Format, rows: list[Row], out: Placed) -> None:
    cols = [(g, c) for g in fmt.appeal_groups for c in fmt.appeal_columns]
    codes = [cell_code(APPEALS, g.key, c.key) for g, c in cols]
    kinds = [c.kind for _, c in cols]
    items: list[Item] = []
    skip_blanks = False
    for tok in tokens(rows):
        if tok.kind == "text":
            if items and (_NEXT_SECTION.match(tok.text) or _is_prose(tok.text)):
                break  # a section of the province's own (五、信息处理费收取情况) or the narrative
            if len(key(tok.text)) >= 1:
                items = []
                skip_blanks = True
            continue
        if tok.kind == "eol":
            skip_blanks = False
            continue
        if tok.kind == BLANK and skip_blanks:
            continue
        skip_blanks = False
        items.append(Item(tok.kind, tok.text))
    if not any(it.kind != BLANK for it in items):
        out.warnings.append("没有找到第四部分（行政复议、行政诉讼）的表格数值")
        for code in codes:
            out.doubts[code] = "四：表格中没有找到数值"
            out.cells[code] = None
        return
    out.found_rows += 1
    opts = readings(items, kinds)
    raw = _raw(items)
    note = _count_note(items, len(codes), "四、行政复议、行政诉讼")
    if not opts:
        for code in codes:
            out.cells[code] = None
            out.doubts[code] = f"四：原文「{raw}」无法读成 {len(codes)} 个数值；请对照原件填写"
        return
    solve([RowChoice("四、行政复议、行政诉讼", codes, opts, raw, note)], appeal_rules(fmt), out)
