"""Extract files (CSV and Parquet written by DuckDB COPY): rows, masking, formula guard, row cap,
audit record, where the file goes, flat Python memory for a large extract; housekeeping of left
files; signed download links: round trip, tampering, expiry, the signing key."""

from __future__ import annotations

import csv
import io
import os
import stat
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest

from catalog import extract_files
from catalog.access.identity import AdminConfig, principal_for
from catalog.access.masking import MASK
from catalog.catalog import Catalog
from catalog.errors import InvalidRequest, PermissionDenied, Unauthenticated
from catalog.extract_files import LINK_SECRET_FILE, link_key
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.housekeeping import EXTRACTS_DIR, clean_stale_build_files
from catalog.models.principal import ANONYMOUS, GOVERNANCE_ADMIN, LOCAL_USER

U = LOCAL_USER
CONSUMER = principal_for("carl@elsewhere.example", "Carl", "carl@elsewhere.example",
                         groups=["partners"], admins=AdminConfig())
NOTES = ["plain note", "'=HYPERLINK(\"http://evil.example\")", "'+1 555 0100", "'@SUM(A1:A2)",
         "'-minus start", "", "comma, inside"]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MESH_ADMINS", "MESH_ADMIN_GROUPS", "MESH_AUTH", "MESH_LINK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _parquet(path: Path) -> list[tuple[object, ...]]:
    with duckdb.connect() as conn:
        return conn.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()


def test_a_csv_file_is_the_csv_extract(fixture_catalog: Catalog) -> None:
    out = fixture_catalog.extract_file(U, "sales.orders", None, None, "csv")
    try:
        assert out.path.parent == fixture_catalog.settings.data_dir / EXTRACTS_DIR
        assert out.path.read_bytes() == fixture_catalog.extract_csv(U, "sales.orders")
        rows = _csv(out.path)
        assert rows[0] == ["order_id", "customer_id", "note", "amount"]
        assert [r[2] for r in rows[1:]] == NOTES  # the formula guard
        assert (out.rows, out.bytes) == (7, out.path.stat().st_size)
        assert out.media_type == "text/csv; charset=utf-8"
        assert out.file_name.startswith("sales.orders-") and out.file_name.endswith(".csv")
    finally:
        out.path.unlink()


