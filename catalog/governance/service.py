"""Compliance as the :class:`~catalog.catalog.Catalog` serves it: cached per mesh load.

The whole mesh is evaluated once per loaded mesh and set of latest quality runs; a new quality
run or a manifest change (a new :class:`~catalog.mesh.Mesh` object) makes the next call
evaluate again. Quality runs are looked up at most every ``recheck_seconds``. A single product
(a search result card, the product page) is evaluated on its own when the mesh-wide result is
not there yet, so a card never waits for 10,000 products. Each fresh mesh-wide evaluation
stores a compliance snapshot for the trend, at most one an hour.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from catalog.governance.evaluate import (
    MeshCompliance,
    compliance_report,
    domain_policies,
    evaluate_mesh,
)
from catalog.governance.metrics import save_snapshot
from catalog.governance.model import ComplianceReport
from catalog.governance.policy import EvaluationContext, Locator
from catalog.mesh import DataProduct, Mesh
from catalog.store import StateStore, StoreError

logger = logging.getLogger(__name__)

Scores = dict[str, float | None]


class ComplianceCache:
    """Mesh-wide and per-product compliance, cached (thread-safe).

    Args:
        store: where snapshots go.
        recheck_seconds: how long a result is reused before quality runs are looked up again.
    """

    def __init__(self, store: StateStore, recheck_seconds: float = 5.0) -> None:
        self.store = store
        self.recheck = recheck_seconds
        self._lock = threading.Lock()
        self._mesh: Mesh | None = None  # held, so a new mesh never reuses the old one's id
        self._scores: tuple[tuple[str, float | None], ...] | None = None
        self._mesh_result: MeshCompliance | None = None
        self._checked_at = 0.0
        self._products_of: Mesh | None = None
        self._products: dict[str, tuple[float, ComplianceReport]] = {}

    def mesh(self, mesh: Mesh, scores: Callable[[], Scores]) -> MeshCompliance:
        """The mesh's compliance, evaluated again only when the mesh or a score changed."""
        with self._lock:
            now = time.monotonic()
            result = self._mesh_result
            if result is not None and self._mesh is mesh and now - self._checked_at < self.recheck:
                return result
            current = scores()
            key = tuple(sorted(current.items()))
            if result is None or self._mesh is not mesh or key != self._scores:
                result = evaluate_mesh(mesh, current)
                self._mesh_result, self._mesh, self._scores = result, mesh, key
                self._products.clear()
                try:
                    save_snapshot(self.store, result)
                except StoreError as err:
                    logger.warning("compliance snapshot not stored: %s", err)
            self._checked_at = now
            return result

    def product(self, mesh: Mesh, product: DataProduct, score: Callable[[], Scores] | None
                ) -> ComplianceReport:
        """One product's compliance; from the mesh-wide result when it is current.

        Args:
            mesh: the loaded mesh.
            product: one of its products.
            score: returns ``{product id: latest score}`` (score ``None`` = unscored; empty when
                no run is stored); ``None`` when quality results are not available at all.
        """
        with self._lock:
            now = time.monotonic()
            whole = self._mesh_result
            if whole is not None and self._mesh is mesh and now - self._checked_at < self.recheck:
                report = whole.reports.get(product.id)
                if report is not None:
                    return report
            if self._products_of is not mesh:
                self._products_of = mesh
                self._products.clear()
            hit = self._products.get(product.id)
            if hit is not None and now - hit[0] < self.recheck:
                return hit[1]
        scores = score() if score is not None else None
        policies = domain_policies(mesh, product.domain)
        report = compliance_report(product, mesh, policies.policies,
                                   EvaluationContext(Locator(mesh.root), scores))
        with self._lock:
            if self._products_of is mesh:
                self._products[product.id] = (time.monotonic(), report)
        return report
