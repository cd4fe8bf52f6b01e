"""Guided defaults: service levels measured from the data's own dates, so what is published
with the defaults passes its first quality run; blocking findings name a step and a field."""

from __future__ import annotations

import datetime as dt

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.registration import defaults, guidance, sources, steps
from catalog.registration import profile as profiling
from catalog.registration.forms import SlaForm
from catalog.registration.review import review
from tests.catalog.registration.conftest import basics, complete_form, orders_csv

NOW = dt.datetime(2026, 11, 30, 12, 0)


def _profile(catalog: Catalog, data: bytes, name: str = "d.csv") -> profiling.Profile:
    source = sources.stage_upload(catalog.settings, catalog.engine, name, data)
    return profiling.profile(catalog.engine, source)


def _dates(first: str, last: str) -> bytes:
    return f"id,day\n1,{first}\n2,{last}\n".encode()


def test_historic_data_is_a_snapshot_measured_at_its_last_day(fixture_catalog: Catalog) -> None:
    data = _profile(fixture_catalog, _dates("2013-01-01", "2013-12-31"))
    props = steps.properties_from_profile(data)
    suggested = defaults.suggest_sla(data, props, NOW)
    assert suggested.choices["freshness"] == "snapshot"
    assert suggested.snapshot_end == "2013-12-31" and suggested.freshness_column == "day"
    assert suggested.choices["retention"] == "3y"  # a year of data, with room to spare
    assert "2013-01-01 to 2013-12-31 (day)" in defaults.explain(suggested, data, props)


def test_recent_data_is_promised_as_fresh_as_it_is(fixture_catalog: Catalog) -> None:
    data = _profile(fixture_catalog, _dates("2026-09-01", "2026-11-30"))
    props = steps.properties_from_profile(data)
    suggested = defaults.suggest_sla(data, props, NOW)
    assert suggested.choices["freshness"] == "daily" and suggested.snapshot_end is None
    assert suggested.choices["retention"] == "1y"
    weekly = _profile(fixture_catalog, _dates("2026-06-01", "2026-11-25"), "w.csv")
    assert (
        defaults.suggest_sla(weekly, steps.properties_from_profile(weekly), NOW).choices[
            "freshness"
        ]
        == "weekly"
    )


def test_data_without_dates_is_a_snapshot_of_today(fixture_catalog: Catalog) -> None:
    data = _profile(fixture_catalog, b"code,n\nA,1\nB,2\n")
    suggested = defaults.suggest_sla(data, steps.properties_from_profile(data), NOW)
    assert suggested.choices["freshness"] == "snapshot"
    assert suggested.snapshot_end == "2026-11-30" and suggested.freshness_column is None


def test_source_aligned_without_freshness_is_refused_at_the_service_levels_step() -> None:
    problems = steps.sla_problems(SlaForm(choices={"freshness": "none"}), [], "sourceAligned")
    assert problems and problems[0].startswith("How often is it updated?")
    assert steps.sla_problems(SlaForm(choices={"freshness": "none"}), [], "consumerAligned") == []


def test_defaults_pass_the_review_and_the_first_quality_run(fixture_catalog: Catalog) -> None:
    source = sources.stage_upload(
        fixture_catalog.settings, fixture_catalog.engine, "returns.csv", orders_csv()
    )
    form = complete_form(fixture_catalog, source, "returns_guided")
    form.basics = basics("returns_guided", product_type="sourceAligned")
    data = profiling.profile(fixture_catalog.engine, source)
    form.sla = fixture_catalog.suggest_service_levels(form, data)
    found = review(fixture_catalog, form, source)
    assert found.fixes == [], [f.message for f in found.fixes]
    assert found.summary[0].startswith("Web shop returns (sales.returns_guided")
    assert all(c.status.value != "failed" for c in found.checks)
    # rules and checks are counted apart, and the sentence says how they differ
    rules = sum(r.enabled for r in form.rules)
    measured = sum(c.status.value in ("passed", "failed", "warning") for c in found.checks)
    assert any(line.startswith(f"{rules} quality rules; with the checks its schema and "
                               "promises add, ") and f" {measured} checks pass" in line
               for line in found.summary), found.summary
    published = fixture_catalog.publish(LOCAL_USER, form, source)
    assert published.quality is not None
    assert published.quality.counts()["failed"] == 0


def test_a_missing_freshness_promise_points_to_its_question(fixture_catalog: Catalog) -> None:
    source = sources.stage_upload(
        fixture_catalog.settings, fixture_catalog.engine, "returns.csv", orders_csv()
    )
    form = complete_form(fixture_catalog, source, "returns_stale")
    form.basics = basics("returns_stale", product_type="sourceAligned")
    found = review(fixture_catalog, form, source)
    fix = next(f for f in found.fixes if f.policy == "sla-freshness")
    assert (fix.step, fix.field) == ("sla", "freshness")
    assert fix.where == "Service levels → How often is it updated?"
    assert isinstance(guidance.fixes(found, form), list)
