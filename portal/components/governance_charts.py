"""Figures of the Governance page as SVG pictures: domain × policy matrix, compliance trend,
counts.

Figure builders only (no Streamlit calls): each returns an SVG text (:mod:`portal.svg_charts`)
shown with ``st.image``. Domain names, policy ids and product ids are XML-escaped there and
shown as written. The compliance trend has a true time axis whose ticks fall on whole
minutes, hours or days (never a tick such as ``07:36:13.999``).
"""

from __future__ import annotations

import datetime as dt

from portal import svg_charts as svg


def policy_matrix(domains: list[str], policies: list[str], rates: list[list[float | None]],
                  texts: list[list[str]]) -> str:
    """Domains (rows) × policies (columns): share of products meeting the policy, red to green.

    Cells read ``passed/measured``; grey where nothing was measured or the policy does not
    apply in that domain.
    """
    cells = [[(rates[i][j], texts[i][j]) for j in range(len(policies))]
             for i in range(len(domains))]
    return svg.heatmap(domains, policies, cells,
                       title="Products meeting each policy, per domain", width=1000)


def compliance_trend(points: list[tuple[dt.datetime, float, int]]) -> str:
    """Mesh compliance rate (%) per stored snapshot, on a true time axis."""
    return svg.time_line([(p[0], p[1]) for p in points], y_title="Policy checks met %",
                         y_range=(0, 100), title="Policy checks met over time", width=900)


def counts_bar(counts: dict[str, int], label: str) -> str:
    """Horizontal bars of ``counts`` (largest on top), e.g. products per domain."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return svg.bars([svg.Bar(name, float(count), text=f"{count:,}") for name, count in items],
                    x_title=label.capitalize(), title=f"{label.capitalize()} per name",
                    width=600)
