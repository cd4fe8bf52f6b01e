"""Every rule kind's SQL, compiled once in DuckDB's dialect, translated for PostgreSQL and
Spark: the text parses in that dialect and runs on that engine."""

from __future__ import annotations

import pytest

from catalog.engines.dialect import Untranslatable, parses_as, transpile
from catalog.quality import compiler
from catalog.quality.derive import derive_checks
from catalog.quality.runner import _sql_rule, cut_off
from tests.catalog.engines.conftest import Served

RULES = {
    "apiVersion": "v3.1.0", "kind": "DataContract", "id": "t", "version": "1.0.0",
    "status": "active",
    "schema": [{
        "name": "flights",
        "properties": [
            {"name": "carrier", "required": True, "unique": True,
             "logicalTypeOptions": {"pattern": "^[A-Z0-9]{2}$", "minLength": 2,
                                    "maxLength": 2},
             "quality": [
                 {"metric": "nullValues", "mustBe": 0},
                 {"metric": "nullValues", "unit": "percent", "mustBeLessThan": 1},
                 {"metric": "missingValues", "arguments": {"missingValues": ["", "n/a"]},
                  "mustBe": 0},
                 {"metric": "invalidValues", "arguments": {"validValues": ["UA", "AA"]},
                  "mustBeLessThan": 400000},
                 {"metric": "invalidValues", "arguments": {"pattern": "^[A-Z]"},
                  "mustBeGreaterOrEqualTo": 0},
                 {"metric": "duplicateValues", "mustBeGreaterThan": 0},
                 {"type": "sql", "query": "SELECT count(*) FROM {object} "
                                          "WHERE {property} = 'UA'", "mustBeGreaterThan": 0},
             ]},
            {"name": "origin", "enum": ["EWR", "JFK", "LGA"]},
            {"name": "distance", "logicalTypeOptions": {"minimum": 1, "maximum": 5000,
                                                         "exclusiveMinimum": True}},
            {"name": "dep_delay", "logicalTypeOptions": {"exclusiveMaximum": 2000}},
            {"name": "arr_delay", "logicalTypeOptions": {"minimum": -1000}},
            {"name": "flight_date", "primaryKey": True, "primaryKeyPosition": 1},
            {"name": "flight", "primaryKey": True, "primaryKeyPosition": 2},
            {"name": "time_hour"},
        ],
        "quality": [
            {"metric": "rowCount", "mustBeGreaterThan": 0},
            {"metric": "duplicateValues", "arguments": {"properties": ["carrier", "flight"]},
             "mustBeGreaterThan": 0},
            {"type": "sql", "query": "SELECT count(*) FROM (SELECT carrier FROM {object} "
                                     "GROUP BY carrier HAVING count(*) > 1)",
             "mustBeGreaterThan": 0},
        ],
    }],
    "slaProperties": [
        {"property": "freshness", "value": 1, "unit": "d", "element": "flights.time_hour"},
        {"property": "retention", "value": 5, "unit": "y", "element": "flights.time_hour"},
    ],
}
"""A contract stating every rule kind the compiler knows, on flights' columns."""

KINDS = {"required", "unique", "pattern", "minLength", "maxLength", "nullValues",
         "missingValues", "invalidValues", "duplicateValues", "sql", "enum", "minimum",
         "exclusiveMinimum", "maximum", "exclusiveMaximum", "primaryKey", "rowCount",
         "freshness", "retention"}


def _queries(relation: str, types: dict[str, str]) -> list[tuple[str, str]]:
    """(check kind, DuckDB SQL) of every query the runner may send for the contract."""
    checks = derive_checks(RULES, "t.flights", "flights")
    assert {c.kind for c in checks} == KINDS
    out: list[tuple[str, str]] = []
    for check in checks:
        measure = compiler.compile_check(check, types)
        if measure.mode == compiler.SQL:
            out.append((check.kind, _sql_rule(check, relation, types)))
            continue
        for query in compiler.plan_queries(relation, [measure], "per_check"):
            out.append((check.kind, query.sql))
        if measure.exact:
            out.append((check.kind, measure.exact.format(relation=relation)))
    planned = [compiler.compile_check(c, types) for c in checks
               if c.kind not in {"sql"}]
    for strategy in compiler.STRATEGIES:
        out += [("plan:" + strategy, q.sql)
                for q in compiler.plan_queries(relation, planned, strategy, need_total=True)]
    return out


@pytest.mark.parametrize("name,dialect", [("flights_pg", "postgres"),
                                          ("flights_spark", "spark")])
