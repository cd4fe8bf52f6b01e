"""Plotly figures of quality: score and rule trends, per-product scores, domain × dimension.

Figure builders only (no Streamlit calls); the tab and the dashboard page render them with
``st.plotly_chart``. Runs are drawn over their data cut-off (``as_of``) as evenly spaced labels,
so a year of month-end history and today's live run both stay readable. Product titles and
domain names come from manifests; Plotly reads HTML in its text, so they pass through
:func:`portal.safe_text.chart_text`.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from catalog import GRADES, QualityRun, Status
from catalog import quality_presentation as pres
from portal.safe_text import chart_text

_STATUS_COLORS = {Status.PASSED: "#2e7d32", Status.WARNING: "#ef6c00", Status.FAILED: "#c62828",
                  Status.ERROR: "#757575", Status.SKIPPED: "#bdbdbd"}
_GRADE_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#f9a825", "D": "#ef6c00", "E": "#c62828"}
_HEIGHT = 300


def _layout(fig: go.Figure, y_title: str, height: int = _HEIGHT) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      yaxis_title=y_title, showlegend=False)
    fig.update_xaxes(type="category", title="Data as of")
    return fig


def score_trend(runs: list[QualityRun]) -> go.Figure:
    """The product's score per run (oldest first), with the grade floors as dotted lines."""
    fig = go.Figure(go.Scatter(
        x=[pres.as_of_label(r) for r in runs], y=[r.score.value for r in runs],
        mode="lines+markers", customdata=[[r.score.grade, r.trigger] for r in runs],
        hovertemplate="%{x}<br>score %{y:.1f} (grade %{customdata[0]}, %{customdata[1]} run)"
                      "<extra></extra>"))
    for floor, letter in GRADES[:-1]:
        fig.add_hline(y=floor, line_dash="dot", line_color="#9e9e9e", line_width=1,
                      annotation_text=letter, annotation_position="right")
    fig.update_yaxes(range=[0, 102])
    return _layout(fig, "Score (0–100)")


def rule_trend(runs: list[QualityRun], check_id: str, unit_label: str) -> go.Figure:
    """One rule's observed value per run, coloured by status, with its threshold as a line.

    Args:
        runs: the product's runs, oldest first (with results).
        check_id: the rule's stable id; runs without it are left out.
        unit_label: the axis title, e.g. ``missing (%)``.
    """
    points = [(r, res) for r in runs for res in r.results if res.check.id == check_id]
    fig = go.Figure(go.Scatter(
        x=[pres.as_of_label(r) for r, _ in points], y=[res.observed for _, res in points],
        mode="lines+markers", line_color="#607d8b",
        marker={"size": 9, "color": [_STATUS_COLORS[res.status] for _, res in points]},
        customdata=[[str(res.status)] for _, res in points],
        hovertemplate="%{x}<br>%{y:,.4g} (%{customdata[0]})<extra></extra>"))
    if points:
        threshold = points[-1][1].check.threshold
        for value in threshold if isinstance(threshold, list | tuple) else [threshold]:
            if isinstance(value, int | float):
                fig.add_hline(y=value, line_dash="dash", line_color="#c62828",
                              annotation_text=f"threshold {value:,g}",
                              annotation_position="top left")
    return _layout(fig, unit_label)


def product_scores(items: list[pres.ProductQuality]) -> go.Figure:
    """Horizontal bars of each product's latest score, coloured by grade, lowest on top.

    Each bar carries the product id as ``customdata[0]`` (a click on it opens the product) and
    its escaped form, for the hover text, as ``customdata[1]``.
    """
    scored = sorted((i for i in items if i.score is not None), key=lambda i: i.score or 0,
                    reverse=True)
    fig = go.Figure(go.Bar(
        y=[chart_text(i.product.title) for i in scored], x=[i.score for i in scored],
        orientation="h",
        marker_color=[_GRADE_COLORS.get(i.run.score.grade if i.run else "", "#9e9e9e")
                      for i in scored],
        text=[f"{i.score:.1f} · {i.run.score.grade}" if i.run else "" for i in scored],
        customdata=[[i.product.id, chart_text(i.product.id)] for i in scored],
        hovertemplate="%{y} (%{customdata[1]})<br>score %{x:.1f}<extra></extra>"))
    fig.update_layout(height=max(160, 32 * len(scored) + 70), bargap=0.3,
                      margin={"l": 10, "r": 10, "t": 10, "b": 10}, showlegend=False,
                      clickmode="event+select")
    fig.update_xaxes(range=[0, 105], title="Score (0–100)")
    return fig


def dimension_heatmap(rates: dict[str, dict[str, float]], dimensions: list[str]) -> go.Figure:
    """Domain × scoring dimension pass rates (%), red to green; empty cells where nothing ran."""
    domains = list(rates)
    z = [[100 * rates[d][dim] if dim in rates[d] else None for dim in dimensions]
         for d in domains]
    text = [[f"{v:.0f}%" if v is not None else "–" for v in row] for row in z]
    fig = go.Figure(go.Heatmap(
        z=z, x=[chart_text(d) for d in dimensions], y=[chart_text(d) for d in domains],
        text=text, texttemplate="%{text}", zmin=0, zmax=100,
        colorscale="RdYlGn", colorbar={"title": "Pass rate %"},
        hovertemplate="%{y} · %{x}: %{z:.1f}% of checks passed<extra></extra>"))
    fig.update_layout(height=max(220, 50 * len(domains) + 80),
                      margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


def mesh_trend(trend: list[tuple[dt.date, float, int]]) -> go.Figure:
    """The mean score of the chosen products per data cut-off day."""
    fig = go.Figure(go.Scatter(
        x=[f"{day:%Y-%m-%d}" for day, _, _ in trend], y=[v for _, v, _ in trend],
        mode="lines+markers", customdata=[[n] for _, _, n in trend],
        hovertemplate="%{x}<br>mean score %{y:.1f} over %{customdata[0]} products"
                      "<extra></extra>"))
    fig.update_yaxes(range=[0, 102])
    return _layout(fig, "Mean score (0–100)")
