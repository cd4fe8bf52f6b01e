"""Vega-Lite figures of quality: score and rule trends, per-product scores, domain × dimension.

Figure builders only (no Streamlit calls): each returns a Vega-Lite specification (a plain
dict) that the tab and the dashboard page draw with ``st.vega_lite_chart``. Vega-Lite is the
library Streamlit's own charts and metric sparklines load anyway (Plotly's code is several
times larger to fetch and start), and it draws text as text: a product title is shown as
written, never read as HTML or Markdown.

Trends are drawn over evenly spaced labels of the runs' data cut-offs, so a year of month-end
history stays readable beside today's live runs; a gap longer than two months between two runs
is marked on the axis ("… 12 years …") and the line is broken there
(:func:`catalog.quality_presentation.trend`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from catalog import GRADES, QualityRun, Status
from catalog import quality_presentation as pres

STATUS_COLORS = {"met": "#2e7d32", "not met (warning)": "#ef6c00", "not met": "#c62828",
                 "could not run": "#757575", "not run here": "#bdbdbd"}
"""Colour of a result, by its words (:data:`catalog.quality_presentation.RESULT_WORDS`)."""
GRADE_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#ef6c00", "E": "#c62828"}
_HEIGHT = 280
_GAP_COLOR = "#9e9e9e"

Spec = dict[str, Any]


def _trend_spec(points: list[pres.TrendPoint], gaps: list[pres.TrendGap], y_title: str,
                extra_names: tuple[str, ...], y_domain: list[float] | None = None,
                color_field: str | None = None) -> Spec:
    """A line over evenly spaced cut-off labels, broken and labelled at each gap."""
    labels = pres.axis_labels(points, gaps)
    values = [{"x": p.label, "y": p.value, "segment": p.segment,
               **dict(zip(extra_names, p.extra, strict=False))}
              for p in points if p.value is not None]
    x = {"field": "x", "type": "ordinal", "title": "Data as of", "sort": labels,
         "scale": {"domain": labels},
         "axis": {"labelAngle": -40, "labelOverlap": True, "labelLimit": 140}}
    y: dict[str, Any] = {"field": "y", "type": "quantitative", "title": y_title}
    if y_domain is not None:
        y["scale"] = {"domain": y_domain}
    tooltip = [{"field": "x", "title": "Data as of"},
               {"field": "y", "title": y_title, "format": ",.4~g"},
               *({"field": name} for name in extra_names)]
    point: dict[str, Any] = {"filled": True, "size": 70}
    marker: dict[str, Any] = {"type": "point", **point}
    encoding = {"x": x, "y": y, "tooltip": tooltip}
    layers: list[Spec] = [
        {"mark": {"type": "line", "color": "#607d8b"},
         "encoding": {"x": x, "y": y, "detail": {"field": "segment", "type": "nominal"}}},
        {"mark": marker, "encoding": {
            **encoding,
            **({"color": {"field": color_field, "type": "nominal", "legend": None,
                          "scale": {"domain": list(STATUS_COLORS),
                                    "range": list(STATUS_COLORS.values())}}}
               if color_field else {})}},
    ]
    if gaps:
        layers.append({
            "data": {"values": [{"x": g.label, "text": g.text} for g in gaps]},
            "mark": {"type": "rule", "strokeDash": [4, 4], "color": _GAP_COLOR},
            "encoding": {"x": {"field": "x", "type": "ordinal", "sort": labels},
                         "tooltip": [{"field": "text", "title": "Gap"}]}})
    return {"data": {"values": values}, "height": _HEIGHT, "layer": layers}


def score_trend(runs: list[QualityRun]) -> Spec:
    """The product's score per run (oldest first), with the grade floors as dotted lines."""
    points, gaps = pres.score_trend(runs)
    spec = _trend_spec(points, gaps, "Score (0–100)", ("grade", "run"), [0, 100])
    floors = [{"floor": floor, "grade": f"{letter} from {floor:g}"}
              for floor, letter in GRADES[:-1]]
    spec["layer"].append({
        "data": {"values": floors},
        "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#9e9e9e"},
        "encoding": {"y": {"field": "floor", "type": "quantitative"},
                     "tooltip": [{"field": "grade", "title": "Grade"}]}})
    return spec


