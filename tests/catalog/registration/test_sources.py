"""Uploads and data-folder sources: limits, sniffing, clear messages, containment."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import duckdb
import pytest

from catalog.catalog import Catalog
from catalog.registration import sources
from catalog.registration.errors import RegistrationError, UploadRejected
from tests.catalog.registration.conftest import orders_csv

MB = 1024 * 1024


def _sniff(name: str, data: bytes, limit: int = 200 * MB) -> str:
    return sources.sniff_upload(name, data[: sources.SNIFF_BYTES], data[-4:], len(data), limit)


def test_csv_and_parquet_are_recognised(tmp_path: Path) -> None:
    assert _sniff("a.csv", b"a,b\n1,2\n") == "csv"
    assert _sniff("a.csv", "a,b\n1,café\n".encode("utf-8-sig")) == "csv"  # BOM is fine
    duckdb.sql("COPY (SELECT 1 AS a) TO '" + str(tmp_path / "x.parquet") + "' (FORMAT parquet)")
    assert _sniff("x.parquet", (tmp_path / "x.parquet").read_bytes()) == "parquet"


@pytest.mark.parametrize(("name", "data", "fragment"), [
    ("a.xlsx", b"PK\x03\x04", "only CSV and Parquet"),
    ("a.csv", b"", "is empty"),
    ("a.csv", b"PAR1....PAR1", "rename it to end in .parquet"),
    ("a.parquet", b"a,b\n1,2\n", "not a complete Parquet file"),
    ("a.csv", b"PK\x03\x04rest", "Excel workbook"),
    ("a.csv", b"%PDF-1.7", "PDF"),
    ("a.csv", "a,b\n1,2\n".encode("utf-16"), "UTF-16"),
    ("a.csv", b"a,b\n1,x\x00y\n", "line 2 contains NUL bytes"),
    ("a.csv", b"name,city\nAna,M\xfcnchen\n", "line 2 is not UTF-8"),
])
def test_files_that_are_not_what_they_claim_are_refused(name: str, data: bytes,
                                                        fragment: str) -> None:
    with pytest.raises(UploadRejected) as err:
        _sniff(name, data)
    assert fragment in str(err.value)


def test_a_wrong_encoding_says_what_to_do() -> None:
    with pytest.raises(UploadRejected) as err:
        _sniff("cities.csv", b"name,city\nAna,M\xfcnchen\n")
    message = str(err.value)
    assert "Windows-1252/Latin-1" in message and "'ü'" in message
    assert "Save the file as UTF-8" in message


def test_an_enormous_line_is_refused() -> None:
    huge = b"a,b\n1," + b"x" * (sources.MAX_LINE_BYTES + 10) + b"\n"
    with pytest.raises(UploadRejected, match="line longer than"):
        _sniff("a.csv", huge)


def test_the_size_limit_comes_from_the_settings(fixture_catalog: Catalog) -> None:
    settings = dataclasses.replace(fixture_catalog.settings, upload_limit_mb=1)
    assert sources.upload_limit_bytes(settings) == MB
    data = b"a\n" + b"1\n" * (MB // 2 + 1)
    with pytest.raises(UploadRejected, match="the limit is 1.0 MB"):
        sources.stage_upload(settings, fixture_catalog.engine, "big.csv", data)
    assert not list((settings.data_dir / sources.STAGING).glob("*"))


def test_the_limit_defaults_to_200_mb_and_reads_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.config import Settings

    monkeypatch.delenv("MESH_UPLOAD_LIMIT_MB", raising=False)
    assert Settings.from_env().upload_limit_mb == 200
    monkeypatch.setenv("MESH_UPLOAD_LIMIT_MB", "5")
    assert sources.upload_limit_bytes(Settings.from_env()) == 5 * MB


def test_an_upload_is_staged_as_parquet(fixture_catalog: Catalog) -> None:
    src = sources.stage_upload(fixture_catalog.settings, fixture_catalog.engine, "r.csv",
                               orders_csv(50))
    assert src.rows == 50 and src.format == "csv" and src.path.suffix == ".parquet"
    assert src.path.parent == fixture_catalog.settings.data_dir / sources.STAGING
    assert [c for c, _ in sources.columns(fixture_catalog.engine, src)][:2] == [
        "return_id", "Carrier Code"]
    # The raw upload is not kept, only the staged Parquet.
    assert [p.suffix for p in src.path.parent.iterdir()] == [".parquet"]
    sources.discard(src)
    assert not src.path.exists()


def test_a_problem_deep_in_the_file_is_reported_by_line(fixture_catalog: Catalog) -> None:
    good = b"".join(b"%d,plain text here\n" % i for i in range(150_000))  # > SNIFF_BYTES
    assert len(good) > sources.SNIFF_BYTES
    data = b"id,text\n" + good + b"150001,M\xfcnchen\n"
    with pytest.raises(UploadRejected) as err:
        sources.stage_upload(fixture_catalog.settings, fixture_catalog.engine, "deep.csv", data)
    assert "not UTF-8" in str(err.value) and "deep.csv" in str(err.value)
    assert not list((fixture_catalog.settings.data_dir / sources.STAGING).glob("*"))


def test_a_value_of_the_wrong_type_late_in_a_column_is_explained(fixture_catalog: Catalog
                                                                 ) -> None:
    data = b"id\n" + b"".join(b"%d\n" % i for i in range(30_000)) + b"not a number\n"
    with pytest.raises(UploadRejected, match="does not fit its column's type"):
        sources.stage_upload(fixture_catalog.settings, fixture_catalog.engine, "n.csv", data)


@pytest.mark.parametrize("relative", ["../outside.csv", "/etc/passwd", ".staging/x.parquet",
                                      "products/sales/x/1.0.0.parquet", "orders.txt", "."])
def test_local_paths_outside_the_offer_are_refused(fixture_catalog: Catalog,
                                                   relative: str) -> None:
    outside = fixture_catalog.settings.data_dir.parent / "outside.csv"
    outside.write_text("a\n1\n")
    with pytest.raises(RegistrationError):
        sources.inside_data_dir(fixture_catalog.settings, relative)


def test_a_symbolic_link_out_of_the_data_folder_is_refused(fixture_catalog: Catalog) -> None:
    data = fixture_catalog.settings.data_dir
    secret = data.parent / "secret.csv"
    secret.write_text("password\nhunter2\n")
    os.symlink(secret, data / "innocent.csv")
    with pytest.raises(RegistrationError, match="not inside the data folder"):
        sources.local_source(fixture_catalog.settings, fixture_catalog.engine, "innocent.csv",
                             mesh=fixture_catalog.mesh())


def test_data_folder_files_and_tables_not_yet_products_are_offered(
        fixture_catalog: Catalog) -> None:
    data = fixture_catalog.settings.data_dir
    (data / "extra").mkdir()
    (data / "extra" / "visits.csv").write_bytes(b"day,visits\n2024-01-01,5\n2024-01-02,7\n")
    with duckdb.connect(str(data / "shop.duckdb")) as con:
        con.execute("CREATE TABLE stock AS SELECT 1 AS sku, 10 AS units")
    offered = {(c.path, c.table) for c in sources.local_candidates(
        fixture_catalog.settings, fixture_catalog.engine, fixture_catalog.mesh())}
    assert ("extra/visits.csv", None) in offered
    assert ("shop.duckdb", "main.stock") in offered
    # orders.csv and customers.csv are served by products already: not offered again.
    assert not {p for p, _ in offered} & {"orders.csv", "customers.csv"}
    mesh = fixture_catalog.mesh()
    table = sources.local_source(fixture_catalog.settings, fixture_catalog.engine,
                                 "shop.duckdb", "main.stock", mesh=mesh)
    assert table.rows == 1 and table.kind == "local"
    csv = sources.local_source(fixture_catalog.settings, fixture_catalog.engine,
                               "extra/visits.csv", mesh=mesh)
    assert csv.rows == 2
    with pytest.raises(RegistrationError, match="Choose one of the tables"):
        sources.local_source(fixture_catalog.settings, fixture_catalog.engine, "shop.duckdb",
                             "main.nope", mesh=mesh)
    with pytest.raises(RegistrationError, match="served by a product already"):
        sources.local_source(fixture_catalog.settings, fixture_catalog.engine, "orders.csv",
                             mesh=mesh)
