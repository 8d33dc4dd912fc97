"""Inline SVG charts, drawn at build time (no JavaScript).

Each chart labels its lines or segments directly (no legend to decode), carries
its numbers in ``<title>``/``<desc>`` for screen readers and search, and is
meant to sit beside a table with the same data. Output is deterministic text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Distinguishable colours with enough contrast on white; lines also differ by dash pattern.
COLOURS = ("#1f4e8c", "#b3261e", "#2e7d32", "#8a5a00", "#6a3d9a", "#00707a", "#5d4037")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "4 4", "10 2")

# Drawn at about a phone's width, so that on a 390-px phone the SVG is not scaled down and its 13-unit
# text stays at least 12 CSS px; wider screens scale it up a little (style.css caps the width).
WIDTH = 340
HEIGHT = 240
LEFT = 38  # room for the y axis labels
RIGHT = 92  # room for the direct labels (six characters)
TOP = 22
BOTTOM = 32  # room for the year labels
FONT = 13  # every text of a chart, in SVG units (style.css sets the same size)
DIGIT = 7.6  # the width of a digit at FONT, for keeping labels apart
LINE = 19  # the height a FONT-size label takes (CJK fonts' boxes are ~1.45 em): stacked labels never touch


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[int | None, ...]  # aligned with the chart's years


def describe(years: Sequence[int], series: Sequence[Series], unit: str = "件") -> str:
    """The chart's data in words: every number, so the SVG says what it shows."""
    parts = []
    for s in series:
        points = "，".join(f"{y}年 {_value(v, unit)}" for y, v in zip(years, s.values, strict=True))
        parts.append(f"{s.label}：{points}")
    return "；".join(parts) + "。"


def _value(v: int | None, unit: str) -> str:
    return "未填报" if v is None else f"{v}{unit}"


