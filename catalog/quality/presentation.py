"""Quality results for people: plain-language outcomes and the dashboard's aggregates.

Pure functions over :mod:`catalog.quality.model` objects (no Streamlit, no I/O), used by the
product page's *Quality* tab and the mesh-wide *Quality* page:

- one result as a sentence: "Every flight has a departure airport — 0 missing ✓", "At most 1% of
  flights lack a departure time — 2.45% missing ✗ (8,255 rows)";
- the freshness SLA status of a run (ODCS v3.1 §sla ``freshness``: promised vs actual age of the
  newest record);
- per product and per domain figures, the domain × dimension pass rates, the failing rules of
  the mesh ranked by severity then impact (downstream products), and the mesh score over time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from statistics import mean

from catalog.mesh import DataProduct
from catalog.quality.kinds import check_sentence, kind_of
from catalog.quality.kinds.base import amount_text
from catalog.quality.kinds.freshness import age_text
from catalog.quality.model import Check, CheckResult, QualityRun, Status
from catalog.quality.operators import is_time_unit, unit_word, words
from catalog.quality.scoring import GRADES, WEIGHTS

MARKS = {Status.PASSED: "✓", Status.WARNING: "✗", Status.FAILED: "✗", Status.ERROR: "!",
         Status.SKIPPED: "–"}
"""Mark shown after a result: ✓ met, ✗ not met (failed or warning), ! could not run, – skipped."""

RESULT_WORDS = {Status.PASSED: "met", Status.WARNING: "not met (warning)",
                Status.FAILED: "not met", Status.ERROR: "could not run",
                Status.SKIPPED: "not run here"}
"""A result in words, for table cells (a data grid draws its text on a canvas, where a
symbol the font lacks shows as an empty box)."""

STATUS_ORDER = (Status.FAILED, Status.WARNING, Status.ERROR, Status.SKIPPED, Status.PASSED)
"""Display order of results: failing first."""

NOT_CHECKED = "not checked"
"""Quality status of a product without any stored run."""

PRODUCT_STATUSES = ("failed", "warning", "error", "passed", NOT_CHECKED)
"""A product's quality status (its worst result), worst first."""

STATUS_LABELS = {"failed": "Failing", "warning": "Warnings", "error": "Could not check",
                 "passed": "All rules met", NOT_CHECKED: "Not checked yet"}
"""Words for each product quality status."""

GRADE_COLORS = {"A": "green", "B": "blue", "C": "yellow", "D": "orange", "E": "red"}
"""Badge colour of each grade (anything else is gray)."""

_SEVERITY_RANK = {"critical": 0, "blocker": 0, "error": 0, "high": 0, "major": 1, "warning": 1,
                  "medium": 1, "minor": 2, "info": 2, "low": 2}
def _is_time(unit: str) -> bool:
    return is_time_unit(unit)


def limit_text(result: CheckResult) -> str:
    """The rule's threshold in words: ``at most 1%``, ``more than 300,000 rows``, ``at most 1
    day``, ``between 1 and 50``; ``""`` when the rule has none."""
    c = result.check
    if not c.operator or c.threshold is None:
        return ""
    pair = isinstance(c.threshold, list | tuple)
    values = list(c.threshold) if pair else [c.threshold]
    if not all(isinstance(v, int | float) for v in values):
        return f"{words(c.operator)} {c.threshold}"
    amounts = [amount_text(float(v)) for v in values]
    if c.unit == "percent":
        amounts = [a + "%" for a in amounts]
    elif _is_time(c.unit):
        amounts[-1] += f" {unit_word(c.unit, float(values[-1]))}"
    elif kind_of(c.kind).limit_unit(c):
        amounts[-1] += f" {kind_of(c.kind).limit_unit(c)}"
    joined = " and ".join(amounts) if pair else amounts[0]
    return f"{words(c.operator)} {joined}"


def outcome(result: CheckResult) -> str:
    """What was measured, in words: ``0 missing``, ``2.45% missing``, ``3 duplicates``,
    ``336,776 rows``, ``newest record 4,707.5 days old``, ``the query returned 0``; for
    ``error``/``skipped`` results the reason."""
    return kind_of(result.check.kind).outcome(result)


def value_label(result: CheckResult) -> str:
    """What the rule's observed value counts, for a chart axis: ``missing (% of rows)``,
    ``duplicates (rows)``, ``age of the newest record (days)``, ``rows``, ``query result``."""
    return kind_of(result.check.kind).value_label(result.check)