def test_a_parquet_file_keeps_types_and_values(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(columns=("note", "amount"),
                             filters=(RowFilter("amount", FilterOp.LESS, "10"),))
    out = fixture_catalog.extract_file(U, "sales.orders", "orders", request, "parquet")
    try:
        assert out.file_name.endswith(".parquet")
        assert out.media_type == "application/vnd.apache.parquet"
        rows = _parquet(out.path)
        assert out.rows == len(rows) > 0
        assert all(isinstance(amount, float) and amount < 10 for _, amount in rows)
        assert ("=HYPERLINK(\"http://evil.example\")", -3.0) in rows  # typed, not a spreadsheet
    finally:
        out.path.unlink()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_sensitive_columns_are_masked_in_files(fixture_catalog: Catalog, fmt: str) -> None:
    out = fixture_catalog.extract_file(CONSUMER, "sales.customers", None, None, fmt)  # type: ignore[arg-type]
    try:
        rows = _csv(out.path)[1:] if fmt == "csv" else _parquet(out.path)
        assert rows and all(row[1] == MASK for row in rows)
        assert not any("@example.com" in str(row) for row in rows)
    finally:
        out.path.unlink()
    owner = fixture_catalog.extract_file(U, "sales.customers", None, None, fmt)  # type: ignore[arg-type]
    assert b"ana@example.com" in owner.path.read_bytes() or fmt == "parquet"
    owner.path.unlink()
    with pytest.raises(InvalidRequest):
        fixture_catalog.extract_file(CONSUMER, "sales.customers", None, ExtractRequest(
            filters=(RowFilter("email", FilterOp.CONTAINS, "ana"),)), fmt)  # type: ignore[arg-type]


def test_max_rows_caps_the_file(fixture_catalog: Catalog) -> None:
    out = fixture_catalog.extract_file(U, "sales.orders", None, None, "csv", max_rows=3)
    assert out.rows == 3 and len(_csv(out.path)) == 4
    out.path.unlink()
    out = fixture_catalog.extract_file(U, "sales.orders", None, ExtractRequest(limit=2),
                                       "parquet", max_rows=5)
    assert out.rows == 2 == len(_parquet(out.path))
    out.path.unlink()
    for bad in (0, -1):
        with pytest.raises(InvalidRequest, match="max_rows"):
            fixture_catalog.extract_file(U, "sales.orders", None, None, "csv", max_rows=bad)
    with pytest.raises(InvalidRequest, match="not an extract format"):
        fixture_catalog.extract_file(U, "sales.orders", None, None, "xlsx")  # type: ignore[arg-type]
    assert list((fixture_catalog.settings.data_dir / EXTRACTS_DIR).iterdir()) == []


def test_a_refused_or_failed_extract_leaves_no_file(fixture_catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        fixture_catalog.extract_file(ANONYMOUS, "sales.orders", None, None, "csv")
    with pytest.raises(InvalidRequest):
        fixture_catalog.extract_file(U, "sales.orders", None,
                                     ExtractRequest(columns=("nope",)), "parquet")
    folder = fixture_catalog.settings.data_dir / EXTRACTS_DIR
    assert not folder.exists() or list(folder.iterdir()) == []


def test_each_file_is_audited_like_a_csv_extract(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(columns=("order_id", "note"),
                             filters=(RowFilter("customer_id", FilterOp.EQUALS, "10"),))
    out = fixture_catalog.extract_file(CONSUMER, "sales.orders", None, request, "parquet",
                                       max_rows=1)
    out.path.unlink()
    event = fixture_catalog.audit_log(U, action_prefix="data.extracted")[0]
    assert event["actor"] == CONSUMER.username and event["target"] == "sales.orders"
    assert event["detail"] == {"port": "orders", "columns": ["order_id", "note"],
                               "masked": ["note"], "filters": [["customer_id", "equals", "10"]],
                               "rows": 1,
                               "bytes": out.bytes, "format": "parquet", "max_rows": 1}


def test_left_extract_files_are_removed_after_an_hour(fixture_catalog: Catalog) -> None:
    data = fixture_catalog.settings.data_dir
    old = fixture_catalog.extract_file(U, "sales.orders", None, None, "csv").path
    fresh = fixture_catalog.extract_file(U, "sales.orders", None, None, "csv").path
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    assert clean_stale_build_files(data) == [old]
    assert fresh.exists() and not old.exists()
    os.utime(fresh, (hours_ago, hours_ago))
    Catalog(fixture_catalog.settings)  # at start
    assert not fresh.exists()


@pytest.fixture()
def big(fixture_catalog: Catalog) -> Catalog:
    """sales.orders served from a 2,000,000-row Parquet file."""
    data = fixture_catalog.settings.data_dir
    with duckdb.connect() as conn:
        conn.execute(
            "COPY (SELECT i AS order_id, i % 1000 AS customer_id, CASE WHEN i % 7 = 0 THEN "
            "'=cmd' || i ELSE 'note number ' || i END AS note, i / 3.0 AS amount "
            f"FROM range(2000000) t(i)) TO '{data / 'big.parquet'}' (FORMAT parquet)")
    contract = fixture_catalog.settings.mesh_root / "sales/orders/orders.odcs.yaml"
    contract.write_text(contract.read_text().replace("path: orders.csv, format: csv",
                                                     "path: big.parquet, format: parquet"))
    return fixture_catalog


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_python_memory_stays_flat_for_a_large_extract(big: Catalog, fmt: str) -> None:
    big.columns(U, "sales.orders")  # warm up: manifests loaded, data attached
    tracemalloc.start()
    try:
        out = big.extract_file(U, "sales.orders", None, None, fmt)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert out.rows == 2_000_000
        assert out.bytes > (40_000_000 if fmt == "csv" else 5_000_000)
        assert peak < 5_000_000, f"peak Python memory {peak:,} bytes for {out.bytes:,}"
        if fmt == "csv":
            with out.path.open(encoding="utf-8") as f:
                assert next(f).strip() == "order_id,customer_id,note,amount"
                assert next(f).startswith("0,0,'=cmd0,")
        # every row once; a CSV in the data's own order, across all its row groups (a
        # whole-port Parquet file is a set of rows, written on every core)
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        with duckdb.connect() as conn:
            out_of_place, distinct = conn.execute(
                f"SELECT count(*) FILTER (WHERE order_id <> n), count(DISTINCT order_id) "
                f"FROM (SELECT order_id, row_number() OVER () - 1 AS n "
                f"FROM {reader}('{out.path}'))").fetchone() or (None, None)
        assert distinct == 2_000_000
        if fmt == "csv":
            assert out_of_place == 0
    finally:
        out.path.unlink()


# -- extracts written while they are sent ----------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_started_extract_is_the_same_file(fixture_catalog: Catalog, fmt: str) -> None:
    whole = fixture_catalog.extract_file(U, "sales.orders", None, None, fmt)  # type: ignore[arg-type]
    job = fixture_catalog.start_extract_file(U, "sales.orders", None, None, fmt)  # type: ignore[arg-type]
    assert job.path.parent == fixture_catalog.settings.data_dir / EXTRACTS_DIR
    assert job.path.suffix == f".{fmt}" and job.file_name == whole.file_name
    assert job.media_type == whole.media_type
    out = job.result(timeout=60)
    assert job.done and not job.failed and out.path == job.path
    assert (out.rows, out.bytes) == (whole.rows, whole.bytes) == (7, job.written())
    if fmt == "csv":
        assert out.path.read_bytes() == whole.path.read_bytes()
    else:
        assert _parquet(out.path) == _parquet(whole.path)
    whole.path.unlink()
    job.discard()
    job.discard()  # idempotent
    assert not job.path.exists() and job.written() == 0
    events = fixture_catalog.audit_log(U, action_prefix="data.extracted")
    assert [e["detail"]["format"] for e in events[:2]] == [fmt, fmt], "one record each"


def test_a_started_extract_checks_rights_and_the_request_at_once(
        fixture_catalog: Catalog) -> None:
    """Refusals come before any byte is sent (the API can still answer 4xx)."""
    folder = fixture_catalog.settings.data_dir / EXTRACTS_DIR
    with pytest.raises(PermissionDenied):
        fixture_catalog.start_extract_file(ANONYMOUS, "sales.orders", None, None, "csv")
    with pytest.raises(InvalidRequest, match="max_rows"):
        fixture_catalog.start_extract_file(U, "sales.orders", None, None, "csv", max_rows=0)
    with pytest.raises(InvalidRequest, match="nope"):
        fixture_catalog.start_extract_file(U, "sales.orders", None,
                                           ExtractRequest(columns=("nope",)), "parquet")
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_file_grows_while_it_is_written(big: Catalog, fmt: str) -> None:
    """What the data route relies on to send an extract while DuckDB writes it: the file
    fills front to back as the COPY runs, not at its end."""
    big.columns(U, "sales.orders")
    job = big.start_extract_file(U, "sales.orders", None, None, fmt)  # type: ignore[arg-type]
    seen: set[int] = set()
    while not job.done:
        seen.add(job.written())
        time.sleep(0.001)
    out = job.result()
    try:
        assert out.rows == 2_000_000
        assert any(0 < size < out.bytes for size in seen), "some of it was readable early"
    finally:
        job.discard()
    assert not out.path.exists()


def test_a_discarded_extract_is_deleted_when_its_writer_ends(big: Catalog) -> None:
    big.columns(U, "sales.orders")
    job = big.start_extract_file(U, "sales.orders", None, None, "csv")
    job.discard()  # the client went away: the writer finishes, then the file goes
    assert job.wait(timeout=120)
    assert job.result().rows == 2_000_000
    assert not job.path.exists()
    event = big.audit_log(U, action_prefix="data.extracted")[0]
    assert event["detail"]["rows"] == 2_000_000, "audited as any extract"


def test_the_formula_guard_condition() -> None:
    from catalog.extracts import FORMULA_PREFIXES, formula_start_condition

    texts = ["=1+1", "+x", "-3", "@a", "\tA", "\rb", "abc", "", None, "é=", " =x", "A", "0",
             "\n=", "\U0001F600x", "?", "<", ">", "\x00=", "'=x", "A=", "ü"]
    with duckdb.connect() as conn:
        conn.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
        got = conn.execute(f"SELECT {formula_start_condition('v')} FROM t ORDER BY i").fetchall()
        plan = conn.execute("EXPLAIN SELECT CASE WHEN "
                            f"{formula_start_condition('v')} THEN 1 END FROM t").fetchall()
    assert [g for (g,) in got] == [None if t is None else t.startswith(FORMULA_PREFIXES)
                                   for t in texts]
    assert "JOIN" not in str(plan).upper(), "no join: a join loses the rows' order in COPY"


# -- signed links ----------------------------------------------------------------------------
def _query(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query, keep_blank_values=True))


def test_a_signed_link_round_trips(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(columns=("order_id", "note"),
                             filters=(RowFilter("note", FilterOp.CONTAINS, "a&b=c"),
                                      RowFilter("amount", FilterOp.NOT_EMPTY)), limit=5)
    link = fixture_catalog.sign_extract_link(U, "sales.orders", None, request, "csv")
    assert urlsplit(link).path == "/api/v1/products/sales.orders/data.csv"
    query = _query(link)
    assert query["port"] == "orders" and "sig" in query
    who, port, back = fixture_catalog.principal_for_link("sales.orders", "csv", query)
    assert who == U and port == "orders"
    assert back.columns == request.columns and back.limit == 5
    assert [(f.column, f.op, f.value) for f in back.filters] == [
        ("note", FilterOp.CONTAINS, "a&b=c"), ("amount", FilterOp.NOT_EMPTY, None)]
    out = fixture_catalog.extract_file(who, "sales.orders", port, back, "csv")
    assert _csv(out.path)[0] == ["order_id", "note"]
    out.path.unlink()
    # Unsigned extras are ignored; no request at all is fine too.
    who, port, back = fixture_catalog.principal_for_link(
        "sales.orders", "parquet", _query(fixture_catalog.sign_extract_link(
            U, "sales.orders", "orders", None, "parquet")) | {"download": "1"})
    assert (who, port, back) == (U, "orders", ExtractRequest())


def test_a_changed_link_is_refused(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(columns=("order_id",), limit=5)
    query = _query(fixture_catalog.sign_extract_link(CONSUMER, "sales.orders", None, request,
                                                     "csv"))
    changes = [{"columns": '["order_id","note"]'}, {"limit": "500"}, {"limit": ""},
               {"user": "ana@shop.example"}, {"exp": str(int(query["exp"]) + 3600)},
               {"port": "other"}, {"sig": "0" * 64}, {"sig": ""},
               {"filters": '[["amount","is greater than","0"]]'}]
    for change in changes:
        with pytest.raises(Unauthenticated, match="new download link"):
            fixture_catalog.principal_for_link("sales.orders", "csv", query | change)
    for product, fmt in (("sales.customers", "csv"), ("sales.orders", "parquet")):
        with pytest.raises(Unauthenticated, match="changed"):
            fixture_catalog.principal_for_link(product, fmt, query)  # type: ignore[arg-type]
    without = {k: v for k, v in query.items() if k != "exp"}
    with pytest.raises(Unauthenticated, match="incomplete"):
        fixture_catalog.principal_for_link("sales.orders", "csv", without)


def test_a_link_expires(fixture_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    query = _query(fixture_catalog.sign_extract_link(CONSUMER, "sales.orders", None, None,
                                                     "csv", ttl_s=60))
    fixture_catalog.principal_for_link("sales.orders", "csv", query)
    later = time.time() + 61
    monkeypatch.setattr(extract_files.time, "time", lambda: later)
    with pytest.raises(Unauthenticated, match=r"expired at .* UTC"):
        fixture_catalog.principal_for_link("sales.orders", "csv", query)
    for ttl in (0, 86_401, True):
        with pytest.raises(InvalidRequest, match="seconds"):
            fixture_catalog.sign_extract_link(CONSUMER, "sales.orders", None, None, "csv",
                                              ttl_s=ttl)


def test_only_readers_get_links_and_admin_status_is_current(
        fixture_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PermissionDenied):
        fixture_catalog.sign_extract_link(ANONYMOUS, "sales.orders", None, None, "csv")
    query = _query(fixture_catalog.sign_extract_link(CONSUMER, "sales.orders", None, None,
                                                     "csv"))
    assert GOVERNANCE_ADMIN not in fixture_catalog.principal_for_link(
        "sales.orders", "csv", query)[0].roles
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "partners")
    assert GOVERNANCE_ADMIN in fixture_catalog.principal_for_link(
        "sales.orders", "csv", query)[0].roles


def test_the_signing_key(fixture_catalog: Catalog, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    query = _query(fixture_catalog.sign_extract_link(U, "sales.orders", None, None, "csv"))
    key_file = fixture_catalog.settings.data_dir / LINK_SECRET_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Another process on the same data folder agrees.
    other = Catalog(fixture_catalog.settings)
    assert other.principal_for_link("sales.orders", "csv", query)[0] == U
    # A configured secret wins (and links signed with the file's key no longer verify).
    monkeypatch.setenv("MESH_LINK_SECRET", "s" * 40)
    configured = Catalog(fixture_catalog.settings)
    with pytest.raises(Unauthenticated):
        configured.principal_for_link("sales.orders", "csv", query)
    assert link_key(tmp_path) == b"s" * 40
    monkeypatch.delenv("MESH_LINK_SECRET")
    # Created once, atomically: racing threads all read the same key.
    fresh = tmp_path / "fresh"
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda: keys.append(link_key(fresh))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and len(keys[0]) == 64
    assert [p.name for p in fresh.iterdir()] == [LINK_SECRET_FILE]