def _fmt(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_max(value: int) -> int:
    """The smallest round number (1, 2, 4, 5, 8 × 10^k) at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 1
    while True:
        for m in (1, 2, 4, 5, 8):
            if m * magnitude >= value:
                return m * magnitude
        magnitude *= 10


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions near ``wanted`` (sorted order kept) at least ``gap`` apart, within [low, high]."""
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    placed = [0.0] * len(wanted)
    last = low - gap
    for i in order:
        y = max(wanted[i], last + gap)
        placed[i] = y
        last = y
    overflow = last - high
    if overflow > 0:  # push everything back up, keeping the gaps
        nxt = high + gap
        for i in reversed(order):
            y = min(placed[i], nxt - gap)
            placed[i] = y
            nxt = y
    return placed


def _open(chart_id: str, title: str, desc: str, width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    return [
        f'<svg class="chart" id="{chart_id}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _x_positions(n: int) -> list[float]:
    inner = WIDTH - LEFT - RIGHT
    if n == 1:
        return [LEFT + inner / 2]
    return [LEFT + 20 + i * (inner - 40) / (n - 1) for i in range(n)]


def _year_labels(xs: list[float], years: Sequence[int]) -> list[str]:
    """The year under each point; every second (third…) year only, when four digits would touch."""
    step = 1
    if len(xs) > 1:
        gap = xs[1] - xs[0]
        while gap * step < 4 * DIGIT + 6:
            step += 1
    last = len(xs) - 1
    return [
        f'<text x="{_fmt(x)}" y="{HEIGHT - 10}" text-anchor="middle">{year}</text>'
        for i, (x, year) in enumerate(zip(xs, years, strict=True))
        if (last - i) % step == 0
    ]


def _label_width(value: int) -> float:
    return len(str(value)) * DIGIT


def line_chart(
    chart_id: str, title: str, years: Sequence[int], series: Sequence[Series], unit: str = "件"
) -> Markup:
    """Lines (one per series) over the years, each point labelled with its number."""
    desc = describe(years, series, unit)
    out = _open(chart_id, title, desc)
    known = [v for s in series for v in s.values if v is not None]
    top = _nice_max(max(known, default=0))
    plot_bottom = HEIGHT - BOTTOM
    plot_h = plot_bottom - TOP

    def y_of(v: int) -> float:
        return plot_bottom - v / top * plot_h

    out.append('<g class="axis" aria-hidden="true">')
    for tick in (0, top / 2, top) if top % 2 == 0 else (0, top):  # no 0.5 on an axis of counts
        y = y_of(tick)  # type: ignore[arg-type]
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{_fmt(tick)}</text>'
        )
    xs = _x_positions(len(years))
    out += _year_labels(xs, years)
    out.append("</g>")

    # Value labels: every point when the numbers fit between neighbouring years, else each line's last
    # point only (the table beside the chart has every number); at one year, labels are spread apart.
    widest = max((_label_width(v) for v in known), default=0)
    every = len(xs) == 1 or xs[1] - xs[0] >= widest + 6
    value_labels: dict[int, list[tuple[float, int, int]]] = defaultdict(list)  # x index → (y, series, v)
    for n, s in enumerate(series):
        points = [(i, v) for i, v in enumerate(s.values) if v is not None]
        for i, v in points if every else points[-1:]:
            value_labels[i].append((y_of(v), n, v))
    placed_values: dict[tuple[int, int], float] = {}
    shared: set[int] = set()  # years where every line has the same number: it is printed once
    for i, labels in value_labels.items():
        # The topmost point is labelled above it, the others below theirs (or, without room below, above
        # the top label), at least a label's height apart: 70 over 69, never on another line's point.
        ordered = sorted(labels, key=lambda t: (t[0], t[1]))
        if len(ordered) > 1 and len({v for _y, _n, v in ordered}) == 1:
            shared.add(i)
            ordered = ordered[:1]
        high = HEIGHT - BOTTOM - 4
        wanted = [y - 8 if k == 0 else y + FONT + 5 for k, (y, _n, _v) in enumerate(ordered)]
        if wanted[-1] > high:
            top = ordered[0][0] - 8
            wanted = [top - LINE * k for k in range(len(ordered))]
        for (_y, n, _v), ty in zip(ordered, _spread(wanted, LINE, FONT - 2, high), strict=True):
            placed_values[(i, n)] = ty

    label_wanted: list[float] = []
    label_series: list[int] = []
    for n, s in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        dash = DASHES[n % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="series" aria-hidden="true" stroke="{colour}" fill="{colour}">')
        run: list[str] = []
        for x, v in zip(xs, s.values, strict=True):
            if v is None:
                if len(run) > 1:
                    out.append(
                        f'<polyline fill="none" stroke-width="2.5"{dash_attr} points="{" ".join(run)}"/>'
                    )
                run = []
                continue
            run.append(f"{_fmt(x)},{_fmt(y_of(v))}")
        if len(run) > 1:
            out.append(f'<polyline fill="none" stroke-width="2.5"{dash_attr} points="{" ".join(run)}"/>')
        for i, (x, v) in enumerate(zip(xs, s.values, strict=True)):
            if v is not None:
                out.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y_of(v))}" r="4"/>')
                if (i, n) in placed_values:
                    neutral = ' style="fill: #1b1b1b"' if i in shared else ""  # one number for every line
                    out.append(
                        f'<text class="value" x="{_fmt(x)}" y="{_fmt(placed_values[(i, n)])}" '
                        f'text-anchor="middle" stroke="none"{neutral}>{v}</text>'
                    )
        out.append("</g>")
        last = next(
            ((x, v) for x, v in reversed(list(zip(xs, s.values, strict=True))) if v is not None), None
        )
        if last is not None:
            label_wanted.append(y_of(last[1]) + 4)
            label_series.append(n)
    placed = _spread(label_wanted, LINE, TOP, plot_bottom)
    return _close_with_labels(out, series, placed, label_series)


def _close_with_labels(out: list[str], series: Sequence[Series], ys: list[float], which: list[int]) -> Markup:
    """Direct labels at the right edge (instead of a legend), then close the SVG."""
    for y, n in zip(ys, which, strict=True):
        colour = COLOURS[n % len(COLOURS)]
        out.append(
            f'<text class="label" aria-hidden="true" x="{WIDTH - RIGHT + 8}" y="{_fmt(y)}" '
            f'fill="{colour}" style="fill: {colour}">{escape(series[n].label)}</text>'
        )
    out.append("</svg>")
    return Markup("\n".join(out))


def stacked_shares(
    chart_id: str, title: str, years: Sequence[int], series: Sequence[Series], unit: str = "件"
) -> Markup:
    """One bar per year split into the series' shares of that year's sum; segments labelled with counts."""
    desc = describe(years, series, unit)
    out = _open(chart_id, title, desc)
    plot_bottom = HEIGHT - BOTTOM
    plot_h = plot_bottom - TOP
    xs = _x_positions(len(years))
    inner = WIDTH - LEFT - RIGHT
    bar_w = min(56.0, inner / max(len(years), 1) * 0.6)
    out.append('<g class="axis" aria-hidden="true">')
    for share in (0, 50, 100):
        y = plot_bottom - share / 100 * plot_h
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{share}%</text>'
        )
    out += _year_labels(xs, years)
    out.append("</g>")
    last_mid: dict[int, float] = {}
    with_data = [i for i in range(len(years)) if sum(s.values[i] or 0 for s in series)]
    labelled = with_data[-1] if with_data else -1
    for i, x in enumerate(xs):
        values = [s.values[i] for s in series]
        total = sum(v for v in values if v)
        if not total:  # no bar: 0 if every share was reported as zero, — if any was not reported
            empty = "—" if any(v is None for v in values) else "0"
            out.append(
                f'<text class="value" aria-hidden="true" x="{_fmt(x)}" y="{_fmt(plot_bottom - 6)}" '
                f'text-anchor="middle">{empty}</text>'
            )
            continue
        y = plot_bottom
        for n, v in enumerate(values):
            if not v:
                continue
            h = v / total * plot_h
            y -= h
            colour = COLOURS[n % len(COLOURS)]
            out.append(
                f'<rect aria-hidden="true" x="{_fmt(x - bar_w / 2)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" '
                f'height="{_fmt(h)}" fill="{colour}" stroke="#fff" stroke-width="1"/>'
            )
            if h >= FONT + 3 and bar_w >= _label_width(v) + 4:
                out.append(
                    f'<text class="inbar" aria-hidden="true" x="{_fmt(x)}" y="{_fmt(y + h / 2 + 4)}" '
                    f'text-anchor="middle">{v}</text>'
                )
            if i == labelled:
                last_mid[n] = y + h / 2
    order = sorted(last_mid)
    placed = _spread([last_mid[n] + 4 for n in order], LINE, TOP, plot_bottom)
    return _close_with_labels(out, series, placed, order)
