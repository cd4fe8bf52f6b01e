"""Plain-language wording of SLA properties and quality rules (catalog/wording.py, shown by
the pages) and the pages' short texts (portal/wording.py)."""

from __future__ import annotations

import pytest
from open_data_contract_standard.model import DataQuality, ServiceLevelAgreementProperty

from catalog.wording import (
    Target,
    number,
    quality_sentence,
    quantity,
    rule_detail,
    sla_sentence,
)
from portal.wording import plural, shorten, status_color, type_label

CARRIER = Target("flights", "carrier", "Airline code")


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1, "d", "1 day"), (5, "y", "5 years"), (30, "days", "30 days"), (99.5, "percent", "99.5%"),
    (4, "h", "4 hours"), (2, "furlongs", "2 furlongs"), (300000, None, "300,000"),
    (1.0, "yr", "1 year"),
])
def test_quantity_names_units_in_words(value: object, unit: str | None, expected: str) -> None:
    assert quantity(value, unit) == expected


@pytest.mark.parametrize(("prop", "expected"), [
    ({"property": "freshness", "value": 1, "unit": "d", "element": "flights.time_hour"},
     "The newest record is at most 1 day old (measured on flights.time_hour)"),
    ({"property": "availability", "value": 99.5, "unit": "percent"}, "Availability 99.5%"),
    ({"property": "frequency", "value": 1, "unit": "d"}, "Rebuilt every 1 day"),
    ({"property": "retention", "value": 5, "unit": "y"}, "Records are kept for 5 years"),
    ({"property": "timeToRepair", "value": 4, "unit": "h"}, "Problems fixed within 4 hours"),
    ({"property": "endOfSupport", "value": "2014-12-31"}, "Supported until 2014-12-31"),
    ({"property": "someVendorThing", "value": 3, "unit": "widgets"},
     "Some vendor thing: 3 widgets"),
])
def test_sla_sentences(prop: dict[str, object], expected: str) -> None:
    assert sla_sentence(ServiceLevelAgreementProperty(**prop)) == expected


@pytest.mark.parametrize(("rule", "target", "expected"), [
    ({"metric": "nullValues", "mustBe": 0}, CARRIER,
     "No missing values in Airline code (carrier)"),
    ({"metric": "nullValues", "unit": "percent", "mustBeLessOrEqualTo": 1},
     Target("flights", "tailnum", "Tail number"),
     "At most 1% missing values in Tail number (tailnum)"),
    ({"metric": "missingValues", "arguments": {"missingValues": [None, ""]}, "mustBe": 0},
     Target("airlines", "name", None), "No missing values in name, counting blank text as missing"),
    ({"metric": "invalidValues", "arguments": {"validValues": ["EWR", "JFK", "LGA"]},
      "mustBe": 0},
     Target("flights", "origin", "Departure airport"),
     "No invalid values in Departure airport (origin): allowed values are EWR, JFK, LGA"),
    ({"metric": "invalidValues", "arguments": {"pattern": "^[A-Z]{2}$"}, "mustBe": 0}, CARRIER,
     "No invalid values in Airline code (carrier): values must match the pattern ^[A-Z]{2}$"),
    ({"metric": "duplicateValues", "mustBe": 0}, CARRIER,
     "No duplicate values in Airline code (carrier)"),
    ({"metric": "duplicateValues", "mustBe": 0, "arguments": {"properties": ["a", "b"]}},
     Target("t"), "No duplicate rows for the combination of a, b"),
    ({"metric": "rowCount", "mustBeGreaterThan": 300000}, Target("flights"),
     "More than 300,000 rows"),
    ({"metric": "rowCount", "mustBeGreaterOrEqualTo": 16}, Target("airlines"), "At least 16 rows"),
    ({"metric": "rowCount", "mustBeBetween": [10, 20]}, Target("x"), "Between 10 and 20 rows"),
    ({"rule": "nullCheck", "mustBe": 0}, CARRIER, "No missing values in Airline code (carrier)"),
    ({"type": "sql", "query": "SELECT 1", "mustBe": 0,
      "description": "Cancelled flights never land"},
     Target("flights"), "Cancelled flights never land"),
    ({"type": "sql", "query": "SELECT 1", "mustBe": 0}, Target("flights"),
     "A SQL check on the table flights must return exactly 0"),
    ({"type": "custom", "engine": "soda"}, CARRIER,
     "A custom check on Airline code (carrier) (soda)"),
])
def test_quality_sentences(rule: dict[str, object], target: Target, expected: str) -> None:
    assert quality_sentence(DataQuality(**rule), target) == expected


def test_rule_detail_only_for_generated_sentences() -> None:
    generated = DataQuality(metric="nullValues", mustBe=0, description="Every flight has one")
    sql = DataQuality(type="sql", query="SELECT 1", mustBe=0, description="Used as the sentence")
    assert rule_detail(generated) == "Every flight has one"
    assert rule_detail(sql) == ""


def test_small_helpers() -> None:
    assert number(336776) == "336,776" and number(99.5) == "99.5" and number(2.0) == "2"
    assert plural(1, "product") == "1 product" and plural(3, "product") == "3 products"
    assert shorten("word " * 100, 30).endswith("…") and len(shorten("word " * 100, 30)) <= 30
    assert shorten("  short   text ") == "short text"
    assert type_label("sourceAligned") == "Source-aligned" and type_label(None) == ""
    assert status_color("active") == "green" and status_color("weird") == "gray"
