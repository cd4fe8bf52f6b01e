"""The trust verdict: one answer for every view, current after a build, stale when it is."""

from __future__ import annotations

import dataclasses
import datetime as dt

from catalog import LOCAL_USER, Catalog, Verdict
from catalog.glossary import GLOSSARY, explain
from catalog.quality.verdict import stale_reasons, verdict

FLIGHTS = "operations.flights"


def test_after_a_build_the_verdict_is_a_current_run(demo_catalog: Catalog,
                                                    demo_history: int) -> None:
    """The build ends with a current run: the verdict measures the data as it is, is not
    stale, and the snapshot's promises are met (ages measured at its end)."""
    found = demo_catalog.verdict(LOCAL_USER, FLIGHTS)
    assert found.run is not None and found.run.trigger in {"build", "portal"}
    assert not found.stale, found.stale_reasons
    assert "on the data as it was then" in found.moment()
    assert found.snapshot_end == dt.datetime(2013, 12, 31, 23, 59, 59)
    fresh = found.run.freshness()
    assert fresh is not None and str(fresh.status) == "passed", fresh.message
    assert "not updated any more" in fresh.message


def test_every_view_gets_the_same_verdict_before_and_after_a_run(demo_catalog: Catalog,
                                                                 demo_history: int) -> None:
    """verdict() and verdicts() agree, and a new run changes neither the grade nor staleness
    (the data did not change)."""
    before = demo_catalog.verdict(LOCAL_USER, FLIGHTS)
    assert demo_catalog.verdicts(LOCAL_USER)[FLIGHTS].label() == before.label()
    demo_catalog.run_quality(LOCAL_USER, FLIGHTS)
    after = demo_catalog.verdict(LOCAL_USER, FLIGHTS)
    assert demo_catalog.verdicts(LOCAL_USER)[FLIGHTS].label() == after.label()
    assert (after.grade, after.stale) == (before.grade, before.stale)


def test_a_stale_run_says_why(demo_catalog: Catalog, demo_history: int) -> None:
    """A history run, another version and data rebuilt after the run each make it stale,
    and the label says so."""
    product = demo_catalog.product(LOCAL_USER, FLIGHTS)
    run = demo_catalog.latest_quality(LOCAL_USER, FLIGHTS)
    assert run is not None
    now = run.started_at + dt.timedelta(minutes=5)
    history = dataclasses.replace(run, as_of=dt.datetime(2013, 12, 31, 23, 59, 59))
    old_version = dataclasses.replace(run, product_version="0.0.1")
    for stale_run, words in ((history, "as it stood on 2013-12-31"),
                             (old_version, "version 0.0.1")):
        found: Verdict = verdict(product, stale_run, now)
        assert found.stale and any(words in r for r in found.stale_reasons)
        assert found.label().endswith("· stale") and found.color == "gray"
        assert "Stale:" in found.sentence()
    rebuilt = stale_reasons(product, run, now, data_changed_at=now)
    assert any("rebuilt" in r for r in rebuilt)


def test_a_promised_update_frequency_ages_a_run(demo_catalog: Catalog,
                                                demo_history: int) -> None:
    """A product that is not a frozen snapshot and promises daily updates: a run two days old
    is stale."""
    product = demo_catalog.product(LOCAL_USER, FLIGHTS)
    run = demo_catalog.latest_quality(LOCAL_USER, FLIGHTS)
    assert run is not None
    raw = {**product.output_ports[0].raw_contract, "customProperties": [],
           "slaProperties": [{"property": "frequency", "value": 1, "unit": "d"}]}

    class _Port:
        """A port whose contract promises daily updates."""

        raw_contract = raw

    class _Product:
        """The product with that port."""

        id, version, output_ports = product.id, product.version, [_Port()]

    later = run.started_at + dt.timedelta(days=2)
    reasons = stale_reasons(_Product(), run, later)  # type: ignore[arg-type]
    assert any("update frequency (1 d)" in r for r in reasons)
    assert not stale_reasons(product, run, later)  # a frozen snapshot does not age


def test_glossary_entries_are_short_and_found_in_any_case() -> None:
    """Every entry is one short explanation; lookups ignore case."""
    assert explain("Output Port") == GLOSSARY["output port"]
    for term, text in GLOSSARY.items():
        assert term == term.lower() and 20 < len(text) < 300, term
