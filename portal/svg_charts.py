"""Charts drawn as SVG on the server, shown as images; no Streamlit here.

A chart library runs in the browser: its code is fetched, compiled and run for every chart
of every page, and grey placeholders stand where the charts will be until it has. The
portal's charts are simple (lines over runs, bars, a heatmap), so they are drawn here, once,
as an SVG picture the browser shows as it shows any image: nothing to load, nothing to run.

Every text is XML-escaped (a product title is shown as written) and a picture in an ``<img>``
runs no script and loads nothing, whatever it holds. Time axes are true time axes with ticks
on whole minutes, hours, days or months, never a tick such as ``07:36:13.999``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "font-family=\"Source Sans Pro, Helvetica, Arial, sans-serif\""
TEXT = "#1b2430"
MUTED = "#5f6b7a"
GRID = "#e3e7ee"
LINE = "#607d8b"
_CHAR = 6.2
"""Approximate width of one character of 12 px text, for layout."""


def _t(text: object) -> str:
    """Text for SVG: XML-escaped, on one line."""
    return escape(" ".join(str(text).split()), quote=True)


def _fit(text: str, width: float, size: float = 12) -> str:
    """``text`` cut with "…" to fit ``width`` pixels of ``size`` px text."""
    room = max(1, int(width / (_CHAR * size / 12)))
    return text if len(text) <= room else text[: max(1, room - 1)].rstrip() + "…"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" {FONT}>'
            f"<title>{_t(title)}</title>" + "".join(body) + "</svg>")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below ``low`` to at or above ``high`` (about ``count``
    of them): steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(first, last + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


@dataclass(frozen=True)
class Point:
    """One point of a line over evenly spaced labels."""

    label: str
    value: float
    segment: int = 0
    color: str = LINE


@dataclass(frozen=True)
class Rule:
    """A horizontal line across a chart (a threshold, a grade floor) with its label."""

    value: float
    label: str
    color: str = "#9e9e9e"
    dash: str = "3,3"


def line(points: Sequence[Point], labels: Sequence[str], *, y_title: str,
         y_range: tuple[float, float] | None = None, rules: Sequence[Rule] = (),
         gaps: Sequence[tuple[str, str]] = (), title: str = "", width: int = 640,
         height: int = 300) -> str:
    """Points over evenly spaced x labels, joined within each segment (a gap breaks the line).

    Args:
        points: the points, in label order.
        labels: every x label in order; a gap's label too.
        y_title: what the y axis counts.
        y_range: the y axis' range (from the values and rules when None).
        rules: horizontal lines to draw.
        gaps: ``(label, words)`` of marked gaps: a dashed line with the words.
        title: the picture's accessible title.
        width: pixels.
        height: pixels.
    """
    left, right, top, bottom = 56, 16, 12, 78
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [p.value for p in points] + [r.value for r in rules]
    low, high = y_range if y_range else (min(values, default=0.0), max(values, default=1.0))
    ticks = nice_ticks(low, high)
    if not y_range:
        low, high = ticks[0], ticks[-1]
    span = (high - low) or 1.0
    slots = {label: i for i, label in enumerate(labels)}
    step = plot_w / max(1, len(labels))

    def x(label: str) -> float:
        """The x position of a label's slot (its middle)."""
        return left + step * (slots.get(label, 0) + 0.5)

    def y(value: float) -> float:
        """The y position of a value (kept within the axis)."""
        return top + plot_h * (1 - (min(max(value, low), high) - low) / span)

    body = [f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="12" fill="{MUTED}" '
            f'text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
            f"{_t(y_title)}</text>"]
    for tick in ticks:
        if low - 1e-9 <= tick <= high + 1e-9:
            body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                        f'y2="{y(tick):.1f}" stroke="{GRID}"/>'
                        f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                        f'fill="{MUTED}" text-anchor="end">{_number(tick)}</text>')
    for rule in rules:
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(rule.value):.1f}" '
                    f'y2="{y(rule.value):.1f}" stroke="{rule.color}" stroke-dasharray="'
                    f'{rule.dash}"/><text x="{left + 4}" y="{y(rule.value) - 3:.1f}" '
                    f'font-size="10" fill="{rule.color}">{_t(rule.label)}</text>')
    for label, words in gaps:
        gx = x(label)
        body.append(f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{top}" y2="{top + plot_h}" '
                    f'stroke="#9e9e9e" stroke-dasharray="4,4"/>'
                    f'<text x="{gx + 4:.1f}" y="{top + 12}" font-size="10" fill="{MUTED}">'
                    f"{_t(words)}</text>")
    every = max(1, math.ceil(len(labels) / max(1, plot_w // 34)))
    for index, label in enumerate(labels):
        if index % every and index != len(labels) - 1:
            continue
        lx, ly = x(label), top + plot_h + 12
        body.append(f'<text x="{lx:.1f}" y="{ly}" font-size="10" fill="{MUTED}" '
                    f'text-anchor="end" transform="rotate(-40 {lx:.1f} {ly})">'
                    f"{_t(_fit(label, bottom * 1.3, 10))}</text>")
    segments: dict[int, list[Point]] = {}
    for point in points:
        segments.setdefault(point.segment, []).append(point)
    for run in segments.values():
        if len(run) > 1:
            path = " ".join(f"{x(p.label):.1f},{y(p.value):.1f}" for p in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" '
                        'stroke-width="2"/>')
    for point in points:
        body.append(f'<circle cx="{x(point.label):.1f}" cy="{y(point.value):.1f}" r="4" '
                    f'fill="{point.color}"><title>{_t(point.label)}: '
                    f"{_t(_number(point.value))}</title></circle>")
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
                f'y2="{top + plot_h}" stroke="{MUTED}"/>')
    return _svg(width, height, body, title or y_title)


_STEPS: tuple[tuple[dt.timedelta, str], ...] = tuple(
    (dt.timedelta(minutes=m), "%Y-%m-%d %H:%M") for m in (1, 5, 10, 15, 30)) + tuple(
    (dt.timedelta(hours=h), "%Y-%m-%d %H:%M") for h in (1, 2, 3, 6, 12)) + tuple(
    (dt.timedelta(days=d), "%Y-%m-%d") for d in (1, 2, 7, 14, 30, 91, 182, 365))
"""Tick intervals of a time axis and how their labels are written (never seconds)."""


def time_ticks(first: dt.datetime, last: dt.datetime, count: int = 6
               ) -> list[tuple[dt.datetime, str]]:
    """Ticks of a true time axis from ``first`` to ``last``: on whole minutes, hours or days
    (at most about ``count``), each with its label (``2026-11-30 07:30``, ``2026-11-30``)."""
    span = max(last - first, dt.timedelta(minutes=1))
    interval, fmt = next(((i, f) for i, f in _STEPS if span / i <= count), _STEPS[-1])
    seconds = int(interval.total_seconds())
    epoch = dt.datetime(2000, 1, 1, tzinfo=first.tzinfo)
    offset = int((first - epoch).total_seconds())
    tick = epoch + dt.timedelta(seconds=math.ceil(offset / seconds) * seconds)
    ticks = []
    while tick <= last:
        ticks.append((tick, tick.strftime(fmt)))
        tick += interval
    return ticks or [(first, first.strftime(fmt))]


def time_line(points: Sequence[tuple[dt.datetime, float]], *, y_title: str,
              y_range: tuple[float, float], title: str = "", width: int = 640,
              height: int = 260) -> str:
    """Values over a true time axis (distances between points are durations)."""
    left, right, top, bottom = 56, 24, 12, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    ordered = sorted(points)
    first, last = (ordered[0][0], ordered[-1][0]) if ordered else (dt.datetime(2000, 1, 1),) * 2
    if last - first < dt.timedelta(minutes=1):
        first, last = first - dt.timedelta(minutes=30), last + dt.timedelta(minutes=30)
    seconds = (last - first).total_seconds()
    low, high = y_range

    def x(moment: dt.datetime) -> float:
        """The x position of a moment: proportional to the time since the first point."""
        return left + plot_w * (moment - first).total_seconds() / seconds

    def y(value: float) -> float:
        """The y position of a value (kept within the axis)."""
        return top + plot_h * (1 - (min(max(value, low), high) - low) / ((high - low) or 1))

    body = [f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="12" fill="{MUTED}" '
            f'text-anchor="middle" transform="rotate(-90 14 {top + plot_h / 2:.1f})">'
            f"{_t(y_title)}</text>"]
    for tick in nice_ticks(low, high):
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                    f'y2="{y(tick):.1f}" stroke="{GRID}"/><text x="{left - 6}" '
                    f'y="{y(tick) + 4:.1f}" font-size="11" fill="{MUTED}" text-anchor="end">'
                    f"{_number(tick)}</text>")
    for moment, label in time_ticks(first, last):
        tx, ty = x(moment), top + plot_h + 14
        body.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top + plot_h}" '
                    f'y2="{top + plot_h + 4}" stroke="{MUTED}"/><text x="{tx:.1f}" y="{ty}" '
                    f'font-size="10" fill="{MUTED}" text-anchor="end" '
                    f'transform="rotate(-30 {tx:.1f} {ty})">{_t(label)}</text>')
    if len(ordered) > 1:
        path = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in ordered)
        body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for moment, value in ordered:
        body.append(f'<circle cx="{x(moment):.1f}" cy="{y(value):.1f}" r="4" fill="{LINE}">'
                    f"<title>{moment:%Y-%m-%d %H:%M}: {_number(value)}</title></circle>")
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
                f'y2="{top + plot_h}" stroke="{MUTED}"/>')
    return _svg(width, height, body, title or y_title)


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, length, colour and the text written after it."""

    label: str
    value: float
    color: str = "#1f5fa8"
    text: str = ""


def bars(items: Sequence[Bar], *, x_title: str, x_max: float | None = None,
         title: str = "", width: int = 640) -> str:
    """Horizontal bars, one a row, in the given order (top first)."""
    label_w = min(240, max(60, _CHAR * max((len(b.label) for b in items), default=4) + 8))
    left, right, top, row = label_w + 8, 56, 8, 26
    height = top + row * max(1, len(items)) + 40
    plot_w = width - left - right
    high = x_max if x_max is not None else max((b.value for b in items), default=1.0) or 1.0
    ticks = [t for t in nice_ticks(0, high, 4) if t <= high + 1e-9]
    base = top + row * max(1, len(items))
    body = []
    for tick in ticks:
        tx = left + plot_w * tick / high
        body.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top}" y2="{base}" '
                    f'stroke="{GRID}"/><text x="{tx:.1f}" y="{base + 14}" font-size="10" '
                    f'fill="{MUTED}" text-anchor="middle">{_number(tick)}</text>')
    for index, bar in enumerate(items):
        by = top + row * index
        length = plot_w * max(0.0, min(bar.value, high)) / high
        said = _t(bar.text or _number(bar.value))
        body.append(f'<text x="{left - 6}" y="{by + row / 2 + 4:.1f}" font-size="12" '
                    f'fill="{TEXT}" text-anchor="end">{_t(_fit(bar.label, label_w))}</text>'
                    f'<rect x="{left}" y="{by + 4}" width="{length:.1f}" height="{row - 8}" '
                    f'fill="{bar.color}" rx="2"><title>{_t(bar.label)}: {said}</title></rect>'
                    f'<text x="{left + length + 4:.1f}" y="{by + row / 2 + 4:.1f}" '
                    f'font-size="11" fill="{TEXT}">{said}</text>')
    body.append(f'<text x="{left + plot_w / 2:.1f}" y="{base + 32}" font-size="12" '
                f'fill="{MUTED}" text-anchor="middle">{_t(x_title)}</text>')
    return _svg(width, height + 4, body, title or x_title)


def rate_color(rate: float | None) -> str:
    """Red (0 %) through yellow (50 %) to green (100 %); grey for None."""
    if rate is None:
        return "#eeeeee"
    share = min(max(rate, 0.0), 100.0) / 100
    stops = ((0.0, (198, 40, 40)), (0.5, (249, 209, 75)), (1.0, (46, 125, 50)))
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if share <= p1:
            f = (share - p0) / (p1 - p0)
            rgb = tuple(round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
            return "#" + "".join(f"{c:02x}" for c in rgb)
    return "#2e7d32"


def heatmap(rows: Sequence[str], columns: Sequence[str],
            cells: Sequence[Sequence[tuple[float | None, str]]], *, title: str,
            width: int = 720) -> str:
    """Rows × columns of rates (0–100, None = nothing measured), each cell with its text."""
    label_w = min(200, max(60, _CHAR * max((len(r) for r in rows), default=4) + 8))
    top = 96
    cell_w = (width - label_w - 12) / max(1, len(columns))
    cell_h = 30
    height = top + cell_h * len(rows) + 8
    body = []
    for j, column in enumerate(columns):
        cx, cy = label_w + 8 + cell_w * (j + 0.5), top - 6
        body.append(f'<text x="{cx:.1f}" y="{cy}" font-size="11" fill="{MUTED}" '
                    f'transform="rotate(-35 {cx:.1f} {cy})">{_t(_fit(column, 120, 11))}'
                    "</text>")
    for i, row in enumerate(rows):
        ry = top + cell_h * i
        body.append(f'<text x="{label_w}" y="{ry + cell_h / 2 + 4:.1f}" font-size="12" '
                    f'fill="{TEXT}" text-anchor="end">{_t(_fit(row, label_w))}</text>')
        for j, (rate, text) in enumerate(cells[i]):
            cx = label_w + 8 + cell_w * j
            fill = rate_color(rate)
            ink = "#ffffff" if rate is not None and (rate < 25 or rate > 80) else TEXT
            body.append(f'<rect x="{cx:.1f}" y="{ry}" width="{cell_w - 2:.1f}" '
                        f'height="{cell_h - 2}" fill="{fill}"><title>{_t(row)} · '
                        f"{_t(columns[j])}: {_t(text)}</title></rect>"
                        f'<text x="{cx + cell_w / 2:.1f}" y="{ry + cell_h / 2 + 3:.1f}" '
                        f'font-size="11" fill="{ink}" text-anchor="middle">'
                        f"{_t(_fit(text, cell_w - 4, 11))}</text>")
    return _svg(width, int(height), body, title)
