"""Product page: deep link, tabs' key content, extract form, picker and unknown ids."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import LinkButton

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from tests.portal.pagetest import assert_clean, linked_products, open_page, texts

pytestmark = pytest.mark.usefixtures("demo_env")
FLIGHTS = "operations.flights"


@pytest.fixture(scope="module")
def flights_page(demo_env: object) -> AppTest:
    at = open_page(routes.PRODUCT, product=FLIGHTS)
    assert_clean(at)
    return at


def _frames_text(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


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


def test_schema_tab_lists_properties(flights_page: AppTest) -> None:
    schema = flights_page.dataframe[1].value  # [0] is the team, [1] the schema table
    assert {"Property", "Type", "Required", "Classification", "Personal data"} <= set(schema)
    row = schema.set_index("Property").loc["dep_time"]
    assert row["Business name"] == "Actual departure time (HHMM)"
    assert not row["Required"]
    assert schema.set_index("Property").loc["carrier", "Required"]


def test_contract_tab_speaks_plain_language(flights_page: AppTest) -> None:
    page = texts(flights_page)
    assert "Availability 99.5%" in page
    assert "Kept for 5 years" in page
    assert "Fresh: newest record at most 1 day old" in page
    frames = _frames_text(flights_page)
    assert "No missing values in Airline code (carrier)" in frames
    assert "More than 300,000 rows" in frames
    downloads = {b.label for b in flights_page.get("download_button")}
    assert {"product.odps.yaml", "flights.odcs.yaml"} <= downloads


def test_data_tab_shows_row_count_and_preview(flights_page: AppTest) -> None:
    assert {m.label: m.value for m in flights_page.metric}["Rows"] == "336,776"
    preview = next(df.value for df in flights_page.dataframe if "dep_time" in df.value.columns)
    assert len(preview) == 100
    assert "**336,776** of 336,776 rows match, with 17 columns." in texts(flights_page)


def _add_filter(at: AppTest, column: str, op: str, value: str) -> AppTest:
    key = state.product_extract(FLIGHTS, "flights", "add_filter")
    at.button(key=key).click().run()
    index = at.session_state[state.product_extract(FLIGHTS, "flights", "filters")] - 1
    at.selectbox(key=state.product_filter(FLIGHTS, "flights", index, "column")).set_value(column)
    at.selectbox(key=state.product_filter(FLIGHTS, "flights", index, "op")).set_value(op)
    at.text_input(key=state.product_filter(FLIGHTS, "flights", index, "value")).input(value)
    return at.run()


def _link(at: AppTest, part: str) -> LinkButton:
    key = state.product_extract(FLIGHTS, "flights", part)
    return next(b for b in at.get("link_button") if isinstance(b, LinkButton) and b.key == key)


def test_extract_filters_count_live_and_link_to_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    monkeypatch.setattr(Catalog, "extract_csv", lambda *a, **k: made.append("csv") or b"")
    monkeypatch.setattr(Catalog, "extract_file", lambda *a, **k: made.append("file"))
    at = open_page(routes.PRODUCT, product=FLIGHTS)
    _add_filter(at, "carrier", "equals", "UA")
    assert_clean(at)
    assert "**58,665** of 336,776 rows match" in texts(at)
    _add_filter(at, "origin", "equals", "JFK")
    assert "**4,534** of 336,776 rows match" in texts(at)
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


def test_bad_filter_value_shows_an_error_and_disables_download() -> None:
    at = _add_filter(open_page(routes.PRODUCT, product=FLIGHTS), "flight", "is greater than",
                     "abc")
    assert_clean(at)
    # (the governance tab may show policy errors of its own, depending on stored quality runs)
    form_errors = [e for e in at.error if e.icon == ":material/error:"]
    assert len(form_errors) == 1
    assert "'abc' is not a valid value for flight (a whole number)" in form_errors[0].value
    assert _link(at, "download").proto.disabled and _link(at, "download_parquet").proto.disabled
    assert "rows match" not in texts(at)
    assert {m.label: m.value for m in at.metric}["Rows"] == "336,776", "the preview stays"


def test_without_id_a_picker_leads_to_the_product() -> None:
    at = open_page(routes.PRODUCT)
    assert_clean(at)
    assert at.title[0].value == "Data product"
    at.selectbox(key=state.PRODUCT_PICKER).set_value("reference.airlines").run()
    assert_clean(at)
    assert at.query_params.get(routes.PRODUCT_PARAM) == "reference.airlines"
    assert at.title[0].value == Catalog().product(LOCAL_USER, "reference.airlines").title
    assert {m.label: m.value for m in at.metric}["Rows"] == "16"


def test_unknown_id_is_an_error_not_an_exception() -> None:
    at = open_page(routes.PRODUCT, product="nope.nothing")
    assert_clean(at)
    assert at.title[0].value == "Data product not found"
    assert "nope.nothing" in at.error[0].value
    assert any(link.proto.page.endswith("discover") or "Search" in link.value
               for link in at.page_link)
