"""The rule-kind registry: names, aliases, reading a contract entry, unknown kinds."""

from __future__ import annotations

import pytest

from catalog.editing.changes import EDIT_METRICS
from catalog.quality.kinds import (
    KINDS,
    Kind,
    Target,
    editable_kinds,
    kind_of,
    read_rule,
    register,
    rule_sentence,
)
from catalog.quality.measures import CompileError
from catalog.quality.model import Check


def test_every_kind_is_registered_under_its_name() -> None:
    assert KINDS
    for name, kind in KINDS.items():
        assert kind.name == name
        assert isinstance(kind, Kind)


def test_a_name_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @register
        class Again(Kind):
            name = next(iter(KINDS))


def test_older_names_are_read_as_the_kind() -> None:
    assert kind_of("nullCheck") is KINDS["nullValues"]
    assert read_rule({"rule": "nullCheck", "mustBe": 0}).kind == "nullValues"


def test_operator_aliases_and_defaults_are_read() -> None:
    rule = read_rule({"metric": "nullValues", "mustBeLessThanOrEqualTo": 5, "unit": "percent"})
    assert (rule.operator, rule.threshold, rule.unit) == ("mustBeLessOrEqualTo", 5, "percent")
    assert (read_rule({"metric": "nullValues"}).operator,
            read_rule({"metric": "nullValues"}).threshold) == ("mustBe", 0)


def test_an_unknown_kind_is_said_from_its_description_and_does_not_compile() -> None:
    rule = read_rule({"metric": "averageAge", "description": "Ages look right", "mustBe": 1})
    assert rule_sentence(rule, Target("t", "age")) == "Ages look right"
    assert rule_sentence(read_rule({"metric": "averageAge"}), Target("t", "age")) == (
        "Average age in age")
    check = Check(id="x", product_id="d.p", port="p", kind="averageAge", object="t",
                  property="age", dimension="accuracy", severity="error", description="")
    with pytest.raises(CompileError, match="Unknown rule kind 'averageAge'"):
        kind_of("averageAge").compile(check, {"age": "INTEGER"})


def test_the_rule_editor_offers_the_library_metrics_and_sql_from_the_registry() -> None:
    # ODCS v3.1 library metrics an owner writes as a quality entry, then SQL rules; kinds
    # stated in the schema (required, unique, patterns…) or the SLA are edited there
    assert editable_kinds() == ("nullValues", "missingValues", "invalidValues",
                                "duplicateValues", "rowCount", "sql")
    assert editable_kinds() == EDIT_METRICS
    for name in ("required", "unique", "primaryKey", "pattern", "enum", "freshness"):
        assert not KINDS[name].editable
