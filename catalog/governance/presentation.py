"""Governance results shaped for reading: table rows, matrix cells, trend points, wording.

Pure functions (no Streamlit) used by the Governance page and the product's checklist, so the
page stays thin and the shaping is tested without a browser.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from catalog.governance.evaluate import MeshCompliance
from catalog.governance.model import (
    GLOBAL_ORIGIN,
    ComplianceReport,
    PolicyResult,
    param_text,
)

STATUS_LABELS = {"failed": "Not met", "unknown": "Not yet measured", "passed": "Met"}
"""How a policy's status on a product is named to readers."""


def origin_label(origin: str) -> str:
    """``Global`` or the domain file a policy comes from."""
    return "Global" if origin == GLOBAL_ORIGIN else origin


def percent(rate: float | None) -> str:
    """``92%`` (``–`` when unknown)."""
    return "–" if rate is None else f"{100 * rate:.0f}%"


@dataclass(frozen=True)
class Figure:
    """One headline figure: its label, its value as counted ("330 of 358"), the share it
    makes (or ``""``) and what it counts."""

    label: str
    value: str
    share: str
    help: str


def compliance_figures(compliance: MeshCompliance) -> tuple[Figure, Figure]:
    """The two compliance figures, each counted in its own unit and said so, so they never
    seem to contradict each other: policy checks met (one check = one policy on one product)
    and products without policy errors (one error-severity check failing is enough to count
    a product out).
    """
    reports = compliance.reports.values()
    measured = sum(r.measured for r in reports)
    passed = sum(r.passed for r in reports)
    products = len(compliance.reports)
    clean = sum(r.publishable for r in reports)
    checks = Figure("Policy checks met", f"{passed:,} of {measured:,}",
                    percent(passed / measured if measured else None),
                    "One check is one policy on one product; checks not yet measurable (a "
                    "quality score before the first run) are left out.")
    without = Figure("Products without policy errors", f"{clean:,} of {products:,}",
                     percent(clean / products if products else None),
                     "A product counts here when none of its error-severity policy checks "
                     "fails: one failed error check is enough to count it out, so this share "
                     "is lower than the share of checks met.")
    return checks, without


def duration_text(delta: dt.timedelta | None) -> str:
    """``3 days 4 h``, ``5 h 10 min``, ``12 min`` (``–`` when unknown)."""
    if delta is None:
        return "–"
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"


def result_summary(report: ComplianceReport) -> str:
    """``2 errors, 1 warning`` / ``all policies met`` / ``… (1 not yet measured)``."""
    parts = []
    if report.errors:
        parts.append(f"{report.errors} error{'s' if report.errors != 1 else ''}")
    if report.warnings:
        parts.append(f"{report.warnings} warning{'s' if report.warnings != 1 else ''}")
    text = ", ".join(parts) if parts else "all policies met"
    unknown = len(report.results) - report.measured
    return f"{text} ({unknown} not yet measured)" if unknown else text


def matrix(compliance: MeshCompliance) -> tuple[list[str], list[str], list[list[float | None]],
                                                list[list[str]]]:
    """The domain × policy matrix.

    Returns:
        ``(domains, policy ids, pass rates in % (None = nothing measured, or the policy does not
        apply in that domain), cell texts "3/4")``.
    """
    cells = compliance.matrix()
    domains = sorted(cells)
    policies = list(dict.fromkeys(p for d in domains for p in cells[d]))
    rates: list[list[float | None]] = []
    texts: list[list[str]] = []
    for domain in domains:
        row_rates: list[float | None] = []
        row_texts: list[str] = []
        for policy in policies:
            passed, measured = cells[domain].get(policy, (0, 0))
            row_rates.append(100 * passed / measured if measured else None)
            row_texts.append(f"{passed}/{measured}" if measured else
                             ("not measured" if policy in cells[domain] else "n/a"))
        rates.append(row_rates)
        texts.append(row_texts)
    return domains, policies, rates, texts


def violation_rows(compliance: MeshCompliance, titles: dict[str, str],
                   product_url: Any) -> list[dict[str, Any]]:
    """One row per finding, errors first: product link, policy, severity, origin, where, fix.

    Args:
        compliance: the mesh's compliance.
        titles: product id → title.
        product_url: function product id → URL of its page.
    """
    return [{"Product": product_url(f.product_id), "Title": titles.get(f.product_id, ""),
             "Domain": f.product_id.split(".", 1)[0], "Severity": f.severity,
             "Policy": f.policy_id, "Defined in": origin_label(f.origin),
             "Problem": f.message, "Fix": f.fix, "File": f.location}
            for f in compliance.findings()]


def params_text(params: dict[str, Any]) -> str:
    """A policy's parameters for a table cell: ``allowed public, internal · minimum 3`` (lists
    joined with commas, never ``['public', 'internal']``)."""
    return " · ".join(f"{k} {param_text(v)}" for k, v in params.items())


def policy_rows(compliance: MeshCompliance) -> list[dict[str, Any]]:
    """Which policy comes from where: the global set once, then every domain's changes."""
    rows: list[dict[str, Any]] = []
    seen_global: set[str] = set()
    for domain in sorted(compliance.domains):
        for info in compliance.domains[domain].infos:
            params = params_text(info.params)
            if info.origin == GLOBAL_ORIGIN:
                if info.policy_id in seen_global:
                    continue
                seen_global.add(info.policy_id)
                scope = "every domain"
            else:
                scope = domain
            rows.append({"Policy": info.policy_id, "Title": info.title,
                         "Severity": info.severity if info.enabled else "switched off",
                         "Defined in": origin_label(info.origin), "Applies to": scope,
                         "Parameters": params, "Change": info.note})
    rows.sort(key=lambda r: (r["Defined in"] != "Global", r["Applies to"], r["Policy"]))
    return rows


def trend_points(history: list[dict[str, Any]]) -> list[tuple[dt.datetime, float, int]]:
    """``(taken at, compliance rate %, checks)`` per stored snapshot, oldest first."""
    out = []
    for row in history:
        checks = int(row.get("checks") or 0)
        if checks:
            out.append((dt.datetime.fromisoformat(str(row["taken_at"])),
                        100 * int(row.get("passed") or 0) / checks, checks))
    return out


def checklist(report: ComplianceReport) -> list[tuple[PolicyResult, str]]:
    """The product's policy results, failures first, each with its status label."""
    return [(r, STATUS_LABELS[r.status]) for r in report.results]
