"""Vega-Lite figures of the Governance page: domain × policy matrix, compliance trend, counts.

Figure builders only (no Streamlit calls): each returns a Vega-Lite specification (a plain
dict) drawn with ``st.vega_lite_chart``. Vega-Lite draws text as text, so domain names, policy
ids and product ids are shown as written. The compliance trend has a true time axis whose
labels are whole minutes (never a tick such as ``07:36:13.999``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

Spec = dict[str, Any]

TIME_FORMAT = "%Y-%m-%d %H:%M"
"""Labels of the compliance trend's time axis (and its hover text)."""


def policy_matrix(domains: list[str], policies: list[str], rates: list[list[float | None]],
                  texts: list[list[str]]) -> Spec:
    """Domains (rows) × policies (columns): share of products meeting the policy, red to green.

    Cells read ``passed/measured``; grey where nothing was measured or the policy does not
    apply in that domain.
    """
    values = [{"domain": d, "policy": p, "rate": rates[i][j], "text": texts[i][j]}
              for i, d in enumerate(domains) for j, p in enumerate(policies)]
    x = {"field": "policy", "type": "nominal", "sort": policies, "title": None,
         "axis": {"labelAngle": -30, "labelLimit": 200}}
    y = {"field": "domain", "type": "nominal", "sort": domains, "title": None}
    return {
        "data": {"values": values},
        "height": max(120, 40 * len(domains)),
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
             "encoding": {
                 "x": x, "y": y,
                 "color": {"condition": {"test": "datum.rate === null", "value": "#eeeeee"},
                           "field": "rate", "type": "quantitative", "title": "Met %",
                           "scale": {"domain": [0, 100], "scheme": "redyellowgreen"}},
                 "tooltip": [{"field": "domain", "title": "Domain"},
                             {"field": "policy", "title": "Policy"},
                             {"field": "text", "title": "Products meeting it"}]}},
            {"mark": {"type": "text", "fontSize": 11},
             "encoding": {"x": x, "y": y, "text": {"field": "text"}}},
        ],
    }


def compliance_trend(points: list[tuple[dt.datetime, float, int]]) -> Spec:
    """Mesh compliance rate (%) per stored snapshot, on a true time axis labelled to the
    minute."""
    values = [{"at": p[0].strftime("%Y-%m-%dT%H:%M:%S"), "rate": round(p[1], 1),
               "checks": p[2]} for p in points]
    x = {"field": "at", "type": "temporal", "title": "Snapshot",
         "axis": {"format": TIME_FORMAT, "labelAngle": -30, "labelOverlap": True,
                  "tickCount": 6}}
    return {
        "data": {"values": values},
        "height": 240,
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": x,
            "y": {"field": "rate", "type": "quantitative", "title": "Policy checks met %",
                  "scale": {"domain": [0, 100]}},
            "tooltip": [{"field": "at", "type": "temporal", "title": "Snapshot",
                         "format": TIME_FORMAT},
                        {"field": "rate", "title": "Checks met %"},
                        {"field": "checks", "title": "Checks"}]},
    }


def counts_bar(counts: dict[str, int], label: str) -> Spec:
    """Horizontal bars of ``counts`` (largest on top), e.g. products per domain."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    values = [{"name": k, "count": v} for k, v in items]
    return {
        "data": {"values": values},
        "height": max(100, 24 * len(values)),
        "mark": "bar",
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": [k for k, _ in items],
                  "title": None, "axis": {"labelLimit": 240}},
            "x": {"field": "count", "type": "quantitative", "title": label.capitalize(),
                  "axis": {"tickMinStep": 1, "format": "d"}},
            "tooltip": [{"field": "name", "title": "Name"},
                        {"field": "count", "title": label.capitalize()}]},
    }
