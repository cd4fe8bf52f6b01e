"""Engine credentials come from the environment or a secrets file and never show: not in a
message, a label, a log line or a page; an engine that does not answer fails its own product
only, and the rest of the mesh works."""

from __future__ import annotations

import logging
import shutil
import socket
from pathlib import Path

import pytest
from open_data_contract_standard.model import Server

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.engines.base import EngineUnavailable, scrub
from catalog.engines.credentials import SecretsRefused, postgres_credentials
from catalog.errors import CatalogError, DataUnavailable
from catalog.models.principal import LOCAL_USER
from tests.catalog.engines.conftest import SERVERS, copy_product

PASSWORD = "S3cret-Pa55word-x9"
"""A password that must never appear anywhere it could be read."""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def broken_mesh(demo_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                ) -> Settings:
    """flights on DuckDB and flights_pg on a PostgreSQL server that is not there (its URL
    carries a password)."""
    root, data = tmp_path / "domains", tmp_path / "data"
    (root / "operations").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "domains" / "operations" / "domain.yaml", root / "operations")
    copy_product(root, "flights", SERVERS["flights"])
    copy_product(root, "flights_pg", SERVERS["flights_pg"])
    data.mkdir()
    shutil.copy(demo_settings.data_dir / "mesh.duckdb", data / "mesh.duckdb")
    monkeypatch.setenv("MESH_PG_URL_FLIGHTS_PG",
                       f"postgresql://reader:{PASSWORD}@127.0.0.1:{_closed_port()}/mesh")
    return Settings(mesh_root=root, data_dir=data)


def test_unreachable_engine_fails_its_product_only(broken_mesh: Settings,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    catalog = Catalog(broken_mesh, recheck_seconds=0)
    with pytest.raises(EngineUnavailable) as err:
        catalog.preview(LOCAL_USER, "operations.flights_pg")
    message = str(err.value)
    assert "flights-pg" in message and "cannot be reached" in message
    assert "other products are not affected" in message
    assert len(catalog.preview(LOCAL_USER, "operations.flights", limit=3)) == 3
    assert catalog.row_count(LOCAL_USER, "operations.flights") == 336_776
    run = catalog.run_quality(LOCAL_USER, "operations.flights_pg", store=False)
    assert {str(r.status) for r in run.results} == {"error"}
    assert all("cannot be reached" in r.message for r in run.results)
    ok = catalog.run_quality(LOCAL_USER, "operations.flights", store=False)
    assert "passed" in {str(r.status) for r in ok.results}
    texts = [message, *(r.message for r in run.results), caplog.text,
             repr(err.value), str(catalog.engine.server(
                 catalog.product(LOCAL_USER, "operations.flights_pg").port(None)))]
    assert all(PASSWORD not in t and "reader:" not in t for t in texts)


def test_a_wrong_role_or_password_is_reported_without_it(postgres_url: str, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    from catalog.engine import Engine

    caplog.set_level(logging.DEBUG)
    host_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    env = {"MESH_PG_USER_OPS": "nobody_here", "MESH_PG_PASSWORD_OPS": PASSWORD}
    host, port = host_port.split(":")
    server = Server(server="ops", type="postgres", host=host, port=int(port),
                    database="postgres", schema="public")
    with Engine(tmp_path, env=env) as engine:
        located = engine.resolver.locate_server(server, "flights")
        assert PASSWORD not in located.server.label
        with pytest.raises(EngineUnavailable) as err:
            located.adapter.fetch_one("SELECT 1")
    assert "nobody_here" in str(err.value) and PASSWORD not in str(err.value)
    assert PASSWORD not in caplog.text


def test_credentials_come_from_the_environment_then_the_secrets_file(tmp_path: Path) -> None:
    assert not postgres_credentials("ops-pg", tmp_path, {}).configured
    creds = postgres_credentials("ops-pg", tmp_path, {"MESH_PG_USER_OPS_PG": "r",
                                                      "MESH_PG_PASSWORD_OPS_PG": PASSWORD})
    assert creds.user == "r" and creds.password == PASSWORD and PASSWORD not in repr(creds)
    secrets = tmp_path / ".secrets.toml"
    secrets.write_text(f'[servers.ops-pg]\nuser = "filed"\npassword = "{PASSWORD}"\n')
    secrets.chmod(0o600)
    assert postgres_credentials("ops-pg", tmp_path, {}).user == "filed"
    url = postgres_credentials("ops-pg", tmp_path, {"MESH_PG_URL_OPS_PG": "postgresql://x"})
    assert url.url == "postgresql://x" and url.user is None
    secrets.chmod(0o644)
    with pytest.raises(SecretsRefused, match="chmod 600"):
        postgres_credentials("ops-pg", tmp_path, {})


def test_an_unconfigured_server_falls_back_to_the_next_entry(tmp_path: Path) -> None:
    from catalog.engine import Engine

    pg = Server(server="ops-pg", type="postgres", host="h", port=5432, database="d",
                schema="s")
    local = Server(server="local", type="local", format="csv", path="x.csv")
    with Engine(tmp_path, env={}) as engine:
        server, cls = engine.resolver.choose([pg, local], "port 'x'")
        assert server is local and cls.engine == "DuckDB"
        with pytest.raises(EngineUnavailable) as err:
            engine.resolver.choose([pg], "port 'x'")
        assert "MESH_PG_URL_OPS_PG" in str(err.value)
    with Engine(tmp_path, env={"MESH_PG_USER_OPS_PG": "r"}) as engine:
        assert engine.resolver.choose([pg, local], "port 'x'")[0] is pg


def test_no_java_means_spark_products_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    from catalog.engine import Engine
    from catalog.engines import spark

    monkeypatch.setattr(spark, "java_home", lambda _env: None)
    server = Server(server="files", type="custom", format="parquet", path="x.parquet")
    with Engine(tmp_path, env={}) as engine, pytest.raises(DataUnavailable, match="Java 17"):
        engine.resolver.choose([server], "port 'x'")


def test_scrub_removes_secrets_and_url_passwords() -> None:
    text = f"failed: postgresql://u:{PASSWORD}@h/db and {PASSWORD}"
    assert PASSWORD not in scrub(text, [PASSWORD])
    assert "u:" not in scrub(f"postgresql://u:{PASSWORD}@h/db", [])
    assert issubclass(EngineUnavailable, CatalogError)