def test_every_rule_kind_translates_parses_and_runs(served: Served, name: str,
                                                     dialect: str) -> None:
    located = served.engine.locate(served.port(name))
    types = {c.name: c.type for c in located.adapter.describe(located.relation)}
    queries = _queries(located.relation, types)
    queries.append(("cut-off", "SELECT count(*) FROM " + cut_off(
        located.relation, "time_hour", __import__("datetime").datetime(2013, 6, 30))))
    seen = set()
    for kind, sql in queries:
        text = transpile(sql, dialect)
        assert parses_as(text, dialect), (kind, text)
        row = located.adapter.fetch_one(sql)
        assert row and row[0] is not None or kind in {"freshness", "retention"}, (kind, text)
        seen.add(kind)
    assert seen >= KINDS


def test_compound_key_counts_agree_with_duckdb(served: Served) -> None:
    duck = served.engine.locate(served.port("flights"))
    types = {c.name: c.type for c in duck.adapter.describe(duck.relation)}
    checks = [c for c in derive_checks(RULES, "t.flights", "flights")
              if c.kind == "duplicateValues" and c.arguments.get("properties")]
    measure = compiler.compile_check(checks[0], types)
    values = set()
    for name in ("flights", "flights_pg", "flights_spark"):
        here = served.engine.locate(served.port(name))
        values.add(here.adapter.fetch_one(measure.exact.format(relation=here.relation))[0])
    assert len(values) == 1 and values.pop() > 0


def test_parameters_become_each_drivers_markers() -> None:
    sql = "SELECT count(*) FROM t WHERE c LIKE '%x' AND d = CAST(? AS INTEGER) LIMIT ?"
    assert transpile(sql, "postgres").count("%s") == 2
    assert "'%%x'" in transpile(sql, "postgres")
    assert transpile(sql, "spark").count("?") == 2


CALENDAR = ("SELECT CAST(r AS DATE) AS slot FROM range(CAST(? AS TIMESTAMP), "
            "CAST(? AS TIMESTAMP), INTERVAL 1 DAY) AS t(r)")
"""DuckDB's calendar of days from a first day up to (not including) a last one."""


def test_a_calendar_range_keeps_its_parameters_and_excludes_its_stop(served: Served) -> None:
    import datetime as dt

    assert transpile(CALENDAR, "postgres").count("%s") == 2
    assert transpile(CALENDAR, "spark").count("?") == 2
    params = [dt.datetime(2013, 2, 27), dt.datetime(2013, 3, 2)]
    want = [(dt.date(2013, 2, 27),), (dt.date(2013, 2, 28),), (dt.date(2013, 3, 1),)]
    for name in ("flights", "flights_pg", "flights_spark"):
        adapter = served.engine.locate(served.port(name)).adapter
        assert sorted(adapter.fetch(CALENDAR, params)) == want, name


def test_a_translation_that_would_repeat_a_parameter_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.engines import dialect

    monkeypatch.setattr(dialect, "_inclusive_series", lambda series, name: None)
    with pytest.raises(Untranslatable, match="bound parameter"):
        transpile(CALENDAR, "spark")  # sqlglot's own IF guard repeats start and stop


@pytest.mark.parametrize("pattern,dialect", [("^\\p{L}+$", "postgres"),
                                             ("(?P<x>a)", "spark"),
                                             ("(?i)abc", "postgres")])
def test_patterns_an_engine_reads_differently_are_refused(pattern: str, dialect: str) -> None:
    with pytest.raises(Untranslatable):
        transpile(f"SELECT count(*) FROM t WHERE regexp_matches(c, '{pattern}')", dialect)


def test_qualify_is_refused_not_moved() -> None:
    with pytest.raises(Untranslatable, match="QUALIFY"):
        transpile("SELECT a FROM t QUALIFY row_number() OVER (PARTITION BY a) = 1 LIMIT 5",
                  "postgres")


def test_a_pattern_postgres_cannot_read_is_skipped_with_the_reason(served: Served) -> None:
    from catalog.quality.runner import run_checks

    contract = {**RULES, "schema": [{"name": "flights", "properties": [
        {"name": "carrier", "logicalTypeOptions": {"pattern": "^[\\p{Lu}\\d]{2}$"}},
        {"name": "origin", "required": True}]}], "slaProperties": []}
    checks = derive_checks(contract, "t.flights", "flights")
    for name, expected in (("flights_pg", "skipped"), ("flights", "passed")):
        port = served.port(name)
        results = run_checks(served.engine, lambda _o, p=port: served.engine.locate(p), checks)
        by_kind = {r.check.kind: r for r in results}
        assert str(by_kind["pattern"].status) == expected, by_kind["pattern"].message
        assert str(by_kind["required"].status) == "passed"
        if expected == "skipped":
            assert "PostgreSQL" in by_kind["pattern"].message
            assert by_kind["pattern"].observed is None
