"""Owners edit a published product: each field kind, rights, a stale edit refused, comments
kept, the audit entry, and the governance gate naming the field it blocks on."""

from __future__ import annotations

import pytest
import yaml

from catalog.access.identity import AdminConfig, principal_for
from catalog.catalog import Catalog
from catalog.editing.changes import (
    ColumnEdit,
    MemberEdit,
    ProductChanges,
    QualityRule,
    ServiceLevel,
    SupportLink,
)
from catalog.errors import PermissionDenied
from catalog.models.principal import LOCAL_USER
from catalog.registration.errors import PublishConflict, RegistrationError

NO_ADMINS = AdminConfig()
OWNER = principal_for("ana@shop.example", "Ana Silva", "ana@shop.example", admins=NO_ADMINS)
STEWARD = principal_for("bo@shop.example", "Bo Chen", admins=NO_ADMINS)
CONSUMER = principal_for("carl@elsewhere.example", "Carl", admins=NO_ADMINS)
PRODUCT = "sales.orders"
RULES = """        quality:
          - {id: orders-id-unique, metric: duplicateValues, mustBe: 0, severity: error,
             dimension: uniqueness, description: "No two orders share an id"}
          - id: orders-id-range
            metric: invalidValues
            arguments: {validValues: [1, 2, 3]}
            mustBeLessOrEqualTo: 5
            severity: warning
"""


@pytest.fixture()
def catalog(fixture_catalog: Catalog) -> Catalog:
    """The fixture mesh with comments, two rules on order_id and a PII column."""
    folder = fixture_catalog.settings.mesh_root / "sales" / "orders"
    contract = folder / "orders.odcs.yaml"
    text = contract.read_text()
    text = text.replace("kind: DataContract\n", "kind: DataContract  # ODCS v3\n# Who owns it\n")
    text = text.replace("        classification: internal\n      - name: customer_id",
                        f"        classification: internal\n{RULES}      - name: customer_id")
    text = text.replace("        classification: confidential\n",
                        "        classification: confidential\n"
                        "        customProperties: [{property: pii, value: true}]\n")
    contract.write_text(text)
    odps = folder / "product.odps.yaml"
    odps.write_text("# The orders product, kept by the sales team\n" + odps.read_text()
                    .replace("tags: [orders, revenue]", "tags: [orders, revenue]  # searched"))
    fixture_catalog.reload()
    return fixture_catalog


def _files(catalog: Catalog) -> tuple[str, str]:
    folder = catalog.settings.mesh_root / "sales" / "orders"
    return (folder / "product.odps.yaml").read_text(), (folder / "orders.odcs.yaml").read_text()


def _publish(catalog: Catalog, changes: ProductChanges, who=OWNER):  # type: ignore[no-untyped-def]
    draft = catalog.draft_edit(who, PRODUCT, changes)
    assert draft.problems == [], draft.problems
    return draft, catalog.publish_edit(who, draft)


def test_the_form_starts_from_the_published_values(catalog: Catalog) -> None:
    values = catalog.edit_values(OWNER, PRODUCT)
    assert values.description == "Every order placed in the web shop."
    assert values.tags == ["orders", "revenue"] and values.team_name == "Sales Data Team"
    assert values.columns["note"] == ColumnEdit(description="Free text typed by the customer.",
                                                classification="confidential")
    assert values.service_levels == [ServiceLevel(property="freshness", value="1", unit="d",
                                                  element="orders.order_date")]
    assert [r.id for r in values.quality or []] == ["orders-id-unique", "orders-id-range"]
    assert (values.quality or [])[1].threshold == "5"


def test_documentation_edits_are_a_patch_version_and_keep_comments(catalog: Catalog) -> None:
    draft, result = _publish(catalog, ProductChanges(
        description="All orders of the web shop.", usage="Revenue and basket reports.",
        limitations="", tags=["orders", "sales"]))
    assert (draft.bump, draft.version, result.version) == ("patch", "2.1.1", "2.1.1")
    assert [c.message for c in draft.changes] == [
        "Description changed", "Usage changed", "Limitations removed", "Tags added: sales",
        "Tags removed: revenue"]
    assert result.data_file is None and result.rows == 0
    odps, odcs = _files(catalog)
    assert odps.startswith("# The orders product, kept by the sales team\n")
    assert any(line.startswith("tags: [orders, sales]") and line.endswith("# searched")
               for line in odps.splitlines())
    assert "kind: DataContract  # ODCS v3\n# Who owns it\n" in odcs
    assert "- {id: orders-id-unique, metric: duplicateValues" in odcs  # untouched flow style
    assert "{server: local, type: local, path: orders.csv, format: csv}" in odcs  # same data
    product = catalog.product(OWNER, PRODUCT)
    assert (product.version, product.purpose, product.limitations) == (
        "2.1.1", "All orders of the web shop.", "")
    assert product.port("orders").version == "2.1.1"
    assert yaml.safe_load(odcs)["version"] == "2.1.1"
    archive = product.directory / "_versions" / "2.1.0"
    assert sorted(p.name for p in archive.iterdir()) == ["orders.odcs.yaml", "product.odps.yaml"]


