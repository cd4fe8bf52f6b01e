"""Figures of quality as SVG pictures: score and rule trends, domain × dimension pass rates.

Figure builders only (no Streamlit calls): each returns an SVG text (:mod:`portal.svg_charts`)
that the tab and the dashboard page show with ``st.image``, drawn at once by the browser with
no chart library to fetch and run. Text from manifests (product titles, domain names) is
XML-escaped there and shown as written.

Trends are drawn over evenly spaced labels of the runs' data cut-offs, so a year of month-end
history stays readable beside today's live runs; a gap longer than two months between two runs
is marked on the axis ("… 12 years …") and the line is broken there
(:func:`catalog.quality_presentation.trend`).
"""

from __future__ import annotations

import datetime as dt

from catalog import GRADES, QualityRun, Status
from catalog import quality_presentation as pres
from portal import svg_charts as svg

STATUS_COLORS = {"met": "#2e7d32", "not met (warning)": "#ef6c00", "not met": "#c62828",
                 "could not run": "#757575", "not run here": "#bdbdbd"}
"""Colour of a result, by its words (:data:`catalog.quality_presentation.RESULT_WORDS`)."""
GRADE_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#ef6c00", "E": "#c62828"}


def _line(points: list[pres.TrendPoint], gaps: list[pres.TrendGap], y_title: str,
          y_range: tuple[float, float] | None = None, rules: tuple[svg.Rule, ...] = (),
          colors: list[str] | None = None, width: int = 600) -> str:
    """A trend: points on evenly spaced labels, each gap marked and breaking the line."""
    shown = [svg.Point(p.label, p.value, p.segment, (colors or [svg.LINE] * len(points))[i])
             for i, p in enumerate(points) if p.value is not None]
    return svg.line(shown, pres.axis_labels(points, gaps), y_title=y_title, y_range=y_range,
                    rules=rules, gaps=[(g.label, g.text) for g in gaps],
                    title=f"{y_title} per data cut-off", width=width)


def score_trend(runs: list[QualityRun]) -> str:
    """The product's score per run (oldest first), with the grade floors as dotted lines."""
    points, gaps = pres.score_trend(runs)
    floors = tuple(svg.Rule(floor, f"{letter} from {floor:g}") for floor, letter in GRADES[:-1])
    return _line(points, gaps, "Score (0–100)", (0, 100), floors)


def rule_trend(runs: list[QualityRun], check_id: str, unit_label: str) -> str:
    """One rule's observed value per run, coloured by its result, with its limit as a dashed
    red line.

    Args:
        runs: the product's runs, oldest first (with results).
        check_id: the rule's stable id; runs without it are left out.
        unit_label: the axis title, e.g. ``missing (% of rows)``.
    """
    points, gaps = pres.rule_trend(runs, check_id)
    latest = next((res for r in reversed(runs) for res in r.results if res.check.id == check_id),
                  None)
    threshold = latest.check.threshold if latest is not None else None
    limits = tuple(svg.Rule(float(v), f"limit {v:,g}", "#c62828", "6,4")
                   for v in (threshold if isinstance(threshold, list | tuple) else [threshold])
                   if isinstance(v, int | float) and not isinstance(v, bool))
    colors = [STATUS_COLORS.get(p.extra[0] if p.extra else "", svg.LINE) for p in points]
    return _line(points, gaps, unit_label, None, limits, colors)


def dimension_heatmap(rates: dict[str, dict[str, float]], dimensions: list[str]) -> str:
    """Domain × scoring dimension pass rates (%), red to green; "–" where nothing ran."""
    cells = [[(100 * row[d], f"{100 * row[d]:.0f}%") if d in row else (None, "–")
              for d in dimensions] for row in rates.values()]
    return svg.heatmap(list(rates), dimensions, cells,
                       title="Pass rate of the checks of each quality dimension, per domain")


def mesh_trend(trend: list[tuple[dt.date, float, int]]) -> str:
    """The mean score of the chosen products per data cut-off day, gaps marked."""
    points, gaps = pres.trend(
        (dt.datetime.combine(day, dt.time()), value, (f"{n} products",))
        for day, value, n in trend)
    return _line(points, gaps, "Mean score (0–100)", (0, 100), width=900)


def status_color(status: Status) -> str:
    """The colour of a result status."""
    return STATUS_COLORS[pres.RESULT_WORDS[status]]
