"""Quality engine: every rule kind and operator on small tables with known answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from catalog.engine import Engine
from catalog.quality.compiler import STRATEGIES
from catalog.quality.derive import derive_checks
from catalog.quality.model import CheckResult, Status
from catalog.quality.operators import meets
from catalog.quality.runner import run_checks

NOW = dt.datetime(2024, 1, 10, 12, 0, 0)


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    """An engine whose in-memory database holds the test tables ``people`` and ``empty``."""
    eng = Engine(tmp_path)
    cur = eng.cursor()
    cur.execute("""
        CREATE TABLE people AS SELECT * FROM (VALUES
            (1, 'ana@x.org', 'FR', 34, 'N/A', TIMESTAMP '2024-01-09 12:00:00', 'a'),
            (2, 'bob@x.org', 'FR', 41, 'ok',  TIMESTAMP '2024-01-08 00:00:00', 'b'),
            (3, NULL,        'DE', 17, '',    TIMESTAMP '2023-06-01 00:00:00', 'c'),
            (3, 'not-an-email', 'XX', 130, NULL, TIMESTAMP '2020-01-01 00:00:00', 'd'),
            (NULL, 'eve@x.org', NULL, 25, 'ok', TIMESTAMP '2023-12-31 00:00:00', 'e')
        ) AS t(id, email, country, age, note, updated_at, secret)
    """)
    cur.execute("CREATE TABLE empty AS SELECT * FROM people WHERE false")
    cur.close()
    return eng


def contract(properties: list[dict[str, Any]] | None = None,
             quality: list[dict[str, Any]] | None = None, sla: list[dict[str, Any]] | None = None,
             name: str = "people") -> dict[str, Any]:
    """A minimal ODCS contract over table ``name``."""
    obj: dict[str, Any] = {"name": name, "properties": properties or []}
    if quality:
        obj["quality"] = quality
    doc: dict[str, Any] = {"apiVersion": "v3.1.0", "kind": "DataContract", "id": "t",
                           "version": "1.0.0", "status": "active", "schema": [obj]}
    if sla:
        doc["slaProperties"] = sla
    return doc


def run(engine: Engine, doc: dict[str, Any], strategy: str = "planned") -> list[CheckResult]:
    """Derive and run every check of ``doc`` against the engine's tables."""
    checks = derive_checks(doc, "test.people", "people")
    return run_checks(engine, lambda obj: obj, checks, now=NOW, strategy=strategy,
                      raw_contract=doc)


def only(results: list[CheckResult]) -> CheckResult:
    assert len(results) == 1, [r.check.id for r in results]
    return results[0]


def prop_rule(prop: str, **rule: Any) -> dict[str, Any]:
    """A contract with one quality rule on one property."""
    return contract([{"name": prop, "quality": [rule]}])


# -- operators --------------------------------------------------------------------------------

@pytest.mark.parametrize(("op", "observed", "threshold", "ok"), [
    ("mustBe", 0, 0, True), ("mustBe", 1, 0, False),
    ("mustNotBe", 1, 0, True), ("mustNotBe", 0, 0, False),
    ("mustBeGreaterThan", 5, 5, False), ("mustBeGreaterThan", 6, 5, True),
    ("mustBeGreaterOrEqualTo", 5, 5, True), ("mustBeGreaterOrEqualTo", 4.99, 5, False),
    ("mustBeLessThan", 5, 5, False), ("mustBeLessThan", 4, 5, True),
    ("mustBeLessOrEqualTo", 5, 5, True), ("mustBeLessOrEqualTo", 5.01, 5, False),
    ("mustBeBetween", 1, [1, 3], True), ("mustBeBetween", 3, [1, 3], True),
    ("mustBeBetween", 3.5, [1, 3], False), ("mustNotBeBetween", 2, [1, 3], False),
    ("mustNotBeBetween", 0, [1, 3], True), ("mustBe", 0.1 + 0.2, 0.3, True),
])
def test_operators_follow_odcs(op: str, observed: float, threshold: Any, ok: bool) -> None:
    assert meets(op, observed, threshold) is ok


def test_unknown_operator_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="mustBeBetween"):
        meets("mustBeRoughly", 1, 1)


# -- library metrics --------------------------------------------------------------------------

