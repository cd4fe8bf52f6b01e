"""``make run``'s engines: serve the demo's PostgreSQL-listed products from PostgreSQL when one
is available, then start the portal.

Usage (what ``make run`` does)::

    MESH_DEMO_POSTGRES_URL=postgresql://user@localhost:5432/mesh \\
        python -m catalog.engines.demo python -m streamlit run portal/server.py …

With ``MESH_DEMO_POSTGRES_URL`` set (a database the role may create schemas and tables in),
every product whose contract lists a ``postgres`` server entry and a ``duckdb`` one (the
``operations`` domain) is copied from the built DuckDB file into that database (``COPY``,
schema and table as the contract names them), and ``MESH_PG_URL_<SERVER>`` is set for the
portal, so the resolver reads them from PostgreSQL. Without it, or when the server does not
answer, nothing is set: those products are read from their DuckDB entry and the Home page says
so.

With ``MESH_DEMO_SPARK=1`` and Java 17 on the machine, the optional large product
``tpch.lineitem`` (``demo/tpch/``: TPC-H lineitem SF1 as Parquet, served by Spark) joins the mesh:
its file is ``<data dir>/tpch/lineitem.parquet``, taken from the benchmark's copy
(``bench/.work/quality/tpch-sf1/``) or generated offline with ``tpchgen-cli`` (a development
dependency); the portal then reads a composed mesh folder, ``<data dir>/.demo-mesh``, holding
the domains and ``demo/tpch`` (rebuilt at each start: register products in ``domains/``
without this option). When Java or the file is missing the mesh is the usual one.

The command after the options is then run in place of this process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from catalog.config import REPO_ROOT, Settings
from catalog.confine import PathRefused, confined
from catalog.engines.base import env_key
from catalog.engines.resolver import first_server
from catalog.manifests.loader import load_mesh
from catalog.sql import quote_identifier

DEMO_URL_ENV = "MESH_DEMO_POSTGRES_URL"
"""The PostgreSQL database the demo serves products from, when set."""
DEMO_SPARK_ENV = "MESH_DEMO_SPARK"
"""``1`` adds the Spark-served ``tpch.lineitem`` to the demo mesh."""
TPCH_DOMAIN = REPO_ROOT / "demo" / "tpch"
"""The optional large product's domain folder."""
BENCH_LINEITEM = REPO_ROOT / "bench" / ".work" / "quality" / "tpch-sf1" / "lineitem.parquet"
"""The benchmark's copy of lineitem SF1, reused when present."""


def lineitem_file(data_dir: Path, say: object = print) -> Path | None:
    """``<data dir>/tpch/lineitem.parquet``: kept, linked from the benchmark's copy, or made
    with ``tpchgen-cli`` (SF1, Parquet); None when none of these works."""
    report = say if callable(say) else print
    target = data_dir / "tpch" / "lineitem.parquet"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if BENCH_LINEITEM.exists():
        try:
            os.link(BENCH_LINEITEM, target)
        except OSError:
            shutil.copy(BENCH_LINEITEM, target)
        return target
    tool = shutil.which("tpchgen-cli") or str(Path(sys.executable).parent / "tpchgen-cli")
    if not Path(tool).exists():
        report("tpchgen-cli is not installed (pip install -r requirements-dev.txt): "
               "tpch.lineitem is left out.")
        return None
    report("generating TPC-H lineitem SF1 with tpchgen-cli (about a minute)…")
    result = subprocess.run([tool, "--scale-factor", "1", "--tables", "lineitem", "--format",
                             "parquet", "--output-dir", str(target.parent)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0 or not target.exists():
        report(f"tpchgen-cli failed: {result.stderr.strip()[:200]}; tpch.lineitem is left out.")
        return None
    return target


def with_spark_product(settings: Settings, env: Mapping[str, str], say: object = print
                       ) -> Path | None:
    """The composed mesh folder with ``tpch.lineitem`` (see the module docstring), or None
    when Java or the data is missing."""
    from catalog.engines.spark import java_home

    report = say if callable(say) else print
    if java_home(env) is None:
        report("Java 17 is not installed (make java): tpch.lineitem is left out.")
        return None
    if lineitem_file(settings.data_dir, report) is None:
        return None
    composed = settings.data_dir / ".demo-mesh"
    shutil.rmtree(composed, ignore_errors=True)
    shutil.copytree(settings.mesh_root, composed)
    shutil.copytree(TPCH_DOMAIN, composed / "tpch")
    report("tpch.lineitem (6,001,215 rows) is served by Spark; the mesh is read from "
           f"{composed}.")
    return composed


def serve_from_postgres(settings: Settings, url: str, say: object = print) -> dict[str, str]:
    """Copy every product listing a ``postgres`` and a ``duckdb`` server into ``url``.

    Args:
        settings: the mesh and its data folder (the built ``duckdb`` files).
        url: the PostgreSQL database (never printed).
        say: called with one line per product.

    Returns:
        The environment to add: ``MESH_PG_URL_<SERVER>`` → ``url`` for each server loaded;
        empty when the server does not answer.
    """
    import psycopg

    from catalog.engines.loading import load_into_postgres

    report = say if callable(say) else print
    out: dict[str, str] = {}
    for product in load_mesh(settings.mesh_root).products.values():
        for port in product.output_ports:
            contract = port.contract
            if contract is None:
                continue
            pg = first_server(contract.servers, ("postgres", "postgresql"))
            local = first_server(contract.servers, ("duckdb",))
            objects = port.schema_objects()
            if pg is None or local is None or not local.database or not objects:
                continue
            table = objects[0].physicalName or objects[0].name or ""
            source = f"src.{quote_identifier(local.schema_ or 'main')}.{quote_identifier(table)}"
            try:  # the loader's DuckDB is not the sandbox: only files of the data folder
                database = confined(local.database, settings.data_dir, what="database")
            except PathRefused as err:
                report(f"{product.id}: {err}; not copied into PostgreSQL.")
                continue
            try:
                rows = load_into_postgres(source, url, pg.schema_ or "public", table,
                                          attach={"src": database},
                                          scratch=settings.data_dir)
            except psycopg.OperationalError as err:
                report(f"PostgreSQL does not answer ({str(err).splitlines()[0][:120]}); "
                       "products are read from DuckDB.")
                return {}
            report(f"{product.id}: {rows:,} rows served from PostgreSQL "
                   f"({pg.schema_}.{table})")
            out[f"MESH_PG_URL_{env_key(str(pg.server or 'postgres'))}"] = url
    return out


def main(argv: list[str], env: Mapping[str, str] | None = None) -> int:
    """Prepare the engines, then run ``argv`` in place of this process.

    Returns:
        2 when no command is given (otherwise it does not return).
    """
    env = dict(os.environ if env is None else env)
    if not argv:
        print("usage: python -m catalog.engines.demo COMMAND [ARGS…]", file=sys.stderr)
        return 2
    url = env.get(DEMO_URL_ENV, "").strip()
    if url:
        for key, value in serve_from_postgres(Settings.from_env(), url).items():
            env.setdefault(key, value)
    else:
        print(f"{DEMO_URL_ENV} is not set: every product is read from DuckDB.")
    if env.get(DEMO_SPARK_ENV, "").strip() == "1":
        composed = with_spark_product(Settings.from_env(), env)
        if composed is not None:
            env["MESH_ROOT"] = str(composed)
    os.execvpe(argv[0], argv, env)
    return 0  # pragma: no cover - execvpe does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
