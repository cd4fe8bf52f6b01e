"""The access pages as different people (signed in with OIDC, as the portal serves them): a
consumer asks for a restricted port, its owner decides, the consumer gets the grant; deny,
withdraw, renew, revoke, expiry; the audit page for admins only; what each person may register,
run, publish and approve.

People come from the demo manifests: Sofia Rossi owns the passengers domain (and its restricted
product passengers.bookings), Amara Nwosu is its data engineer, María López owns operations,
Kwame Mensah owns fleet and Ingrid Holm is its data steward. Lee Park and the other consumers
are in no team; the governance admin is configured with ``MESH_ADMINS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from catalog.access.actions import Relation
from catalog.access.identity import AdminConfig, principal_for
from catalog.access.masking import MASK
from catalog.access.policy import matrix_rows
from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.models.principal import Principal
from portal import routes, state
from portal.safe_text import WORD_JOINER
from tests.portal.pagetest import (
    APP,
    OIDC_SECRETS,
    TIMEOUT,
    MeshDirs,
    assert_clean,
    open_tab,
    private_demo_copy,
    texts,
)

BOOKINGS, PORT = "passengers.bookings", "bookings"
FLIGHTS = "operations.flights"
PROPOSED = "fleet.aircraft_utilisation"
SENSITIVE = ["passenger_name", "email", "date_of_birth", "frequent_flyer_number", "fare_usd"]

ADMIN = ("gov.admin@skyport.example", "Grace Admin")
SOFIA = ("sofia.rossi@skyport.example", "Sofia Rossi")
AMARA = ("amara.nwosu@skyport.example", "Amara Nwosu")
MARIA = ("maria.lopez@skyport.example", "María López")
KWAME = ("kwame.mensah@skyport.example", "Kwame Mensah")
INGRID = ("ingrid.holm@skyport.example", "Ingrid Holm")
LEE = ("lee.park@partner.example", "Lee Park")

Person = tuple[str, str]


@pytest.fixture(scope="module")
def mesh(demo_mesh: MeshDirs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeshDirs]:
    """A private copy of the demo mesh (manifests, built data, its own operational store)."""
    with private_demo_copy(demo_mesh, tmp_path_factory.mktemp("access")) as copied:
        yield copied


@pytest.fixture(autouse=True)
def oidc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in with OpenID Connect; one configured governance admin."""
    monkeypatch.setenv("MESH_AUTH", "oidc")
    monkeypatch.setenv("MESH_ADMINS", ADMIN[0])
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "")


@pytest.fixture()
def catalog(mesh: MeshDirs) -> Catalog:
    """The copied mesh's catalog, on the same store as the portal's."""
    return Catalog(Settings(mesh.root, mesh.data), recheck_seconds=0)


def who(person: Person) -> Principal:
    """The principal the portal makes of ``person``."""
    return principal_for(person[0], name=person[1], email=person[0],
                         admins=AdminConfig(users=frozenset({ADMIN[0]})))


def signed_in(person: Person, script: str = str(APP)) -> AppTest:
    """The app (or one page's script) for a session signed in as ``person``, not run yet."""
    at = AppTest.from_file(script, default_timeout=TIMEOUT)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "sub": person[0], "email": person[0], "name": person[1]}
    return at


def open_as(person: Person, page: str, **params: str | list[str]) -> AppTest:
    """Open ``page`` signed in as ``person``, like a browser following a link."""
    at = signed_in(person)
    at.run()
    at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert_clean(at)
    return at


def read(at: AppTest) -> str:
    """What the user reads, without the invisible word joiners of escaped text."""
    return texts(at).replace(WORD_JOINER, "")


def table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table with ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def file_request(catalog: Catalog, person: Person, days: int | None = 30,
                 columns: tuple[str, ...] = ()) -> int:
    """``person`` asks for the bookings port through the catalog; returns the request id."""
    return catalog.request_access(who(person), BOOKINGS, [PORT],
                                  "Load factors per route for the network board", days,
                                  columns).id


