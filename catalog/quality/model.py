"""What a quality run is made of: checks derived from a contract, their results, the run.

Plain dataclasses inside the catalog; :meth:`CheckResult.as_json` is the
shape ``python -m catalog check --json`` prints and the store keeps. Vocabulary follows ODCS
v3.1 §data-quality (``metric``, ``dimension``, ``severity``, ``unit``, the ``mustBe…``
operators) and datacontract-cli's result states (``passed``, ``warning``, ``failed``,
``error``, ``skipped``).
"""

from __future__ import annotations

import builtins
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one check.

    ``passed``: the observed value meets the threshold. ``warning``: it does not, and the rule's
    severity is below ``error`` (``warning``, ``info``, …). ``failed``: it does not, and the
    severity is ``error`` (or unset). ``error``: the check could not run (bad SQL, missing
    column); the reason is in the message. ``skipped``: not executable here (``custom`` engine,
    ``text`` rule).
    """

    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


DIMENSIONS = ("accuracy", "completeness", "conformity", "consistency", "coverage",
              "timeliness", "uniqueness")
"""ODCS v3.1 quality dimensions (DataQuality.dimension enum)."""

OPERATORS = ("mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo",
             "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween")
"""ODCS v3.1 comparison operators (DataQualityOperators), in the standard's order."""


@dataclass(frozen=True)
class Check:
    """One executable (or explicitly skipped) check derived from a data contract.

    Attributes:
        id: stable id: the ODCS rule ``id`` when given, else ``<port>.<object>[.<property>].<kind>``
            so history lines up across runs.
        product_id: the data product (``<domain>.<name>``).
        port: the output port whose contract declares the check.
        kind: ``required``, ``unique``, ``primaryKey``, ``enum``, ``pattern``, ``minLength``,
            ``maxLength``, ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``,
            ``nullValues``, ``missingValues``, ``invalidValues``, ``duplicateValues``,
            ``rowCount``, ``sql``, ``freshness``, ``retention``, ``custom`` or ``text``.
        object: schema object (table) name.
        property: property (column) name; ``None`` for object-level checks.
        dimension: ODCS dimension (see :data:`DIMENSIONS`).
        severity: ODCS severity as written (``error`` when unset).
        description: the rule's own description, or one generated in plain words.
        operator: one of :data:`OPERATORS`.
        threshold: the operator's value (a number, or a pair for the ``…Between`` operators).
        unit: ``rows``, ``percent``, or for SLA checks a time unit (``d``, ``h``, ``y``…).
        arguments: extra inputs: ``validValues``, ``missingValues``, ``pattern``, ``properties``
            (a compound key), ``value`` (a length or bound), ``element``.
        query: the SQL of an ``sql`` rule, with ``{object}``/``{property}`` placeholders.
        engine: for ``custom`` rules, the engine named (soda, great-expectations…).
        source: where in the contract it came from, e.g. ``schema[0].properties[3].quality[1]``.
        label: the property's ``businessName``, when it has one (how the rule names it).
    """

    id: str
    product_id: str
    port: str
    kind: str
    object: str
    property: str | None
    dimension: str
    severity: str
    description: str
    operator: str = "mustBe"
    threshold: Any = 0
    unit: str = "rows"
    arguments: dict[str, Any] = field(default_factory=dict)
    query: str | None = None
    engine: str | None = None
    source: str = ""
    label: str | None = None

    @builtins.property  # the field ``property`` shadows the builtin inside this class
    def blocking(self) -> bool:
        """True when a failure is a ``failed`` (severity ``error``), not a ``warning``."""
        return self.severity.lower() in {"error", "critical", "blocker", "high"}


@dataclass
class CheckResult:
    """The outcome of one check in one run.

    Attributes:
        check: the check.
        status: see :class:`Status`.
        observed: measured value in the check's unit (rows, percent, or time units for SLA
            checks); ``None`` when not measured.
        failing_rows: rows that break the rule, when the check is row-based.
        sample: up to 5 failing rows (dicts; sensitive properties left out).
        message: plain-language outcome or, for ``error``/``skipped``, the reason.
        duration_s: seconds spent on the check's own queries (shared scans not included).
    """

    check: Check
    status: Status
    observed: float | None = None
    failing_rows: int | None = None
    sample: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    duration_s: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The result as a JSON-ready dict (the ``check --json`` shape)."""
        c = self.check
        return {
            "product_id": c.product_id, "port": c.port, "check_id": c.id, "kind": c.kind,
            "object": c.object, "property": c.property, "dimension": c.dimension,
            "severity": c.severity, "description": c.description, "status": str(self.status),
            "observed": self.observed, "operator": c.operator, "threshold": c.threshold,
            "unit": c.unit, "failing_rows": self.failing_rows, "sample": self.sample,
            "message": self.message, "duration_s": round(self.duration_s, 6),
            "arguments": c.arguments, "query": c.query, "engine": c.engine,
            "source": c.source, "label": c.label,
        }


@dataclass(frozen=True)
class DimensionScore:
    """Pass rate of one scoring dimension: ``passed`` of ``scored`` checks, ``weight`` in 0..1."""

    dimension: str
    passed: int
    scored: int
    weight: float

    @property
    def rate(self) -> float:
        """Pass rate in 0..1 (1.0 when nothing was scored)."""
        return self.passed / self.scored if self.scored else 1.0


@dataclass(frozen=True)
class QualityScore:
    """A product's quality score: weighted mean of dimension pass rates, 0..100.

    Attributes:
        value: the score (``None`` when no check could be scored).
        grade: ``A``–``E`` (see :mod:`catalog.quality.scoring`), ``"–"`` when unscored.
        dimensions: the dimensions that had scored checks, with their weights.
        arithmetic: the computation written out for people, e.g.
            ``(0.25×100% + 0.25×50%) ÷ 0.50 = 75.0``.
    """

    value: float | None
    grade: str
    dimensions: tuple[DimensionScore, ...]
    arithmetic: str


@dataclass
class QualityRun:
    """One quality run over a product: every check's result plus the score.

    Attributes:
        run_id: unique id (uuid4 hex).
        product_id: the product.
        product_version: its ODPS version at the time.
        started_at: when the run started (UTC).
        as_of: the data cut-off the run saw (UTC): ``started_at`` for live runs, a past date
            for history rebuilt from the data as it stood then.
        duration_s: wall time in seconds.
        trigger: ``portal``, ``cli``, ``history`` or ``registration``.
        results: one per check, in contract order.
        score: the quality score.
        stored_counts: results per status as stored (set when read without results).
    """

    run_id: str
    product_id: str
    product_version: str
    started_at: dt.datetime
    as_of: dt.datetime
    duration_s: float
    trigger: str
    results: list[CheckResult]
    score: QualityScore
    stored_counts: dict[str, int] | None = None

    def counts(self) -> dict[str, int]:
        """Number of results per status (every status present, zero when none).

        A run read from the store without its results (``with_results=False``) answers from
        the counts stored with it.
        """
        out = {str(s): 0 for s in Status}
        if not self.results and self.stored_counts:
            return {**out, **self.stored_counts}
        for r in self.results:
            out[str(r.status)] += 1
        return out

    def freshness(self) -> CheckResult | None:
        """The result of the first freshness SLA check, if the contract promises one."""
        return next((r for r in self.results if r.check.kind == "freshness"), None)
