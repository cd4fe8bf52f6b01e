"""Register a product: the wizard through every step (upload, schema table, service levels,
rules and dry run, review, publish), going back, rejections that keep what was typed, a
derived product from a query, and a new version of an existing product."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.search import SearchQuery
from portal import routes, state
from tests.portal.pagetest import MeshDirs, assert_clean, copy_manifests, open_page, texts, use_mesh

KEY = state.register_field
CSV = ("carrier,Airline Name,day,delay_minutes\n" + "".join(
    f"{c},{n} Airways,2013-01-{d + 1:02d},{d * 3 + i}\n"
    for d in range(10) for i, (c, n) in enumerate([("AA", "American"), ("B6", "JetBlue"),
                                                  ("DL", "Delta"), ("UA", "United")]))).encode()


@pytest.fixture(scope="module")
def register_env(demo_mesh: MeshDirs, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[MeshDirs]:
    """A writable copy of the demo mesh (manifests and built data) as the portal's mesh."""
    base = tmp_path_factory.mktemp("register")
    mesh = MeshDirs(copy_manifests(base / "domains"), base / "data")
    mesh.data.mkdir()
    shutil.copy2(demo_mesh.data / "mesh.duckdb", mesh.data / "mesh.duckdb")
    with use_mesh(mesh):
        yield mesh


def _catalog(mesh: MeshDirs) -> Catalog:
    return Catalog(Settings(mesh.root, mesh.data), recheck_seconds=0)


def _next(at: AppTest) -> AppTest:
    at.button(key=state.REGISTER_NEXT).click().run()
    assert_clean(at)
    return at


def _step(at: AppTest) -> int:
    return int(at.session_state[state.REGISTER_STEP])


def _fill_basics(at: AppTest, name: str, title: str) -> None:
    at.selectbox(key=KEY("domain")).select("operations")
    at.text_input(key=KEY("name")).input(name)
    at.radio(key=KEY("product_type")).set_value("consumerAligned")
    at.text_input(key=KEY("title")).input(title)
    at.text_area(key=KEY("purpose")).input("Average departure delay per airline and day.")
    at.text_area(key=KEY("usage")).input("One row per airline and day; delays in minutes.")
    at.multiselect(key=KEY("tags")).select("delays")
    at.text_input(key=KEY("owner")).input("maria.lopez@skyport.example")
    at.text_input(key=KEY("owner_name")).input("María López")
    at.text_input(key=KEY("team_name")).input("Flight Operations Data Team")
    at.text_input(key=KEY("support_channel")).input("#ops-data")
    at.text_input(key=KEY("support_url")).input("https://chat.skyport.example/ops-data")
    at.run()
    assert_clean(at)


def _upload(at: AppTest, data: bytes = CSV, name: str = "delays.csv") -> None:
    at.file_uploader(key=state.REGISTER_UPLOAD).set_value((name, data, "text/csv"))
    at.run()
    assert_clean(at)


def _edit(at: AppTest, key: str, rows: dict[int, dict[str, object]]) -> None:
    """Edit cells of a keyed data editor as a person would (AppTest sets its edit state)."""
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    at.run()
    assert_clean(at)


