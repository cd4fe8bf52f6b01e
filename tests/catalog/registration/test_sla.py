"""Service-level presets: plain words in, ODCS SLA properties with units out."""

from __future__ import annotations

import pytest

from catalog.registration import sla


def test_daily_means_a_day_between_updates_and_at_most_26_hours_old() -> None:
    props = sla.sla_properties({"freshness": "daily", "availability": "best_effort",
                                "retention": "3y", "support": "no_support"}, "sales.day")
    assert props == [
        {"property": "frequency", "value": 1, "unit": "d", "description": "Updated every day"},
        {"property": "freshness", "value": 26, "unit": "h", "element": "sales.day",
         "description": "The newest record is at most 26 hours old"},
        {"property": "retention", "value": 3, "unit": "y", "element": "sales.day",
         "description": "Kept for 3 years"},
    ]
    assert sla.preset("freshness", "daily").label == "Updated daily, at most 26 hours old"


def test_defaults_promise_availability_retention_and_support() -> None:
    names = [(p["property"], p["value"], p.get("unit")) for p in sla.sla_properties({})]
    assert names == [("freshness", 1, "d"), ("availability", 99.0, "percent"),
                     ("retention", 1, "y"),
                     ("supportHours", "Mon-Fri 09:00-17:00", None), ("timeToRepair", 2, "d")]


def test_every_preset_has_units_where_its_value_is_an_amount() -> None:
    for preset in sla.PRESETS:
        assert preset.label[0].isupper()
        for prop in preset.properties:
            if isinstance(prop["value"], int | float):
                assert prop.get("unit") in {"h", "d", "y", "percent"}, prop


def test_published_entries_map_back_to_presets_and_the_rest_is_kept() -> None:
    written = sla.sla_properties({"freshness": "weekly", "availability": "99.9",
                                  "retention": "10y", "support": "always"}, "t.day")
    extra = {"property": "endOfSupport", "value": "2030-12-31"}
    choices, others = sla.choices_from_properties([*written, extra])
    assert choices == {"freshness": "weekly", "availability": "99.9", "retention": "10y",
                       "support": "always"}
    assert others == [extra]
    odd = [{"property": "availability", "value": 97.0, "unit": "percent"}]
    choices, others = sla.choices_from_properties(odd)
    assert choices["availability"] == "best_effort" and others == odd


def test_unknown_presets_are_refused() -> None:
    with pytest.raises(KeyError):
        sla.sla_properties({"freshness": "yearly"})
    with pytest.raises(KeyError):
        sla.presets("price")
