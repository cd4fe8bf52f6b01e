"""A derived product: one read-only SQL query over existing products.

People name products by their id, as in the demo mesh's build code::

    SELECT carrier, count(*) AS flights FROM operations.flights GROUP BY carrier

sqlglot reads the tables the query uses (:func:`catalog.build.referenced_tables`, the same
parser the mesh build uses, not a regular expression); each must be a product of the mesh (or
a CTE of the query). They become the new product's ODPS input ports (lineage), and each
table reference is rewritten to the product's own relation (:meth:`Engine.relation`), so the
query reads exactly the data the products' contracts point at, read-only. Anything else is
refused: several statements, statements that are not queries, table functions such as
``read_csv('/etc/passwd')``, file paths, and functions that reach outside the data.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from catalog.build import referenced_tables
from catalog.config import Settings
from catalog.engine import Engine
from catalog.errors import BuildError, CatalogError
from catalog.mesh import Mesh
from catalog.registration.errors import QueryRejected
from catalog.registration.forms import SourceKind
from catalog.registration.sources import DataSource, InputRef, stage
from catalog.sql import quote_identifier

MAX_QUERY_CHARS = 20_000
"""Longest query accepted."""

FORBIDDEN_FUNCTIONS = frozenset({
    "getenv", "current_setting", "read_text", "read_blob", "read_csv", "read_csv_auto",
    "read_parquet", "read_json", "read_json_auto", "glob", "query", "query_table",
    "sniff_csv", "parquet_metadata", "parquet_schema", "duckdb_settings", "pragma_version",
})
"""Functions a derived product's query may not call: they read files or the environment."""


def _parse(sql: str) -> exp.Query:
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryRejected("Write a SELECT query over existing products, e.g. "
                            "SELECT carrier, count(*) AS flights FROM operations.flights "
                            "GROUP BY carrier.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRejected(f"The query is {len(text):,} characters long; keep it under "
                            f"{MAX_QUERY_CHARS:,}.")
    try:
        statements = [s for s in sqlglot.parse(text, read="duckdb") if s is not None]
    except sqlglot.errors.ParseError as err:
        raise QueryRejected(f"The query does not parse: {str(err).splitlines()[0]}") from None
    if len(statements) != 1:
        raise QueryRejected("Write exactly one query (no ';' between statements).")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise QueryRejected(f"Only a SELECT query can define a product; this is a "
                            f"{type(tree).__name__.upper()} statement.")
    for func in tree.find_all(exp.Func):
        name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
        if name in FORBIDDEN_FUNCTIONS or type(func).__name__.startswith("Read"):
            raise QueryRejected(f"The query calls {name}(), which reads files or settings; "
                                "read only from products, by their id.")
    return tree


def _refuse_non_products(tree: exp.Query) -> None:
    """Refuse table references that cannot be products: table functions, quoted file paths,
    three-part names, bare names that are not CTEs."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not table.db and table.name in ctes:
            continue
        if table.catalog or not table.db or not isinstance(table.this, exp.Identifier):
            raise QueryRejected(f"'{table.sql(dialect='duckdb')}' is not a product. Read "
                                "products by their id, <domain>.<name>, e.g. "
                                "FROM operations.flights.")


def input_products(sql: str, mesh: Mesh) -> list[str]:
    """Ids of the products a query reads (sorted).

    The tables come from :func:`catalog.build.referenced_tables` (sqlglot, CTEs excluded);
    ``<schema>.<table>`` must be a product id ``<domain>.<name>``.

    Args:
        sql: the query.
        mesh: the loaded mesh.

    Returns:
        Product ids.

    Raises:
        QueryRejected: not one SELECT, a forbidden function, or a table that is not a product
            (the message names it and says how to refer to products).
    """
    tree = _parse(sql)
    _refuse_non_products(tree)
    try:
        tables = referenced_tables(tree.sql(dialect="duckdb"))
    except BuildError as err:
        raise QueryRejected(str(err)) from None
    ids = sorted(f"{schema}.{name}" for schema, name in tables)
    unknown = [pid for pid in ids if pid not in mesh.products]
    if unknown:
        raise QueryRejected(f"There is no product {', '.join(unknown)}; read products by their "
                            "id, <domain>.<name> (search the catalog for it).")
    if not ids:
        raise QueryRejected("The query reads no product; use FROM <domain>.<name>.")
    return ids


def input_refs(mesh: Mesh, product_ids: list[str]) -> tuple[InputRef, ...]:
    """ODPS input ports of the products read: each product's first output port's contract.

    Raises:
        QueryRejected: a product has no output port with a contract.
    """
    refs = []
    for pid in product_ids:
        product = mesh.products[pid]
        port = next((p for p in product.output_ports if p.contract_id), None)
        if port is None or port.contract_id is None:
            raise QueryRejected(f"{pid} has no output port with a data contract to read.")
        refs.append(InputRef(pid, product.version, port.contract_id))
    return tuple(refs)


def rewrite(sql: str, mesh: Mesh, engine: Engine) -> str:
    """The query with every product reference replaced by the product's own relation.

    Args:
        sql: a query accepted by :func:`input_products`.
        mesh: the loaded mesh.
        engine: the catalog's engine (locates each product's data, read-only).

    Returns:
        DuckDB SQL that reads the products' data where their contracts say it is; table
        aliases are kept (an unaliased reference is aliased to its table name, so
        ``flights.carrier`` still resolves).

    Raises:
        QueryRejected: see :func:`input_products`; or a product's data cannot be read.
    """
    input_products(sql, mesh)
    tree = _parse(sql)
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in list(tree.find_all(exp.Table)):
        if not table.db and table.name in ctes:
            continue
        product = mesh.products[f"{table.db}.{table.name}"]
        port = next(p for p in product.output_ports if p.contract_id)
        try:
            relation = engine.relation(port)
        except CatalogError as err:
            raise QueryRejected(f"{product.id} cannot be read: {err}") from None
        alias = table.alias or table.name
        replacement = sqlglot.parse_one(
            f"SELECT * FROM {relation} AS {quote_identifier(alias)}", read="duckdb"
        ).find(exp.Table)
        assert replacement is not None
        table.replace(replacement)
    return tree.sql(dialect="duckdb")


def query_source(settings: Settings, engine: Engine, mesh: Mesh, sql: str) -> DataSource:
    """Run a derived product's query once, read-only, and stage its result.

    Args:
        settings: the data folder.
        engine: the catalog's engine.
        mesh: the loaded mesh.
        sql: the query as written.

    Returns:
        The staged source, with the query and its input ports.

    Raises:
        QueryRejected: see :func:`input_products` and :func:`rewrite`.
        RegistrationError: the query fails when run (the engine's message).
    """
    ids = input_products(sql, mesh)
    rewritten = rewrite(sql, mesh, engine)
    label = "SQL query over " + ", ".join(ids)
    return stage(settings, engine, f"({rewritten})", kind=SourceKind.QUERY, label=label,
                 fmt="query", query=sql.strip().rstrip(";").strip(),
                 inputs=input_refs(mesh, ids))
