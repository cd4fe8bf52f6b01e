"""Plain-language results and dashboard aggregates (catalog.quality.presentation)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from catalog.quality import presentation as pres
from catalog.quality.model import Check, CheckResult, QualityRun, Status
from catalog.quality.scoring import score


def _result(kind: str, status: Status, observed: float | None, *, unit: str = "rows",
            operator: str = "mustBe", threshold: Any = 0, failing: int | None = None,
            severity: str = "error", description: str = "A rule", message: str = "",
            dimension: str = "completeness") -> CheckResult:
    check = Check(id=f"r-{kind}", product_id="d.p", port="p", kind=kind, object="t",
                  property="c", dimension=dimension, severity=severity,
                  description=description, operator=operator, threshold=threshold, unit=unit)
    return CheckResult(check, status, observed=observed, failing_rows=failing, message=message)


def _run(pid: str, as_of: dt.datetime, results: list[CheckResult]) -> QualityRun:
    return QualityRun(run_id=f"{pid}-{as_of:%Y%m%d%H%M}", product_id=pid, product_version="1.0.0",
                      started_at=as_of, as_of=as_of, duration_s=0.1, trigger="test",
                      results=results, score=score(results))


def _product(pid: str, owners: tuple[str, ...] = ("Ann",), team: str = "T") -> Any:
    return SimpleNamespace(id=pid, domain=pid.split(".")[0], owners=list(owners),
                           team_name=team, title=pid, directory=Path("."))


@pytest.mark.parametrize(("result", "sentence"), [
    (_result("nullValues", Status.PASSED, 0, failing=0,
             description="Every flight has a departure airport"),
     "No missing values in c — 0 missing ✓"),
    (_result("nullValues", Status.WARNING, 2.4511841, unit="percent", failing=8255,
             operator="mustBeLessOrEqualTo", threshold=1, severity="warning",
             description="At most 1% of flights lack a departure time"),
     "At most 1% missing values in c — 2.45% missing ✗ (8,255 rows)"),
    (_result("duplicateValues", Status.FAILED, 1, failing=1),
     "No duplicate values in c — 1 duplicate ✗"),
    (_result("unique", Status.FAILED, 3, failing=3), "No duplicate values in c — 3 duplicates ✗"),
    (_result("enum", Status.PASSED, 0, failing=0), "No invalid values in c — 0 invalid ✓"),
    (_result("rowCount", Status.PASSED, 336776, operator="mustBeGreaterThan",
             threshold=300000), "More than 300,000 rows — 336,776 rows ✓"),
    (_result("sql", Status.FAILED, 1), "A rule — the query returned 1 ✗"),
    (_result("freshness", Status.FAILED, 4707.5338, unit="d",
             operator="mustBeLessOrEqualTo", threshold=1),
     "The newest record is at most 1 day old — newest record 4,707.5 days old ✗"),
    (_result("freshness", Status.PASSED, 1.0, unit="d", operator="mustBeLessOrEqualTo",
             threshold=1),
     "The newest record is at most 1 day old — newest record 1 day old ✓"),
    (_result("sql", Status.ERROR, None, message="Could not run: no column x"),
     "A rule — Could not run: no column x !"),
])
def test_result_sentences(result: CheckResult, sentence: str) -> None:
    assert pres.result_sentence(result) == sentence


def test_limits_in_words() -> None:
    assert pres.limit_text(_result("nullValues", Status.PASSED, 0, unit="percent",
                                   operator="mustBeLessOrEqualTo", threshold=1)) == "at most 1%"
    assert pres.limit_text(_result("rowCount", Status.PASSED, 5, operator="mustBeGreaterThan",
                                   threshold=300000)) == "more than 300,000 rows"
    assert pres.limit_text(_result("freshness", Status.PASSED, 0.5, unit="d",
                                   operator="mustBeLessOrEqualTo", threshold=2)
                           ) == "at most 2 days"
    assert pres.limit_text(_result("sql", Status.PASSED, 5, operator="mustBeBetween",
                                   threshold=[1, 50])) == "between 1 and 50"


def test_failing_first_and_product_status() -> None:
    ok = _result("required", Status.PASSED, 0)
    warn = _result("nullValues", Status.WARNING, 3, severity="warning")
    bad = _result("sql", Status.FAILED, 1)
    assert pres.ordered([ok, warn, bad]) == [bad, warn, ok]
    assert pres.product_status(None) == pres.NOT_CHECKED
    assert pres.product_status(_run("a.x", dt.datetime(2013, 1, 31), [ok, warn])) == "warning"
    assert pres.product_status(_run("a.x", dt.datetime(2013, 1, 31), [ok])) == "passed"


def test_impact_is_transitive_and_ranks_failing_rules() -> None:
    downstream = {"a.src": ["b.mid"], "b.mid": ["c.end", "d.end"], "c.end": []}
    assert pres.impact("a.src", downstream) == 3
    assert pres.impact("c.end", downstream) == 0
    when = dt.datetime(2013, 12, 31)
    runs = {
        "a.src": _run("a.src", when, [_result("nullValues", Status.WARNING, 2,
                                              severity="warning", failing=2)]),
        "b.mid": _run("b.mid", when, [_result("sql", Status.FAILED, 1)]),
        "c.end": _run("c.end", when, [_result("sql", Status.FAILED, 9, failing=9),
                                      _result("required", Status.PASSED, 0)]),
    }
    items = pres.product_quality([_product(p) for p in runs], runs, downstream)
    ranked = [(i.product.id, r.status) for i, r in pres.failing_rules(items)]
    # error severity first (b.mid reaches 2 products, c.end none), then the warning
    assert ranked == [("b.mid", Status.FAILED), ("c.end", Status.FAILED),
                      ("a.src", Status.WARNING)]


def test_filters_domain_owner_status() -> None:
    run = _run("a.x", dt.datetime(2013, 1, 31), [_result("sql", Status.FAILED, 1)])
    item = pres.product_quality([_product("a.x", ("Ann",), "Team A")], {"a.x": run}, {})[0]
    assert pres.matches(item, [], [], [])
    assert pres.matches(item, ["a"], ["Team A"], ["failed"])
    assert not pres.matches(item, ["b"], [], [])
    assert not pres.matches(item, [], ["Bob"], [])
    assert not pres.matches(item, [], [], ["passed"])


def test_mesh_trend_carries_each_products_latest_run_forward() -> None:
    jan, feb = dt.datetime(2013, 1, 31, 23, 59, 59), dt.datetime(2013, 2, 28, 23, 59, 59)
    live = dt.datetime(2026, 5, 1, 10, 0)
    ok, bad = _result("required", Status.PASSED, 0), _result("required", Status.FAILED, 1)
    runs = [_run("a.x", jan, [ok]), _run("b.y", jan, [bad]), _run("a.x", feb, [bad]),
            _run("b.y", feb, [ok]), _run("a.x", live, [ok])]
    trend = pres.mesh_trend(runs)
    assert trend == [(jan.date(), 50.0, 2), (feb.date(), 50.0, 2), (live.date(), 100.0, 2)]
    assert pres.mesh_trend(runs, keep={"b.y"}.__contains__) == [(jan.date(), 0.0, 1),
                                                                (feb.date(), 100.0, 1)]


def test_freshness_and_dimension_rates() -> None:
    fresh = _result("freshness", Status.FAILED, 3.25, unit="d", operator="mustBeLessOrEqualTo",
                    threshold=1, dimension="timeliness", message="The newest record is …")
    run = _run("a.x", dt.datetime(2013, 1, 31), [fresh, _result("required", Status.PASSED, 0)])
    status = pres.freshness(run)
    assert status == pres.Freshness("at most 1 day", "3.25 days", False, "The newest record is …")
    assert pres.freshness(_run("a.x", dt.datetime(2013, 1, 31), [])) is None
    items = pres.product_quality([_product("a.x")], {"a.x": run}, {})
    assert pres.dimension_rates(items) == {"a": {"completeness": 1.0, "timeliness": 0.0}}
    assert pres.domain_scores(items) == {"a": run.score.value}


# -- figures that add up, trends with their gaps -------------------------------------------

def test_rule_tally_puts_every_rule_in_one_group() -> None:
    run = _run("d.p", dt.datetime(2013, 12, 31, 23, 59, 59), [
        *(_result("nullValues", Status.PASSED, 0) for _ in range(24)),
        _result("nullValues", Status.WARNING, 2.45, unit="percent"),
        _result("freshness", Status.SKIPPED, None, message="no element")])
    tally = pres.rule_tally(run)
    assert (tally.rules, tally.met, tally.not_met, tally.not_checked) == (26, 24, 1, 1)
    assert tally.checked == 25  # the "Rules met: 24 of 25" beside "26 rules"…
    assert tally.sentence() == "26 rules: 24 met, 1 not met, 1 could not be checked"
    assert tally.met + tally.not_met + tally.not_checked == tally.rules


def test_table_sentences_carry_no_symbol() -> None:
    result = _result("nullValues", Status.WARNING, 2.4511841, unit="percent", failing=8255,
                     operator="mustBeLessOrEqualTo", threshold=1, description="At most 1%")
    assert pres.result_sentence(result, mark=False) == (
        "At most 1% missing values in c — 2.45% missing (8,255 rows)")
    assert pres.RESULT_WORDS[result.status] == "not met (warning)"
    assert set(pres.RESULT_WORDS) == set(Status)


def test_a_long_gap_between_runs_is_marked_and_breaks_the_line() -> None:
    history = [_run("d.p", dt.datetime(2013, m, 28, 23, 59, 59), []) for m in range(1, 13)]
    live = _run("d.p", dt.datetime(2026, 11, 30, 10, 5), [])
    points, gaps = pres.score_trend([*history, live])
    assert [p.segment for p in points] == [0] * 12 + [1]
    assert points[-1].label == "2026-11-30 10:05" and points[-2].label == "2013-12-28"
    assert [(g.after, g.text) for g in gaps] == [("2013-12-28", "12 years without a run")]
    labels = pres.axis_labels(points, gaps)
    assert labels[-3:] == ["2013-12-28", gaps[0].label, "2026-11-30 10:05"]


def test_monthly_history_has_no_gap_and_repeated_labels_stay_distinct() -> None:
    runs = [_run("d.p", dt.datetime(2013, m, 28, 23, 59, 59), []) for m in range(1, 13)]
    twice = _run("d.p", dt.datetime(2013, 12, 28, 23, 59, 59), [])
    points, gaps = pres.score_trend([*runs, twice])
    assert gaps == [] and {p.segment for p in points} == {0}
    assert points[-1].label == "2013-12-28 (2)"
    assert len({p.label for p in points}) == len(points)
