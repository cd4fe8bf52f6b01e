"""``validate``'s cheaper SQL check: a rule's query parsed once for every name it is used with
must give exactly the verdict and message of the full sandbox check."""

from __future__ import annotations

import itertools

import pytest

from catalog.governance.policies.sandbox import RULE_WHAT, rule_refusal
from catalog.quality.derive import fill_placeholders
from catalog.sandbox import SandboxRefused, check_select
from catalog.sql import quote_identifier

QUERIES = [
    "SELECT COUNT(*) FROM {object} WHERE {property} > 0",
    "SELECT COUNT(*) FROM ${table} WHERE ${column} IS NULL;",
    "SELECT {property}('x') FROM t",
    "SELECT * FROM {object}('x')",
    'SELECT * FROM "{object}"',
    "SELECT COUNT(*) FROM x.{object}",
    "SELECT COUNT(*) FROM {object}.x",
    "SELECT * FROM read_csv('{object}')",
    "SELECT * FROM t; SELECT 1",
    "COPY {object} TO 'x.csv'",
    "{object}",
    "SELECT mesh_sql_object_placeholder FROM {object}",
    "SELECT COUNT(*) FROM {object} WHERE {property} NOT IN (SELECT id FROM {object})",
]
NAMES = [
    "flights",
    "data.csv",
    "/etc/passwd",
    "read_csv",
    'a"b',
    "x{property}",
    "getenv",
    ".hidden",
    "s3://bucket/key",
    "mesh_sql_property_placeholder",
]


def _full(query: str, obj: str, prop: str) -> str | None:
    """The verdict of the full check on the filled-in query."""
    try:
        check_select(
            fill_placeholders(query, quote_identifier(obj), quote_identifier(prop)), what=RULE_WHAT
        )
    except SandboxRefused as err:
        return str(err)
    return None


@pytest.mark.parametrize("query", QUERIES)
def test_a_query_checked_once_gives_the_full_checks_verdict_for_every_name(query: str) -> None:
    for obj, prop in itertools.product(NAMES, repeat=2):
        assert rule_refusal(query, obj, prop) == _full(query, obj, prop), (query, obj, prop)


def test_a_file_like_object_name_is_refused_even_after_the_query_was_accepted() -> None:
    query = "SELECT COUNT(*) FROM {object} WHERE {property} < 0"
    assert rule_refusal(query, "departures", "delay") is None
    refusal = rule_refusal(query, "departures.csv", "delay")
    assert refusal is not None and "as a table" in refusal
