"""A derived product: one read-only SQL query over existing products.

People name products by their id, as in the demo mesh's build code::

    SELECT carrier, count(*) AS flights FROM operations.flights GROUP BY carrier

sqlglot reads the tables the query uses (:func:`catalog.build.referenced_tables`, the same
parser the mesh build uses, not a regular expression); each must be a product of the mesh (or
a CTE of the query). They become the new product's ODPS input ports (lineage), and each
table reference is rewritten to the product's own relation (:meth:`Engine.relation`), so the
query reads exactly the data the products' contracts point at, read-only. Anything else is
refused by the sandbox (:mod:`catalog.sandbox`): several statements, statements that are not
queries, table functions such as ``read_csv('/etc/passwd')``, file paths, and functions that
reach outside the data; the query then runs within the sandbox's time, memory, spill and row
limits.
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
from catalog.registration.sources import DataSource, InputRef, discard, stage
from catalog.sandbox import SETTINGS, LimitExceeded, Limits, SandboxRefused, check_select
from catalog.sql import quote_identifier


def _parse(sql: str) -> exp.Query:
    """The query's syntax tree, if the sandbox accepts it (one read-only SELECT, no file or
    settings functions).

    Raises:
        QueryRejected: the sandbox's reason (:func:`catalog.sandbox.check_select`).
    """
    if not sql.strip().rstrip(";").strip():
        raise QueryRejected("Write a SELECT query over existing products, e.g. "
                            "SELECT carrier, count(*) AS flights FROM operations.flights "
                            "GROUP BY carrier.")
    try:
        tree: exp.Query = check_select(sql, what="The query")
    except SandboxRefused as err:
        raise QueryRejected(str(err)) from None
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


def query_source(settings: Settings, engine: Engine, mesh: Mesh, sql: str,
                 limits: Limits | None = None) -> DataSource:
    """Run a derived product's query once, read-only, in its own sandbox, and stage its result.

    The query runs in a short-lived :class:`Engine` (a sandbox of its own, whose spill folder
    is removed when it ends), under ``limits``: time, memory, spill and at most
    ``limits.max_rows`` rows.

    Args:
        settings: the data folder.
        engine: the catalog's engine (its limits are the default).
        mesh: the loaded mesh.
        sql: the query as written.
        limits: the sandbox limits (default: the engine's).

    Returns:
        The staged source, with the query and its input ports.

    Raises:
        QueryRejected: see :func:`input_products` and :func:`rewrite`.
        LimitExceeded: the query ran out of time, memory, spill space or produced too many
            rows (the message names the limit and its setting).
        RegistrationError: the query fails when run (the engine's message).
    """
    ids = input_products(sql, mesh)
    limits = limits or engine.limits
    label = "SQL query over " + ", ".join(ids)
    with Engine(settings.data_dir, limits=limits) as scratch:
        rewritten = rewrite(sql, mesh, scratch)
        capped = f"(SELECT * FROM ({rewritten}) LIMIT {limits.max_rows + 1})"
        source = stage(settings, scratch, capped, kind=SourceKind.QUERY, label=label,
                       fmt="query", query=sql.strip().rstrip(";").strip(),
                       inputs=input_refs(mesh, ids))
    if source.rows > limits.max_rows:
        discard(source)
        raise LimitExceeded("rows", SETTINGS["rows"],
                            f"The query gives more than {limits.max_rows:,} rows, the row limit "
                            f"(set {SETTINGS['rows']} to change it); aggregate or filter it.")
    return source
