"""The quality benchmark's two suites of 12 rules, written by hand in DuckDB SQL.

These are the reference the engine is compared with (bench/quality.py): the same rules as the
contracts ``bench/quality/lineitem.odcs.yaml`` and ``bench/quality/flights.odcs.yaml``, each as

- ``query``: one standalone query returning one value (plan "one query per check"), and
- ``expr``: one aggregate expression; the twelve share one ``SELECT … FROM`` (plan "one
  aggregate query"),

plus a verdict on the value, so the plans (and the engine) can be checked to agree. ``{rel}`` is
the relation (``read_parquet('…')``). Each rule's ``id`` is the contract's rule id; for property
constraints (``logicalTypeOptions``), which have no id, it is ``<property>.<kind>``.

The forced full read (the floor) is ``SELECT sum(hash(c1)), sum(hash(c2)), … FROM {rel}`` over
:func:`columns`: every column any rule reads, each read in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rule:
    """One benchmark rule.

    Attributes:
        id: the contract's rule id, or ``<property>.<kind>`` for a property constraint.
        kind: ``nullValues``, ``duplicateValues``, ``invalidValues``, ``range``, ``pattern``,
            ``rowCount`` or ``freshness``.
        columns: the columns it reads.
        query: a standalone query returning one value.
        expr: the same measure as an aggregate expression.
        passes: the verdict on the value (True = passed).
    """

    id: str
    kind: str
    columns: tuple[str, ...]
    query: str
    expr: str
    passes: Callable[[Any], bool]


def _zero(value: Any) -> bool:
    return value == 0


def _not_null(rule_id: str, column: str) -> Rule:
    return Rule(rule_id, "nullValues", (column,),
                f"SELECT count(*) FROM {{rel}} WHERE {column} IS NULL",
                f"count(*) FILTER (WHERE {column} IS NULL)", _zero)


def _unique(rule_id: str, columns: tuple[str, ...]) -> Rule:
    cols = ", ".join(columns)
    # Rows beyond the first of each key value (duplicate rows); NULL keys take part as values.
    return Rule(rule_id, "duplicateValues", columns,
                f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {{rel}} "
                f"GROUP BY {cols} HAVING count(*) > 1)",
                f"count(*) - count(DISTINCT ({cols}))", _zero)


def _accepted(rule_id: str, column: str, values: list[str]) -> Rule:
    listed = ", ".join("'" + v + "'" for v in values)
    return Rule(rule_id, "invalidValues", (column,),
                f"SELECT count(*) FROM {{rel}} WHERE {column} NOT IN ({listed})",
                f"count(*) FILTER (WHERE {column} NOT IN ({listed}))", _zero)


def _range(column: str, low: float, high: float) -> Rule:
    cond = f"{column} < {low} OR {column} > {high}"
    return Rule(f"{column}.range", "range", (column,),
                f"SELECT count(*) FROM {{rel}} WHERE {cond}",
                f"count(*) FILTER (WHERE {cond})", _zero)


def _pattern(column: str, regex: str) -> Rule:
    cond = f"NOT regexp_matches({column}, '{regex}')"
    return Rule(f"{column}.pattern", "pattern", (column,),
                f"SELECT count(*) FROM {{rel}} WHERE {cond}",
                f"count(*) FILTER (WHERE {cond})", _zero)


def _row_count(rule_id: str, more_than: int) -> Rule:
    return Rule(rule_id, "rowCount", (), "SELECT count(*) FROM {rel}", "count(*)",
                lambda value: value > more_than)


def _fresh(rule_id: str, column: str, max_age: dt.timedelta) -> Rule:
    def passes(newest: Any) -> bool:
        if newest is None:
            return False
        if not isinstance(newest, dt.datetime):
            newest = dt.datetime.combine(newest, dt.time())
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive values are UTC
        return now - newest <= max_age

    return Rule(rule_id, "freshness", (column,), f"SELECT max({column}) FROM {{rel}}",
                f"max({column})", passes)


SUITES: dict[str, list[Rule]] = {
    "lineitem": [
        _not_null("lineitem-orderkey-not-null", "l_orderkey"),
        _not_null("lineitem-partkey-not-null", "l_partkey"),
        _not_null("lineitem-shipdate-not-null", "l_shipdate"),
        _not_null("lineitem-shipmode-not-null", "l_shipmode"),
        _unique("lineitem-key-unique", ("l_orderkey", "l_linenumber")),
        _accepted("lineitem-returnflag-accepted", "l_returnflag", ["A", "N", "R"]),
        _accepted("lineitem-linestatus-accepted", "l_linestatus", ["F", "O"]),
        _range("l_quantity", 1, 50),
        _range("l_discount", 0, 0.10),
        _pattern("l_shipmode", "^[A-Z]+( [A-Z]+)?$"),
        _row_count("lineitem-row-count", 6_000_000),
        _fresh("lineitem-fresh", "l_shipdate", dt.timedelta(days=11_000)),
    ],
    "flights": [
        _not_null("flights-date-not-null", "flight_date"),
        _not_null("flights-carrier-not-null", "carrier"),
        _not_null("flights-tailnum-not-null", "tailnum"),
        _not_null("flights-origin-not-null", "origin"),
        _unique("flights-key-unique", ("flight_date", "carrier", "flight", "origin")),
        _accepted("flights-carrier-accepted", "carrier",
                  ["9E", "AA", "AS", "B6", "DL", "EV", "F9", "FL", "HA", "MQ", "OO", "UA",
                   "US", "VX", "WN", "YV"]),
        _accepted("flights-origin-accepted", "origin", ["EWR", "JFK", "LGA"]),
        _range("dep_delay", -60, 1440),
        _range("distance", 1, 5000),
        _pattern("tailnum", "^N[0-9A-Z]{1,5}$"),
        _row_count("flights-row-count", 6_000_000),
        _fresh("flights-fresh", "time_hour", dt.timedelta(days=1)),
    ],
}


def columns(suite: str) -> list[str]:
    """Every column the suite's rules read, in first-use order."""
    seen: dict[str, None] = {}
    for rule in SUITES[suite]:
        seen.update(dict.fromkeys(rule.columns))
    return list(seen)


def one_query(suite: str) -> str:
    """The twelve rules as one aggregate ``SELECT`` over ``{rel}`` (one value per rule)."""
    exprs = ",\n  ".join(f'{r.expr} AS "{r.id}"' for r in SUITES[suite])
    return f"SELECT\n  {exprs}\nFROM {{rel}}"


def full_read(suite: str) -> str:
    """The floor: every column the suite reads, read in full (``sum(hash(col))``)."""
    return "SELECT " + ", ".join(f"sum(hash({c}))" for c in columns(suite)) + " FROM {rel}"


def engine_rule_id(check_id: str, kind: str, prop: str | None) -> str:
    """The benchmark rule an engine check belongs to.

    ODCS rule ids come back as they are; a property constraint (no id in ODCS) maps to
    ``<property>.range`` (``minimum``/``maximum`` and their exclusive forms) or
    ``<property>.pattern``.
    """
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"} and prop:
        return f"{prop}.range"
    if kind == "pattern" and prop:
        return f"{prop}.pattern"
    return check_id
