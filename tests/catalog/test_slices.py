"""Slices of a port's data before download: the preview follows the filters, the time coverage
names the days without data (computed in SQL), and the file is named after the data's period."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.catalog import Catalog
from catalog.errors import InvalidRequest
from catalog.extracts import ExtractRequest, FilterOp, RowFilter
from catalog.models.principal import LOCAL_USER
from catalog.slices import checked_period, period_label, requested_period

WEATHER = "weather.hourly_observations"
FLIGHTS = "operations.flights"
U = LOCAL_USER


def _december(column: str = "time_hour") -> ExtractRequest:
    return ExtractRequest(filters=(RowFilter(column, FilterOp.GREATER_OR_EQUAL, "2013-12-01"),
                                   RowFilter(column, FilterOp.LESS, "2014-01-01")))


def test_weather_data_misses_the_31st_of_december(demo_catalog: Catalog) -> None:
    cover = demo_catalog.coverage(U, WEATHER)
    assert cover is not None and cover.column == "time_hour" and cover.unit == "day"
    assert (cover.first, cover.last) == (dt.date(2013, 1, 1), dt.date(2013, 12, 30))
    assert (cover.start, cover.end) == (dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    assert [(g.start, g.end, g.count) for g in cover.gaps] == [
        (dt.date(2013, 12, 31), dt.date(2013, 12, 31), 1)]
    assert (cover.gap_count, cover.missing, cover.period) == (1, 1, "2013")


def test_a_filtered_month_is_checked_whole(demo_catalog: Catalog) -> None:
    cover = demo_catalog.coverage(U, WEATHER, None, _december())
    assert cover is not None
    assert (cover.start, cover.end) == (dt.date(2013, 12, 1), dt.date(2013, 12, 31))
    assert [g.start for g in cover.gaps] == [dt.date(2013, 12, 31)]
    assert cover.period == "2013-12"
    assert cover.rows == demo_catalog.row_count(U, WEATHER, None, _december())


def test_a_month_without_data_is_one_gap(demo_catalog: Catalog) -> None:
    request = ExtractRequest(filters=(RowFilter("time_hour", FilterOp.GREATER_OR_EQUAL,
                                                "2014-02-01"),
                                      RowFilter("time_hour", FilterOp.LESS, "2014-03-01")))
    cover = demo_catalog.coverage(U, WEATHER, None, request)
    assert cover is not None and cover.rows == 0 and cover.first is None
    assert [(g.start, g.end, g.count) for g in cover.gaps] == [
        (dt.date(2014, 2, 1), dt.date(2014, 2, 28), 28)]


def test_flights_have_no_gap_and_reference_data_no_time(demo_catalog: Catalog) -> None:
    flights = demo_catalog.coverage(U, FLIGHTS)
    assert flights is not None and flights.missing == 0 and flights.gaps == ()
    # Flights run into the first hours of 2014 (UTC): not read as missing January 2014.
    assert flights.end == dt.date(2014, 1, 1)
    assert demo_catalog.coverage(U, "reference.airlines") is None


def test_a_date_that_only_describes_a_row_names_no_gaps(demo_catalog: Catalog) -> None:
    # One row per aircraft: its first flight's date is no time series.
    cover = demo_catalog.coverage(U, "fleet.aircraft_utilisation")
    assert cover is not None and cover.unit is None and cover.gaps == ()


def test_the_preview_follows_the_filters(demo_catalog: Catalog) -> None:
    request = ExtractRequest(columns=("carrier", "origin", "dep_delay"),
                             filters=(RowFilter("carrier", FilterOp.EQUALS, "UA"),
                                      RowFilter("origin", FilterOp.EQUALS, "JFK")))
    preview = demo_catalog.extract_preview(U, FLIGHTS, None, request, limit=50)
    assert list(preview.frame.columns) == ["carrier", "origin", "dep_delay"]
    assert len(preview.frame) == 50
    assert set(preview.frame["carrier"]) == {"UA"} and set(preview.frame["origin"]) == {"JFK"}
    assert (preview.rows, preview.total) == (4_534, 336_776)
    assert preview.file_name("csv").startswith("operations.flights-")


def test_preview_file_name_carries_the_period(demo_catalog: Catalog) -> None:
    preview = demo_catalog.extract_preview(U, WEATHER, None, _december(), limit=5)
    version = demo_catalog.product(U, WEATHER).version
    assert preview.file_name("csv") == f"{WEATHER}-{version}-2013-12.csv"
    assert preview.file_name("parquet").endswith("-2013-12.parquet")


def test_the_extract_file_is_named_after_its_period(demo_catalog: Catalog) -> None:
    out = demo_catalog.extract_file(U, WEATHER, None, _december(), "csv")
    try:
        assert out.file_name.endswith("-2013-12.csv")
    finally:
        out.path.unlink(missing_ok=True)
    whole = demo_catalog.extract_file(U, WEATHER, None, ExtractRequest(columns=("origin",)),
                                      "csv")
    try:
        assert whole.file_name.endswith("-2013.csv")  # the whole of 2013
    finally:
        whole.path.unlink(missing_ok=True)


def test_a_bad_filter_value_is_refused_by_name(demo_catalog: Catalog) -> None:
    request = ExtractRequest(filters=(RowFilter("flight", FilterOp.GREATER, "abc"),))
    with pytest.raises(InvalidRequest, match="'abc' is not a valid value for flight"):
        demo_catalog.extract_preview(U, FLIGHTS, None, request)


@pytest.mark.parametrize(("start", "end", "label"), [
    (dt.date(2013, 1, 1), dt.date(2013, 12, 31), "2013"),
    (dt.date(2013, 7, 1), dt.date(2013, 7, 31), "2013-07"),
    (dt.date(2013, 1, 1), dt.date(2013, 6, 30), "2013-01_2013-06"),
    (dt.date(2013, 7, 4), dt.date(2013, 7, 4), "2013-07-04"),
    (dt.date(2013, 7, 1), dt.date(2013, 7, 15), "2013-07-01_2013-07-15"),
    (dt.date(2013, 1, 1), dt.date(2014, 1, 1), "2013-01-01_2014-01-01"),
])
def test_period_labels(start: dt.date, end: dt.date, label: str) -> None:
    assert period_label(start, end) == label


def test_requested_period_reads_the_bounds_on_the_time_column() -> None:
    request = ExtractRequest(filters=(
        RowFilter("t", FilterOp.GREATER_OR_EQUAL, "2013-07-01"),
        RowFilter("t", FilterOp.LESS, "2013-08-01"),
        RowFilter("other", FilterOp.LESS, "2013-07-10")))
    assert requested_period(request, "t") == (dt.date(2013, 7, 1), dt.date(2013, 7, 31))
    assert requested_period(ExtractRequest(filters=(
        RowFilter("t", FilterOp.EQUALS, "2013-07-04"),)), "t") == (dt.date(2013, 7, 4),) * 2
    assert requested_period(None, "t") == (None, None)


def test_checked_period_takes_a_near_month_end_to_the_end() -> None:
    assert checked_period(dt.date(2013, 1, 1), dt.date(2013, 12, 30), None, None) == (
        dt.date(2013, 1, 1), dt.date(2013, 12, 31))
    assert checked_period(dt.date(2013, 1, 9), dt.date(2013, 12, 20), None, None) == (
        dt.date(2013, 1, 9), dt.date(2013, 12, 20))
    assert checked_period(dt.date(2013, 1, 9), dt.date(2013, 12, 20),
                          dt.date(2013, 1, 1), dt.date(2013, 12, 31)) == (
        dt.date(2013, 1, 1), dt.date(2013, 12, 31))