def test_null_values_in_rows_and_percent(engine: Engine) -> None:
    rows = only(run(engine, prop_rule("email", metric="nullValues", mustBe=0)))
    assert (rows.status, rows.observed, rows.failing_rows) == (Status.FAILED, 1, 1)
    pct = only(run(engine, prop_rule("email", metric="nullValues", unit="percent",
                                     mustBeLessOrEqualTo=20)))
    assert pct.status == Status.PASSED and pct.observed == pytest.approx(20.0)
    assert pct.failing_rows == 1


def test_percent_on_an_empty_table_is_zero_and_row_count_catches_emptiness(engine: Engine
                                                                           ) -> None:
    doc = contract([{"name": "email", "quality": [
        {"metric": "nullValues", "unit": "percent", "mustBeLessThan": 1}]}],
        quality=[{"metric": "rowCount", "mustBeGreaterThan": 0}], name="empty")
    nulls, count = run(engine, doc)
    assert (nulls.status, nulls.observed) == (Status.PASSED, 0.0)
    assert (count.status, count.observed) == (Status.FAILED, 0.0)


def test_missing_values_count_nulls_and_listed_placeholders(engine: Engine) -> None:
    result = only(run(engine, prop_rule("note", metric="missingValues",
                                        arguments={"missingValues": [None, "", "N/A"]},
                                        mustBe=0)))
    assert result.failing_rows == 3  # 'N/A', '' and NULL


def test_invalid_values_ignore_nulls_and_accept_listed_values(engine: Engine) -> None:
    result = only(run(engine, prop_rule("country", metric="invalidValues",
                                        arguments={"validValues": ["FR", "DE"]}, mustBe=0)))
    assert (result.status, result.failing_rows) == (Status.FAILED, 1)  # only 'XX'
    numbers = only(run(engine, prop_rule("age", metric="invalidValues",
                                         arguments={"validValues": [34, 41, 17, 25]},
                                         mustBe=0)))
    assert numbers.failing_rows == 1  # 130


def test_invalid_values_by_pattern(engine: Engine) -> None:
    result = only(run(engine, prop_rule("email", metric="invalidValues",
                                        arguments={"pattern": r"^[^@]+@[^@]+$"}, mustBe=0)))
    assert result.failing_rows == 1


def test_duplicate_values_on_a_property_and_on_a_compound_key(engine: Engine) -> None:
    single = only(run(engine, prop_rule("id", metric="duplicateValues", mustBe=0)))
    assert single.failing_rows == 1  # the second 3; the null is not a duplicate
    compound = only(run(engine, contract(quality=[{
        "metric": "duplicateValues", "arguments": {"properties": ["country", "note"]},
        "mustBe": 0}])))
    assert compound.failing_rows == 0
    pair = only(run(engine, contract(quality=[{
        "metric": "duplicateValues", "arguments": {"properties": ["country", "id"]},
        "mustBe": 0}])))
    assert pair.failing_rows == 0


def test_row_count_with_between(engine: Engine) -> None:
    result = only(run(engine, contract(quality=[{"metric": "rowCount",
                                                 "mustBeBetween": [1, 4]}])))
    assert (result.status, result.observed) == (Status.FAILED, 5)


# -- property constraints ---------------------------------------------------------------------

def test_required_unique_and_single_primary_key(engine: Engine) -> None:
    results = run(engine, contract([{"name": "id", "required": True, "unique": True,
                                     "primaryKey": True}]))
    by_kind = {r.check.kind: r for r in results}
    assert by_kind["required"].failing_rows == 1
    assert by_kind["unique"].failing_rows == 1
    assert by_kind["primaryKey"].failing_rows == 2  # one duplicate and one null key


def test_compound_primary_key_orders_by_position_and_fails_on_null_parts(engine: Engine
                                                                          ) -> None:
    results = run(engine, contract([
        {"name": "country", "primaryKey": True, "primaryKeyPosition": 2},
        {"name": "id", "primaryKey": True, "primaryKeyPosition": 1},
    ]))
    pk = only([r for r in results if r.check.kind == "primaryKey"])
    assert pk.check.arguments["properties"] == ["id", "country"]
    assert pk.failing_rows == 1  # the null id (3/DE and 3/XX differ)


