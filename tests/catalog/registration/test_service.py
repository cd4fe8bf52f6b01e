"""The registration use cases of the façade: a headless registration takes the wizard's steps,
suggestions and refusals; an import goes through the same publish path (claim, gate, audit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog import LOCAL_USER, Catalog, ManifestError, PermissionDenied, Principal
from catalog.registration.errors import PublishConflict, RegistrationError
from catalog.registration.service import RegistrationAnswers
from catalog.search import SearchQuery
from tests.catalog.registration.conftest import basics, orders_csv

STRANGER = Principal(username="zoe@elsewhere.example", display_name="Zoe")


def _answers(name: str = "returns", **changes: object) -> RegistrationAnswers:
    values = basics(name).model_dump()
    values.update(changes)
    return RegistrationAnswers(**values)


def test_a_dry_run_checks_everything_and_writes_nothing(fixture_catalog: Catalog) -> None:
    source = fixture_catalog.stage_upload(LOCAL_USER, "returns.csv", orders_csv())
    outcome = fixture_catalog.register(LOCAL_USER, _answers(), source, dry_run=True)
    assert outcome.problems == []
    assert outcome.published is None
    assert outcome.review is not None and "returns" in outcome.review.odcs_yaml
    assert outcome.checks and all(c.status.value != "error" for c in outcome.checks)
    assert not (fixture_catalog.settings.mesh_root / "sales" / "returns").exists()
    # the suggested rules are the wizard's: a not-null rule on the key, a row-count floor
    kinds = {r.kind.value for r in outcome.form.rules}
    assert {"row_count", "not_null"} <= kinds


def test_register_publishes_with_its_first_quality_run(fixture_catalog: Catalog) -> None:
    source = fixture_catalog.stage_upload(LOCAL_USER, "returns.csv", orders_csv())
    answers = _answers(properties={"email": {"description": "Customer e-mail",
                                             "classification": "restricted"}})
    outcome = fixture_catalog.register(LOCAL_USER, answers, source)
    assert outcome.published is not None and outcome.published.rows == 200
    assert outcome.published.quality is not None
    product = fixture_catalog.product(LOCAL_USER, "sales.returns")
    email = next(p for p in product.properties() if p.name == "email")
    assert email.classification == "restricted"
    hits = fixture_catalog.search(LOCAL_USER, SearchQuery(text="returns")).hits
    assert any(h.product_id == "sales.returns" for h in hits)
    assert fixture_catalog.audit_log(LOCAL_USER, action_prefix="product.registered")


def test_refusals_are_the_wizards_and_name_the_field(fixture_catalog: Catalog) -> None:
    source = fixture_catalog.stage_upload(LOCAL_USER, "returns.csv", orders_csv())
    outcome = fixture_catalog.register(LOCAL_USER, _answers("Bad Name", purpose="short"),
                                       source)
    assert outcome.published is None
    assert any(p.startswith("name: ") for p in outcome.problems)
    assert any(p.startswith("purpose: ") for p in outcome.problems)
    with pytest.raises(RegistrationError, match="no column 'nope'"):
        fixture_catalog.register(LOCAL_USER, _answers(properties={"nope": {"pii": True}}),
                                 source)


def test_someone_outside_every_team_may_not_stage_or_register(
        fixture_catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        fixture_catalog.stage_upload(STRANGER, "returns.csv", orders_csv())


def test_a_file_a_product_serves_cannot_be_staged_around_its_port(
        fixture_catalog: Catalog) -> None:
    offered = {c.path for c in fixture_catalog.local_candidates(LOCAL_USER)}
    assert "customers.csv" not in offered  # the sales.customers product serves it
    with pytest.raises(RegistrationError, match="served by a product already"):
        fixture_catalog.stage_file(LOCAL_USER, "customers.csv")
    with pytest.raises(RegistrationError):
        fixture_catalog.stage_file(LOCAL_USER, "../../etc/passwd")


CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: returns-contract
name: returns
version: 1.0.0
status: active
domain: sales
description:
  purpose: Every returned order of the web shop, as the shop system records it.
schema:
  - name: returns
    physicalType: table
    properties:
      - name: return_id
        logicalType: integer
        required: true
"""


def test_import_goes_through_the_publish_path(fixture_catalog: Catalog, tmp_path: Path
                                              ) -> None:
    files = {"returns.odcs.yaml": CONTRACT.encode()}
    dry = fixture_catalog.import_contracts(LOCAL_USER, files, "sales", "returns",
                                           dry_run=True)
    assert not dry.published
    folder = fixture_catalog.settings.mesh_root / "sales"
    before = sorted(p.name for p in folder.iterdir())
    if dry.problems:  # the domain's policies block it: a clear message, nothing written
        with pytest.raises(RegistrationError, match="cannot be imported yet"):
            fixture_catalog.import_contracts(LOCAL_USER, files, "sales", "returns")
        assert sorted(p.name for p in folder.iterdir()) == before
        return
    done = fixture_catalog.import_contracts(LOCAL_USER, files, "sales", "returns")
    assert done.published
    assert fixture_catalog.product(LOCAL_USER, done.product_id)
    assert fixture_catalog.audit_log(LOCAL_USER, action_prefix="product.imported")
    with pytest.raises(PublishConflict):
        fixture_catalog.import_contracts(LOCAL_USER, files, "sales", "returns")


def test_an_uploaded_file_is_named_as_sent_never_by_a_server_path(
        fixture_catalog: Catalog) -> None:
    broken = CONTRACT.replace("schema:", "schema: [")
    with pytest.raises(ManifestError) as caught:
        fixture_catalog.import_contracts(LOCAL_USER, {"../x/returns.odcs.yaml": broken.encode()},
                                         "sales", "returns")
    assert "returns.odcs.yaml" in str(caught.value)
    assert "/tmp" not in str(caught.value) and "mesh-import" not in str(caught.value)


def test_import_needs_the_right_to_register_in_the_domain(fixture_catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        fixture_catalog.import_contracts(STRANGER, {"returns.odcs.yaml": CONTRACT.encode()},
                                         "sales", "returns")
