"""``nullValues``: read, compiled, evaluated and said once."""

from __future__ import annotations

import pytest

from catalog.quality.kinds import KINDS, Target, read_rule, rule_sentence
from catalog.quality.measures import FILTER, Measure
from catalog.quality.model import Check, CheckResult, Status

KIND = KINDS["nullValues"]


def _check(**extra: object) -> Check:
    fields: dict[str, object] = dict(id="c", product_id="d.p", port="p", kind="nullValues",
                                     object="flights", property="carrier",
                                     dimension="completeness", severity="error", description="")
    fields.update(extra)
    return Check(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("entry", "sentence"), [
    ({"metric": "nullValues", "mustBe": 0}, "No missing values in Airline code (carrier)"),
    ({"metric": "nullValues", "mustBeLessOrEqualTo": 1, "unit": "percent"},
     "At most 1% missing values in Airline code (carrier)"),
    ({"metric": "nullValues", "mustBeLessThan": 5}, "Less than 5 missing values in Airline code "
     "(carrier)"),
    ({"metric": "nullValues", "mustBeLessOrEqualTo": 1}, "At most 1 missing value in Airline code "
     "(carrier)"),
    ({"metric": "nullValues", "mustBe": 0, "description": "Every flight has an airline"},
     "No missing values in Airline code (carrier)"),
])
def test_sentence(entry: dict[str, object], sentence: str) -> None:
    assert rule_sentence(read_rule(entry), Target("flights", "carrier", "Airline code")) == (
        sentence)


def test_compiles_to_a_null_count_on_the_stored_column() -> None:
    measure = KIND.compile(_check(arguments={"column": "carrier_code"}),
                           {"carrier_code": "VARCHAR"})
    assert measure.mode == FILTER
    assert measure.predicate == '"carrier_code" IS NULL'
    assert measure.expression == 'count(*) FILTER (WHERE "carrier_code" IS NULL)'


@pytest.mark.parametrize(("unit", "value", "total", "observed", "met"), [
    ("rows", 0, 10, 0.0, True), ("rows", 3, 10, 3.0, False),
    ("percent", 1, 200, 0.5, True), ("percent", 0, 0, 0.0, True),
])
def test_observed_and_evaluated(unit: str, value: int, total: int, observed: float,
                                met: bool) -> None:
    check = _check(unit=unit, operator="mustBeLessOrEqualTo" if unit == "percent" else "mustBe",
                   threshold=1 if unit == "percent" else 0)
    seen = KIND.observe(Measure(check, FILTER, predicate="x"), value, now=None, total=total)
    assert (seen.observed, seen.failing) == (observed, value)
    assert KIND.evaluate(check, observed) is met


def test_outcome_and_axis() -> None:
    check = _check(unit="percent")
    assert KIND.outcome(CheckResult(check, Status.FAILED, observed=2.4511)) == "2.45% missing"
    assert KIND.outcome(CheckResult(_check(), Status.PASSED, observed=1)) == "1 missing"
    assert KIND.value_label(check) == "missing (% of rows)"
