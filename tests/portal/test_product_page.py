"""Product page: deep links to each tab, only the open tab runs, the trust signals in the header,
the tabs' key content, the extract form (filters, preview, downloads), picker and unknown ids."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import LinkButton

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from portal.components.data_view import Downloaded
from tests.portal.pagetest import assert_clean, linked_products, open_page, open_tab, texts

pytestmark = pytest.mark.usefixtures("demo_env")
FLIGHTS = "operations.flights"
WEATHER = "weather.hourly_observations"


@pytest.fixture(scope="module")
def flights_page(demo_env: object) -> AppTest:
    at = open_page(routes.PRODUCT, product=FLIGHTS)
    assert_clean(at)
    return at


def _frames_text(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


def _badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def test_deep_link_shows_header_and_overview(flights_page: AppTest) -> None:
    catalog = Catalog()
    product = catalog.product(LOCAL_USER, FLIGHTS)
    page = texts(flights_page)
    assert flights_page.title[0].value == product.title
    assert FLIGHTS in page and product.status in page
    assert f"Owner: **{product.owners[0]}**" in page
    assert "Flight Operations Data Team" in page
    downstream = [p.id for p in catalog.downstream(LOCAL_USER, FLIGHTS)]
    assert downstream and set(downstream) <= set(linked_products(flights_page))
    assert any(link.proto.query_string == "domain=operations" for link in flights_page.page_link)
    new_version = [link for link in flights_page.page_link
                   if link.value == "Publish a new version"]
    assert new_version and new_version[0].proto.query_string == f"product={FLIGHTS}"


def test_links_to_other_products_open_their_overview(flights_page: AppTest) -> None:
    for link in flights_page.page_link:
        query = parse_qs(link.proto.query_string)
        if query.get("product", [FLIGHTS]) != [FLIGHTS]:
            assert query.get("tab") == [routes.OVERVIEW], link.value


def test_the_header_shows_grade_freshness_and_policies(demo_history: int) -> None:
    catalog = Catalog()
    run = catalog.latest_quality(LOCAL_USER, WEATHER)
    report = catalog.compliance(LOCAL_USER, WEATHER)
    assert run is not None and report.errors
    at = open_page(routes.PRODUCT, product=WEATHER)
    assert_clean(at)
    badges = "\n".join(_badges(at))
    assert f"Quality {run.score.grade} · {run.score.value:.1f}" in badges
    assert ":red-badge[:material/schedule: Not fresh: newest record" in badges
    assert f":red-badge[:material/gpp_bad: Policies: {report.errors} error" in badges
    targets = {link.value: parse_qs(link.proto.query_string) for link in at.page_link
               if link.value.endswith(" details")}
    assert targets["Quality details"] == {"product": [WEATHER], "tab": ["Quality"]}
    assert targets["Governance details"] == {"product": [WEATHER], "tab": ["Governance"]}


@pytest.mark.parametrize("asked", ["quality", "Quality", "QUALITY"])
def test_a_tab_opens_from_the_url_in_any_case(asked: str) -> None:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=asked)
    assert_clean(at)
    assert at.session_state[state.PRODUCT_TAB] == "Quality"
    assert state.product_quality_run(FLIGHTS) in [b.key for b in at.button]


def test_only_the_open_tab_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a closed tab ran")

    for name in ("quality_history", "manifest_files", "columns", "extract_preview"):
        monkeypatch.setattr(Catalog, name, refuse)
    at = open_page(routes.PRODUCT, product=FLIGHTS)  # the Overview only
    assert_clean(at)
    assert "**Purpose**" in texts(at)
    assert not at.dataframe or "Property" not in at.dataframe[-1].value.columns


def test_schema_tab_lists_properties_flags_first() -> None:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.SCHEMA)
    assert_clean(at)
    schema = next(df.value for df in at.dataframe if "Property" in df.value.columns)
    assert {"Property", "Type", "Required", "Classification", "Personal data"} <= set(schema)
    columns = list(schema.columns)
    # Flags come before the long description, which comes last: nothing to scroll right for.
    assert columns.index("Required") < columns.index("Description") == len(columns) - 1
    row = schema.set_index("Property").loc["dep_time"]
    assert row["Business name"] == "Actual departure time (HHMM)"
    assert not row["Required"]
    assert schema.set_index("Property").loc["carrier", "Required"]


def test_contract_tab_speaks_plain_language() -> None:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.CONTRACT)
    page = texts(at)
    assert "Availability 99.5%" in page
    assert "Records are kept for 5 years" in page
    assert "The newest record is at most 1 day old" in page
    frames = _frames_text(at)
    assert "No missing values in Airline code (carrier)" in frames
    assert "More than 300,000 rows" in frames
    downloads = {b.label for b in at.get("download_button")}
    assert {"product.odps.yaml", "flights.odcs.yaml"} <= downloads


def _data(product: str = FLIGHTS) -> AppTest:
    at = open_page(routes.PRODUCT, product=product, tab=routes.DATA)
    assert_clean(at)
    return at


def _preview(at: AppTest, column: str) -> object:
    return next(df for df in at.dataframe if column in df.value.columns)


def test_data_tab_puts_the_form_first_then_downloads_then_the_preview() -> None:
    at = _data()
    page = texts(at)
    assert "**336,776** of 336,776 rows will be downloaded, with 17 columns." in page
    assert "Preview: the first 100 of the 336,776 rows that will be downloaded." in page
    preview = _preview(at, "dep_time")
    assert len(preview.value) == 100  # type: ignore[attr-defined]
    assert page.index("Choose the columns and rows") < page.index("rows will be downloaded")
    # The grid's own download would save the 100 rows shown: it is hidden.
    assert any("Download as CSV" in h.proto.body for h in at.get("html"))


def _add_filter(at: AppTest, column: str, op: str, kind: str = "text",
                product: str = FLIGHTS, port: str = "flights") -> int:
    at.button(key=state.product_extract(product, port, "add_filter")).click().run()
    index = at.session_state[state.product_extract(product, port, "filters")] - 1
    at.selectbox(key=state.product_filter(product, port, index, "column")).set_value(column).run()
    at.selectbox(key=state.product_filter(product, port, index, f"op_{kind}")).set_value(op).run()
    return index


def _value(product: str, index: int, part: str = "", port: str = "flights") -> str:
    return state.product_filter(product, port, index, "value") + part


def _link(at: AppTest, part: str, product: str = FLIGHTS, port: str = "flights") -> LinkButton:
    key = state.product_extract(product, port, part)
    return next(b for b in at.get("link_button") if isinstance(b, LinkButton) and b.key == key)


def test_extract_filters_count_live_and_link_to_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    monkeypatch.setattr(Catalog, "extract_csv", lambda *a, **k: made.append("csv") or b"")
    monkeypatch.setattr(Catalog, "extract_file", lambda *a, **k: made.append("file"))
    at = _data()
    first = _add_filter(at, "carrier", "equals")
    at.text_input(key=_value(FLIGHTS, first)).input("UA").run()
    assert_clean(at)
    assert "**58,665** of 336,776 rows will be downloaded" in texts(at)
    second = _add_filter(at, "origin", "equals")
    at.text_input(key=_value(FLIGHTS, second)).input("JFK").run()
    assert "**4,534** of 336,776 rows will be downloaded" in texts(at)
    preview = _preview(at, "carrier").value  # type: ignore[attr-defined]
    assert set(preview["carrier"]) == {"UA"} and set(preview["origin"]) == {"JFK"}, \
        "the preview follows the filters"
    csv_link, parquet_link = _link(at, "download"), _link(at, "download_parquet")
    assert csv_link.value == "Download CSV" and parquet_link.value == "Download Parquet"
    assert not csv_link.proto.disabled and not parquet_link.proto.disabled
    url = urlsplit(csv_link.proto.url)
    assert url.path == f"/api/v1/products/{FLIGHTS}/data.csv"
    assert urlsplit(parquet_link.proto.url).path == f"/api/v1/products/{FLIGHTS}/data.parquet"
    query = parse_qs(url.query)
    assert query["port"] == ["flights"] and query["sig"], "a signed link names port and filters"
    link = Catalog(Settings.from_env()).principal_for_link(
        FLIGHTS, "csv", {k: v[-1] for k, v in query.items()})
    assert [(f.column, f.value) for f in link[2].filters] == [("carrier", "UA"), ("origin", "JFK")]
    assert made == [], "nothing is extracted while the page renders: the file is made on click"


def test_a_month_of_weather_names_its_gap_and_its_file() -> None:
    at = _data(WEATHER)
    page = texts(at)
    assert "No rows for 31 December 2013." in page
    assert f"{WEATHER}-1.1.0-2013.csv" in page
    index = _add_filter(at, "time_hour", "is in the month", "time", WEATHER, "hourly_observations")
    month = at.selectbox(key=_value(WEATHER, index, "_month", "hourly_observations"))
    assert month.options[0] == "December 2013" and month.options[-1] == "January 2013"
    month.set_value("2013-07").run()
    assert_clean(at)
    page = texts(at)
    rows = Catalog().row_count(LOCAL_USER, WEATHER)
    assert f"of {rows:,} rows will be downloaded" in page and "No rows for" not in page
    assert "time_hour in July 2013" in page
    assert f"{WEATHER}-1.1.0-2013-07.csv" in page
    preview = _preview(at, "time_hour").value  # type: ignore[attr-defined]
    assert {str(t)[:7] for t in preview["time_hour"]} == {"2013-07"}
    month.set_value("2013-12").run()
    assert "No rows for 31 December 2013." in texts(at)


def test_dates_and_numbers_are_filtered_between_two_values() -> None:
    import datetime as dt

    at = _data()
    day = _add_filter(at, "time_hour", "is between", "time")
    at.date_input(key=_value(FLIGHTS, day, "_range")).set_value(
        (dt.date(2013, 7, 1), dt.date(2013, 7, 31))).run()
    delay = _add_filter(at, "dep_delay", "is between", "number")
    at.number_input(key=_value(FLIGHTS, delay, "_low")).set_value(10).run()
    at.number_input(key=_value(FLIGHTS, delay, "_high")).set_value(30).run()
    assert_clean(at)
    catalog = Catalog()
    from catalog.extracts import ExtractRequest, FilterOp, RowFilter

    expected = catalog.row_count(LOCAL_USER, FLIGHTS, None, ExtractRequest(filters=(
        RowFilter("time_hour", FilterOp.GREATER_OR_EQUAL, "2013-07-01"),
        RowFilter("time_hour", FilterOp.LESS, "2013-08-01"),
        RowFilter("dep_delay", FilterOp.GREATER_OR_EQUAL, "10"),
        RowFilter("dep_delay", FilterOp.LESS_OR_EQUAL, "30"))))
    page = texts(at)
    assert f"**{expected:,}** of 336,776 rows will be downloaded" in page
    assert "time_hour from 1 to 31 July 2013; dep_delay between 10 and 30" in page
    assert "-2013-07.csv" in page
    preview = _preview(at, "dep_delay").value  # type: ignore[attr-defined]
    assert preview["dep_delay"].between(10, 30).all()


def test_a_click_on_download_confirms_what_was_asked_for() -> None:
    at = _data(WEATHER)
    at.session_state[state.product_extract_done(WEATHER, "hourly_observations")] = Downloaded(
        f"{WEATHER}-1.1.0-2013-12.csv", 2_159, 13, ("time_hour in December 2013",),
        "1 to 31 December 2013")
    at.run()
    assert [s.value for s in at.success] == [
        f"Download started: {WEATHER}-1.1.0-2013-12.csv, 2,159 rows × 13 columns where "
        "time_hour in December 2013. Data period: 1 to 31 December 2013. Check your "
        "browser's downloads."]


def test_bad_filter_value_shows_an_error_and_disables_download() -> None:
    at = _data()
    index = _add_filter(at, "flight", "is greater than", "number")
    at.text_input(key=_value(FLIGHTS, index)).input("abc").run()
    assert_clean(at)
    form_errors = [e for e in at.error if e.icon == ":material/error:"]
    assert len(form_errors) == 1
    assert "'abc' is not a valid value for flight (a whole number)" in form_errors[0].value
    assert _link(at, "download").proto.disabled and _link(at, "download_parquet").proto.disabled
    assert "rows will be downloaded" not in texts(at)


def test_without_id_a_picker_leads_to_the_product() -> None:
    at = open_page(routes.PRODUCT)
    assert_clean(at)
    assert at.title[0].value == "Data product"
    at.selectbox(key=state.PRODUCT_PICKER).set_value("reference.airlines").run()
    assert_clean(at)
    assert at.query_params.get(routes.PRODUCT_PARAM) == "reference.airlines"
    assert at.title[0].value == Catalog().product(LOCAL_USER, "reference.airlines").title
    open_tab(at, routes.DATA)
    assert "**16** of 16 rows will be downloaded" in texts(at)


def test_unknown_id_is_an_error_not_an_exception() -> None:
    at = open_page(routes.PRODUCT, product="nope.nothing")
    assert_clean(at)
    assert at.title[0].value == "Data product not found"
    assert "nope.nothing" in at.error[0].value
    assert any(link.proto.page.endswith("discover") or "Search" in link.value
               for link in at.page_link)


def test_the_period_picker_takes_one_month_in_one_choice() -> None:
    at = _data(WEATHER)
    period = at.selectbox(key=state.product_extract(WEATHER, "hourly_observations", "period"))
    assert period.label == "Period" and period.value is None
    assert period.format_func(None) == "All the data (1 January to 30 December 2013)"
    assert period.options[1:3] == ["December 2013", "November 2013"]  # newest first
    period.set_value("2013-12").run()
    assert_clean(at)
    page = texts(at)
    assert "time_hour in December 2013" in page
    assert f"{WEATHER}-1.1.0-2013-12.csv" in page
    assert "No rows for 31 December 2013." in page  # the month's gap is still said
    preview = _preview(at, "time_hour").value  # type: ignore[attr-defined]
    assert {str(t)[:7] for t in preview["time_hour"]} == {"2013-12"}
    period.set_value(None).run()
    assert f"{WEATHER}-1.1.0-2013.csv" in texts(at)
