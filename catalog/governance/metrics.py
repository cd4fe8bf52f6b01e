"""The mesh's own KPIs and the compliance trend.

- **Discoverable**: a product names an owner, has a description (purpose) and tags, and its
  schema is documented (at least one property, every property described); what is missing is
  named as such ("schema" only when there is none, else how many columns lack a description).
- **Compliance rate**: share of measured (product, policy) pairs met
  (:meth:`catalog.governance.evaluate.MeshCompliance.rate`).
- **Mean quality score**: mean of the latest stored score of every scored product.
- **Median time from proposed to active**: over the ``product.approved`` audit records, approval
  time minus the ``proposed_since`` they recorded (see :mod:`catalog.governance.approval`).
- **Products per domain**, **consumers per product** (products consuming it through an input
  port: :meth:`catalog.mesh.Mesh.downstream`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from catalog.governance.approval import APPROVED
from catalog.governance.evaluate import MeshCompliance
from catalog.governance.walk import properties
from catalog.mesh import DataProduct, Mesh
from catalog.store import StateStore

SNAPSHOT_INTERVAL = dt.timedelta(hours=1)
"""At most one compliance snapshot per this interval (the trend's resolution)."""


@dataclass(frozen=True)
class MeshKpis:
    """The data mesh's KPIs at one moment.

    Attributes:
        products: number of products.
        discoverable: products that are discoverable (see module docstring).
        not_discoverable: product id → what it lacks (``owner``, ``description``, ``tags``,
            ``schema``, ``descriptions of 3 of 17 columns``).
        compliance_rate: 0..1, ``None`` when nothing was measured.
        mean_quality: mean latest quality score 0..100, ``None`` when no product is scored.
        quality_scored: products with a score.
        median_to_active: median time from proposed to active, ``None`` without approvals.
        approvals: approvals recorded.
        products_per_domain: domain → number of products.
        consumers_per_product: product id → number of consuming products.
    """

    products: int
    discoverable: int
    not_discoverable: dict[str, list[str]]
    compliance_rate: float | None
    mean_quality: float | None
    quality_scored: int
    median_to_active: dt.timedelta | None
    approvals: int
    products_per_domain: dict[str, int] = field(default_factory=dict)
    consumers_per_product: dict[str, int] = field(default_factory=dict)

    @property
    def discoverable_share(self) -> float | None:
        """Share of products that are discoverable, 0..1 (``None`` for an empty mesh)."""
        return self.discoverable / self.products if self.products else None


def missing_for_discovery(product: DataProduct) -> list[str]:
    """What keeps ``product`` from being discoverable, in words (empty when it is):
    ``owner``, ``description``, ``tags``, ``schema`` (no column at all) or ``descriptions of
    3 of 17 columns`` (a schema with columns nobody described: the schema is there)."""
    missing = []
    if not product.owners:
        missing.append("owner")
    if not product.purpose.strip():
        missing.append("description")
    if not product.tags:
        missing.append("tags")
    props = list(properties(product))
    undescribed = sum(not str(p.raw.get("description") or "").strip() for p in props)
    if not props:
        missing.append("schema")
    elif undescribed:
        missing.append(f"descriptions of {undescribed} of {len(props)} column"
                       + ("s" if len(props) != 1 else ""))
    return missing


def _parse(moment: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(moment)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def time_to_active(audit: list[dict[str, Any]]) -> list[dt.timedelta]:
    """Approval durations (approved at − proposed since) of ``product.approved`` records."""
    out = []
    for event in audit:
        since = event.get("detail", {}).get("proposed_since")
        if event.get("action") == APPROVED and since:
            out.append(max(_parse(event["at"]) - _parse(str(since)), dt.timedelta(0)))
    return out


def mesh_kpis(mesh: Mesh, compliance: MeshCompliance,
              quality_scores: Mapping[str, float | None], audit: list[dict[str, Any]]
              ) -> MeshKpis:
    """Compute the KPIs.

    Args:
        mesh: the loaded mesh.
        compliance: its compliance.
        quality_scores: latest score by product id (``None`` = unscored).
        audit: audit records (``StateStore.audit`` dicts), any order.
    """
    gaps = {pid: missing_for_discovery(p) for pid, p in mesh.products.items()}
    scores = [s for pid, s in quality_scores.items() if s is not None and pid in mesh.products]
    durations = time_to_active(audit)
    per_domain: dict[str, int] = {name: 0 for name in mesh.domains}
    for product in mesh.products.values():
        per_domain[product.domain] = per_domain.get(product.domain, 0) + 1
    return MeshKpis(
        products=len(mesh.products),
        discoverable=sum(not g for g in gaps.values()),
        not_discoverable={pid: g for pid, g in gaps.items() if g},
        compliance_rate=compliance.rate(),
        mean_quality=statistics.fmean(scores) if scores else None,
        quality_scored=len(scores),
        median_to_active=(dt.timedelta(seconds=statistics.median(
            d.total_seconds() for d in durations)) if durations else None),
        approvals=len(durations),
        products_per_domain=per_domain,
        consumers_per_product={pid: len(mesh.downstream(pid)) for pid in mesh.products},
    )


def save_snapshot(store: StateStore, compliance: MeshCompliance,
                  interval: dt.timedelta = SNAPSHOT_INTERVAL) -> bool:
    """Store a compliance snapshot unless the last one is younger than ``interval``.

    Returns:
        True when a snapshot was stored.

    Raises:
        catalog.store.StoreError: the store cannot be written.
    """
    history = store.compliance_history()
    taken = compliance.evaluated_at
    if history and taken - _parse(history[-1]["taken_at"]) < interval:
        return False
    rows = compliance.snapshot_rows()
    if not rows:
        return False
    store.save_compliance(taken.isoformat(timespec="seconds"), rows)
    return True
