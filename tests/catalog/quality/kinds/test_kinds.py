"""Every registered kind: its sentence, its SQL and its outcome, one row per kind.

The engine-level behaviour (observed values, pass/fail per dialect) is covered by the oracle
cases, the quality engine tests and the engine agreement tests; these pin each kind's own
answers so a change to one kind shows here first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from catalog.quality.kinds import KINDS, Rule, Target, kind_of, read_rule, rule_sentence
from catalog.quality.measures import AGGREGATE, DISTINCT, FILTER, NOT_RUN, SCALAR, SQL, Measure
from catalog.quality.model import Check, CheckResult, Status

TYPES = {"carrier": "VARCHAR", "distance": "DOUBLE", "flight": "INTEGER",
         "time_hour": "TIMESTAMP"}
CARRIER = Target("flights", "carrier", "Airline code")
TABLE = Target("flights")


def _check(kind: str, prop: str | None = "carrier", **extra: Any) -> Check:
    return Check(id=kind, product_id="d.p", port="p", kind=kind, object="flights",
                 property=prop, dimension="accuracy", severity="error", description="",
                 **extra)


@pytest.mark.parametrize(("entry", "target", "sentence"), [
    ({"metric": "missingValues", "arguments": {"missingValues": [None, "", "n/a"]}}, CARRIER,
     "No missing values in Airline code (carrier), counting blank text, n/a as missing"),
    ({"metric": "invalidValues", "arguments": {"validValues": ["AA", "B6"]}}, CARRIER,
     "No invalid values in Airline code (carrier): allowed values are AA, B6"),
    ({"rule": "validValues", "validValues": ["AA"], "mustBeLessThan": 3}, CARRIER,
     "Less than 3 invalid values in Airline code (carrier): allowed values are AA"),
    ({"metric": "invalidValues", "arguments": {"pattern": "^[A-Z0-9]{2}$"}}, CARRIER,
     "No invalid values in Airline code (carrier): values must match the pattern "
     "^[A-Z0-9]{2}$"),
    ({"metric": "duplicateValues"}, CARRIER, "No duplicate values in Airline code (carrier)"),
    ({"metric": "duplicateValues", "arguments": {"properties": ["carrier", "flight"]}}, TABLE,
     "No duplicate rows for the combination of carrier, flight"),
    ({"metric": "rowCount", "mustBeGreaterThan": 300000}, TABLE, "More than 300,000 rows"),
    ({"metric": "rowCount", "mustBeBetween": [10, 20]}, TABLE, "Between 10 and 20 rows"),
    ({"type": "sql", "query": "SELECT 0", "mustBe": 0}, TABLE,
     "A SQL check on the table flights must return exactly 0"),
    ({"type": "sql", "query": "SELECT 0", "description": "No flight lands before it leaves"},
     TABLE, "No flight lands before it leaves"),
    ({"type": "custom", "engine": "soda"}, TABLE, "A custom check on the table flights (soda)"),
    ({"type": "text", "description": "Ages are plausible"}, TABLE, "Ages are plausible"),
])
def test_rule_sentences(entry: dict[str, Any], target: Target, sentence: str) -> None:
    assert rule_sentence(read_rule(entry), target) == sentence


@pytest.mark.parametrize(("rule", "sentence"), [
    (Rule("required", "mustBe", 0), "No missing values in Airline code (carrier)"),
    (Rule("unique", "mustBe", 0), "No duplicate values in Airline code (carrier)"),
    (Rule("primaryKey", "", 0, arguments={"properties": ["carrier", "flight"]}),
     "Each row is identified by its key (carrier, flight)"),
    (Rule("enum", "mustBe", 0, arguments={"validValues": ["AA"]}),
     "No invalid values in Airline code (carrier): allowed values are AA"),
    (Rule("minLength", "mustBe", 0, arguments={"value": 2}),
     "Airline code (carrier) has at least 2 characters"),
    (Rule("maxLength", "mustBe", 0, arguments={"value": 3}),
     "Airline code (carrier) has at most 3 characters"),
    (Rule("minimum", "mustBe", 0, arguments={"value": 0}), "Airline code (carrier) is at least 0"),
    (Rule("exclusiveMaximum", "mustBe", 0, arguments={"value": 9}),
     "Airline code (carrier) is below 9"),
    (Rule("freshness", "mustBeLessOrEqualTo", 1, "d", {"element": "flights.time_hour"}),
     "The newest record is at most 1 day old (measured on flights.time_hour)"),
    (Rule("retention", "mustBeLessOrEqualTo", 5, "y"), "Records are kept for 5 years"),
])
def test_constraint_and_sla_sentences(rule: Rule, sentence: str) -> None:
    assert rule_sentence(rule, CARRIER) == sentence


@pytest.mark.parametrize(("check", "mode", "sql"), [
    (_check("required"), FILTER, '"carrier" IS NULL'),
    (_check("missingValues", arguments={"missingValues": ["n/a"]}), AGGREGATE,
     """("carrier" IS NULL OR CAST("carrier" AS VARCHAR) IN ('n/a'))"""),
    (_check("enum", arguments={"validValues": ["AA", "B6"]}), FILTER,
     """("carrier" IS NOT NULL AND "carrier" NOT IN ('AA', 'B6'))"""),
    (_check("pattern", arguments={"pattern": "^[A-Z]+$"}), AGGREGATE,
     """("carrier" IS NOT NULL AND NOT regexp_matches(CAST("carrier" AS VARCHAR), """
     """'^[A-Z]+$'))"""),
    (_check("maxLength", arguments={"value": 2}), AGGREGATE,
     'length(CAST("carrier" AS VARCHAR)) > 2'),
    (_check("exclusiveMinimum", "distance", arguments={"value": 0}), FILTER,
     '"distance" <= 0'),
    (_check("unique"), DISTINCT, 'count("carrier") - count(DISTINCT "carrier")'),
    (_check("primaryKey", None, arguments={"properties": ["carrier"]}), DISTINCT,
     'count(*) - count(DISTINCT "carrier")'),
    (_check("rowCount", None), SCALAR, "count(*)"),
    (_check("freshness", "time_hour"), SCALAR, 'max("time_hour")'),
    (_check("retention", "time_hour"), SCALAR, 'min("time_hour")'),
])
def test_compiled_sql(check: Check, mode: str, sql: str) -> None:
    measure = kind_of(check.kind).compile(check, TYPES)
    assert measure.mode == mode
    assert (measure.predicate if mode in (FILTER, AGGREGATE) else measure.expression) == sql


def test_kinds_that_do_not_run_here() -> None:
    assert kind_of("custom").compile(_check("custom", engine="soda"), TYPES).mode == NOT_RUN
    assert kind_of("text").compile(_check("text"), TYPES).mode == NOT_RUN
    assert kind_of("freshness").compile(_check("freshness", None), TYPES).mode == NOT_RUN
    assert kind_of("sql").compile(_check("sql", query="SELECT 1"), TYPES).mode == SQL


def test_ages_are_observed_at_the_moment_given() -> None:
    check = _check("freshness", "time_hour", operator="mustBeLessOrEqualTo", threshold=1,
                   unit="d")
    seen = KINDS["freshness"].observe(Measure(check, SCALAR), dt.datetime(2013, 12, 31),
                                      now=dt.datetime(2014, 1, 1, 12), total=None)
    assert seen.observed == pytest.approx(1.5)
    assert seen.message == "The newest record is from 2013-12-31 00:00 UTC"
    # a record after the measuring moment (a snapshot's end) is 0 old, and the message says so
    ahead = KINDS["freshness"].observe(Measure(check, SCALAR), dt.datetime(2014, 1, 1, 4),
                                       now=dt.datetime(2013, 12, 31, 23, 59, 59), total=None)
    assert ahead.observed == 0.0
    assert ahead.message == ("The newest record is from 2014-01-01 04:00 UTC (later than the "
                             "moment its age is measured at, so it counts as 0 old)")
    assert KINDS["freshness"].evaluate(check, 1.5) is False
    none = KINDS["retention"].observe(Measure(check, SCALAR), None, now=dt.datetime.now(),
                                      total=None)
    assert none.observed is None and none.message == "There are no records to date."
    result = CheckResult(check, Status.FAILED, observed=1.5)
    assert KINDS["freshness"].outcome(result) == "newest record 1.5 days old"


def test_a_query_that_returns_no_number() -> None:
    check = _check("sql", operator="mustBe", threshold=0)
    with pytest.raises(ValueError, match="not a number"):
        KINDS["sql"].observe(Measure(check, SQL), "abc", now=None, total=None)
    assert KINDS["sql"].observe(Measure(check, SQL), None, now=None, total=None).observed is None