def rule_sentence(check: Check) -> str:
    """The rule in one sentence, as the contract, the wizard and the product's documentation
    say it (:func:`catalog.quality.kinds.check_sentence`), e.g. "No missing values in Airline
    code (carrier)"."""
    return check_sentence(check)


def result_sentence(result: CheckResult, mark: bool = True) -> str:
    """The rule and its result on one line, e.g. "At most 1% of flights lack a departure time —
    2.45% missing ✗ (8,255 rows)"; the row count is added when the unit is percent.

    Args:
        result: the result.
        mark: end the outcome with its mark (✓, ✗, !, –); tables leave it out and show
            :data:`RESULT_WORDS` in a column of their own.
    """
    text = f"{rule_sentence(result.check)} — {outcome(result)}"
    if mark:
        text += f" {MARKS[result.status]}"
    if (result.check.unit == "percent" and result.failing_rows
            and result.status in (Status.FAILED, Status.WARNING)):
        text += f" ({result.failing_rows:,} rows)"
    return text


@dataclass(frozen=True)
class RuleTally:
    """A run's rules counted once, each in one group, so every figure shown adds up.

    Attributes:
        rules: rules of the run.
        met: rules met.
        not_met: rules not met (failed or warning).
        not_checked: rules that could not run, or were not run here.
    """

    rules: int
    met: int
    not_met: int
    not_checked: int

    @property
    def checked(self) -> int:
        """Rules that ran and were met or not: ``met + not_met``."""
        return self.met + self.not_met

    def sentence(self) -> str:
        """``26 rules: 24 met, 1 not met, 1 could not be checked`` (groups of 0 left out)."""
        parts = [f"{self.met} met"]
        if self.not_met:
            parts.append(f"{self.not_met} not met")
        if self.not_checked:
            parts.append(f"{self.not_checked} could not be checked")
        return f"{self.rules} rule{'s' if self.rules != 1 else ''}: " + ", ".join(parts)


def rule_tally(run: QualityRun) -> RuleTally:
    """The run's rules by outcome (from its results, or the counts stored with it)."""
    counts = run.counts()
    met = counts["passed"]
    not_met = counts["failed"] + counts["warning"]
    not_checked = counts["error"] + counts["skipped"]
    return RuleTally(met + not_met + not_checked, met, not_met, not_checked)