def test_team_and_support(catalog: Catalog) -> None:
    draft, _ = _publish(catalog, ProductChanges(
        team_name="Sales Analytics",
        team=[MemberEdit(username="ana@shop.example", name="Ana Silva", role="owner"),
              MemberEdit(username="dee@shop.example", name="Dee", role="data engineer")],
        support=[SupportLink(channel="#sales-help", url="https://chat.shop.example/sales-data"),
                 SupportLink(channel="mailbox", url="mailto:sales@shop.example")]))
    assert draft.bump == "patch"
    assert {c.message for c in draft.changes} == {
        "Team renamed to Sales Analytics", "Dee joins the team as data engineer",
        "Bo Chen leaves the team", "Support channel #sales-help changed",
        "Support channel mailbox added"}
    odps = yaml.safe_load(_files(catalog)[0])
    assert odps["support"][0]["tool"] == "slack"  # a key the form does not show is kept
    assert odps["support"][1] == {"channel": "mailbox", "url": "mailto:sales@shop.example",
                                  "tool": "email"}


def test_column_descriptions_and_classifications(catalog: Catalog) -> None:
    draft, _ = _publish(catalog, ProductChanges(columns={
        "amount": ColumnEdit(description="Order total in euros, VAT included.",
                             classification="internal"),
        "note": ColumnEdit(classification="restricted")}))
    assert draft.bump == "major"  # a more sensitive classification (contracts.diff)
    assert "Description of column amount changed" in [c.message for c in draft.changes]
    props = {p.name: p for p in catalog.product(OWNER, PRODUCT).properties()}
    assert props["amount"].description == "Order total in euros, VAT included."
    assert (props["amount"].classification, props["note"].classification) == (
        "internal", "restricted")


def test_service_levels(catalog: Catalog) -> None:
    draft, _ = _publish(catalog, ProductChanges(service_levels=[
        ServiceLevel(property="freshness", value="2", unit="d", element="orders.order_date"),
        ServiceLevel(property="retention", value="5", unit="y")]))
    assert draft.bump == "major"  # a new retention promise (contracts.diff)
    messages = [c.message for c in draft.changes]
    assert any("loosened from 1 d to 2 d" in m for m in messages)
    sla = yaml.safe_load(_files(catalog)[1])["slaProperties"]
    assert sla == [{"property": "freshness", "value": 2, "unit": "d",
                    "element": "orders.order_date"},
                   {"property": "retention", "value": 5, "unit": "y"}]


def test_quality_rules_edited_added_and_removed(catalog: Catalog) -> None:
    rules = catalog.edit_values(OWNER, PRODUCT).quality or []
    loosened = rules[1].model_copy(update={"threshold": "10", "description": "Few odd ids"})
    added = QualityRule(id="orders-amount-present", column="amount", kind="nullValues",
                        operator="mustBeLessOrEqualTo", threshold="3", severity="warning",
                        dimension="completeness")
    draft, result = _publish(catalog, ProductChanges(quality=[loosened, added]))
    assert draft.bump == "minor"  # a rule removed or loosened, a warning added (contracts.diff)
    messages = [c.message for c in draft.changes]
    assert any(m.startswith("Quality rule orders-id-range")
               and m.endswith("loosened from at most 5 to at most 10") for m in messages)
    assert "Description of quality rule orders-id-range added" in messages
    contract = yaml.safe_load(_files(catalog)[1])
    props = {p["name"]: p for p in contract["schema"][0]["properties"]}
    assert props["order_id"]["quality"] == [{
        "id": "orders-id-range", "metric": "invalidValues",
        "arguments": {"validValues": [1, 2, 3]}, "mustBeLessOrEqualTo": 10,
        "severity": "warning", "description": "Few odd ids"}]
    assert props["amount"]["quality"][0]["id"] == "orders-amount-present"
    assert result.quality is not None
    assert {r.check.id for r in result.quality.results} >= {"orders-id-range",
                                                           "orders-amount-present"}


