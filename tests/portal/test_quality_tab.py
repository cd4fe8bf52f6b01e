"""The product page's Quality tab: score with its arithmetic, rules in plain language with their
numbers, failing samples, trends over the stored history, and "Run checks now"."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.quality.scoring import WEIGHTS
from portal import routes, state
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    charts,
    open_page,
    texts,
    use_mesh,
)

FLIGHTS = "operations.flights"
DEP_TIME = ("At most 1% missing values in Actual departure time (HHMM) (dep_time) — 2.45% "
            "missing ✗")
"""The rule not met, in its kind's words (catalog/quality/kinds), with its numbers (followed
by the failing rows, which depend on the cut-off: 8,252 on the data as of 2013-12-31 23:59
UTC, 8,255 on all of it)."""
WHY = "At most 1% of flights lack a departure time (i.e. were cancelled)"
"""The rule's own description, shown under its sentence."""


@pytest.fixture(scope="module")
def catalog(demo_env: MeshDirs, demo_history: int, demo_settings: Settings) -> Catalog:
    """The demo mesh with its 2013 history, as the portal sees it."""
    return Catalog(demo_settings)


@pytest.fixture(scope="module")
def flights(catalog: Catalog) -> AppTest:
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.QUALITY_TAB)
    assert_clean(at)
    return at


def _frame_text(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


def test_score_grade_weights_and_arithmetic(flights: AppTest, catalog: Catalog) -> None:
    run = catalog.latest_quality(LOCAL_USER, FLIGHTS)
    assert run is not None and run.score.value is not None
    metrics = {m.label: m.value for m in flights.metric}
    assert metrics["Quality score"] == f"{run.score.value:.1f} / 100"
    assert metrics["Grade"] == run.score.grade
    page = texts(flights)
    assert f"Score = {run.score.arithmetic}" in page
    assert all(f"{dim} {weight:.2f}" in page for dim, weight in WEIGHTS.items())
    # plain headings; the standard's terms (dimension, weight, pass rate) are in the tooltips
    dims = next(df.value for df in flights.dataframe if "Share met" in df.value.columns)
    assert list(dims["Kind of rule"]) == [d.dimension for d in run.score.dimensions]
    assert "completeness" in set(dims["Kind of rule"])


def _dep_time(catalog: Catalog) -> str:
    run = catalog.latest_quality(LOCAL_USER, FLIGHTS)
    assert run is not None
    result = next(r for r in run.results if r.check.id == "flights-dep-time-nulls")
    return f"{DEP_TIME} ({result.failing_rows:,} rows)"


def test_rules_in_plain_language_failing_first(flights: AppTest, catalog: Catalog) -> None:
    sentence = _dep_time(catalog)
    assert sentence.endswith(("(8,252 rows)", "(8,255 rows)"))
    assert sentence in texts(flights)  # a rule not met, with its numbers
    assert WHY in texts(flights)  # and the rule's own words under it
    rules = next(df.value for df in flights.dataframe if "Rule and result" in df.value.columns)
    sentences = list(rules["Rule and result"])
    # Table cells hold no symbol (a data grid's font may lack it): the result is in words.
    assert "No missing values in Departure airport (origin) — 0 missing" in sentences
    assert sentence.replace(" ✗", "") in sentences
    assert not any(mark in text for text in sentences for mark in "✓✗")
    results = list(rules["Result"])
    assert results.index("not met (warning)") < results.index("met")  # failing first
    assert "met" not in results[:results.index("not met (warning)")]
    row = rules.set_index("Rule id").loc["flights-dep-time-nulls"]
    assert (row["Dimension"], row["Severity"], row["Limit"]) == ("completeness", "warning",
                                                                 "at most 1%")


def test_failing_rows_sample_and_freshness(flights: AppTest) -> None:
    assert any(e.label == "Failing rows (first 5)" for e in flights.expander)
    # the sample's table is built only once its expander is opened
    assert not any("dep_time" in df.value.columns for df in flights.dataframe)
    key = state.product_quality_sample("operations.flights", "flights-dep-time-nulls")
    flights.session_state[key] = True
    flights.run()
    try:
        sample = next(df.value for df in flights.dataframe
                      if "dep_time" in df.value.columns and len(df.value) == 5)
    finally:
        flights.session_state[key] = False
        flights.run()
    assert sample["dep_time"].isna().all()  # the sampled rows really lack a departure time
    page = texts(flights)
    # a historical snapshot: the promise is measured at its end (2013-12-31) and met
    assert "Freshness promise: newest record at most 1 day old" in page
    assert "Historical snapshot up to 2013-12-31, not updated any more" in page


def _points(svg: str) -> list[tuple[str, str]]:
    """(label, value) of every point of a trend picture (each point's hover title)."""
    return re.findall(r"<circle [^>]*><title>([^<]*): ([^<]*)</title>", svg)


def test_trend_charts_cover_the_history(flights: AppTest, catalog: Catalog) -> None:
    runs = catalog.quality_history(LOCAL_USER, FLIGHTS)
    score, rule = charts(flights)[:2]
    assert len(_points(score)) == len(runs) >= 12
    assert _points(score)[0][0] == "2013-01-31"
    assert "A from 95" in score  # the grade floors
    chooser = flights.selectbox(key=state.product_quality_rule(FLIGHTS))
    chooser.set_value("flights-dep-time-nulls").run()
    rule = charts(flights)[1]
    observed = [float(value) for _, value in _points(rule)]
    assert len(observed) == len(runs) and observed[-1] == pytest.approx(2.451, abs=1e-3)
    assert ">limit 1<" in rule  # the threshold line


def test_run_checks_now_stores_and_shows_a_new_run(catalog: Catalog) -> None:
    before = catalog.quality_history(LOCAL_USER, FLIGHTS)
    at = open_page(routes.PRODUCT, product=FLIGHTS, tab=routes.QUALITY_TAB)
    at.button(key=state.product_quality_run(FLIGHTS)).click().run()
    assert_clean(at)
    after = catalog.quality_history(LOCAL_USER, FLIGHTS)
    assert len(after) == len(before) + 1
    new = after[-1]
    assert new.trigger == "portal" and new.run_id not in {r.run_id for r in before}
    # the page reruns after the run, so the header's badges show the new verdict too; the
    # run's summary is shown once
    assert any(s.value.startswith(f"Checked {len(new.results)} rules") for s in at.success)
    page = texts(at)
    assert "checked from the portal" in page and f"{DEP_TIME} (8,255 rows)" in page


@pytest.fixture()
def empty_store(fixture_mesh: Settings) -> Iterator[Settings]:
    """The small fixture mesh, whose store holds no quality run yet."""
    with use_mesh(MeshDirs(fixture_mesh.mesh_root, fixture_mesh.data_dir)):
        yield fixture_mesh


def test_without_runs_says_so_and_offers_the_button(empty_store: Settings) -> None:
    catalog = Catalog(empty_store)
    pid = catalog.all_products(LOCAL_USER)[0].id
    at = open_page(routes.PRODUCT, product=pid, tab=routes.QUALITY_TAB)
    assert_clean(at)
    assert "No quality run is stored for this product yet" in texts(at)
    at.button(key=state.product_quality_run(pid)).click().run()
    assert_clean(at)
    assert len(catalog.quality_history(LOCAL_USER, pid)) == 1
    assert "No quality run is stored" not in texts(at)
    assert "Quality score" in {m.label for m in at.metric}
