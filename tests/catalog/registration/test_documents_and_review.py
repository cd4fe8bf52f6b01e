"""Generated ODPS/ODCS documents validate like hand-written ones; the review step says what
governance says; the dry run shows which rules pass now."""

from __future__ import annotations

import yaml

from catalog.catalog import Catalog
from catalog.manifests.documents import parse_document
from catalog.quality.model import Status
from catalog.registration import documents, query, review, sources
from catalog.registration.forms import RuleKind, SlaForm
from catalog.registration.sources import DataSource
from tests.catalog.registration.conftest import basics, complete_form


def test_generated_documents_pass_the_loaders_validation(fixture_catalog: Catalog,
                                                         staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    form.properties[4].pii = True
    form.properties[4].classification = "restricted"
    odps, odcs = documents.build_odps(form), documents.build_odcs(form)
    assert documents.validate(documents.to_yaml(odps), documents.to_yaml(odcs), form) == []
    assert parse_document(documents.to_yaml(odcs).encode(), "x.odcs.yaml", "odcs",
                          strict=True).problems == []
    assert (odps["apiVersion"], odps["status"], odps["id"]) == ("v1.1.0", "proposed",
                                                                "sales.returns")
    assert odps["outputPorts"][0]["contractId"] == odcs["id"] == "sales.returns.returns"
    assert odps["customProperties"] == [{"property": "title", "value": "Web shop returns"}]
    assert odps["team"]["members"][0] == {"username": "ana@shop.example", "name": "Ana Silva",
                                          "role": "owner"}
    assert odcs["apiVersion"] == "v3.1.0"
    assert odcs["servers"] == [{"server": "local", "type": "local", "format": "parquet",
                                "path": "products/sales/returns/1.0.0.parquet"}]
    email = odcs["schema"][0]["properties"][4]
    assert email["customProperties"] == [{"property": "pii", "value": True}]
    assert email["classification"] == "restricted"
    assert odcs["schema"][0]["quality"][0]["metric"] == "rowCount"


def test_a_derived_products_input_ports_are_written(demo_catalog: Catalog) -> None:
    src = query.query_source(demo_catalog.settings, demo_catalog.engine, demo_catalog.mesh(),
                             "SELECT origin, count(*) AS n FROM operations.flights "
                             "GROUP BY origin")
    try:
        form = complete_form(demo_catalog, src, "departures_by_airport")
        form.basics = basics("departures_by_airport", domain="operations")
        odps = documents.build_odps(form, src.inputs)
        assert odps["type"] == "aggregate"
        assert odps["inputPorts"] == [{"name": "operations.flights",
                                       "version": src.inputs[0].version,
                                       "contractId": "operations.flights.flights"}]
        checked = review.review(demo_catalog, form, src)
        assert checked.problems == [] and checked.blocking == []
        assert yaml.safe_load(checked.odps_yaml) == odps
    finally:
        sources.discard(src)


def test_governance_errors_block_publishing(fixture_catalog: Catalog,
                                            staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    form.basics.product_type = "sourceAligned"  # must promise freshness (policy sla-freshness)
    checked = review.review(fixture_catalog, form, staged)
    assert any(b.startswith("sla-freshness:") for b in checked.blocking), checked.blocking
    form.sla = SlaForm(choices={"freshness": "daily"}, freshness_column="return_date")
    assert review.review(fixture_catalog, form, staged).blocking == []


def test_the_dry_run_shows_what_would_fail_now(fixture_catalog: Catalog,
                                               staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    accepted = next(r for r in form.rules if r.kind == RuleKind.ACCEPTED_VALUES)
    accepted.values = ["AA", "B6"]  # DL and UA rows now break it
    accepted.severity = "error"
    results = {r.check.id: r for r in review.dry_run(fixture_catalog, form, staged)}
    assert results[accepted.id].status == Status.FAILED
    assert results[accepted.id].failing_rows == 100
    floor = next(r for r in form.rules if r.kind == RuleKind.ROW_COUNT)
    assert results[floor.id].status == Status.PASSED
    # Renamed columns are checked under their new names.
    assert results["returns-carrier-code-accepted-values"].check.property == "carrier_code"