def test_typed_values_are_refused_naming_the_field(catalog: Catalog) -> None:
    draft = catalog.draft_edit(OWNER, PRODUCT, ProductChanges(
        columns={"note": ColumnEdit(classification="secret"), "nope": ColumnEdit()},
        quality=[QualityRule(id="bad id", kind="nullValues", threshold="x"),
                 QualityRule(id="r2", kind="rowCount", operator="mustBeBetween",
                             threshold="5")],
        support=[SupportLink(channel="x", url="javascript:alert(1)")]))
    fields = {p.field for p in draft.problems}
    assert fields == {"columns.note.classification", "columns.nope", "quality.bad id.id",
                      "quality.r2.threshold", "support[1].url"}
    assert not draft.publishable
    with pytest.raises(RegistrationError, match="columns.note.classification"):
        catalog.publish_edit(OWNER, draft)


def test_the_governance_gate_blocks_a_bad_edit_naming_the_field(catalog: Catalog) -> None:
    before = _files(catalog)
    draft = catalog.draft_edit(OWNER, PRODUCT, ProductChanges(
        columns={"note": ColumnEdit(classification="public")}))
    assert [p.field for p in draft.problems] == ["columns.note.classification"]
    assert "pii-classified" in draft.problems[0].message
    with pytest.raises(RegistrationError, match="columns.note.classification"):
        catalog.publish_edit(OWNER, draft)
    assert _files(catalog) == before


def test_rights_owners_stewards_and_admins_only(catalog: Catalog) -> None:
    assert catalog.may_edit(OWNER, PRODUCT) and catalog.may_edit(STEWARD, PRODUCT)
    assert catalog.may_edit(LOCAL_USER, PRODUCT)  # a governance admin
    assert not catalog.may_edit(CONSUMER, PRODUCT)
    with pytest.raises(PermissionDenied, match="owner or data steward of sales.orders"):
        catalog.draft_edit(CONSUMER, PRODUCT, ProductChanges(description="Mine now."))
    draft = catalog.draft_edit(STEWARD, PRODUCT, ProductChanges(description="Steward's."))
    with pytest.raises(PermissionDenied, match="Ask Ana Silva"):
        catalog.publish_edit(CONSUMER, draft)
    with pytest.raises(PermissionDenied):
        catalog.edit_values(CONSUMER, PRODUCT)


def test_an_edit_based_on_an_older_version_is_refused(catalog: Catalog) -> None:
    mine = catalog.draft_edit(OWNER, PRODUCT, ProductChanges(description="Mine."))
    _publish(catalog, ProductChanges(usage="Theirs."), who=STEWARD)
    after_theirs = _files(catalog)
    with pytest.raises(PublishConflict, match="now at version 2.1.1; you started from 2.1.0"):
        catalog.publish_edit(OWNER, mine)
    assert _files(catalog) == after_theirs
    again = catalog.draft_edit(OWNER, PRODUCT, mine.requested)  # nothing lost: preview again
    assert again.version == "2.1.2" and catalog.publish_edit(OWNER, again).version == "2.1.2"
    assert catalog.product(OWNER, PRODUCT).usage == "Theirs."


def test_a_hand_edit_of_the_files_since_the_preview_is_refused(catalog: Catalog) -> None:
    draft = catalog.draft_edit(OWNER, PRODUCT, ProductChanges(description="Mine."))
    contract = catalog.settings.mesh_root / "sales" / "orders" / "orders.odcs.yaml"
    contract.write_text(contract.read_text().replace("Order number.", "Order no."))
    with pytest.raises(PublishConflict, match="changed since you previewed"):
        catalog.publish_edit(OWNER, draft)


def test_the_audit_log_records_the_edit(catalog: Catalog) -> None:
    _publish(catalog, ProductChanges(description="Audited."))
    event = catalog.store.audit(PRODUCT, limit=5)[0]
    assert (event["actor"], event["action"]) == ("ana@shop.example", "product.edited")
    assert event["detail"]["version"] == "2.1.1" and event["detail"]["bump"] == "patch"
    assert event["detail"]["changes"] == ["Description changed"]


def test_nothing_changed_is_not_published(catalog: Catalog) -> None:
    draft = catalog.draft_edit(OWNER, PRODUCT, catalog.edit_values(OWNER, PRODUCT))
    assert draft.changes == [] and draft.version == "2.1.0" and not draft.publishable