def test_register_from_a_csv_through_every_step(register_env: MeshDirs,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_UPLOAD_LIMIT_MB", "3")
    at = open_page(routes.REGISTER)
    assert_clean(at)
    assert at.title[0].value == "Register a product"
    assert "Step 1 of 6: Basics" in at.get("progress")[0].proto.text
    _fill_basics(at, "airline_delays", "Airline delays by day")
    assert ":material/check: operations.airline_delays follows the naming standard and is " \
           "free." in texts(at)
    _next(at)
    assert _step(at) == 1

    assert at.file_uploader(key=state.REGISTER_UPLOAD).help == "Up to 3 MB. CSV files must " \
        "be UTF-8 text with a header row."
    _upload(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Rows": "40", "Columns": "4"}
    _next(at)
    assert _step(at) == 2
    editor = at.data_editor(key=state.REGISTER_SCHEMA_EDITOR)
    table = editor.value
    assert list(table["Name"]) == ["carrier", "airline_name", "day", "delay_minutes"]
    assert list(table["Type"]) == ["string", "string", "date", "integer"]
    # The flags a person sets come right after the name (never off-screen to the right), the
    # page says how cells are edited, and a figure the data lacks shows no "None".
    order = list(editor.proto.column_order)
    assert order[:7] == ["Column", "Name", "Required", "Unique", "Primary key", "PII",
                         "Classification"]
    assert "Click a box to tick or untick it" in texts(at)
    assert editor.proto.placeholder == "–"
    _edit(at, state.REGISTER_SCHEMA_EDITOR, {
        0: {"Description": "Two-letter airline code", "Primary key": True,
            "Classification": "public"},
        3: {"Name": "departure_delay", "Description": "Minutes late (negative: early)"}})
    # carrier as the key would fail the first run (each airline has a row per day) and with
    # it the domain's minimum quality score: the schema step says so, naming the column.
    _next(at)
    assert _step(at) == 2
    problems = next(e.value for e in at.error if e.value.startswith("Fix these to continue"))
    assert "column carrier:" in problems and "fails on 36 rows" in problems
    assert "untick the flag that promises it" in problems
    _edit(at, state.REGISTER_SCHEMA_EDITOR, {
        0: {"Description": "Two-letter airline code", "Primary key": False,
            "Classification": "public"},
        3: {"Name": "departure_delay", "Description": "Minutes late (negative: early)"}})
    assert "Everything on this step is fixed: continue with Next." in texts(at)
    _next(at)
    assert _step(at) == 3

    at.radio(key=state.register_sla("retention")).set_value("5y")
    at.selectbox(key=state.REGISTER_FRESHNESS_COLUMN).select("day")
    at.run()
    assert "retention 5 y on airline_delays.day" in texts(at)
    _next(at)
    assert _step(at) == 4

    rules = at.data_editor(key=state.REGISTER_RULES_EDITOR).value
    sentences = list(rules["Rule"])
    # (matched by their parts: the rule kinds word them, and may reword them)
    assert any("carrier" in s and "AA, B6, DL, UA" in s for s in sentences), sentences
    off = next(i for i, s in enumerate(sentences) if "departure_delay" in s and "0 and 30" in s)
    _edit(at, state.REGISTER_RULES_EDITOR, {off: {"On": False}})
    at.button(key=state.REGISTER_RUN_DRY).click().run()
    assert_clean(at)
    assert "**10 of 10** checks pass on the data right now." in texts(at)
    results = at.dataframe[-1].value.set_index("Check")

    def row(*parts: str) -> object:
        """The dry run's row whose check names every part."""
        return results.loc[next(c for c in results.index if all(p in c for p in parts))]

    # 2013 data is a snapshot: its ages are measured at its last day, so its promises hold.
    assert row("5 years")["Result"] == "passes"
    _next(at)
    assert _step(at) == 5
    assert "What will be published" in texts(at)
    assert "Both files are valid and meet every policy" in texts(at)

    # Should a promise go missing after its step (here: changed behind the wizard's back),
    # the review names the question and takes the person there, the field highlighted.
    at.session_state[state.REGISTER_FORM].sla.choices["freshness"] = "none"
    at.run()
    assert at.button(key=state.REGISTER_PUBLISH).disabled
    go = at.button(key=state.register_go_to(0))
    assert go.label == "Change it: go to Service levels → How often is it updated?"
    go.click().run()
    assert_clean(at)
    assert _step(at) == 3
    assert "Change this to publish: the review sent you here." in texts(at)
    at.radio(key=state.register_sla("freshness")).set_value("snapshot").run()
    at.button(key=state.REGISTER_TO_REVIEW).click().run()
    assert_clean(at)
    assert _step(at) == 5

    odps_text, odcs_text = (c.value for c in at.code)
    assert "id: operations.airline_delays" in odps_text
    odcs = yaml.safe_load(odcs_text)
    props = {p["name"]: p for p in odcs["schema"][0]["properties"]}
    assert props["carrier"]["description"] == "Two-letter airline code"
    assert "primaryKey" not in props["carrier"]
    snapshot = {k: v for k, v in odcs["customProperties"][0].items() if k != "description"}
    assert snapshot == {"property": "historicalSnapshot", "value": "2013-01-10"}
    assert "departure_delay" in props and "delay_minutes" not in props
    assert not any(q.get("type") == "sql" for q in props["departure_delay"].get("quality", []))
    assert {d.label for d in at.get("download_button")} == {
        "Download product.odps.yaml", "Download airline_delays.odcs.yaml"}
    assert "Both files are valid and meet every policy" in texts(at)
    staged = at.session_state[state.REGISTER_SOURCE].path
    at.button(key=state.REGISTER_PUBLISH).click().run()
    assert_clean(at)
    assert "operations.airline_delays 1.0.0 is published: 40 rows" in texts(at)
    assert not staged.exists()  # the staged copy is removed once published

    catalog = _catalog(register_env)
    product = catalog.product(LOCAL_USER, "operations.airline_delays")
    assert product.title == "Airline delays by day" and product.status == "proposed"
    hits = catalog.search(LOCAL_USER, SearchQuery(text="airline delays")).hits
    assert hits[0].product_id == "operations.airline_delays"
    assert catalog.latest_quality(LOCAL_USER, "operations.airline_delays").trigger == \
        "registration"


def test_back_never_loses_anything(register_env: MeshDirs) -> None:
    at = open_page(routes.REGISTER)
    _fill_basics(at, "delays_back_and_forth", "Back and forth")
    _next(at)
    _upload(at)
    _next(at)
    _edit(at, state.REGISTER_SCHEMA_EDITOR, {1: {"Description": "Full airline name"}})
    _next(at)
    assert _step(at) == 3
    for expected in (2, 1, 0):
        at.button(key=state.REGISTER_BACK).click().run()
        assert_clean(at)
        assert _step(at) == expected
    assert not at.warning, [w.value for w in at.warning]  # seeded widgets raise no warning
    assert at.text_input(key=KEY("title")).value == "Back and forth"
    assert at.text_area(key=KEY("purpose")).value.startswith("Average departure delay")
    assert at.multiselect(key=KEY("tags")).value == ["delays"]
    _next(at)
    assert {m.label: m.value for m in at.metric}["Rows"] == "40"  # the data is still there
    _next(at)
    table = at.data_editor(key=state.REGISTER_SCHEMA_EDITOR).value
    assert table.loc[1, "Description"] == "Full airline name"


def test_a_rejected_step_says_why_and_keeps_what_was_typed(register_env: MeshDirs) -> None:
    at = open_page(routes.REGISTER)
    at.selectbox(key=KEY("domain")).select("operations")
    at.text_input(key=KEY("name")).input("Flights")
    at.text_input(key=KEY("title")).input("My title")
    at.text_input(key=KEY("support_url")).input("chat")
    at.run()
    assert "snake_case" in texts(at)
    _next(at)
    assert _step(at) == 0
    problems = next(e.value for e in at.error if e.value.startswith("Fix these to continue"))
    assert "Product name: Write the product name in lowercase snake_case" in problems
    assert "Purpose: Say in a sentence or two" in problems
    assert "Support link: Give a link" in problems
    assert at.text_input(key=KEY("name")).value == "Flights"
    assert at.text_input(key=KEY("title")).value == "My title"
    at.text_input(key=KEY("name")).input("flights").run()
    assert "operations.flights already exists" in texts(at)


def test_a_file_in_the_wrong_encoding_is_refused_with_what_to_fix(register_env: MeshDirs
                                                                  ) -> None:
    at = open_page(routes.REGISTER)
    _fill_basics(at, "latin_file", "Latin file")
    _next(at)
    _upload(at, "city\nMünchen\n".encode("latin-1"), "cities.csv")
    error = next(e.value for e in at.error)
    assert "cities.csv line 2 is not UTF-8" in error and "Save the file as UTF-8" in error
    assert not at.metric  # no data was taken
    _next(at)
    assert _step(at) == 1
    assert "Upload a file, choose one from the data folder, or write a query first" in texts(at)


def test_a_derived_product_from_a_query_gets_input_ports(register_env: MeshDirs) -> None:
    at = open_page(routes.REGISTER)
    _fill_basics(at, "departures_per_origin", "Departures per NYC airport")
    _next(at)
    at.radio(key=state.REGISTER_SOURCE_KIND).set_value("query").run()
    at.text_area(key=state.REGISTER_QUERY).input(
        "SELECT origin, count(*) AS departures FROM operations.flights GROUP BY origin")
    at.button(key=state.REGISTER_RUN_QUERY).click().run()
    assert_clean(at)
    assert {m.label: m.value for m in at.metric}["Rows"] == "3"
    assert "Input ports: `operations.flights`" in texts(at)
    for _ in range(4):
        _next(at)
    odps = yaml.safe_load(at.code[0].value)
    assert odps["type"] == "aggregate"
    assert odps["inputPorts"][0]["contractId"] == "operations.flights.flights"
    at.button(key=state.REGISTER_PUBLISH).click().run()
    assert_clean(at)
    catalog = _catalog(register_env)
    assert "operations.departures_per_origin" in [
        p.id for p in catalog.downstream(LOCAL_USER, "operations.flights")]
    build = register_env.root / "operations" / "departures_per_origin" / "build.sql"
    assert build.read_text().startswith("SELECT origin, count(*)")


def test_a_new_version_is_prefilled_and_shows_what_breaks(register_env: MeshDirs) -> None:
    catalog = _catalog(register_env)
    airlines = catalog.product(LOCAL_USER, "reference.airlines")
    at = open_page(routes.REGISTER, product="reference.airlines")
    assert_clean(at)
    assert at.radio(key=state.REGISTER_MODE).value == "version"
    assert at.text_input(key=KEY("title")).value == airlines.title
    assert at.text_input(key=KEY("name")).disabled
    _next(at)
    _upload(at, b"carrier,name\nAA,American Airlines Inc.\nB6,JetBlue Airways\n", "a.csv")
    _next(at)
    table = at.data_editor(key=state.REGISTER_SCHEMA_EDITOR).value
    published = {p.name: p.description for p in airlines.properties()}
    assert table.loc[0, "Description"] == published["carrier"]
    _next(at)
    # The published contract promises no freshness, which governance requires of a
    # source-aligned product: the step refuses to go on and says which question to answer;
    # the answer is checked again at once.
    _next(at)
    assert _step(at) == 3
    problems = next(e.value for e in at.error if e.value.startswith("Fix these to continue"))
    assert "How often is it updated? A source-aligned product must promise" in problems
    at.radio(key=state.register_sla("freshness")).set_value("snapshot").run()
    assert "Everything on this step is fixed: continue with Next." in texts(at)
    _next(at)
    _next(at)
    assert "What changes for consumers" in texts(at)
    assert at.text_input(key=state.REGISTER_VERSION).value == "2.0.0"
    consumers = {p.id for p in catalog.downstream(LOCAL_USER, "reference.airlines")}
    linked = {q for link in at.page_link
              for q in parse_qs(link.proto.query_string).get("product", []) if q in consumers}
    assert consumers and linked == consumers
    at.text_input(key=state.REGISTER_VERSION).input("1.5.0").run()
    assert "needs a new major number" in texts(at)
    assert at.button(key=state.REGISTER_PUBLISH).disabled
    at.text_input(key=state.REGISTER_VERSION).input("2.0.0").run()
    at.button(key=state.REGISTER_PUBLISH).click().run()
    assert_clean(at)
    assert "reference.airlines 2.0.0 is published: 2 rows" in texts(at)
    assert (register_env.root / "reference" / "airlines" / "_versions").is_dir()
    assert Path(register_env.data, "products", "reference", "airlines", "2.0.0.parquet").exists()


def test_a_domain_policy_is_asked_for_at_the_schema_step(register_env: MeshDirs) -> None:
    """The passengers domain classifies personal data restricted: the schema step, not the
    review, says so and names the column; fixing it there lets the person go on."""
    at = open_page(routes.REGISTER)
    at.selectbox(key=KEY("domain")).select("passengers").run()
    assert at.text_input(key=KEY("team_name")).value  # taken from the domain
    at.text_input(key=KEY("name")).input("newsletter_signups")
    at.text_input(key=KEY("title")).input("Newsletter sign-ups")
    at.text_area(key=KEY("purpose")).input("Who signed up for the newsletter, and when.")
    at.text_area(key=KEY("usage")).input("One row per sign-up.")
    at.run()
    _next(at)
    _upload(at, b"signup_id,email,signed_up\n1,a@x.example,2013-12-01\n2,b@x.example,2013-12-02\n",
            "signups.csv")
    _next(at)
    assert _step(at) == 2
    _next(at)
    assert _step(at) == 2
    problems = next(e.value for e in at.error if e.value.startswith("Fix these to continue"))
    assert "column email:" in problems and "restricted" in problems
    _edit(at, state.REGISTER_SCHEMA_EDITOR, {1: {"Classification": "restricted"}})
    assert "Everything on this step is fixed: continue with Next." in texts(at)
    _next(at)
    assert _step(at) == 3


def test_review_now_keeps_the_suggestions_and_checks_the_steps_between(
        register_env: MeshDirs) -> None:
    at = open_page(routes.REGISTER)
    _fill_basics(at, "delays_reviewed_now", "Reviewed now")
    _next(at)
    _upload(at)
    at.button(key=state.REGISTER_TO_REVIEW).click().run()
    assert_clean(at)
    assert _step(at) == 5
    assert "What will be published" in texts(at)
    assert "Both files are valid and meet every policy" in texts(at)
    assert at.session_state[state.REGISTER_FORM].rules  # suggested on the way