def grant(catalog: Catalog, person: Person, days: int | None = 30) -> int:
    """A grant on the bookings port for ``person``, approved by Sofia; returns the grant id."""
    request_id = file_request(catalog, person, days)
    catalog.decide_request(who(SOFIA), request_id, True, "ok")
    [found] = [g for g in catalog.my_grants(who(person)) if g.request_id == request_id]
    return found.id


# -- request, approve, use -----------------------------------------------------------------------


def test_consumer_requests_owner_approves_consumer_reads(catalog: Catalog) -> None:
    key = state.product_access
    overview = open_as(LEE, routes.PRODUCT, product=BOOKINGS)
    assert "on request" in read(overview), "the overview marks the restricted port"
    at = open_as(LEE, routes.PRODUCT, product=BOOKINGS, tab=routes.DATA)
    page = read(at)
    assert ("Only the product's team, its domain's team, a governance admin, or someone with an "
            f"approved access request may preview and extract data on {BOOKINGS}.") in page
    assert "rows will be downloaded" not in page
    assert at.multiselect(key=key(BOOKINGS, PORT, "ports")).value == [PORT]
    assert at.multiselect(key=key(BOOKINGS, PORT, "columns")).options == SENSITIVE

    at.text_area(key=key(BOOKINGS, PORT, "purpose")).input("reports")
    at.button(key=key(BOOKINGS, PORT, "submit")).click().run()
    assert_clean(at)
    assert "at least 10 characters" in read(at)
    assert at.text_area(key=key(BOOKINGS, PORT, "purpose")).value == "reports", "typed text kept"

    at.text_area(key=key(BOOKINGS, PORT, "purpose")).input("Load factors per route for the "
                                                            "network planning board")
    at.number_input(key=key(BOOKINGS, PORT, "days")).set_value(30)
    at.multiselect(key=key(BOOKINGS, PORT, "columns")).set_value(["email"])
    at.button(key=key(BOOKINGS, PORT, "submit")).click().run()
    assert_clean(at)
    [request] = catalog.my_requests(who(LEE))
    assert (request.ports, request.columns, request.duration_days) == ((PORT,), ("email",), 30)
    page = read(at)
    assert f"Your request #{request.id} for {PORT} (" in page
    assert "was sent to the owners" in page
    assert "is waiting for a decision" in page
    assert not at.get("form") and not at.text_area, "a pending request replaces the form"

    owner = open_as(SOFIA, routes.MY_ACCESS)
    page = read(owner)
    assert "Requests to decide" in page
    assert f"Lee Park ({LEE[0]}) asks" in page and "Sensitive columns: email." in page
    owner.text_area(key=state.my_access_request(request.id, "note")).input("For the board only")
    owner.button(key=state.my_access_request(request.id, "approve")).click().run()
    assert_clean(owner)
    assert f"Approved request #{request.id}: Lee Park may now read {PORT}" in read(owner)
    assert state.my_access_request(request.id, "approve") not in [b.key for b in owner.button]

    mine = open_as(LEE, routes.MY_ACCESS)
    grants = table(mine, "Port")
    row = grants.set_index("Port").loc[PORT]
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).date().isoformat()
    assert (row["Columns"], row["Status"], row["Until"]) == ("email", "active", expires)
    assert row["Id"] == BOOKINGS and row["Product"] == catalog.product(
        who(LEE), BOOKINGS).title  # a button opening its Data tab in this browser tab
    assert table(mine, "Purpose").iloc[0]["Status"] == "approved"
    assert "Requests to decide" not in read(mine), "a consumer decides nothing"
    assert not mine.warning, "30 days is not about to expire"

    data = open_as(LEE, routes.PRODUCT, product=BOOKINGS, tab=routes.DATA)
    assert "rows will be downloaded" in read(data)
    others = [c for c in SENSITIVE if c != "email"]
    assert f"{', '.join(others)} are masked" in read(data)
    preview = next(df.value for df in data.dataframe if "passenger_name" in df.value.columns)
    assert (preview["passenger_name"] == MASK).all() and (preview["email"] != MASK).all()