def test_enum_and_logical_type_options(engine: Engine) -> None:
    results = run(engine, contract([
        {"name": "country", "enum": [{"value": "FR"}, {"value": "DE"}, {"value": "XX"}]},
        {"name": "age", "logicalTypeOptions": {"minimum": 18, "maximum": 120}},
        {"name": "email", "logicalTypeOptions": {"pattern": "@x\\.org$", "minLength": 10,
                                                  "maxLength": 11}},
        {"name": "id", "logicalTypeOptions": {"exclusiveMinimum": 1}},
    ]))
    failing = {r.check.kind: r.failing_rows for r in results}
    # emails: three of 9 characters, one of 12 ('not-an-email')
    assert failing == {"enum": 0, "minimum": 1, "maximum": 1, "pattern": 1, "minLength": 3,
                       "maxLength": 1, "exclusiveMinimum": 1}


# -- SQL rules, custom rules, errors ------------------------------------------------------------

def test_sql_rule_with_placeholders_and_a_literal_table_name(engine: Engine) -> None:
    placeholders = only(run(engine, prop_rule(
        "age", type="sql", query="SELECT COUNT(*) FROM {object} WHERE {property} < 18",
        mustBe=0)))
    assert (placeholders.status, placeholders.observed) == (Status.FAILED, 1)
    literal = only(run(engine, prop_rule(
        "age", type="sql", query="select max(age) from people", mustBeLessThan=200)))
    assert (literal.status, literal.observed) == (Status.PASSED, 130)


@pytest.mark.parametrize(("query", "reason"), [
    ("SELECT COUNT(*) FROM {object} WHERE nope > 1", "nope"),
    ("SELEC 1", "parse"),
    ("DELETE FROM people", "single read-only SELECT"),
    ("SELECT 1; DROP TABLE people", "single read-only SELECT"),
    ("SELECT 'many'", "not a number"),
])
def test_a_rule_that_cannot_run_is_an_error_result_never_a_crash(
        engine: Engine, query: str, reason: str) -> None:
    result = only(run(engine, prop_rule("age", type="sql", query=query, mustBe=0)))
    assert result.status == Status.ERROR
    assert reason in result.message
    assert engine.cursor().execute("SELECT count(*) FROM people").fetchone()[0] == 5


def test_missing_column_errors_only_that_check(engine: Engine) -> None:
    results = run(engine, contract([
        {"name": "ghost", "required": True},
        {"name": "email", "logicalTypeOptions": {"pattern": "@"}},
    ]))
    assert [r.status for r in results] == [Status.ERROR, Status.FAILED]
    assert "ghost" in results[0].message


def test_custom_and_text_rules_are_skipped_with_the_reason(engine: Engine) -> None:
    results = run(engine, contract(quality=[
        {"type": "custom", "engine": "soda", "implementation": "row_count > 0"},
        {"type": "text", "description": "Ages are plausible"},
    ]))
    assert [r.status for r in results] == [Status.SKIPPED, Status.SKIPPED]
    assert "soda" in results[0].message


def test_warning_severity_gives_a_warning_not_a_failure(engine: Engine) -> None:
    result = only(run(engine, prop_rule("email", metric="nullValues", mustBe=0,
                                        severity="warning")))
    assert result.status == Status.WARNING


# -- SLA ----------------------------------------------------------------------------------------

def test_freshness_and_retention_measured_in_the_sla_unit(engine: Engine) -> None:
    doc = contract([{"name": "updated_at"}], sla=[
        {"property": "freshness", "value": 2, "unit": "d", "element": "people.updated_at"},
        {"property": "retention", "value": 1, "unit": "y", "element": "updated_at"},
        {"property": "retention", "value": 1, "unit": "y"},
    ])
    fresh, retention, unnamed = run(engine, doc)
    assert fresh.status == Status.PASSED and fresh.observed == pytest.approx(1.0)
    assert unnamed.status == Status.SKIPPED  # ODCS gives no default element
    assert retention.status == Status.FAILED and retention.observed == pytest.approx(4.02, 0.01)


def test_freshness_at_a_past_cut_off_ignores_later_rows(engine: Engine) -> None:
    doc = contract([{"name": "updated_at"}], quality=[{"metric": "rowCount", "mustBe": 3}],
                   sla=[{"property": "freshness", "value": 1, "unit": "d",
                         "element": "updated_at"}])
    checks = derive_checks(doc, "test.people", "people")
    cutoff = dt.datetime(2023, 12, 31, 12, 0)
    count, fresh = run_checks(engine, lambda obj: obj, checks, as_of=cutoff,
                              time_filter=("people", "updated_at"))
    assert (count.status, count.observed) == (Status.PASSED, 3)
    assert fresh.observed == pytest.approx(0.5)