def ordered(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Results failing first (failed, warning, error, skipped, passed), else in contract order."""
    return sorted(results, key=lambda r: STATUS_ORDER.index(r.status))


def severity_rank(severity: str) -> int:
    """0 for error-like severities (error, critical, blocker, high), 1 for warnings, 2 for info."""
    return _SEVERITY_RANK.get(severity.strip().lower(), 1)


def as_of_label(run: QualityRun) -> str:
    """The run's data cut-off for people: a date for month-end history, else date and time."""
    if run.as_of.time() >= dt.time(23, 59, 59):
        return f"{run.as_of:%Y-%m-%d}"
    return f"{run.as_of:%Y-%m-%d %H:%M:%S}"


def grade_bands() -> str:
    """``A ≥ 95 · B ≥ 85 · C ≥ 70 · D ≥ 50 · E below 50`` (from :data:`scoring.GRADES`)."""
    bands = [f"{letter} ≥ {floor:g}" for floor, letter in GRADES if floor > 0]
    return " · ".join(bands) + f" · {GRADES[-1][1]} below {GRADES[-2][0]:g}"


def weights_text() -> str:
    """``completeness 0.25 · conformity 0.25 · …`` (from :data:`scoring.WEIGHTS`)."""
    return " · ".join(f"{d} {w:.2f}" for d, w in WEIGHTS.items())


@dataclass(frozen=True)
class Freshness:
    """Freshness SLA status of one run (ODCS v3.1 §sla ``freshness``).

    Attributes:
        promised: e.g. ``at most 1 day``.
        actual: age of the newest record, e.g. ``4,707.5 days`` (``unknown`` when not measured).
        met: True/False, or None when the check could not run.
        detail: the runner's message (the newest record's time, or why it could not run).
    """

    promised: str
    actual: str
    met: bool | None
    detail: str


def freshness(run: QualityRun | None) -> Freshness | None:
    """The run's freshness SLA status, None when there is no run or no freshness promise."""
    result = run.freshness() if run is not None else None
    if result is None:
        return None
    value = result.observed
    actual = age_text(value, result.check.unit) if value is not None else "unknown"
    met = None if result.status in (Status.ERROR, Status.SKIPPED) else (
        result.status == Status.PASSED)
    return Freshness(limit_text(result), actual, met, result.message)


# -- mesh-wide aggregates ------------------------------------------------------------------

@dataclass(frozen=True)
class ProductQuality:
    """One product's current quality for the dashboard.

    Attributes:
        product: the product.
        run: its latest run, None when never checked.
        status: one of :data:`PRODUCT_STATUSES`.
        impact: products downstream of it (directly or through others).
    """

    product: DataProduct
    run: QualityRun | None
    status: str
    impact: int

    @property
    def score(self) -> float | None:
        """The latest score 0..100, None when unscored or never checked."""
        return self.run.score.value if self.run else None


def product_status(run: QualityRun | None) -> str:
    """A product's quality status: its worst result (failed, warning, error), else passed."""
    if run is None:
        return NOT_CHECKED
    counts = run.counts()
    return next((s for s in ("failed", "warning", "error") if counts[s]), "passed")


def impact(product_id: str, downstream: Mapping[str, list[str]]) -> int:
    """Products reached downstream of ``product_id`` (transitively), given direct consumers."""
    seen: set[str] = set()
    todo = list(downstream.get(product_id, []))
    while todo:
        pid = todo.pop()
        if pid not in seen and pid != product_id:
            seen.add(pid)
            todo.extend(downstream.get(pid, []))
    return len(seen)


def product_quality(products: Iterable[DataProduct], latest: Mapping[str, QualityRun],
                    downstream: Mapping[str, list[str]]) -> list[ProductQuality]:
    """One :class:`ProductQuality` per product, in the given order."""
    return [ProductQuality(p, latest.get(p.id), product_status(latest.get(p.id)),
                           impact(p.id, downstream)) for p in products]


def matches(item: ProductQuality, domains: Iterable[str], owners: Iterable[str],
            statuses: Iterable[str]) -> bool:
    """True when the product passes the filters (an empty filter lets everything through;
    an owner matches a product's owners or its team name)."""
    domains, owners, statuses = set(domains), set(owners), set(statuses)
    people = {*item.product.owners, item.product.team_name}
    return ((not domains or item.product.domain in domains)
            and (not owners or bool(people & owners))
            and (not statuses or item.status in statuses))


def domain_scores(items: Iterable[ProductQuality]) -> dict[str, float]:
    """Mean latest score per domain (products without a score left out), by domain name."""
    scores: dict[str, list[float]] = {}
    for item in items:
        if item.score is not None:
            scores.setdefault(item.product.domain, []).append(item.score)
    return {d: round(mean(v), 1) for d, v in sorted(scores.items())}


def dimension_rates(items: Iterable[ProductQuality]) -> dict[str, dict[str, float]]:
    """Domain → scoring dimension → pass rate 0..1, pooled over the domain's latest runs
    (passed checks ÷ scored checks); a dimension with no scored check is absent."""
    pooled: dict[str, dict[str, list[int]]] = {}
    for item in items:
        for dim in item.run.score.dimensions if item.run else ():
            cell = pooled.setdefault(item.product.domain, {}).setdefault(dim.dimension, [0, 0])
            cell[0] += dim.passed
            cell[1] += dim.scored
    return {d: {dim: p / s for dim, (p, s) in cells.items() if s}
            for d, cells in sorted(pooled.items())}


def failing_rules(items: Iterable[ProductQuality]) -> list[tuple[ProductQuality, CheckResult]]:
    """Every failed or warning result of the latest runs, ranked by severity (error first),
    then impact (most downstream products first), then failing rows (most first)."""
    found = [(item, r) for item in items for r in (item.run.results if item.run else ())
             if r.status in (Status.FAILED, Status.WARNING)]
    return sorted(found, key=lambda pair: (severity_rank(pair[1].check.severity),
                                           -pair[0].impact, -(pair[1].failing_rows or 0)))


def mesh_trend(runs: Iterable[QualityRun], keep: Callable[[str], bool] = lambda _: True
               ) -> list[tuple[dt.date, float, int]]:
    """The mesh's mean score over time: ``(day, mean score, products scored)`` per day on which
    any run's data cut-off falls, each product counted with its latest run up to that day.

    Args:
        runs: runs of any products, any order (results not needed).
        keep: product ids to include (e.g. the dashboard's filters).
    """
    by_product: dict[str, list[tuple[dt.datetime, float | None]]] = {}
    for run in runs:
        if keep(run.product_id):
            by_product.setdefault(run.product_id, []).append((run.as_of, run.score.value))
    for series in by_product.values():
        series.sort(key=lambda pair: pair[0])
    days = sorted({moment.date() for series in by_product.values() for moment, _ in series})
    trend = []
    for day in days:
        current = [next((s for m, s in reversed(series) if m.date() <= day), None)
                   for series in by_product.values()]
        scored = [s for s in current if s is not None]
        if scored:
            trend.append((day, round(mean(scored), 1), len(scored)))
    return trend


# -- trends --------------------------------------------------------------------------------

GAP_DAYS = 62
"""Two consecutive points of a trend further apart than this (two months) have a gap marked
between them: evenly spaced labels would place a run of 2026 like the month after one of
2013."""


@dataclass(frozen=True)
class TrendPoint:
    """One point of a trend drawn over evenly spaced labels.

    Attributes:
        label: the x label (unique within the trend: a repeated one gets `` (2)``…).
        moment: when, for the hover text.
        value: the y value (None: not measured, no point).
        segment: points of one segment are joined by a line; a gap starts a new segment.
        extra: anything the chart shows on hover (grade, status…).
    """

    label: str
    moment: dt.datetime
    value: float | None
    segment: int
    extra: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrendGap:
    """A marked gap between two points: its label on the axis (placed between them) and
    how long it is, in words."""

    label: str
    after: str
    text: str


def gap_words(delta: dt.timedelta) -> str:
    """``12 years``, ``5 months``, ``70 days``: a long gap in words."""
    days = delta.days
    if days >= 730:
        return f"{days // 365} years"
    if days >= 365:
        return "1 year"
    if days >= 60:
        return f"{days // 30} months"
    return f"{days} days"


def trend(points: Iterable[tuple[dt.datetime, float | None, tuple[str, ...]]],
          label: Callable[[dt.datetime], str] = lambda m: f"{m:%Y-%m-%d}"
          ) -> tuple[list[TrendPoint], list[TrendGap]]:
    """Points (oldest first) placed on evenly spaced labels, with every gap longer than
    :data:`GAP_DAYS` marked: the points after it start a new segment (no line across it) and
    a :class:`TrendGap` names it ("12 years without a run").

    Args:
        points: ``(moment, value, extra)``, any order.
        label: the x label of a moment.
    """
    ordered = sorted(points, key=lambda p: p[0])
    out: list[TrendPoint] = []
    gaps: list[TrendGap] = []
    seen: dict[str, int] = {}
    segment = 0
    for index, (moment, value, extra) in enumerate(ordered):
        if index and moment - ordered[index - 1][0] > dt.timedelta(days=GAP_DAYS):
            segment += 1
            words_ = gap_words(moment - ordered[index - 1][0])
            gaps.append(TrendGap(f"… {words_} …", out[-1].label, f"{words_} without a run"))
        text = label(moment)
        seen[text] = seen.get(text, 0) + 1
        if seen[text] > 1:
            text = f"{text} ({seen[text]})"
        out.append(TrendPoint(text, moment, value, segment, extra))
    return out, gaps


def axis_labels(points: list[TrendPoint], gaps: list[TrendGap]) -> list[str]:
    """The x labels in order, each gap's label right after the point it follows."""
    after = {g.after: g.label for g in gaps}
    labels: list[str] = []
    for point in points:
        labels.append(point.label)
        if point.label in after:
            labels.append(after[point.label])
    return labels


def score_trend(runs: Iterable[QualityRun]) -> tuple[list[TrendPoint], list[TrendGap]]:
    """A product's score per run (see :func:`trend`); extra: grade and trigger."""
    return trend(((r.as_of, r.score.value, (r.score.grade, r.trigger)) for r in runs),
                 label=lambda m: _cutoff_label(m))


def rule_trend(runs: Iterable[QualityRun], check_id: str
               ) -> tuple[list[TrendPoint], list[TrendGap]]:
    """One rule's observed value per run that has it (see :func:`trend`); extra: its status
    in words."""
    return trend(((r.as_of, res.observed, (RESULT_WORDS[res.status],)) for r in runs
                  for res in r.results if res.check.id == check_id),
                 label=lambda m: _cutoff_label(m))


def _cutoff_label(moment: dt.datetime) -> str:
    """A data cut-off as :func:`as_of_label` writes it."""
    if moment.time() >= dt.time(23, 59, 59):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M}"
