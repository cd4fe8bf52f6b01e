"""Plotly figures of the Governance page: domain × policy matrix, compliance trend, KPIs.

Domain names, policy ids and product ids come from manifests and policy files; Plotly reads
HTML in its text, so they pass through :func:`portal.safe_text.chart_text`.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go

from portal.safe_text import chart_text

_MARGIN = {"l": 10, "r": 10, "t": 10, "b": 10}


def policy_matrix(domains: list[str], policies: list[str], rates: list[list[float | None]],
                  texts: list[list[str]]) -> go.Figure:
    """Domains (rows) × policies (columns): share of products meeting the policy, red to green.

    Cells read ``passed/measured``; blank where nothing was measured or the policy does not
    apply in that domain.
    """
    fig = go.Figure(go.Heatmap(
        z=rates, x=[chart_text(p) for p in policies], y=[chart_text(d) for d in domains],
        text=[[chart_text(t) for t in row] for row in texts], texttemplate="%{text}", zmin=0,
        zmax=100, colorscale="RdYlGn", colorbar={"title": "Met %"}, xgap=2, ygap=2,
        hovertemplate="%{y} · %{x}: %{text} products meet it<extra></extra>"))
    fig.update_layout(height=max(220, 48 * len(domains) + 140), margin=_MARGIN,
                      xaxis={"tickangle": -30})
    return fig


def compliance_trend(points: list[tuple[dt.datetime, float, int]]) -> go.Figure:
    """Mesh compliance rate (%) per stored snapshot."""
    fig = go.Figure(go.Scatter(
        x=[p[0] for p in points], y=[p[1] for p in points], mode="lines+markers",
        customdata=[p[2] for p in points],
        hovertemplate="%{x}: %{y:.1f}% of %{customdata} policy checks met<extra></extra>"))
    fig.update_layout(height=260, margin=_MARGIN, yaxis={"title": "Compliance %",
                                                         "range": [0, 100]})
    return fig


def counts_bar(counts: dict[str, int], label: str) -> go.Figure:
    """Horizontal bars of ``counts`` (largest on top), e.g. products per domain."""
    items = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]))
    fig = go.Figure(go.Bar(x=[v for _, v in items], y=[chart_text(k) for k, _ in items],
                           orientation="h",
                           hovertemplate=f"%{{y}}: %{{x}} {label}<extra></extra>"))
    fig.update_layout(height=max(160, 26 * len(items) + 60), margin=_MARGIN,
                      xaxis={"title": label.capitalize()}, bargap=0.3)
    return fig