def test_sla_without_an_element_is_skipped(engine: Engine) -> None:
    result = only(run(engine, contract([{"name": "id"}], sla=[
        {"property": "freshness", "value": 1, "unit": "d"}])))
    assert result.status == Status.SKIPPED and "element" in result.message


# -- samples, ids, plans ----------------------------------------------------------------------

def test_failing_samples_leave_out_sensitive_properties(engine: Engine) -> None:
    doc = contract([
        {"name": "id"}, {"name": "email", "classification": "restricted"},
        {"name": "secret", "customProperties": [{"property": "pii", "value": True}]},
        {"name": "age", "logicalTypeOptions": {"maximum": 100}},
    ])
    result = only([r for r in run(engine, doc) if r.check.kind == "maximum"])
    assert result.sample == [{"age": 130, "id": 3}]


def test_ids_are_stable_and_unique(engine: Engine) -> None:
    doc = contract([{"name": "email", "quality": [
        {"metric": "nullValues", "mustBe": 0}, {"metric": "nullValues", "mustBe": 1},
        {"id": "email-ok", "metric": "invalidValues", "arguments": {"pattern": "@"}}]}])
    first = [c.id for c in derive_checks(doc, "p", "port")]
    assert first == ["port.people.email.nullValues", "port.people.email.nullValues#2",
                     "email-ok"]
    assert first == [c.id for c in derive_checks(doc, "p", "port")]


def test_every_plan_gives_the_same_verdicts(engine: Engine) -> None:
    doc = contract([
        {"name": "id", "required": True, "unique": True},
        {"name": "email", "logicalTypeOptions": {"pattern": "@"}, "quality": [
            {"metric": "nullValues", "unit": "percent", "mustBeLessThan": 10}]},
        {"name": "age", "logicalTypeOptions": {"minimum": 18}},
        {"name": "updated_at"},
    ], quality=[{"metric": "rowCount", "mustBeGreaterThan": 3},
                {"metric": "duplicateValues", "arguments": {"properties": ["id", "email"]},
                 "mustBe": 0}],
        sla=[{"property": "freshness", "value": 1, "unit": "d", "element": "updated_at"}])
    outcomes = {s: [(r.check.id, r.status, r.observed) for r in run(engine, doc, s)]
                for s in STRATEGIES}
    assert outcomes["planned"] == outcomes["per_check"] == outcomes["single_pass"]


def test_compound_key_duplicates_are_counted_exactly(engine: Engine) -> None:
    engine.cursor().execute("CREATE TABLE visits AS SELECT * FROM (VALUES (1, 'a'), (1, 'a'), "
                            "(1, 'a'), (1, 'b'), (2, NULL), (2, NULL), (3, NULL)) AS t(k, v)")
    doc = contract([{"name": "k", "primaryKey": True, "primaryKeyPosition": 1},
                    {"name": "v", "primaryKey": True, "primaryKeyPosition": 2}],
                   quality=[{"metric": "duplicateValues", "arguments": {"properties": ["k", "v"]},
                             "mustBe": 0}], name="visits")
    pk, dup = run(engine, doc)
    # As with SQL UNIQUE, keys with a null part are never duplicates of each other
    assert dup.failing_rows == 2  # two extra (1, a)
    assert pk.failing_rows == 5  # the same 2 plus 3 rows with a null key part
    assert {tuple(r.values()) for r in dup.sample} == {(1, "a")}


def test_time_zone_columns_measure_freshness_in_utc_and_sample(engine: Engine) -> None:
    engine.cursor().execute(
        "CREATE TABLE events AS SELECT * FROM (VALUES "
        "(TIMESTAMPTZ '2024-01-10 10:00:00+02:00', NULL), "
        "(TIMESTAMPTZ '2024-01-09 00:00:00+00:00', 'x')) AS t(seen_at, label)")
    doc = contract([{"name": "seen_at"}, {"name": "label", "required": True}],
                   sla=[{"property": "freshness", "value": 1, "unit": "h",
                         "element": "seen_at"}],
                   name="events")
    required, fresh = run(engine, doc)
    assert fresh.observed == pytest.approx(4.0)  # 08:00 UTC newest, now 12:00
    assert required.sample and required.sample[0]["seen_at"].startswith("2024-01-10")
