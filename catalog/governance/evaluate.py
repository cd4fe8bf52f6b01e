"""Evaluate policies: one product (registration, the product page) or the whole mesh.

The portal, ``python -m catalog validate`` and the registration wizard all call these
functions, so the form, the pages and CI never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from catalog.governance.model import (
    ComplianceReport,
    Finding,
    NotMeasured,
    PolicyResult,
)
from catalog.governance.overrides import POLICIES_FILE, DomainPolicies, load_domain_policies
from catalog.governance.policy import EvaluationContext, Locator, Policy
from catalog.mesh import DataProduct, Mesh

_ORDER = {"failed": 0, "unknown": 1, "passed": 2}


def domain_policies(mesh: Mesh, domain: str) -> DomainPolicies:
    """The policies in force in ``domain`` (global set plus its ``policies.yaml``)."""
    locator = Locator(mesh.root)
    return load_domain_policies(mesh.root / domain,
                                locator.display(mesh.root / domain / POLICIES_FILE))


def compliance_report(product: DataProduct, mesh: Mesh, policies: list[Policy],
                      context: EvaluationContext) -> ComplianceReport:
    """Every policy of ``policies`` evaluated on ``product``.

    Returns:
        The report; results ordered failed (errors first), unknown, passed.
    """
    results = []
    for policy in policies:
        outcome = policy.evaluate(product, mesh, context)
        if isinstance(outcome, NotMeasured):
            results.append(PolicyResult(policy.id, policy.title, policy.severity, policy.origin,
                                        "unknown", fix=policy.fix, note=outcome.reason))
        else:
            results.append(PolicyResult(policy.id, policy.title, policy.severity, policy.origin,
                                        "failed" if outcome else "passed", tuple(outcome),
                                        fix=policy.fix, note=policy.note))
    results.sort(key=lambda r: (_ORDER[r.status], r.severity != "error"))
    return ComplianceReport(product.id, product.domain, product.status, tuple(results))


def evaluate_product(product: DataProduct, mesh: Mesh, *,
                     quality_scores: Mapping[str, float | None] | None = None,
                     policies: DomainPolicies | None = None) -> list[Finding]:
    """Findings of every policy in force in the product's domain, errors first.

    Works on a product that is not in the mesh yet (the registration wizard): build it from
    in-memory documents with :func:`catalog.manifests.loader.product_from_documents`; lineage
    is resolved through its input ports' contract ids, and findings name the files it would be
    written to (lines only when those files exist).

    Args:
        product: the product to check.
        mesh: the mesh it belongs (or will belong) to: lineage and the domain's
            ``policies.yaml`` (``mesh.root/<product.domain>/policies.yaml``) come from it.
        quality_scores: latest quality score by product id (``Catalog.latest_quality_all``);
            ``None`` leaves the minimum-score policy unmeasured (no finding).
        policies: the domain's policies, when already loaded.

    Returns:
        Findings sorted errors first, then by file and line. Problems of the domain's
        ``policies.yaml`` are not included (see :func:`domain_policies`).
    """
    policies = policies or domain_policies(mesh, product.domain)
    context = EvaluationContext(Locator(mesh.root), quality_scores)
    report = compliance_report(product, mesh, policies.policies, context)
    return sort_findings(report.findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then by file, line and policy id."""
    return sorted(findings, key=lambda f: (f.severity != "error", f.file, f.line or 0,
                                           f.policy_id))


@dataclass
class MeshCompliance:
    """Every product's compliance report and every domain's policies, at one moment.

    Attributes:
        reports: by product id.
        domains: the policies in force, by domain name.
        evaluated_at: when (UTC).
    """

    reports: dict[str, ComplianceReport]
    domains: dict[str, DomainPolicies]
    evaluated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def problems(self) -> list[Finding]:
        """Findings about the domains' ``policies.yaml`` files."""
        return [f for d in self.domains.values() for f in d.problems]

    def findings(self) -> list[Finding]:
        """Every product finding, errors first, then by file and line."""
        return sort_findings([f for r in self.reports.values() for f in r.findings])

    def rate(self) -> float | None:
        """Share of measured (product, policy) pairs that pass, 0..1; ``None`` if none."""
        measured = sum(r.measured for r in self.reports.values())
        passed = sum(r.passed for r in self.reports.values())
        return passed / measured if measured else None

    def matrix(self) -> dict[str, dict[str, tuple[int, int]]]:
        """``domain → policy id → (products passing, products measured)``."""
        out: dict[str, dict[str, tuple[int, int]]] = {}
        for report in self.reports.values():
            row = out.setdefault(report.domain, {})
            for result in report.results:
                if result.status == "unknown":
                    row.setdefault(result.policy_id, (0, 0))
                    continue
                passed, measured = row.get(result.policy_id, (0, 0))
                row[result.policy_id] = (passed + (result.status == "passed"), measured + 1)
        return out

    def snapshot_rows(self) -> list[tuple[str, str, str, bool]]:
        """``(product id, domain, policy id, passed)`` for every measured result."""
        return [(r.product_id, r.domain, res.policy_id, res.status == "passed")
                for r in self.reports.values() for res in r.results if res.status != "unknown"]


def evaluate_mesh(mesh: Mesh, quality_scores: Mapping[str, float | None] | None = None,
                  product_ids: Collection[str] | None = None) -> MeshCompliance:
    """Evaluate every product of the mesh against the policies of its domain.

    Args:
        mesh: the loaded mesh.
        quality_scores: latest quality score by product id, ``None`` when unavailable.
        product_ids: evaluate only these products (None: all); ``validate`` splits a large
            mesh between two processes this way.

    Returns:
        The mesh's compliance; each domain's ``policies.yaml`` is read once.
    """
    locator = Locator(mesh.root)
    context = EvaluationContext(locator, quality_scores)
    domains = {name: load_domain_policies(mesh.root / name,
                                          locator.display(mesh.root / name / POLICIES_FILE))
               for name in mesh.domains}
    reports = {}
    for pid, product in mesh.products.items():
        if product_ids is not None and pid not in product_ids:
            continue
        policies = domains.get(product.domain) or domain_policies(mesh, product.domain)
        reports[pid] = compliance_report(product, mesh, policies.policies, context)
    return MeshCompliance(reports, domains)
