"""Run checks where the data lives: on the product's own engine, planned queries, no crashes.

For each schema object: locate it (:class:`catalog.engines.Resolver`: DuckDB, PostgreSQL or
Spark), describe its columns, compile every check (:mod:`.compiler`, DuckDB's dialect), run the
planned queries on that engine (translated by :func:`catalog.engines.transpile`), evaluate each
observed value against its ODCS operator, and for failing row-based checks fetch up to
:data:`SAMPLE_ROWS` failing rows (sensitive columns left out). Nothing is pulled into pandas. A
check that cannot run (missing column, bad SQL, a query that fails) becomes an ``error`` result
with the reason; a check the engine cannot compute faithfully (a construct or a regular
expression that does not translate) becomes ``skipped`` with the reason, never a pass.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from catalog.access.masking import mask_message
from catalog.engine import Engine
from catalog.engines.base import EngineAdapter, Located, ServerRef
from catalog.engines.dialect import Untranslatable
from catalog.errors import CatalogError
from catalog.quality import compiler
from catalog.quality.derive import (
    declared_columns,
    derive_checks,
    fill_placeholders,
    sensitive_columns,
    snapshot_end,
    time_element,
)
from catalog.quality.kinds import kind_of
from catalog.quality.model import Check, CheckResult, QualityRun, Status
from catalog.quality.scoring import score
from catalog.sandbox import Limits, SandboxRefused, check_select
from catalog.sql import quote_identifier, quote_literal

if TYPE_CHECKING:  # the mesh's ODCS models cost ~0.15 s to import; a type hint here
    from catalog.mesh import DataProduct

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 5
"""Failing rows kept per failing check."""

QUERY_TIMEOUT_S = 300.0
"""Seconds a single check query may run before it is interrupted (an ``error`` result)."""

QUALITY_MEMORY_MB = 256
"""DuckDB memory limit (MB) of the engine quality runs use (:func:`quality_engine`). Measured on
TPC-H lineitem SF1 (bench/quality.py): with 1 GB the suite took 0.78–0.92 s of work and 418 MB;
with 256 MB 0.51 s and 253 MB, nothing spilled — the smaller hash tables of the key checks are
faster, and memory stops growing with row count."""


def quality_engine(data_dir: Path) -> Engine:
    """An engine for quality runs: a sandbox with :data:`QUALITY_MEMORY_MB` and a
    :data:`QUERY_TIMEOUT_S` time limit per query (``MESH_QUERY_*`` variables override both),
    spilling to its own folder under ``<data_dir>/.sandbox`` beyond the memory limit."""
    return Engine(data_dir, limits=Limits.from_env(timeout_s=QUERY_TIMEOUT_S,
                                                   memory_mb=QUALITY_MEMORY_MB))


Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called as checks complete (for ``st.progress``)."""


class _QueryFailed(Exception):
    """A query of a check failed; the message is the reason shown to the user. ``skipped``:
    the engine cannot run it faithfully (the check is reported ``skipped``, not ``error``)."""

    def __init__(self, message: str, skipped: bool = False) -> None:
        super().__init__(message)
        self.skipped = skipped


def _fetch_one(adapter: EngineAdapter, sql: str) -> tuple[Any, ...]:
    """The first row of ``sql`` (DuckDB dialect), run on the adapter's engine within the
    sandbox's limits.

    Raises:
        _QueryFailed: the query failed, hit a limit, or cannot run on this engine (the
            message says which).
    """
    try:
        return adapter.fetch_one(sql)
    except Untranslatable as err:
        raise _QueryFailed(f"{adapter.engine} cannot compute it: {err}", skipped=True) from None
    except CatalogError as err:
        raise _QueryFailed(str(err)) from None
    except duckdb.Error as err:
        raise _QueryFailed(str(err).split("\n")[0]) from None


def _sql_rule(check: Check, relation: str, types: dict[str, str]) -> str:
    """The rule's query with ``{object}``/``{property}`` filled in and the object defined.

    The object is defined as a CTE named after it, so queries that name the table directly
    (``FROM Air_Quality``) work too. Only one read-only query (SELECT/UNION/WITH) is allowed.

    Raises:
        _QueryFailed: the query does not parse or is not a single SELECT.
    """
    name = quote_identifier(check.object)
    column = str(check.arguments.get("column") or check.property or "")
    sql = fill_placeholders(str(check.query or ""), name, quote_identifier(column))
    try:
        check_select(sql, what="The rule's query")
    except SandboxRefused as err:
        raise _QueryFailed(str(err)) from None
    cte = f"{name} AS (SELECT * FROM {relation})"
    words = sql.split(None, 2)
    if len(words) == 3 and words[0].upper() == "WITH":
        if words[1].upper() == "RECURSIVE":
            return f"WITH RECURSIVE {cte}, {words[2]}"
        return f"WITH {cte}, {sql.split(None, 1)[1]}"
    return f"WITH {cte} {sql}"


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if len(text) <= 200 else text[:199] + "…"


