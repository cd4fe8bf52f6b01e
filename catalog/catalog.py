"""The :class:`Catalog` façade: the one object pages, the CLI and tests call.

It owns the mesh index (:mod:`catalog.mesh_index`: the loaded mesh and its search index, kept
current by a background watcher and saved under the data folder) and the DuckDB engine. Every
call that returns product data takes the requesting :class:`Principal`, and nothing per-user
is cached, so access control can be added here without changing signatures.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from catalog.access.actions import Action
from catalog.access.facade import AccessUseCases
from catalog.access.guard import Guard
from catalog.access.token_facade import TokenUseCases
from catalog.build import _duckdb_server, target_database
from catalog.config import Settings
from catalog.editing.service import EditUseCases
from catalog.engine import Column, Engine
from catalog.errors import CatalogError, DomainNotFound, InvalidRequest, ProductNotFound
from catalog.extract_files import ExtractFileUseCases
from catalog.extracts import ExtractRequest
from catalog.governance import approval
from catalog.governance.evaluate import MeshCompliance
from catalog.governance.metrics import MeshKpis, mesh_kpis
from catalog.governance.model import ComplianceReport
from catalog.governance.service import ComplianceCache
from catalog.housekeeping import clean_stale_build_files
from catalog.interchange.markdown import product_markdown
from catalog.interchange.use_cases import InterchangeUseCases
from catalog.mesh import DataProduct, Domain, ManifestProblem, Mesh, OutputPortView
from catalog.mesh_index.index import MeshIndex, Snapshot
from catalog.mesh_index.persist import cache_file
from catalog.mesh_index.watcher import MeshWatcher
from catalog.models.principal import Principal
from catalog.quality import history as quality_history
from catalog.quality.backfill import rebuild_history
from catalog.quality.model import QualityRun
from catalog.quality.runner import Progress, quality_engine, run_product
from catalog.quality.verdict import Verdict, verdict
from catalog.registration.service import RegistrationUseCases
from catalog.search import SearchQuery, SearchResult
from catalog.slices import SliceUseCases
from catalog.store import open_store
from catalog.store_copy_use_case import StoreCopyUseCases


@dataclass(frozen=True)
class MeshSummary:
    """Figures for the home page: counts of domains, products, owners, properties, by status."""

    domains: int
    products: int
    owners: int
    properties: int
    output_ports: int
    by_status: dict[str, int]
    by_type: dict[str, int]
    problems: int


@dataclass(frozen=True)
class ManifestFile:
    """A raw manifest offered for download: file name, bytes, MIME type."""

    name: str
    data: bytes
    mime: str = "application/yaml"


class Catalog(AccessUseCases, TokenUseCases, RegistrationUseCases, ExtractFileUseCases,
              InterchangeUseCases, SliceUseCases, EditUseCases, StoreCopyUseCases):
    """Façade over manifests, search, data, quality, governance and access.

    Every use case takes the requesting principal and asks the authorization point
    (:mod:`catalog.access`) before it acts: viewing needs a signed-in principal, data needs an
    open port, a team relation or a grant (sensitive columns masked otherwise), checks, new
    versions, approvals and access decisions need the roles of the role × action matrix.

    Args:
        settings: where the mesh lives; from the environment when None.
        recheck_seconds: how often a background thread polls the manifest files for changes
            (:class:`~catalog.mesh_index.watcher.MeshWatcher`); calls never wait for it. 0
            means no thread: every call checks the files itself first (tests and scripts
            that edit manifests and read them back at once).
    """

    def __init__(self, settings: Settings | None = None, recheck_seconds: float = 2.0) -> None:
        self.settings = settings or Settings.from_env()
        clean_stale_build_files(self.settings.data_dir)  # leftovers of killed processes
        self.engine = Engine(self.settings.data_dir)
        self.store = open_store(self.settings)
        self.guard = Guard(self.store)
        self._quality_engine: Engine | None = None
        self._recheck = recheck_seconds
        self._lock = threading.Lock()
        self.mesh_index = MeshIndex(self.settings.mesh_root,
                                    cache_file(self.settings.data_dir, self.settings.mesh_root))
        self._watcher: MeshWatcher | None = None
        self._compliance = ComplianceCache(self.store)

    # -- mesh ------------------------------------------------------------------------------
    def _snapshot(self) -> Snapshot:
        """The current mesh and search index; the first call loads them (from the saved index
        and the files changed since) and starts the watcher. Never waits for a poll."""
        index = self.mesh_index
        if self._recheck <= 0:
            index.refresh()
            return index.snapshot()
        current = index.current()
        if current is not None:
            return current
        current = index.snapshot()
        with self._lock:
            if self._watcher is None:
                self._watcher = MeshWatcher(index, interval=self._recheck).start()
        return current

    def mesh(self) -> Mesh:
        """The current mesh (an immutable snapshot; the watcher swaps in a new one when
        manifests change)."""
        return self._snapshot().mesh

    def reload(self) -> Mesh:
        """Apply every manifest change now and return the mesh with them (e.g. after
        publishing a product, so it is searchable at once)."""
        self.mesh_index.refresh()
        return self.mesh_index.snapshot().mesh

    def problems(self) -> list[ManifestProblem]:
        """Every manifest problem of the mesh, errors first, then by file and line."""
        return sorted(self.mesh().problems,
                      key=lambda p: (p.severity != "error", p.file, p.line or 0))

    def summary(self, principal: Principal) -> MeshSummary:
        """Headline figures of the mesh."""
        mesh = self.mesh()
        self.guard.require(principal, Action.VIEW, mesh)
        products = list(mesh.products.values())
        owners = {o for p in products for o in p.owners}
        by_status: dict[str, int] = {}
        by_type: dict[str, int] = {}
        for p in products:
            by_status[p.status] = by_status.get(p.status, 0) + 1
            by_type[p.type or "unspecified"] = by_type.get(p.type or "unspecified", 0) + 1
        return MeshSummary(
            domains=len(mesh.domains),
            products=len(products),
            owners=len(owners),
            properties=sum(len(p.properties()) for p in products),
            output_ports=sum(len(p.output_ports) for p in products),
            by_status=by_status,
            by_type=by_type,
            problems=sum(1 for p in mesh.problems if p.severity == "error"),
        )

    # -- discovery -------------------------------------------------------------------------
    def search(self, principal: Principal, query: SearchQuery) -> SearchResult:
        """Search products visible to ``principal`` (see :mod:`catalog.search`)."""
        snapshot = self._snapshot()
        self.guard.require(principal, Action.VIEW, snapshot.mesh)
        return snapshot.search.search(query)

    def product(self, principal: Principal, product_id: str) -> DataProduct:
        """The product with ``product_id``.

        Raises:
            ProductNotFound: no such product in the mesh.
        """
        mesh = self.mesh()
        self.guard.require(principal, Action.VIEW, mesh)
        product = mesh.products.get(product_id)
        if product is None:
            raise ProductNotFound(product_id)
        return product

    def products(self, principal: Principal, ids: list[str]) -> list[DataProduct]:
        """The products among ``ids`` that exist, in the given order."""
        mesh = self.mesh()
        self.guard.require(principal, Action.VIEW, mesh)
        return [mesh.products[i] for i in ids if i in mesh.products]

    def all_products(self, principal: Principal) -> list[DataProduct]:
        """Every product visible to ``principal``, by title."""
        self.guard.require(principal, Action.VIEW, self.mesh())
        return sorted(self.mesh().products.values(), key=lambda p: p.title.lower())

    def domains(self, principal: Principal) -> list[Domain]:
        """All domains, by title."""
        self.guard.require(principal, Action.VIEW, self.mesh())
        return sorted(self.mesh().domains.values(), key=lambda d: d.title.lower())

    def domain(self, principal: Principal, name: str) -> Domain:
        """The domain called ``name``.

        Raises:
            DomainNotFound: no such domain.
        """
        mesh = self.mesh()
        self.guard.require(principal, Action.VIEW, mesh)
        domain = mesh.domains.get(name)
        if domain is None:
            raise DomainNotFound(name)
        return domain

    def upstream(self, principal: Principal, product_id: str) -> list[DataProduct]:
        """Products ``product_id`` is built from (its input ports)."""
        self.product(principal, product_id)
        return self.products(principal, self.mesh().upstream(product_id))

    def downstream(self, principal: Principal, product_id: str) -> list[DataProduct]:
        """Products that consume ``product_id``."""
        self.product(principal, product_id)
        return self.products(principal, self.mesh().downstream(product_id))

    def manifest_files(self, principal: Principal, product_id: str) -> list[ManifestFile]:
        """The product's raw ODPS file and each port's ODCS file, as stored."""
        product = self.product(principal, product_id)
        files = [product.odps_file] + [p.contract_file for p in product.output_ports
                                       if p.contract_file is not None]
        return [ManifestFile(f.name, f.read_bytes()) for f in files]

    def product_documentation(self, principal: Principal, product_id: str) -> ManifestFile:
        """The product's documentation as a Markdown file, ``<product id>.md``, for people who
        never open the portal (see :func:`catalog.interchange.markdown.product_markdown`)."""
        product = self.product(principal, product_id)
        return ManifestFile(f"{product.id}.md", product_markdown(product).encode("utf-8"),
                            "text/markdown")

    # -- data ------------------------------------------------------------------------------
    def _port(self, principal: Principal, product_id: str, port: str | None) -> OutputPortView:
        """The output port, once ``principal`` may read its data.

        Raises:
            ProductNotFound, InvalidRequest: no such product or port.
            PermissionDenied: the port is restricted and the principal has no grant on it.
        """
        product = self.product(principal, product_id)
        try:
            view = product.port(port)
        except KeyError:
            raise InvalidRequest(f"{product_id} has no output port '{port}'.") from None
        self.guard.require(principal, Action.READ_DATA, self.mesh(), product=product,
                           port=view.name)
        return view

    def columns(self, principal: Principal, product_id: str, port: str | None = None
                ) -> list[Column]:
        """Columns of the port's table as stored (name, DuckDB type)."""
        return self.engine.columns(self._port(principal, product_id, port))

    def row_count(self, principal: Principal, product_id: str, port: str | None = None,
                  request: ExtractRequest | None = None) -> int:
        """Rows in the port's table, after ``request``'s filters when given.

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: a filter on a column the principal sees masked, or a bad value.
        """
        view = self._port(principal, product_id, port)
        return self.engine.row_count(view, request,
                                     masked=self.masked_columns(principal, product_id, view.name))

    def preview(self, principal: Principal, product_id: str, port: str | None = None,
                limit: int = 100) -> pd.DataFrame:
        """The first ``limit`` rows (≤ 1,000) of the port's table, sensitive columns the
        principal may not see masked (never read from the data).

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
        """
        view = self._port(principal, product_id, port)
        return self.engine.preview(view, limit,
                                   masked=self.masked_columns(principal, product_id, view.name))

    def data_engines(self, principal: Principal) -> dict[str, tuple[int, int]]:
        """Which engines serve the mesh's products here (see :mod:`catalog.engines`).

        Returns:
            Engine name (``DuckDB``, ``PostgreSQL``, ``Spark``) → (products it serves, of
            which read from a later server entry of their contract because the first entry's
            engine is not installed or configured here). Touches no data.
        """
        out: dict[str, tuple[int, int]] = {}
        for product in self.all_products(principal):
            port = next((p for p in product.output_ports if p.contract is not None), None)
            ref = self.engine.server(port) if port is not None else None
            if port is None or ref is None or port.contract is None:
                continue
            first = next(iter(port.contract.servers or []), None)
            later = first is not None and str(first.server or first.type) != ref.name
            served, fallbacks = out.get(ref.engine, (0, 0))
            out[ref.engine] = (served + 1, fallbacks + int(later))
        return out

    # -- quality ---------------------------------------------------------------------------
    @property
    def quality_engine(self) -> Engine:
        """The DuckDB engine quality runs use (a smaller memory limit, see
        :data:`catalog.quality.runner.QUALITY_MEMORY_MB`), created on first use."""
        with self._lock:
            if self._quality_engine is None:
                self._quality_engine = quality_engine(self.settings.data_dir)
            return self._quality_engine

    def run_quality(self, principal: Principal, product_id: str, trigger: str = "portal",
                    progress: Progress | None = None, *, store: bool = True) -> QualityRun:
        """Run every check of the product on its data now, store the run (unless ``store`` is
        False) and return it.

        Checks that cannot run become ``error`` results; nothing here raises for bad rules.
        The run has a sandbox of its own (the contract's SQL rules are untrusted), closed
        afterwards, so what it spilled to disk is removed with it.

        Raises:
            ProductNotFound: no such product.
            catalog.store.StoreError: the run could not be stored.
        """
        product = self.product(principal, product_id)
        self.guard.require(principal, Action.RUN_CHECKS, self.mesh(), product=product)
        with quality_engine(self.settings.data_dir) as engine:
            run = run_product(engine, product, trigger=trigger, progress=progress)
        if store:
            quality_history.save_run(self.store, run)
        return run

    def rebuild_quality_history(self, principal: Principal,
                                report: Callable[[str], None] | None = None) -> int:
        """Recompute the stored quality history of every product at each month end of its
        data (what ``python -m catalog check --history`` and the demo build do).

        Args:
            principal: who asks; must be allowed to run the checks of every product.
            report: called with one line of progress per product.

        Returns:
            The number of runs stored.

        Raises:
            PermissionDenied: the principal may not run the checks of some product.
        """
        mesh = self.mesh()
        for product in mesh.products.values():
            self.guard.require(principal, Action.RUN_CHECKS, mesh, product=product)
        return rebuild_history(self.quality_engine, mesh, self.store,
                               report=report or (lambda _line: None))

    def latest_quality(self, principal: Principal, product_id: str) -> QualityRun | None:
        """The product's most recent stored run (by data cut-off), or None."""
        self.product(principal, product_id)
        runs = quality_history.product_runs(self.store, product_id, limit=1)
        return runs[-1] if runs else None

    def quality_history(self, principal: Principal, product_id: str) -> list[QualityRun]:
        """The product's stored runs, oldest first."""
        self.product(principal, product_id)
        return quality_history.product_runs(self.store, product_id)

    def latest_quality_all(self, principal: Principal, with_results: bool = True
                           ) -> dict[str, QualityRun]:
        """The latest run of every product of the mesh that has one, by product id."""
        products = self.mesh().products
        return {pid: run for pid, run in
                quality_history.latest_runs(self.store, with_results).items()
                if pid in products}

    def data_written_at(self, product: DataProduct) -> dt.datetime | None:
        """When the product's data was last written (naive UTC): the newest modification time
        of the DuckDB files its contracts' ``duckdb`` servers name; None when unknown."""
        moments = []
        for port in product.output_ports:
            server = _duckdb_server(port)
            if server is None or not server.database:
                continue
            try:
                path = target_database(str(server.database), self.settings.data_dir, product.id)
                moments.append(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC))
            except (CatalogError, OSError):
                continue
        return max(moments).replace(tzinfo=None) if moments else None

    def verdict(self, principal: Principal, product_id: str,
                run: QualityRun | None = None) -> Verdict:
        """The product's trust verdict now, from its latest stored run (see
        :mod:`catalog.quality.verdict`): every view shows this one.

        Args:
            principal: who asks.
            product_id: the product.
            run: its latest run when the caller has already read it (with results).

        Raises:
            ProductNotFound: no such product.
        """
        product = self.product(principal, product_id)
        latest = run if run is not None else self.latest_quality(principal, product_id)
        return verdict(product, latest, dt.datetime.now(dt.UTC).replace(tzinfo=None),
                       self.data_written_at(product))

    def verdicts(self, principal: Principal, with_results: bool = False
                 ) -> dict[str, Verdict]:
        """The trust verdict of every product of the mesh now, by product id (products never
        checked included); see :meth:`verdict`."""
        latest = self.latest_quality_all(principal, with_results=with_results)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return {p.id: verdict(p, latest.get(p.id), now, self.data_written_at(p))
                for p in self.all_products(principal)}

    def quality_runs_all(self, principal: Principal) -> list[QualityRun]:
        """Every stored run of the mesh's products, without results, oldest first."""
        products = self.mesh().products
        return [r for r in quality_history.all_runs(self.store) if r.product_id in products]

    # -- governance ------------------------------------------------------------------------
    def _scores(self, principal: Principal) -> dict[str, float | None]:
        runs = self.latest_quality_all(principal, with_results=False)
        return {pid: run.score.value for pid, run in runs.items()}

    def compliance_all(self, principal: Principal) -> MeshCompliance:
        """Every product's compliance with the policies of its domain.

        Cached per mesh load and set of latest quality runs; a fresh evaluation stores a
        compliance snapshot for the trend (at most one an hour).
        """
        return self._compliance.mesh(self.mesh(), lambda: self._scores(principal))

    def compliance(self, principal: Principal, product_id: str) -> ComplianceReport:
        """One product's compliance report (failures first, each with its fix).

        Raises:
            ProductNotFound: no such product.
        """
        product = self.product(principal, product_id)

        def score() -> dict[str, float | None]:
            """``{product id: latest score}``, empty when no run is stored."""
            runs = quality_history.product_runs(self.store, product_id, with_results=False,
                                                limit=1)
            return {run.product_id: run.score.value for run in runs}

        return self._compliance.product(self.mesh(), product, score)

    def compliance_trend(self, principal: Principal) -> list[dict[str, object]]:
        """Stored compliance snapshots, oldest first: ``taken_at``, ``checks``, ``passed``."""
        return list(self.store.compliance_history())

    def governance_kpis(self, principal: Principal) -> MeshKpis:
        """The mesh's KPIs; see :mod:`catalog.governance.metrics`."""
        compliance = self.compliance_all(principal)
        return mesh_kpis(self.mesh(), compliance, self._scores(principal),
                         self.store.audit(limit=100_000))

    def approval_queue(self, principal: Principal) -> list[tuple[DataProduct, ComplianceReport]]:
        """Products in ``proposed`` status with their compliance, by title."""
        reports = self.compliance_all(principal).reports
        return [(p, reports[p.id]) for p in self.all_products(principal)
                if p.status == "proposed" and p.id in reports]

    def may_decide(self, principal: Principal, product_id: str) -> bool:
        """True when ``principal`` may approve or send back the product (not its submitter)."""
        return self.decide(principal, Action.APPROVE, product_id).allowed

    def approve(self, principal: Principal, product_id: str) -> approval.Decision:
        """Approve a proposed product (status ``active``), recorded in the audit log.

        Raises:
            ProductNotFound: no such product.
            PermissionDenied: see :func:`catalog.governance.approval.approve`.
            InvalidRequest: not proposed, or its file changed meanwhile.
            catalog.governance.approval.ApprovalRefused: it has ``error`` findings.
        """
        product = self.product(principal, product_id)
        self.guard.require(principal, Action.APPROVE, self.mesh(), product=product)
        decision = approval.approve(product, self.mesh(), self.compliance(principal, product_id),
                                    self.store, principal)
        self.reload()
        return decision

    def send_back(self, principal: Principal, product_id: str, reason: str
                  ) -> approval.Decision:
        """Send a proposed product back to its team with a reason (status ``draft``).

        Raises:
            ProductNotFound: no such product.
            PermissionDenied: see :func:`catalog.governance.approval.send_back`.
            InvalidRequest: no reason, not proposed, or its file changed meanwhile.
        """
        product = self.product(principal, product_id)
        self.guard.require(principal, Action.APPROVE, self.mesh(), product=product)
        decision = approval.send_back(product, self.mesh(), self.store, principal, reason)
        self.reload()
        return decision
