"""Read a table row's values, including digits run together.

A row arrives as the items found after its label: numbers (a number token may hold
several cells run together, ``640020470`` = 64|0|0|2|0|4|70), blank cells and
not-reported marks. ``readings`` lists every way the items can fill the row's
columns: each token split into one or more valid numbers (no leading zeros, a
minus sign only where the column may be negative, a decimal point only in a money
column), blank cells standing for one column each. Which reading is right is for
the reconciliation rules to decide (``tables``); the readings are all the text allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gkgen.formats import MONEY, SIGNED

NUM = "num"
BLANK = "blank"
NULL = "null"

MAX_READINGS = 20000

Value = int | str | None


@dataclass(frozen=True)
class Item:
    kind: str  # NUM | BLANK | NULL
    text: str = ""


_COUNT = re.compile(r"0|[1-9]\d*")
_SIGNED = re.compile(r"-?(?:0|[1-9]\d*)")
_MONEY = re.compile(r"(0|[1-9]\d*)(\.\d+)?(万元|元)?")


def parse_value(text: str, kind: str, unit: str | None = None) -> tuple[bool, Value, str | None]:
    """(valid, value, note) of one cell's text for a column of ``kind``."""
    if kind == MONEY:
        m = _MONEY.fullmatch(text)
        if not m:
            return False, None, None
        number = m.group(1) + (m.group(2) or "")
        suffix = m.group(3)
        if suffix and unit and suffix != unit:
            try:
                if suffix == "万元" and unit == "元":
                    value = Decimal(number) * 10000
                elif suffix == "元" and unit == "万元":
                    value = Decimal(number) / 10000
                else:  # pragma: no cover
                    value = Decimal(number)
            except InvalidOperation:  # pragma: no cover
                return False, None, None
            text_value = format(value.normalize(), "f") if "." in format(value, "f") else format(value, "f")
            return True, text_value, f"{text} 换算为 {text_value}{unit}"
        return True, number, None
    if kind == SIGNED:
        if _SIGNED.fullmatch(text):
            return True, int(text), None
        return False, None, None
    if _COUNT.fullmatch(text):
        return True, int(text), None
    return False, None, None


def _splits(token: str, kinds: list[str], units: list[str | None]) -> list[tuple[Value, ...]]:
    """Every way ``token`` splits into ``len(kinds)`` consecutive valid values."""
    n = len(kinds)
    out: list[tuple[Value, ...]] = []

    def rec(pos: int, col: int, acc: list[Value]) -> None:
        if len(out) > MAX_READINGS:
            return
        if col == n:
            if pos == len(token):
                out.append(tuple(acc))
            return
        remaining = n - col - 1
        # the last column takes the rest; otherwise leave at least one char per column
        ends = [len(token)] if remaining == 0 else range(pos + 1, len(token) - remaining + 1)
        for end in ends:
            ok, value, _note = parse_value(token[pos:end], kinds[col], units[col])
            if ok:
                acc.append(value)
                rec(end, col + 1, acc)
                acc.pop()

    rec(0, 0, [])
    return out


def readings(
    items: list[Item], kinds: list[str], units: list[str | None] | None = None
) -> list[tuple[Value, ...]]:
    """All readings of ``items`` as one row of ``len(kinds)`` columns (distinct, in order found)."""
    units = units or [None] * len(kinds)
    n = len(kinds)
    items = list(items)
    while items and items[-1].kind == BLANK:
        items.pop()
    # Blank layout cells in front of the values (a label spanning two columns).
    while len(items) > n and items[0].kind == BLANK:
        items.pop(0)
    if not items:
        return [tuple([None] * n)]
    found: list[tuple[Value, ...]] = []
    seen: set[tuple[Value, ...]] = set()

    def add(reading: tuple[Value, ...]) -> None:
        if reading not in seen:
            seen.add(reading)
            found.append(reading)

    if len(items) > n:
        # More cells than columns: the extra ones are conversion debris; any window of
        # the right width is a reading (they usually agree, e.g. all zeros).
        for start in range(len(items) - n + 1):
            window = items[start : start + n]
            if all(it.kind != NUM or _one(it.text, kinds[i], units[i]) for i, it in enumerate(window)):
                add(tuple(_one_value(it, kinds[i], units[i]) for i, it in enumerate(window)))
        return found

    def rec(i: int, col: int, acc: list[Value]) -> None:
        if len(found) > MAX_READINGS:
            return
        if i == len(items):
            if col == n:
                add(tuple(acc))
            return
        item = items[i]
        left_items = len(items) - i - 1
        if item.kind != NUM:
            if col < n:
                acc.append(None)
                rec(i + 1, col + 1, acc)
                acc.pop()
            return
        max_parts = min(len(item.text), n - col - left_items)
        for parts in range(1, max_parts + 1):
            for split in _splits(item.text, kinds[col : col + parts], units[col : col + parts]):
                acc.extend(split)
                rec(i + 1, col + parts, acc)
                del acc[len(acc) - parts :]

    rec(0, 0, [])
    if not found and len(items) < n:
        # Fewer values than columns, none splittable: blank cells lost in conversion.
        # Right-aligned (the total column is last) and left-aligned readings.
        vals = [
            _one_value(it, k, u)
            for it, k, u in zip(items, kinds[n - len(items) :], units[n - len(items) :], strict=True)
        ]
        add(tuple([None] * (n - len(items)) + vals))
        vals = [_one_value(it, k, u) for it, k, u in zip(items, kinds, units, strict=False)]
        add(tuple(vals + [None] * (n - len(items))))
    if any(it.kind == NUM for it in items):
        # Digits that no reading keeps ("000000" for seven columns) are never read as a blank row.
        found = [r for r in found if any(v is not None for v in r)]
    return found


def _one(text: str, kind: str, unit: str | None) -> bool:
    return parse_value(text, kind, unit)[0]


def _one_value(item: Item, kind: str, unit: str | None) -> Value:
    if item.kind != NUM:
        return None
    ok, value, _ = parse_value(item.text, kind, unit)
    return value if ok else None