def test_deny_needs_a_note_and_keeps_what_was_typed(catalog: Catalog) -> None:
    noor = ("noor.haddad@partner.example", "Noor Haddad")
    request_id = file_request(catalog, noor)
    note = state.my_access_request(request_id, "note")
    deny = state.my_access_request(request_id, "deny")
    owner = open_as(SOFIA, routes.MY_ACCESS)
    owner.text_area(key=note).input("   ")
    owner.button(key=deny).click().run()
    assert_clean(owner)
    assert "Say why you deny the request" in read(owner)
    assert owner.text_area(key=note).value == "   "
    owner.text_area(key=note).input("Marketing use is not allowed for personal data.")
    owner.button(key=deny).click().run()
    assert f"Denied request #{request_id} of Noor Haddad" in read(owner)

    mine = open_as(noor, routes.MY_ACCESS)
    row = table(mine, "Purpose").iloc[0]
    assert (row["Status"], row["Note"], row["By"]) == (
        "denied", "Marketing use is not allowed for personal data.", SOFIA[0])
    assert "You hold no access grant" in read(mine)


def test_requester_withdraws_a_pending_request(catalog: Catalog) -> None:
    tomas = ("tomas.varga@partner.example", "Tomás Varga")
    request_id = file_request(catalog, tomas, days=None, columns=("email",))
    mine = open_as(tomas, routes.MY_ACCESS)
    page = read(mine)
    assert f"Request #{request_id}" in page and "permanent" in page
    mine.button(key=state.my_access_withdraw(request_id)).click().run()
    assert_clean(mine)
    assert f"Request #{request_id} on {BOOKINGS} was withdrawn." in read(mine)
    assert table(mine, "Purpose").iloc[0]["Status"] == "withdrawn"
    assert request_id not in [r.id for r in catalog.access_queue(who(SOFIA))]


def test_product_page_says_when_a_request_is_pending(catalog: Catalog) -> None:
    pia = ("pia.lund@partner.example", "Pia Lund")
    file_request(catalog, pia)
    at = open_as(pia, routes.PRODUCT, product=BOOKINGS, tab=routes.DATA)
    assert "is waiting for a decision" in read(at)
    assert not at.text_area and not at.get("form")
    assert [link.value for link in at.page_link if link.value.startswith("See or withdraw")]


# -- renew, revoke, history, expiry --------------------------------------------------------------


def test_owner_renews_and_revokes_a_grant_with_its_history(catalog: Catalog) -> None:
    ines = ("ines.moreau@partner.example", "Inès Moreau")
    grant_id = grant(catalog, ines, days=10)
    part = state.my_access_grant

    mine = open_as(ines, routes.MY_ACCESS)
    warning = read(mine)
    assert "Expiring within 14 days: 1 grant of yours." in warning
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).date().isoformat()
    assert f"port {PORT} · expires on {expires}" in warning
    assert any(parse_qs(link.proto.query_string) == {"product": [BOOKINGS], "tab": ["Data"]}
               for link in mine.page_link), "the grant leads to the data tab"

    owner = open_as(SOFIA, routes.MY_ACCESS)
    assert f"#{grant_id} Inès Moreau ({ines[0]}) · port {PORT}" in read(owner)
    owner.toggle(key=part(grant_id, "permanent")).set_value(True)
    owner.button(key=part(grant_id, "renew")).click().run()
    assert_clean(owner)
    assert f"Renewed grant #{grant_id} of Inès Moreau on {BOOKINGS} {PORT}: permanent." \
        in read(owner)
    owner.button(key=part(grant_id, "revoke")).click().run()
    assert "Say why you revoke the grant" in read(owner)
    owner.text_area(key=part(grant_id, "note")).input("The project ended.")
    owner.button(key=part(grant_id, "revoke")).click().run()
    assert_clean(owner)
    assert f"Revoked grant #{grant_id}: Inès Moreau can no longer read {PORT}" in read(owner)
    assert part(grant_id, "renew") not in [b.key for b in owner.button], "revoked: no actions"
    history = pd.concat([df.value for df in owner.dataframe if "Action" in df.value.columns])
    mine_only = history[(history["Who"] == ines[0])
                        | history["Details"].str.contains(ines[0], regex=False)]
    assert {"access.requested", "access.granted", "access.renewed", "access.revoked"} <= set(
        mine_only["Action"])

    mine = open_as(ines, routes.MY_ACCESS)
    row = table(mine, "Port").iloc[0]
    assert (row["Status"], row["Until"], row["Note"]) == ("revoked", "permanent",
                                                          "The project ended.")
    assert not mine.warning, "a revoked grant no longer expires"


