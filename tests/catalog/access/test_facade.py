"""The core is the guard: the façade refuses, as different principals, what the matrix refuses,
and a restricted port opens only with a grant (masked columns stay masked)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from catalog.access.actions import Action
from catalog.access.identity import AdminConfig, principal_for
from catalog.access.masking import MASK
from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.errors import PermissionDenied
from catalog.extracts import ExtractRequest
from catalog.models.principal import ANONYMOUS, LOCAL_USER

NO_ADMINS = AdminConfig()
OWNER = principal_for("ana@shop.example", "Ana Silva", "ana@shop.example", admins=NO_ADMINS)
STEWARD = principal_for("bo@shop.example", "Bo Chen", admins=NO_ADMINS)
CONSUMER = principal_for("carl@elsewhere.example", "Carl", admins=NO_ADMINS)


def _restrict(settings: Settings, product: str) -> None:
    odps = settings.mesh_root / "sales" / product / "product.odps.yaml"
    text = odps.read_text()
    old = f"contractId: sales.{product}.{product}}}"
    assert old in text
    odps.write_text(text.replace(old, old[:-1] + ", customProperties: "
                                 "[{property: access, value: restricted}]}"))


@pytest.fixture()
def restricted(fixture_mesh: Settings) -> Catalog:
    _restrict(fixture_mesh, "orders")
    return Catalog(fixture_mesh, recheck_seconds=0)


def test_signed_out_visitors_get_nothing(fixture_catalog: Catalog) -> None:
    for call in (lambda: fixture_catalog.all_products(ANONYMOUS),
                 lambda: fixture_catalog.product(ANONYMOUS, "sales.orders"),
                 lambda: fixture_catalog.domains(ANONYMOUS)):
        with pytest.raises(PermissionDenied, match="Sign in"):
            call()


def test_a_restricted_port_says_why_not_and_opens_with_a_grant(restricted: Catalog) -> None:
    assert restricted.port_access(CONSUMER, "sales.orders") == "restricted"
    assert restricted.product(CONSUMER, "sales.orders").id == "sales.orders"  # metadata stays
    for call in (lambda: restricted.preview(CONSUMER, "sales.orders"),
                 lambda: restricted.extract_csv(CONSUMER, "sales.orders"),
                 lambda: restricted.row_count(CONSUMER, "sales.orders")):
        with pytest.raises(PermissionDenied, match="approved access request"):
            call()
    assert restricted.preview(STEWARD, "sales.orders").shape[0] > 0  # the team reads it
    request = restricted.request_access(CONSUMER, "sales.orders", ["orders"],
                                        "Monthly revenue report for finance", 30)
    with pytest.raises(PermissionDenied):
        restricted.decide_request(CONSUMER, request.id, True)  # not their product
    assert [r.id for r in restricted.access_queue(OWNER)] == [request.id]
    assert restricted.access_queue(CONSUMER) == []
    restricted.decide_request(OWNER, request.id, True, "ok for the report")
    assert restricted.row_count(CONSUMER, "sales.orders") > 0
    grant = restricted.my_grants(CONSUMER)[0]
    restricted.revoke_grant(STEWARD, grant.id, "report delivered")
    with pytest.raises(PermissionDenied):
        restricted.preview(CONSUMER, "sales.orders")
    actions = [e["action"] for e in restricted.audit_log(LOCAL_USER, target="sales.orders")]
    assert {"access.requested", "access.granted", "access.revoked"} <= set(actions)


def test_sensitive_columns_are_masked_for_consumers_only(fixture_catalog: Catalog) -> None:
    assert fixture_catalog.masked_columns(CONSUMER, "sales.customers") == ["email"]
    assert fixture_catalog.masked_columns(OWNER, "sales.customers") == []
    assert fixture_catalog.masked_columns(LOCAL_USER, "sales.customers") == []


def test_only_the_team_runs_checks_and_only_admins_read_the_audit(
        fixture_catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied, match="team"):
        fixture_catalog.run_quality(CONSUMER, "sales.orders")
    assert fixture_catalog.run_quality(STEWARD, "sales.orders").results
    with pytest.raises(PermissionDenied, match="governance admin"):
        fixture_catalog.audit_log(OWNER)
    assert fixture_catalog.audit_log(LOCAL_USER) is not None


def test_decide_tells_pages_what_to_hide(fixture_catalog: Catalog) -> None:
    assert fixture_catalog.decide(OWNER, Action.REGISTER, domain="sales").allowed
    assert not fixture_catalog.decide(CONSUMER, Action.REGISTER, domain="sales").allowed
    assert fixture_catalog.role_here(OWNER, "sales.orders") == (
        "domain owner, domain team member, product owner, product team member")
    assert fixture_catalog.role_here(CONSUMER, "sales.orders") == "consumer"


def test_sign_ins_are_audited(fixture_catalog: Catalog) -> None:
    fixture_catalog.record_sign_in(CONSUMER, "oidc")
    fixture_catalog.record_sign_in(ANONYMOUS, "proxy")
    events = fixture_catalog.audit_log(LOCAL_USER, action_prefix="user.")
    assert [(e["actor"], e["detail"]["mode"]) for e in events] == [
        ("carl@elsewhere.example", "oidc")]


def test_extracts_are_masked_for_consumers_and_audited(fixture_catalog: Catalog) -> None:
    request = ExtractRequest(limit=2)
    consumer_csv = fixture_catalog.extract_csv(CONSUMER, "sales.customers", request=request)
    owner_csv = fixture_catalog.extract_csv(OWNER, "sales.customers", request=request)
    consumer_rows = consumer_csv.decode().splitlines()
    owner_rows = owner_csv.decode().splitlines()
    assert len(consumer_rows) == len(owner_rows) == 3
    email = consumer_rows[0].split(",").index("email")
    assert all(row.split(",")[email] == MASK for row in consumer_rows[1:])
    assert all("@" in row.split(",")[email] for row in owner_rows[1:])
    events = fixture_catalog.audit_log(LOCAL_USER, action_prefix="data.")
    assert [(e["actor"], e["detail"]["rows"], e["detail"]["masked"]) for e in events] == [
        ("ana@shop.example", 2, []), ("carl@elsewhere.example", 2, ["email"])]


def test_the_audit_downloads_as_csv_for_admins_only(fixture_catalog: Catalog) -> None:
    sneaky = principal_for("=HYPERLINK(\"http://x\")", admins=NO_ADMINS)  # a formula as user id
    fixture_catalog.request_access(sneaky, "sales.orders", ["orders"],
                                   "Quarterly numbers for the board", None)
    data = fixture_catalog.audit_csv(LOCAL_USER, action_prefix="access.")
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == ["seq", "at", "actor", "action", "target", "detail"]
    assert rows[1][2:5] == ["'=HYPERLINK(\"http://x\")", "access.requested", "sales.orders"]
    assert json.loads(rows[1][5])["purpose"] == "Quarterly numbers for the board"
    with pytest.raises(PermissionDenied):
        fixture_catalog.audit_csv(CONSUMER)