def rule_trend(runs: list[QualityRun], check_id: str, unit_label: str) -> Spec:
    """One rule's observed value per run, coloured by its result, with its threshold as a
    dashed red line.

    Args:
        runs: the product's runs, oldest first (with results).
        check_id: the rule's stable id; runs without it are left out.
        unit_label: the axis title, e.g. ``missing (% of rows)``.
    """
    points, gaps = pres.rule_trend(runs, check_id)
    spec = _trend_spec(points, gaps, unit_label, ("result",), color_field="result")
    latest = next((res for r in reversed(runs) for res in r.results if res.check.id == check_id),
                  None)
    threshold = latest.check.threshold if latest is not None else None
    limits = [v for v in (threshold if isinstance(threshold, list | tuple) else [threshold])
              if isinstance(v, int | float) and not isinstance(v, bool)]
    if limits:
        spec["layer"].append({
            "data": {"values": [{"limit": v, "text": f"limit {v:,g}"} for v in limits]},
            "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#c62828"},
            "encoding": {"y": {"field": "limit", "type": "quantitative"},
                         "tooltip": [{"field": "text", "title": "Rule"}]}})
    return spec


SELECTION = "product"
"""Name of the point selection of :func:`product_scores` (a click on a bar)."""


def product_scores(items: list[pres.ProductQuality]) -> Spec:
    """Horizontal bars of each product's latest score, coloured by grade, lowest first.

    Each bar carries the product id (field ``id``); a click selects it
    (selection :data:`SELECTION`), which the page turns into a visit of the product.
    """
    scored = sorted((i for i in items if i.score is not None and i.run is not None),
                    key=lambda i: (i.score or 0, i.product.title))
    values = [{"id": i.product.id, "title": i.product.title, "score": i.score,
               "grade": i.run.score.grade if i.run else "",
               "text": f"{i.score:.1f} · {i.run.score.grade if i.run else ''}"} for i in scored]
    y = {"field": "title", "type": "nominal", "sort": [v["title"] for v in values], "title": None,
         "axis": {"labelLimit": 260}}
    return {
        "data": {"values": values},
        "height": max(120, 30 * len(values)),
        "params": [{"name": SELECTION, "select": {"type": "point", "fields": ["id"]}}],
        "layer": [
            {"mark": {"type": "bar", "cursor": "pointer"},
             "encoding": {
                 "y": y,
                 "x": {"field": "score", "type": "quantitative", "title": "Score (0–100)",
                       "scale": {"domain": [0, 100]}},
                 "color": {"field": "grade", "type": "nominal", "title": "Grade",
                           "scale": {"domain": list(GRADE_COLORS),
                                     "range": list(GRADE_COLORS.values())}},
                 "tooltip": [{"field": "title", "title": "Product"},
                             {"field": "id", "title": "Id"},
                             {"field": "score", "title": "Score", "format": ".1f"},
                             {"field": "grade", "title": "Grade"}]}},
            {"mark": {"type": "text", "align": "left", "dx": 4},
             "encoding": {"y": y, "x": {"field": "score", "type": "quantitative"},
                          "text": {"field": "text"}}},
        ],
    }


def dimension_heatmap(rates: dict[str, dict[str, float]], dimensions: list[str]) -> Spec:
    """Domain × scoring dimension pass rates (%), red to green; "–" where nothing ran."""
    values = []
    for domain, row in rates.items():
        for dim in dimensions:
            rate = row.get(dim)
            values.append({"domain": domain, "dimension": dim,
                           "rate": None if rate is None else round(100 * rate, 1),
                           "text": "–" if rate is None else f"{100 * rate:.0f}%"})
    x = {"field": "dimension", "type": "nominal", "sort": dimensions, "title": None,
         "axis": {"labelAngle": -30}}
    y = {"field": "domain", "type": "nominal", "title": None}
    return {
        "data": {"values": values},
        "height": max(120, 44 * len(rates)),
        "layer": [
            {"mark": "rect", "encoding": {
                "x": x, "y": y,
                "color": {"field": "rate", "type": "quantitative", "title": "Pass rate %",
                          "scale": {"domain": [0, 100], "scheme": "redyellowgreen"}},
                "tooltip": [{"field": "domain", "title": "Domain"},
                            {"field": "dimension", "title": "Dimension"},
                            {"field": "text", "title": "Checks passed"}]}},
            {"mark": {"type": "text"}, "encoding": {"x": x, "y": y, "text": {"field": "text"}}},
        ],
    }


def mesh_trend(trend: list[tuple[dt.date, float, int]]) -> Spec:
    """The mean score of the chosen products per data cut-off day, gaps marked."""
    points, gaps = pres.trend(
        ((dt.datetime.combine(day, dt.time()), value, (f"{n} products",))
         for day, value, n in trend))
    return _trend_spec(points, gaps, "Mean score (0–100)", ("scored",), [0, 100])


def status_color(status: Status) -> str:
    """The colour of a result status."""
    return STATUS_COLORS[pres.RESULT_WORDS[status]]