class _ObjectRun:
    """Runs the checks of one schema object on one cursor."""

    def __init__(self, adapter: EngineAdapter, relation: str,
                 checks: list[Check], now: dt.datetime, strategy: str,
                 sample_columns: list[str], hidden: frozenset[str] = frozenset()) -> None:
        self.adapter = adapter
        self.relation, self.checks = relation, checks
        self.now, self.strategy = now, strategy
        self.sample_columns = sample_columns
        self.hidden = hidden
        self.total: int | None = None
        self.types: dict[str, str] = {}

    def _one(self, sql: str) -> tuple[Any, ...]:
        return _fetch_one(self.adapter, sql)

    def run(self, report: Callable[[CheckResult], None]) -> None:
        """Compile, plan, measure and evaluate every check; ``report`` gets each result."""
        types = {c.name: c.type for c in self.adapter.describe(self.relation)}
        self.types = types
        if self.sample_columns:
            self.sample_columns = [c for c in self.sample_columns if c in types]
        measures: list[compiler.Measure] = []
        for check in self.checks:
            try:
                measures.append(compiler.compile_check(check, types))
            except compiler.CompileError as err:
                report(CheckResult(check, Status.ERROR, message=str(err)))
        for m in measures:
            if m.mode == compiler.NOT_RUN:
                report(CheckResult(m.check, Status.SKIPPED, message=m.reason))
        need_total = any(m.row_based and m.check.unit == "percent" for m in measures)
        values = self._measure(measures, need_total)
        for m in measures:
            if m.mode == compiler.NOT_RUN:
                continue
            started = time.perf_counter()
            if m.mode == compiler.SQL:
                try:
                    row = self._one(_sql_rule(m.check, self.relation, types))
                    values[m.check.id] = (row[0] if row else None, 0.0)
                except _QueryFailed as err:
                    values[m.check.id] = (err, 0.0)
            value, spent = values.get(m.check.id, (_QueryFailed("Not measured."), 0.0))
            result = self._evaluate(m, value)
            result.duration_s = spent + time.perf_counter() - started
            self._withhold(m, result, value)
            report(result)

    def _withhold(self, m: compiler.Measure, result: CheckResult, value: Any) -> None:
        """Keep sensitive values out of a message that is stored for everybody to read.

        On an object with sensitive columns, an error (DuckDB may quote the value that failed
        to convert), anything an ``sql`` rule's query returned, and the dates of a check on a
        sensitive column are masked (:func:`catalog.access.masking.mask_message`).
        """
        if not self.hidden or not result.message:
            return
        column = str(m.check.arguments.get("column") or m.check.property or "")
        if result.status is Status.ERROR or m.mode == compiler.SQL or column in self.hidden:
            shown = () if isinstance(value, _QueryFailed) else (value,)
            result.message = mask_message(result.message, shown)

    def _measure(self, measures: list[compiler.Measure], need_total: bool
                 ) -> dict[str, tuple[Any, float]]:
        """Run the plan; check id → (value or the _QueryFailed, seconds)."""
        values: dict[str, tuple[Any, float]] = {}
        strategy = self.strategy
        if strategy == "planned" and self.adapter.shared_scan:
            strategy = "shared_scan"  # no statistics to answer counts from: read once
        for query in compiler.plan_queries(self.relation, measures, strategy, need_total):
            started = time.perf_counter()
            try:
                row = self._one(query.sql)
            except _QueryFailed as err:
                if len(query.measures) > 1:  # isolate the culprit: one query per measure
                    for m in query.measures:
                        single = compiler.plan_queries(self.relation, [m], "per_check")
                        try:
                            values[m.check.id] = (self._one(single[0].sql)[0], 0.0)
                        except _QueryFailed as one:
                            values[m.check.id] = (one, 0.0)
                    continue
                for m in query.measures:
                    values[m.check.id] = (err, 0.0)
                continue
            spent = (time.perf_counter() - started) / max(1, len(query.measures))
            offset = 0
            if query.total:
                self.total = int(row[0])
                offset = 1
            for i, m in enumerate(query.measures):
                values[m.check.id] = (row[offset + i], spent)
        for m in measures:  # exact recount where a hashed key count reported duplicates
            value = values.get(m.check.id, (None, 0.0))[0]
            if m.exact and isinstance(value, int | float) and value > 0:
                started = time.perf_counter()
                try:
                    exact = self._one(m.exact.format(relation=self.relation))[0]
                except _QueryFailed as err:
                    exact = err
                values[m.check.id] = (exact, time.perf_counter() - started)
        return values

    def _evaluate(self, m: compiler.Measure, value: Any) -> CheckResult:
        check = m.check
        if isinstance(value, _QueryFailed):
            if value.skipped:
                return CheckResult(check, Status.SKIPPED, message=f"Not run: {value}")
            return CheckResult(check, Status.ERROR, message=f"Could not run: {value}")
        try:
            kind = kind_of(check.kind)
            seen = kind.observe(m, value, now=self.now, total=self.total)
            if seen.observed is None:
                return self._verdict(check, None, None, seen.message, ok=False)
            observed, failing, message = seen.observed, seen.failing, seen.message
            ok = kind.evaluate(check, observed)
        except (_QueryFailed, ValueError) as err:
            return CheckResult(check, Status.ERROR, message=str(err))
        if ok is None:
            return CheckResult(check, Status.ERROR, observed=observed,
                               message="The rule states no threshold (mustBe, "
                                       "mustBeLessThan, …); add one to the contract.")
        result = self._verdict(check, observed, failing, message, ok)
        if not ok and failing and self.sample_columns:
            result.sample = self._sample(m)
        return result

    def _verdict(self, check: Check, observed: float | None, failing: int | None,
                 message: str, ok: bool) -> CheckResult:
        status = Status.PASSED if ok else (Status.FAILED if check.blocking else Status.WARNING)
        return CheckResult(check, status, observed=observed, failing_rows=failing,
                           message=message)

    def _sample(self, m: compiler.Measure) -> list[dict[str, Any]]:
        """Up to SAMPLE_ROWS failing rows, the check's own columns first."""
        own = [c for c in (*m.key, str(m.check.arguments.get("column") or m.check.property or ""))
               if c in self.sample_columns]
        columns = list(dict.fromkeys([*own, *self.sample_columns]))
        # Values leave as text where Python would need extra packages (time zones, decimals).
        select = ", ".join(
            f"CAST({quote_identifier(c)} AS VARCHAR)"
            if self.types.get(c, "").upper().startswith(("TIMESTAMP WITH", "DECIMAL", "INTERVAL"))
            else quote_identifier(c) for c in columns)
        if m.key:
            # A window in a subquery, not QUALIFY: it reads the same on every engine.
            keys = ", ".join(quote_identifier(k) for k in m.key)
            complete = " AND ".join(f"{quote_identifier(k)} IS NOT NULL" for k in m.key)
            null_part = f" OR NOT ({complete})" if kind_of(m.check.kind).nulls_fail else ""
            sql = (f"SELECT {select} FROM (SELECT *, count(*) OVER (PARTITION BY {keys}) "
                   f"AS mesh_key_rows FROM {self.relation}) AS mesh_sample "
                   f"WHERE (({complete}) AND mesh_key_rows > 1){null_part} "
                   f"ORDER BY {keys} LIMIT {SAMPLE_ROWS}")
        elif m.predicate:
            sql = f"SELECT {select} FROM {self.relation} WHERE {m.predicate} LIMIT {SAMPLE_ROWS}"
        else:
            return []
        try:
            rows = self.adapter.fetch(sql, max_rows=SAMPLE_ROWS)
        except (CatalogError, duckdb.Error) as err:
            logger.warning("sample of %s failed: %s", m.check.id, err)
            return []
        return [{c: _json_safe(v) for c, v in zip(columns, row, strict=True)} for row in rows]


