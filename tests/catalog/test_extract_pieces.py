"""Large CSV extracts written in pieces side by side: the pieces one after the other are,
byte for byte, the extract one DuckDB thread writes; filters and limits keep their meaning;
a DuckDB table is sliced by rowid; nothing is left behind."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from catalog import extract_files
from catalog.catalog import Catalog
from catalog.engine import Engine
from catalog.engines import duckdb_slices
from catalog.engines.duckdb_engine import DuckDBAdapter
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.housekeeping import EXTRACTS_DIR
from catalog.models.principal import LOCAL_USER

U = LOCAL_USER
ROWS = 30_000


@pytest.fixture
def mid(fixture_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    """sales.orders served from a 30,000-row Parquet file of several row groups, sliced at
    5,000 rows a piece into at most 3 pieces."""
    data = fixture_catalog.settings.data_dir
    with duckdb.connect() as conn:
        conn.execute(
            "COPY (SELECT i AS order_id, i % 1000 AS customer_id, CASE WHEN i % 7 = 0 THEN "
            "'=cmd' || i ELSE 'note, number ' || i END AS note, i / 3.0 AS amount "
            f"FROM range({ROWS}) t(i)) TO '{data / 'mid.parquet'}' "
            "(FORMAT parquet, ROW_GROUP_SIZE 2048)")
    contract = fixture_catalog.settings.mesh_root / "sales/orders/orders.odcs.yaml"
    contract.write_text(contract.read_text().replace("path: orders.csv, format: csv",
                                                     "path: mid.parquet, format: parquet"))
    monkeypatch.setattr(duckdb_slices, "MIN_SLICE_ROWS", 5_000)
    monkeypatch.setattr(extract_files, "EXTRACT_PIECES", 3)
    return fixture_catalog


def _one_piece(catalog: Catalog, request: ExtractRequest | None,
               monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(extract_files, "EXTRACT_PIECES", 1)
        out = catalog.extract_file(U, "sales.orders", None, request, "csv")
    try:
        return out.path.read_bytes()
    finally:
        out.path.unlink()


REQUESTS = {
    "everything": None,
    "a filter": ExtractRequest(filters=(RowFilter("customer_id", FilterOp.LESS, "10"),)),
    "a limit": ExtractRequest(limit=20_000),
    "columns and a limit past the end": ExtractRequest(columns=("note", "order_id"),
                                                       limit=50_000),
    "a filter and a limit": ExtractRequest(
        filters=(RowFilter("customer_id", FilterOp.GREATER, "500"),), limit=12_000),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_pieces_joined_are_the_one_thread_extract(mid: Catalog, name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    request = REQUESTS[name]
    expected = _one_piece(mid, request, monkeypatch)
    out = mid.extract_file(U, "sales.orders", None, request, "csv")
    try:
        assert out.pieces == ()
        assert out.path.read_bytes() == expected
        assert out.rows == expected.count(b"\n") - 1
    finally:
        out.path.unlink()
    assert list((mid.settings.data_dir / EXTRACTS_DIR).iterdir()) == []


def test_a_started_extract_is_written_in_pieces_side_by_side(
        mid: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _one_piece(mid, None, monkeypatch)
    job = mid.start_extract_file(U, "sales.orders", None, None, "csv")
    result = job.result(timeout=60)
    try:
        assert len(job.files) == 3 and result.pieces == job.pieces
        joined = b"".join(path.read_bytes() for path in job.files)
        assert joined == expected and result.bytes == len(expected)
        assert job.files[1].read_bytes()[:1].isdigit(), "the header only in the first piece"
        assert all(job.piece_done(n) for n in range(3))
    finally:
        job.discard()
    assert not any(path.exists() for path in job.files)


def test_parquet_and_a_filtered_limit_are_written_whole(mid: Catalog) -> None:
    for fmt, request in (("parquet", None), ("csv", REQUESTS["a filter and a limit"])):
        job = mid.start_extract_file(U, "sales.orders", None, request, fmt)  # type: ignore[arg-type]
        try:
            job.result(timeout=60)
            assert job.pieces == (), fmt
        finally:
            job.discard()


def test_a_failing_piece_fails_the_extract_and_leaves_nothing(
        mid: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    original = duckdb_slices.write_csv_slice

    def second_fails(adapter: DuckDBAdapter, sql: str, params: list[object], target: Path, *,
                     header: bool) -> int:
        if not header and "< 20000" in sql:
            raise duckdb_slices.CatalogError("The product's data files cannot be read.")
        return original(adapter, sql, params, target, header=header)

    monkeypatch.setattr(duckdb_slices, "write_csv_slice", second_fails)
    monkeypatch.setattr("catalog.engine.write_csv_slice", second_fails)
    job = mid.start_extract_file(U, "sales.orders", None, None, "csv")
    with pytest.raises(duckdb_slices.CatalogError, match="cannot be read"):
        job.result(timeout=60)
    assert job.failed
    job.discard()
    assert list((mid.settings.data_dir / EXTRACTS_DIR).iterdir()) == []


def test_a_duckdb_table_is_sliced_by_rowid(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duckdb_slices, "MIN_SLICE_ROWS", 100)
    database = tmp_path / "shop.duckdb"
    with duckdb.connect(str(database)) as conn:
        conn.execute("CREATE TABLE orders AS SELECT i AS id, 'n' || i AS note FROM range(1000) "
                     "t(i) ORDER BY i DESC")
        conn.execute("DELETE FROM orders WHERE id % 10 = 3")
        conn.execute("CREATE VIEW recent AS SELECT * FROM orders")
    with Engine(tmp_path) as engine:
        adapter = engine.resolver.duckdb
        alias = adapter.attach(database)
        table = f'"{alias}"."main"."orders"'
        slices = duckdb_slices.row_slices(adapter, table, {"id", "note"}, 4, None, False)
        assert slices is not None and len(slices) == 4
        whole = [r[0] for r in adapter.fetch(f"SELECT id FROM {table}")]
        pieced = [r[0] for piece in slices
                  for r in adapter.fetch(f"SELECT id FROM {piece.relation} "
                                         f"WHERE {piece.condition}")]
        assert pieced == whole and len(whole) == 900
        view = f'"{alias}"."main"."recent"'
        assert duckdb_slices.row_slices(adapter, view, {"id", "note"}, 4, None, False) is None
        assert duckdb_slices.row_slices(adapter, table, {"id", "rowid"}, 4, None, False) is None
        assert duckdb_slices.row_slices(adapter, table, {"id"}, 4, 150, False) is None


def test_the_extract_engine_reads_a_limit_in_one_pass(tmp_path: Path) -> None:
    """Late materialization would sort the limited rows in memory (254 MB at 600,000 rows of
    TPC-H lineitem); the extract engine plans a plain streaming LIMIT."""
    engine = extract_files.extract_engine(tmp_path)
    try:
        cur = engine.cursor()
        setting = cur.execute("SELECT current_setting('disabled_optimizers')").fetchone()
        assert setting is not None and "late_materialization" in str(setting[0])
        with pytest.raises(duckdb.Error):  # still locked: untrusted SQL cannot undo it
            cur.execute("SET disabled_optimizers = ''")
    finally:
        engine.close()


def test_whole_parquet_on_every_core_and_a_limited_one_in_order(mid: Catalog) -> None:
    """A whole-port Parquet extract is written by the all-cores engine (rows as a set); one with
    a row limit stays on the ordered one-thread engine, so the limit keeps the first rows."""
    whole = mid.extract_file(U, "sales.orders", None, None, "parquet")
    limited = mid.extract_file(U, "sales.orders", None, ExtractRequest(limit=25_000), "parquet")
    try:
        with duckdb.connect() as conn:
            assert conn.execute(f"SELECT count(DISTINCT order_id), min(order_id), "
                                f"max(order_id) FROM '{whole.path}'").fetchone() == (
                ROWS, 0, ROWS - 1)
            ids = [r[0] for r in conn.execute(f"SELECT order_id FROM '{limited.path}'")
                   .fetchall()]
        assert ids == list(range(25_000))
        assert mid.parquet_engine.limits.threads == extract_files.PARQUET_THREADS
        setting = mid.parquet_engine.cursor().execute(
            "SELECT current_setting('preserve_insertion_order')").fetchone()
        assert setting == (False,)
    finally:
        whole.path.unlink()
        limited.path.unlink()


def test_several_parquet_files_are_not_sliced(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """file_row_number restarts in each file: a glob of files is written whole."""
    monkeypatch.setattr(duckdb_slices, "MIN_SLICE_ROWS", 10)
    with duckdb.connect() as conn:
        for n in range(2):
            conn.execute(f"COPY (SELECT i FROM range(100) t(i)) TO "
                         f"'{tmp_path / f'part{n}.parquet'}' (FORMAT parquet)")
    with Engine(tmp_path) as engine:
        adapter = engine.resolver.duckdb
        glob = f"read_parquet('{tmp_path / 'part*.parquet'}')"
        assert duckdb_slices.row_slices(adapter, glob, {"i"}, 2, None, False) is None
        one = f"read_parquet('{tmp_path / 'part0.parquet'}')"
        assert duckdb_slices.row_slices(adapter, one, {"i"}, 2, None, False) is not None
