"""Inline SVG charts, drawn at build time (no JavaScript).

Each chart labels its lines or segments directly (no legend to decode), carries
its numbers in ``<title>``/``<desc>`` for screen readers and search, and is
meant to sit beside a table with the same data. Output is deterministic text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Distinguishable colours with enough contrast on white; lines also differ by dash pattern.
COLOURS = ("#1f4e8c", "#b3261e", "#2e7d32", "#8a5a00", "#6a3d9a", "#00707a", "#5d4037")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "4 4", "10 2")

WIDTH = 640
HEIGHT = 260
LEFT = 44  # room for the y axis labels
RIGHT = 150  # room for the direct labels
TOP = 24
BOTTOM = 36  # room for the year labels


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
    for tick in (0, top / 2, top):
        y = y_of(tick)  # type: ignore[arg-type]
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_fmt(y)}" y2="{_fmt(y)}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{_fmt(y + 4)}" text-anchor="end">{_fmt(tick)}</text>'
        )
    xs = _x_positions(len(years))
    for x, year in zip(xs, years, strict=True):
        out.append(f'<text x="{_fmt(x)}" y="{HEIGHT - 12}" text-anchor="middle">{year}</text>')
    out.append("</g>")

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
        for x, v in zip(xs, s.values, strict=True):
            if v is not None:
                y = y_of(v)
                # odd series label their points below the line, so two close lines stay readable
                ty = y + 18 if n % 2 and y + 18 < HEIGHT - BOTTOM else y - 8
                out.append(
                    f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4"/>'
                    f'<text class="value" x="{_fmt(x)}" y="{_fmt(ty)}" text-anchor="middle" '
                    f'stroke="none">{v}</text>'
                )
        out.append("</g>")
        last = next(
            ((x, v) for x, v in reversed(list(zip(xs, s.values, strict=True))) if v is not None), None
        )
        if last is not None:
            label_wanted.append(y_of(last[1]) + 4)
            label_series.append(n)
    placed = _spread(label_wanted, 16, TOP, plot_bottom)
    return _close_with_labels(out, series, placed, label_series)


def _close_with_labels(out: list[str], series: Sequence[Series], ys: list[float], which: list[int]) -> Markup:
    """Direct labels at the right edge (instead of a legend), then close the SVG."""
    for y, n in zip(ys, which, strict=True):
        colour = COLOURS[n % len(COLOURS)]
        out.append(
            f'<text class="label" aria-hidden="true" x="{WIDTH - RIGHT + 10}" y="{_fmt(y)}" '
            f'fill="{colour}">{escape(series[n].label)}</text>'
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
    for x, year in zip(xs, years, strict=True):
        out.append(f'<text x="{_fmt(x)}" y="{HEIGHT - 12}" text-anchor="middle">{year}</text>')
    out.append("</g>")
    last_mid: dict[int, float] = {}
    with_data = [i for i in range(len(years)) if sum(s.values[i] or 0 for s in series)]
    labelled = with_data[-1] if with_data else -1
    for i, (x, year) in enumerate(zip(xs, years, strict=True)):
        values = [s.values[i] for s in series]
        total = sum(v for v in values if v)
        if not total:
            out.append(
                f'<text class="value" aria-hidden="true" x="{_fmt(x)}" y="{_fmt(plot_bottom - 6)}" '
                f'text-anchor="middle">{year}年无数据</text>'
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
            if h >= 14:
                out.append(
                    f'<text class="inbar" aria-hidden="true" x="{_fmt(x)}" y="{_fmt(y + h / 2 + 4)}" '
                    f'text-anchor="middle">{v}</text>'
                )
            if i == labelled:
                last_mid[n] = y + h / 2
    order = sorted(last_mid)
    placed = _spread([last_mid[n] + 4 for n in order], 15, TOP, plot_bottom)
    return _close_with_labels(out, series, placed, order)