def cut_off(relation: str, column: str, as_of: dt.datetime) -> str:
    """The relation restricted to rows whose ``column`` is at or before ``as_of``."""
    stamp = quote_literal(as_of.strftime("%Y-%m-%d %H:%M:%S"))
    return (f"(SELECT * FROM {relation} "
            f"WHERE CAST({quote_identifier(column)} AS TIMESTAMP) <= CAST({stamp} AS TIMESTAMP))")


def run_checks(engine: Engine, relation_for: Callable[[str], str | Located],
               checks: list[Check], *,
               as_of: dt.datetime | None = None, time_filter: tuple[str, str] | None = None,
               now: dt.datetime | None = None, strategy: str = "planned",
               progress: Progress | None = None,
               raw_contract: dict[str, Any] | None = None,
               ages_at: dt.datetime | None = None) -> list[CheckResult]:
    """Run ``checks`` (of one contract) and return one result per check, in the same order.

    Args:
        engine: the engine (its resolver's adapters run the queries).
        relation_for: object name → where its data is: a :class:`Located` (adapter and
            relation, :meth:`Engine.locate`), or a DuckDB relation on the engine's own
            database; may raise a CatalogError (e.g. DataUnavailable), which turns that
            object's checks into ``error`` results.
        checks: from :func:`catalog.quality.derive.derive_checks`.
        as_of: data cut-off (naive UTC): with ``time_filter`` the object's rows after it are
            left out, and freshness/retention ages are measured at it. Defaults to ``now``.
        time_filter: (object, column) to cut off on (see :func:`.derive.time_element`).
        now: the current time (naive UTC); defaults to the clock.
        strategy: query plan, one of :data:`catalog.quality.compiler.STRATEGIES`.
        progress: called as ``progress(done, total, label)``.
        raw_contract: the contract document, to leave sensitive columns out of samples (and
            their values out of messages, :meth:`_ObjectRun._withhold`) and to sample only
            declared columns; without it no samples are taken.
        ages_at: when there is no ``as_of``, measure freshness/retention ages at this moment
            instead of the clock (the end of a frozen historical snapshot).

    Returns:
        Results in the order of ``checks``.
    """
    clock = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    moment = as_of or ages_at or clock
    by_object: dict[str, list[Check]] = {}
    for check in checks:
        by_object.setdefault(check.object, []).append(check)
    results: dict[int, CheckResult] = {}
    position = {id(c): i for i, c in enumerate(checks)}
    done = 0

    def _report(result: CheckResult) -> None:
        nonlocal done
        results[position[id(result.check)]] = result
        done += 1
        if progress is not None:
            progress(done, len(checks), result.check.description)

    local = ServerRef("", "", engine.resolver.duckdb.engine, "")
    for obj, obj_checks in by_object.items():
        try:
            found = relation_for(obj)
            located = found if isinstance(found, Located) else Located(
                engine.resolver.duckdb, found, local)
            relation = located.relation
            if as_of is not None and time_filter and time_filter[0] == obj:
                relation = cut_off(relation, time_filter[1], as_of)
            samples: list[str] = []
            hidden: set[str] = set()
            if raw_contract is not None:
                hidden = sensitive_columns(raw_contract, obj)
                samples = [c for c in declared_columns(raw_contract, obj) if c not in hidden]
            _ObjectRun(located.adapter, relation, obj_checks, moment, strategy,
                       samples, frozenset(hidden)).run(_report)
        except (CatalogError, duckdb.Error) as err:
            reason = str(err).split("\n")[0]
            for check in obj_checks:
                if position[id(check)] not in results:
                    _report(CheckResult(check, Status.ERROR,
                                        message=f"Could not run: {reason}"))
    return [results[i] for i in range(len(checks))]