def test_team_members_who_may_not_decide_see_no_decisions(catalog: Catalog) -> None:
    file_request(catalog, ("omar.said@partner.example", "Omar Said"))
    at = open_as(AMARA, routes.MY_ACCESS)  # data engineer: reads the data, decides nothing
    assert "Requests to decide" not in read(at)
    assert not [b for b in at.button if b.key and b.key.startswith("my_access_request_")]


# -- audit ---------------------------------------------------------------------------------------


def test_audit_is_for_admins_only() -> None:
    lee = open_as(LEE, routes.HOME)
    with pytest.raises(ValueError, match="navigation page"):
        lee.switch_page(routes.AUDIT)  # not listed for a consumer
    page = signed_in(LEE, str(REPO_ROOT / "portal" / routes.AUDIT))  # the page itself refuses too
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] == [
        "Only a governance admin may read the audit log on the mesh."]
    assert not page.dataframe and not page.get("download_button") and not page.text_input


def test_audit_lists_and_filters_events_for_an_admin(catalog: Catalog) -> None:
    probe = ("audit.probe@partner.example", "Audit Probe")
    file_request(catalog, probe)
    at = open_as(ADMIN, routes.AUDIT)
    events = table(at, "Action")
    assert list(events.columns) == ["When (UTC)", "Who", "Action", "Target", "Details"]
    mine = events[events["Who"] == probe[0]]
    assert list(mine["Action"]) == ["access.requested"]
    assert "ports: bookings" in mine.iloc[0]["Details"]
    assert {"user.signed_in", "access.requested"} <= set(events["Action"])
    assert [b.label for b in at.get("download_button")] == ["Download CSV"]

    at.selectbox(key=state.AUDIT_ACTION).set_value("user.").run()
    assert set(table(at, "Action")["Action"]) == {"user.signed_in"}
    at.selectbox(key=state.AUDIT_ACTION).set_value(None)
    at.text_input(key=state.AUDIT_ACTOR).input(probe[0].upper()).run()
    assert set(table(at, "Action")["Who"]) == {probe[0]}

    linked = open_as(ADMIN, routes.AUDIT, audit_action="access.", audit_product=BOOKINGS)
    shown = table(linked, "Action")
    assert shown["Action"].str.startswith("access.").all() and (shown["Target"] == BOOKINGS).all()
    today = dt.datetime.now(dt.UTC).date()
    days = [(today - dt.timedelta(days=9)).isoformat(), (today - dt.timedelta(days=8)).isoformat()]
    past = open_as(ADMIN, routes.AUDIT, audit_dates=days)
    assert "No audit event matches these filters." in read(past) and not past.dataframe
    now = open_as(ADMIN, routes.AUDIT, audit_dates=[today.isoformat(), today.isoformat()])
    assert len(table(now, "Action")) > 0

    csv = catalog.audit_csv(who(ADMIN), actor=probe[0]).decode()
    assert csv.startswith("seq,at,actor,action,target,detail") and "access.requested" in csv


