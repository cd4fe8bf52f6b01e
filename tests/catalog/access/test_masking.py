"""Masking of sensitive columns on the demo's passengers.bookings (synthetic personal data):
previews and CSV extracts never read a masked column, filters on one are refused, stored quality
samples and messages hold no sensitive value; plus the pure helpers."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
import sqlglot
from sqlglot import exp

from catalog.access.masking import (
    MASK,
    mask_frame,
    mask_message,
    mask_sample,
    masked_columns,
    masked_select,
    sensitive_properties,
)
from catalog.access.roles import RESTRICTED, port_access
from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.engine import Column
from catalog.errors import InvalidRequest
from catalog.extracts import ExtractRequest, FilterOp, RowFilter, csv_select_list
from catalog.mesh import OutputPortView
from catalog.quality import history as quality_history
from catalog.quality.model import Check
from catalog.quality.runner import run_checks

PRODUCT = "passengers.bookings"
PII = ["passenger_name", "email", "date_of_birth", "frequent_flyer_number"]
SENSITIVE = [*PII, "fare_usd"]


@pytest.fixture(scope="module")
def catalog(demo_settings: Settings) -> Catalog:
    return Catalog(demo_settings)


@pytest.fixture(scope="module")
def port(catalog: Catalog) -> OutputPortView:
    return catalog.mesh().products[PRODUCT].output_ports[0]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _header(data: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(data.decode("utf-8"))))


# -- the product ---------------------------------------------------------------------------
def test_bookings_port_is_restricted_and_its_sensitive_properties_are_pii_and_fare(
        catalog: Catalog, port: OutputPortView) -> None:
    product = catalog.mesh().products[PRODUCT]
    assert port_access(product, None) == RESTRICTED
    assert port_access(product, "bookings") == RESTRICTED
    assert sensitive_properties(port) == SENSITIVE  # schema order
    assert masked_columns(port, None) == []  # sees everything
    assert masked_columns(port, []) == SENSITIVE
    assert masked_columns(port, ["email", "fare_usd"]) == [
        "passenger_name", "date_of_birth", "frequent_flyer_number"]


def test_bookings_are_synthetic_people_on_real_flights(catalog: Catalog,
                                                       port: OutputPortView) -> None:
    frame = catalog.engine.preview(port, 1000)
    assert frame["booking_id"].is_unique
    assert frame["email"].str.fullmatch(r"[a-z]+\.[a-z]+[0-9]*@example\.(com|net|org)").all()
    relation = catalog.engine.relation(port)
    flights = catalog.engine.relation(catalog.mesh().products["operations.flights"]
                                      .output_ports[0])
    cur = catalog.engine.cursor()
    try:
        rows, flown, unmatched = cur.execute(
            f"SELECT count(*), count(DISTINCT (flight_date, carrier, flight, origin)), "
            f"count(*) FILTER (WHERE f.flight IS NULL) FROM {relation} b "
            f"LEFT JOIN {flights} f USING (flight_date, carrier, flight, origin, dest)"
        ).fetchone() or (0, 0, 0)
    finally:
        cur.close()
    assert flown == 20_000 and 40_000 < rows < 60_000 and unmatched == 0


# -- previews ------------------------------------------------------------------------------
def test_preview_masks_sensitive_columns_in_place(catalog: Catalog,
                                                  port: OutputPortView) -> None:
    plain = catalog.engine.preview(port, 50)
    masked = catalog.engine.preview(port, 50, masked=SENSITIVE)
    assert list(masked.columns) == list(plain.columns)  # same names, same order
    for name in plain.columns:
        if name in SENSITIVE:
            assert (masked[name] == MASK).all(), name
            assert not (plain[name].astype(str) == MASK).any()
        else:
            assert masked[name].equals(plain[name]), name
    # NULLs are masked too: whether someone has a loyalty number is not shown either.
    assert plain["frequent_flyer_number"].isna().any()
    assert not masked["frequent_flyer_number"].isna().any()


def test_preview_with_some_columns_opened(catalog: Catalog, port: OutputPortView) -> None:
    plain = catalog.engine.preview(port, 20)
    masked = catalog.engine.preview(port, 20, masked=masked_columns(port, ["email"]))
    assert masked["email"].equals(plain["email"])
    assert (masked["passenger_name"] == MASK).all()


# -- CSV extracts ---------------------------------------------------------------------------
def test_extract_masks_sensitive_columns_and_keeps_the_rest(catalog: Catalog,
                                                            port: OutputPortView) -> None:
    request = ExtractRequest(limit=500)
    plain = catalog.engine.extract_csv(port, request)
    masked = catalog.engine.extract_csv(port, request, masked=SENSITIVE)
    assert _header(masked) == _header(plain) == [c.name for c in catalog.engine.columns(port)]
    plain_rows, masked_rows = _rows(plain), _rows(masked)
    assert len(plain_rows) == len(masked_rows) == 500
    for before, after in zip(plain_rows, masked_rows, strict=True):
        for name, value in before.items():
            assert after[name] == (MASK if name in SENSITIVE else value)
    text = masked.decode("utf-8")
    for row in plain_rows:
        for name in PII:
            if row[name]:
                assert row[name] not in text


def test_unmasked_extract_shows_real_values(catalog: Catalog, port: OutputPortView) -> None:
    rows = _rows(catalog.engine.extract_csv(port, ExtractRequest(limit=100)))
    assert all(MASK not in value for row in rows for value in row.values())
    assert all("@example." in row["email"] for row in rows)
    assert all(float(row["fare_usd"]) > 0 for row in rows)


def test_extract_of_picked_columns_masks_in_the_picked_order(catalog: Catalog,
                                                             port: OutputPortView) -> None:
    request = ExtractRequest(columns=("email", "booking_id", "seat"), limit=10)
    rows = list(csv.reader(io.StringIO(
        catalog.engine.extract_csv(port, request, masked=["email"]).decode("utf-8"))))
    assert rows[0] == ["email", "booking_id", "seat"]
    assert all(r[0] == MASK and r[1].startswith("BK") for r in rows[1:])


def test_filters_on_masked_columns_are_refused(catalog: Catalog, port: OutputPortView) -> None:
    for flt in (RowFilter("email", FilterOp.CONTAINS, "a"),
                RowFilter("date_of_birth", FilterOp.GREATER_OR_EQUAL, "1990-01-01"),
                RowFilter("frequent_flyer_number", FilterOp.IS_EMPTY)):
        request = ExtractRequest(filters=(flt,))
        with pytest.raises(InvalidRequest, match="protected column; ask for access to it"):
            catalog.engine.extract_csv(port, request, masked=SENSITIVE)
        with pytest.raises(InvalidRequest, match="protected column"):
            catalog.engine.row_count(port, request, masked=SENSITIVE)
        assert catalog.engine.row_count(port, request) > 0  # allowed with the right to see it
    allowed = ExtractRequest(filters=(RowFilter("origin", FilterOp.EQUALS, "JFK"),), limit=5)
    rows = _rows(catalog.engine.extract_csv(port, allowed, masked=SENSITIVE))
    assert [r["origin"] for r in rows] == ["JFK"] * 5 and rows[0]["email"] == MASK


def test_masked_columns_are_not_read_by_the_sql() -> None:
    columns = [Column("booking_id", "VARCHAR"), Column("email", "VARCHAR"),
               Column("=cmd", "VARCHAR"), Column("fare_usd", "DOUBLE")]
    masked = {"email", "=cmd", "fare_usd"}
    for select in (", ".join(masked_select(columns, masked)),
                   csv_select_list(ExtractRequest(), columns, frozenset(masked))):
        tree = sqlglot.parse_one(f"SELECT {select} FROM t", read="duckdb")
        read = {c.name for c in tree.find_all(exp.Column)}
        assert read == {"booking_id"}
        assert [e.alias_or_name for e in tree.expressions] == [
            "booking_id", "email", "'=cmd" if "'=cmd" in select else "=cmd", "fare_usd"]


# -- quality results ------------------------------------------------------------------------
def test_stored_quality_samples_hold_no_sensitive_column(catalog: Catalog, demo_history: int,
                                                         port: OutputPortView) -> None:
    assert demo_history > 0
    runs = quality_history.product_runs(catalog.store, PRODUCT)
    assert runs
    samples = [row for run in runs for r in run.results for row in r.sample]
    assert samples, "the seat rule fails on the synthetic data, so samples are stored"
    assert all(set(row).isdisjoint(SENSITIVE) for row in samples)
    assert all("seat" in row and "booking_id" in row for row in samples)
    seat = next(r for r in runs[0].results if r.check.id == "bookings-one-passenger-per-seat")
    assert seat.status.value == "warning" and (seat.failing_rows or 0) > 0
    stored = json.dumps([r.as_json() for run in runs for r in run.results])
    emails = catalog.engine.preview(port, 1000)["email"]
    assert not any(e in stored for e in emails)
    assert "@example." not in stored


def _sql_check(query: str, check_id: str) -> Check:
    return Check(id=check_id, product_id=PRODUCT, port="bookings", kind="sql",
                 object="bookings", property=None, dimension="accuracy", severity="error",
                 description=check_id, query=query)


def test_sql_rule_messages_never_show_sensitive_values(catalog: Catalog,
                                                       port: OutputPortView) -> None:
    first = catalog.engine.preview(port, 1).iloc[0]
    checks = [
        _sql_check("SELECT email FROM {object} ORDER BY booking_id LIMIT 1", "returns-text"),
        _sql_check("SELECT CAST(passenger_name AS INTEGER) FROM {object} "
                   "ORDER BY booking_id LIMIT 1", "conversion-error"),
        _sql_check("SELECT CAST(frequent_flyer_number AS INTEGER) FROM {object} "
                   "WHERE frequent_flyer_number IS NOT NULL LIMIT 1", "conversion-error-2"),
    ]
    results = run_checks(catalog.engine, lambda obj: catalog.engine.relation(port, obj),
                         checks, raw_contract=port.raw_contract)
    assert [r.status.value for r in results] == ["error"] * 3
    for result in results:
        assert MASK in result.message, result.message
        for value in (first["email"], first["passenger_name"],
                      *first["passenger_name"].split()):
            assert value not in result.message
        assert "SP" not in result.message
    assert results[1].message.startswith("Could not run: Conversion Error")
    # Without a contract (no sensitive columns known) the message is DuckDB's own.
    bare = run_checks(catalog.engine, lambda obj: catalog.engine.relation(port, obj),
                      checks[:1])
    assert first["email"] in bare[0].message


# -- the pure helpers -----------------------------------------------------------------------
def test_mask_frame_masks_every_cell_including_nulls() -> None:
    frame = pd.DataFrame({"a": [1, 2, 3], "email": ["x@example.com", None, "y@example.org"],
                          "fare": [1.5, float("nan"), 3.0]})
    out = mask_frame(frame, ["email", "fare", "absent"])
    assert list(out.columns) == ["a", "email", "fare"]
    assert out["email"].tolist() == [MASK] * 3 and out["fare"].tolist() == [MASK] * 3
    assert out["email"].dtype == object and out["fare"].dtype == object
    assert out["a"].tolist() == [1, 2, 3]
    assert frame["email"].tolist()[0] == "x@example.com"  # the input is not changed


def test_mask_sample_and_mask_message() -> None:
    rows = [{"booking_id": "BK000001", "email": "x@example.com"}]
    assert mask_sample(rows, {"email"}) == [{"booking_id": "BK000001", "email": MASK}]
    assert rows[0]["email"] == "x@example.com"
    assert mask_message("The query returned 'x@example.com', not a number.",
                        ["x@example.com"]) == f"The query returned {MASK}, not a number."
    assert mask_message("Could not run: Conversion Error: Could not convert string "
                        "'Ronald Davis' to INT32") == f"Could not run: Conversion Error: {MASK}"
    assert mask_message("Binder Error: Referenced column \"emial\" not found") == (
        "Binder Error: Referenced column \"emial\" not found")
