"""CSV extracts: correct header and rows, filters and column picks, formula-injection guard,
parameterised values, read-only and data-folder confinement, concurrent downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading

import duckdb
import pytest

from catalog.catalog import Catalog
from catalog.errors import DataUnavailable, InvalidRequest
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.models.principal import LOCAL_USER

U = LOCAL_USER


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_formula_cells_are_neutralised(fixture_catalog: Catalog) -> None:
    rows = _rows(fixture_catalog.extract_csv(U, "sales.orders"))
    assert rows[0] == ["order_id", "customer_id", "note", "amount"]
    notes = [r[2] for r in rows[1:]]
    assert notes == ["plain note", "'=HYPERLINK(\"http://evil.example\")", "'+1 555 0100",
                     "'@SUM(A1:A2)", "'-minus start", "", "comma, inside"]
    # Numbers keep their sign: only text cells are guarded.
    assert rows[2][3] == "-3.0"


def test_columns_and_filters(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(
        columns=("amount", "order_id"),
        filters=(RowFilter("customer_id", FilterOp.EQUALS, "12"),
                 RowFilter("amount", FilterOp.GREATER, 1)),
    )
    assert _rows(fixture_catalog.extract_csv(U, "sales.orders", request=request)) == [
        ["amount", "order_id"], ["7.25", "4"]]
    assert fixture_catalog.row_count(U, "sales.orders", request=request) == 1
    empty = ExtractRequest(filters=(RowFilter("note", FilterOp.IS_EMPTY),))
    assert fixture_catalog.row_count(U, "sales.orders", request=empty) == 1
    contains = ExtractRequest(filters=(RowFilter("note", FilterOp.CONTAINS, "100%"),))
    assert fixture_catalog.row_count(U, "sales.orders", request=contains) == 0


def test_values_are_parameters_not_sql(fixture_catalog: Catalog) -> None:
    sneaky = ExtractRequest(filters=(RowFilter("note", FilterOp.EQUALS, "x' OR '1'='1"),))
    assert fixture_catalog.row_count(U, "sales.orders", request=sneaky) == 0
    with pytest.raises(InvalidRequest, match="no such column"):
        fixture_catalog.row_count(U, "sales.orders", request=ExtractRequest(
            filters=(RowFilter('amount" OR 1=1 --', FilterOp.EQUALS, "1"),)))
    with pytest.raises(InvalidRequest, match="not in this product"):
        fixture_catalog.extract_csv(U, "sales.orders", request=ExtractRequest(columns=("nope",)))


def test_bad_value_for_a_numeric_column_is_a_clear_error(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(filters=(RowFilter("amount", FilterOp.GREATER, "ten"),))
    with pytest.raises(InvalidRequest, match=r"'ten' is not a valid value for amount \(a number\)"):
        fixture_catalog.extract_csv(U, "sales.orders", request=request)
    with pytest.raises(InvalidRequest, match="not a valid value"):
        fixture_catalog.row_count(U, "sales.orders", request=request)


def test_contract_cannot_point_outside_the_data_folder(fixture_catalog: Catalog) -> None:
    file = fixture_catalog.settings.mesh_root / "sales/orders/orders.odcs.yaml"
    file.write_text(file.read_text().replace("path: orders.csv", "path: ../../../../etc/passwd"))
    with pytest.raises(DataUnavailable, match="outside the data folder"):
        fixture_catalog.preview(U, "sales.orders")


def test_unbuilt_data_says_how_to_build(fixture_catalog: Catalog) -> None:
    (fixture_catalog.settings.data_dir / "orders.csv").unlink()
    with pytest.raises(DataUnavailable):
        fixture_catalog.row_count(U, "sales.orders")


def test_extract_name() -> None:
    from catalog.extracts import extract_filename

    assert extract_filename("operations.flights", "1.2.0", dt.date(2026, 11, 21)) == \
        "operations.flights-1.2.0-2026-11-21.csv"
    assert extract_filename("a/../b", "1 0", dt.date(2026, 1, 2)) == "a_.._b-1_0-2026-01-02.csv"


def test_full_flights_extract_matches_the_product(demo_catalog: Catalog, tmp_path) -> None:
    data = demo_catalog.extract_csv(U, "operations.flights")
    header = data[: data.index(b"\n")].decode().split(",")
    assert header == [c.name for c in demo_catalog.columns(U, "operations.flights")]
    file = tmp_path / "flights.csv"
    file.write_bytes(data)
    count = duckdb.connect().execute("SELECT count(*) FROM read_csv(?, header=true)",
                                     [str(file)]).fetchone()[0]
    assert count == 336_776 == demo_catalog.row_count(U, "operations.flights")


def test_concurrent_extracts_from_threads(demo_catalog: Catalog) -> None:
    """Streamlit runs deferred downloads on other threads: each must get its own cursor."""
    request = ExtractRequest(columns=("carrier", "origin"),
                             filters=(RowFilter("origin", FilterOp.EQUALS, "JFK"),))
    expected = demo_catalog.extract_csv(U, "operations.flights", request=request)
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(demo_catalog.extract_csv(U, "operations.flights", request=request))
        except BaseException as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [expected] * 6


def test_data_is_attached_read_only(demo_catalog: Catalog) -> None:
    port = demo_catalog.product(U, "reference.airlines").port()
    relation = demo_catalog.engine.relation(port)
    with pytest.raises(duckdb.Error, match="(?i)read.only"):
        demo_catalog.engine.cursor().execute(f"DELETE FROM {relation}")
