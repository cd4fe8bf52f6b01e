"""Inference (types, nulls, distinct counts, ranges, examples) and the rules it suggests."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.registration import profile as profiling
from catalog.registration import rules, steps
from catalog.registration.forms import RuleForm, RuleKind
from catalog.registration.sources import DataSource

CARRIER_VALUES = ["AA", "B6", "DL", "UA"]


@pytest.mark.parametrize(("duckdb_type", "logical"), [
    ("BIGINT", "integer"), ("INTEGER", "integer"), ("UBIGINT", "integer"),
    ("DOUBLE", "number"), ("DECIMAL(18,3)", "number"), ("FLOAT", "number"),
    ("VARCHAR", "string"), ("DATE", "date"), ("TIMESTAMP", "timestamp"),
    ("TIMESTAMP WITH TIME ZONE", "timestamp"), ("TIME", "time"), ("BOOLEAN", "boolean"),
    ("INTEGER[]", "array"), ("STRUCT(a INTEGER)", "object"), ("BLOB", "string"),
])
def test_logical_types_follow_odcs(duckdb_type: str, logical: str) -> None:
    assert profiling.logical_type(duckdb_type) == logical


def test_the_profile_tells_what_the_data_holds(fixture_catalog: Catalog,
                                               staged: DataSource) -> None:
    result = profiling.profile(fixture_catalog.engine, staged)
    assert result.rows == 200
    key = result.column("return_id")
    assert (key.physical_type, key.logical_type, key.nulls) == ("BIGINT", "integer", 0)
    assert key.distinct == 200 and key.distinct_exact
    assert (key.minimum, key.maximum) == (1000, 1199)
    assert key.examples == ["1000", "1001", "1002"]
    code = result.column("Carrier Code")
    assert code.values == ["AA", "B6", "DL", "UA"] and code.distinct == 4
    amount = result.column("amount")
    assert amount.nulls == 20 and amount.logical_type == "number"
    day = result.column("return_date")
    assert day.logical_type == "date"
    assert (day.minimum, day.maximum) == ("2024-01-01", "2024-01-28")
    assert result.column("note").formula_like == 1
    assert result.column("email").values is None  # many values: not listed


def test_rules_are_suggested_from_the_profile(fixture_catalog: Catalog,
                                              staged: DataSource) -> None:
    result = profiling.profile(fixture_catalog.engine, staged)
    props = steps.properties_from_profile(result)
    assert [p.name for p in props] == ["return_id", "carrier_code", "return_date", "amount",
                                       "email", "note"]
    suggested = {(r.kind, r.property): r for r in rules.suggest(result, props, "returns")}
    assert (RuleKind.NOT_NULL, "return_id") in suggested
    assert (RuleKind.NOT_NULL, "amount") not in suggested  # it has nulls
    assert (RuleKind.UNIQUE, "return_id") in suggested
    assert (RuleKind.UNIQUE, "carrier_code") not in suggested
    assert suggested[(RuleKind.ACCEPTED_VALUES, "carrier_code")].values == CARRIER_VALUES
    rng = suggested[(RuleKind.RANGE, "return_date")]
    assert (rng.minimum, rng.maximum, rng.severity) == ("2024-01-01", "2024-01-28", "warning")
    assert suggested[(RuleKind.RANGE, "amount")].maximum == "248.75"
    floor = suggested[(RuleKind.ROW_COUNT, None)]
    assert floor.min_rows == 180 and rules.sentence(floor) == \
        "At least 180 rows"
    # Marked required in the schema step: no separate not-null rule.
    props[0].required = True
    props[0].unique = True
    again = {(r.kind, r.property) for r in rules.suggest(result, props, "returns")}
    assert (RuleKind.NOT_NULL, "return_id") not in again
    assert (RuleKind.UNIQUE, "return_id") not in again


@pytest.mark.parametrize(("rows", "floor"), [(336_776, 300_000), (200, 180), (1_000_000, 900_000),
                                             (1, 1), (0, 1), (57, 51)])
def test_the_row_count_floor_is_90_percent_rounded_down(rows: int, floor: int) -> None:
    assert rules.row_floor(rows) == floor


@pytest.mark.parametrize(("rule", "sentence"), [
    (RuleForm(id="a", kind=RuleKind.NOT_NULL, property="amount"),
     "No missing values in amount"),
    (RuleForm(id="a", kind=RuleKind.UNIQUE, property="id"), "No duplicate values in id"),
    (RuleForm(id="a", kind=RuleKind.ACCEPTED_VALUES, property="o", values=["EWR", "JFK"]),
     "No invalid values in o: allowed values are EWR, JFK"),
    (RuleForm(id="a", kind=RuleKind.RANGE, property="d", minimum="1", maximum="9"),
     "d lies between 1 and 9"),
    (RuleForm(id="a", kind=RuleKind.KEPT, raw={"description": "As published"}),
     "As published"),
])
def test_every_rule_reads_as_a_sentence(rule: RuleForm, sentence: str) -> None:
    assert rules.sentence(rule) == sentence


def test_rules_become_odcs_quality_entries() -> None:
    rule = RuleForm(id="r-amount-range", kind=RuleKind.RANGE, property="amount",
                    minimum="0", maximum="250.5", severity="warning")
    entry = rules.to_odcs(rule, "number")
    assert entry["type"] == "sql" and entry["mustBe"] == 0
    assert entry["query"] == ("SELECT COUNT(*) FROM {object} WHERE {property} < 0.0 OR "
                              "{property} > 250.5")
    day = rules.to_odcs(RuleForm(id="d", kind=RuleKind.RANGE, property="d",
                                 minimum="2024-01-01", maximum="2024-01-31"), "date")
    assert "DATE '2024-01-01'" in day["query"]
    values = rules.to_odcs(RuleForm(id="v", kind=RuleKind.ACCEPTED_VALUES, property="c",
                                    values=["AA", " ", "B6"]))
    assert values["metric"] == "invalidValues"
    assert values["arguments"] == {"validValues": ["AA", "B6"]}
    floor = rules.to_odcs(RuleForm(id="n", kind=RuleKind.ROW_COUNT, min_rows=90))
    assert (floor["metric"], floor["mustBeGreaterOrEqualTo"], floor["dimension"]) == (
        "rowCount", 90, "completeness")


@pytest.mark.parametrize(("rule", "logical", "fragment"), [
    (RuleForm(id="r", kind=RuleKind.RANGE, property="d", minimum="yesterday", maximum="x"),
     "date", "dates such as"),
    (RuleForm(id="r", kind=RuleKind.RANGE, property="n", minimum="9", maximum="1"),
     "number", "above the highest"),
    (RuleForm(id="r", kind=RuleKind.RANGE, property="n", minimum="1; DROP", maximum="2"),
     "integer", "must be numbers"),
    (RuleForm(id="r", kind=RuleKind.ACCEPTED_VALUES, property="c", values=[" "]), "string",
     "at least one accepted value"),
])
def test_edited_rules_that_cannot_be_written_are_explained(rule: RuleForm, logical: str,
                                                           fragment: str) -> None:
    problems = rules.rule_problems(rule, logical)
    assert problems and fragment in problems[0]
    rule.enabled = False
    assert rules.rule_problems(rule, logical) == []