# -- what each person may do ---------------------------------------------------------------------


def test_register_domains_depend_on_the_principal() -> None:
    domain = state.register_field("domain")
    maria = open_as(MARIA, routes.REGISTER)
    assert maria.selectbox(key=domain).options == ["Flight operations (operations)"]
    admin = open_as(ADMIN, routes.REGISTER)
    assert len(admin.selectbox(key=domain).options) == 5
    lee = open_as(LEE, routes.REGISTER)
    assert domain not in [s.key for s in lee.selectbox]
    page = read(lee)
    assert "you are in no domain's team" in page
    assert "Flight operations (owner: María López)" in page
    lee.radio(key=state.REGISTER_MODE).set_value("version").run()
    assert "you are in none of their teams" in read(lee)


def test_run_checks_and_new_version_only_for_the_team() -> None:
    lee = open_as(LEE, routes.PRODUCT, product=FLIGHTS)
    assert "Publish a new version" not in [link.value for link in lee.page_link]
    assert "Your role here: **consumer**" in read(lee)
    assert state.product_quality_run(FLIGHTS) not in [
        b.key for b in open_tab(lee, routes.QUALITY_TAB).button]
    assert "rows will be downloaded" in read(open_tab(lee, routes.DATA)), \
        "an open port needs no request"
    maria = open_as(MARIA, routes.PRODUCT, product=FLIGHTS)
    assert "Publish a new version" in [link.value for link in maria.page_link]
    assert ("Your role here: **domain owner, domain team member, product owner, product team "
            "member**") in read(maria)
    assert state.product_quality_run(FLIGHTS) in [
        b.key for b in open_tab(maria, routes.QUALITY_TAB).button]


def test_domain_page_says_your_role() -> None:
    maria = open_as(MARIA, routes.DOMAINS, domain="operations")
    assert "Your role here: **domain owner, domain team member**" in read(maria)
    lee = open_as(LEE, routes.DOMAINS, domain="operations")
    assert "Your role here: **consumer**" in read(lee)


def test_governance_buttons_only_for_deciders_and_never_for_the_submitter(
        catalog: Catalog) -> None:
    catalog.store.record_audit(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               KWAME[0], "product.proposed", PROPOSED, {})
    approve = state.governance_approve(PROPOSED)
    approvals = {state.GOVERNANCE_VIEW: "Approvals"}  # the section that lists them
    kwame = open_as(KWAME, routes.GOVERNANCE, **approvals)
    assert approve not in [b.key for b in kwame.button]
    assert (f"You submitted {PROPOSED}, so someone else must approve it or send it back "
            "(four eyes).") in read(kwame)
    ingrid = open_as(INGRID, routes.GOVERNANCE, **approvals)
    assert approve in [b.key for b in ingrid.button]
    lee = open_as(LEE, routes.GOVERNANCE, **approvals)
    assert approve not in [b.key for b in lee.button]
    assert state.governance_reason(PROPOSED) not in [t.key for t in lee.text_area]
    assert "Only an owner or data steward of the product's domain" in read(lee)


# -- the user documentation ----------------------------------------------------------------------


def test_docs_matrix_is_the_policy() -> None:
    lines = (REPO_ROOT / "docs" / "access.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("## Roles × actions")
    rows = [[c.strip() for c in line.strip("|").split("|")]
            for line in lines[start:] if line.startswith("| ")]
    header, body = rows[0], rows[1:len(matrix_rows()) + 1]
    assert header[0] == "Action"
    documented = [(row[0], sorted(h for h, tick in zip(header[1:], row[1:], strict=True)
                                  if tick == "✓")) for row in body]
    shown = [(action, [r for r in allowed if r != Relation.SUBMITTER.value])
             for action, allowed in matrix_rows()]
    assert documented == shown
