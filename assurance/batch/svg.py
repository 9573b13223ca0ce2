"""Small hand-built SVG charts for reports that must open offline: a time-series line chart and a
horizontal bar chart, as strings to inline into HTML.

Owns geometry, axes, ticks and legends. Every label is escaped. Must not read the lake or know
what an SLE is; inputs are plain numbers, times and names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from html import escape

#: Colour-blind friendly palette (Okabe–Ito), cycled over series.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
FONT = 'font-family="system-ui, sans-serif" font-size="11"'

Point = tuple[datetime, float | None]


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _time_ticks(t0: datetime, t1: datetime, n: int = 6) -> list[datetime]:
    span = (t1 - t0).total_seconds()
    steps = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]
    step = next((s for s in steps if span / s <= n), steps[-1])
    first = t0.timestamp() // step * step
    ticks = []
    t = first
    while t <= t1.timestamp():
        if t >= t0.timestamp():
            ticks.append(datetime.fromtimestamp(t, t0.tzinfo))
        t += step
    return ticks


def line_chart(
    series: Mapping[str, Sequence[Point]],
    *,
    title: str,
    y_label: str,
    y_min: float = 0.0,
    y_max: float = 100.0,
    width: int = 760,
    height: int = 260,
    bands: Sequence[tuple[datetime, datetime, str]] = (),
) -> str:
    """Lines over time (a None value breaks its line), y axis fixed to [y_min, y_max];
    ``bands`` shade (start, end, label) spans such as incidents behind the lines."""
    left, right, top, bottom = 48, 170, 24, 36
    pw, ph = width - left - right, height - top - bottom
    times = [t for pts in series.values() for t, _ in pts]
    parts = [
        f'<svg role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT}><title>{escape(title)}</title>'
    ]
    if not times:
        parts.append(f'<text x="{left}" y="{top + 20}">no data</text></svg>')
        return "".join(parts)
    t0, t1 = min(times), max(times)
    if t1 == t0:
        t1 = t0 + timedelta(minutes=1)
    span = (t1 - t0).total_seconds()
    y_span = (y_max - y_min) or 1.0

    def x(t: datetime) -> float:
        return left + pw * (t - t0).total_seconds() / span

    def y(v: float) -> float:
        return top + ph * (1 - (min(max(v, y_min), y_max) - y_min) / y_span)

    for i in range(5):
        v = y_min + y_span * i / 4
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{_fmt(v)}</text>'
        )
    for t in _time_ticks(t0, t1):
        label = f"{t:%H:%M}" if span <= 2 * 86400 else f"{t:%m-%d %H:%M}"
        parts.append(
            f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top + ph}" y2="{top + ph + 4}" '
            'stroke="#888"/>'
            f'<text x="{x(t):.1f}" y="{top + ph + 16}" text-anchor="middle">{label}</text>'
        )
    parts.append(
        f'<text x="{left + pw / 2:.0f}" y="{height - 4}" text-anchor="middle">time (UTC, '
        f"from {t0:%Y-%m-%d %H:%M})</text>"
        f'<text x="12" y="{top + ph / 2:.0f}" transform="rotate(-90 12 {top + ph / 2:.0f})" '
        f'text-anchor="middle">{escape(y_label)}</text>'
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>'
    )
    for b0, b1, label in bands:
        lo, hi = max(b0, t0), min(b1, t1)
        if hi <= lo:
            continue
        parts.append(
            f'<rect x="{x(lo):.1f}" y="{top}" width="{max(1.0, x(hi) - x(lo)):.1f}" '
            f'height="{ph}" fill="#d1495b" fill-opacity="0.12">'
            f"<title>{escape(label)}</title></rect>"
        )
    for n, (name, pts) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for t, val in sorted(pts, key=lambda p: p[0]):
            if val is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(t):.1f},{y(val):.1f}")
        for run in runs:
            if len(run) == 1:
                cx, cy = run[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
            elif run:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" '
                    f'points="{" ".join(run)}"><title>{escape(name)}</title></polyline>'
                )
        ly = top + 12 + 16 * n
        parts.append(
            f'<rect x="{left + pw + 12}" y="{ly - 8}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{left + pw + 30}" y="{ly}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str,
    max_value: float | None = None,
    width: int = 560,
    colour: str = PALETTE[3],
) -> str:
    """Horizontal bars, one per (label, value), labelled with the value and ``unit``."""
    row, left, right = 20, 190, 90
    height = max(1, len(items)) * row + 8
    top = max((v for _, v in items), default=0.0)
    scale_max = max_value if max_value is not None else top
    pw = width - left - right
    parts = [
        f'<svg role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {FONT}><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        w = 0.0 if scale_max <= 0 else pw * min(value, scale_max) / scale_max
        yy = 4 + i * row
        parts.append(
            f'<text x="{left - 6}" y="{yy + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left}" y="{yy + 2}" width="{pw}" height="{row - 6}" fill="#eee"/>'
            f'<rect x="{left}" y="{yy + 2}" width="{w:.1f}" height="{row - 6}" fill="{colour}">'
            f"<title>{escape(label)}: {_fmt(value)} {escape(unit)}</title></rect>"
            f'<text x="{left + pw + 6}" y="{yy + 13}">{_fmt(value)} {escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