def product_checks(product: DataProduct) -> list[tuple[str, list[Check]]]:
    """(port name, checks) for every output port with a contract."""
    return [(port.name, derive_checks(port.raw_contract, product.id, port.name))
            for port in product.output_ports if port.source is not None]


def run_product(engine: Engine, product: DataProduct, *, trigger: str,
                as_of: dt.datetime | None = None, now: dt.datetime | None = None,
                progress: Progress | None = None, strategy: str = "planned") -> QualityRun:
    """Run every check of every output port of ``product``.

    Args:
        engine: the DuckDB engine.
        product: the data product.
        trigger: who asked: ``portal``, ``cli``, ``history`` or ``registration``.
        as_of: data cut-off for history rebuilt from past states (naive UTC); ``None`` for
            the data as it is now.
        now: the current time (naive UTC); defaults to the clock.
        progress: called as ``progress(done, total, label)`` over all ports' checks.
        strategy: query plan (see :data:`catalog.quality.compiler.STRATEGIES`).

    Returns:
        The run, scored, not yet stored (see :func:`catalog.quality.history.save_run`).
    """
    started_wall = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    started = time.perf_counter()
    ports = product_checks(product)
    total = sum(len(c) for _, c in ports)
    offset = 0
    results: list[CheckResult] = []
    for port_name, checks in ports:
        port = product.port(port_name)

        def _relation_for(obj: str, port=port) -> Located:  # type: ignore[no-untyped-def]
            return engine.locate(port, obj)

        def _step(done: int, _total: int, label: str, base: int = offset) -> None:
            if progress is not None:
                progress(base + done, total, label)

        frozen = snapshot_end(port.raw_contract)
        clock = now or started_wall
        ages_at = frozen if as_of is None and frozen is not None and frozen < clock else None
        port_results = run_checks(engine, _relation_for, checks, as_of=as_of, now=now,
                                  time_filter=time_element(port.raw_contract),
                                  strategy=strategy, progress=_step,
                                  raw_contract=port.raw_contract, ages_at=ages_at)
        if ages_at is not None:
            for result in port_results:
                if kind_of(result.check.kind).sla_property and result.message:
                    result.message += (f"; age measured at {ages_at:%Y-%m-%d}, the end of this "
                                       "historical snapshot, which is not updated any more")
        results += port_results
        offset += len(checks)
    return QualityRun(
        run_id=uuid.uuid4().hex, product_id=product.id, product_version=product.version,
        started_at=started_wall, as_of=as_of or (now or started_wall),
        duration_s=time.perf_counter() - started, trigger=trigger, results=results,
        score=score(results),
    )
