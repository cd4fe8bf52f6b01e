"""The role × action matrix, cell by cell, on the demo mesh's real teams."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.access.actions import Action, Relation
from catalog.access.identity import AdminConfig, principal_for
from catalog.access.policy import MATRIX, decide, matrix_rows
from catalog.access.roles import describe, port_access, relations, team_roles
from catalog.config import REPO_ROOT
from catalog.manifests.loader import load_mesh
from catalog.mesh import Mesh
from catalog.models.principal import ANONYMOUS, LOCAL_USER, Principal

NO_ADMINS = AdminConfig()


@pytest.fixture(scope="module")
def mesh() -> Mesh:
    return load_mesh(REPO_ROOT / "domains")


def who(user: str) -> Principal:
    return principal_for(user, user.split("@")[0], user, admins=NO_ADMINS)


OWNER = "maria.lopez@skyport.example"        # owner of the operations domain and its products
STEWARD = "daniel.okafor@skyport.example"    # data steward there
ENGINEER = "chen.wei@skyport.example"        # data engineer there
CONSUMER = "someone@elsewhere.example"

# Expected answer for operations.flights (an open port), per action and person.
EXPECTED: dict[Action, dict[str, bool]] = {
    Action.VIEW: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: True},
    Action.REQUEST_ACCESS: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: True},
    Action.READ_DATA: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: True},
    Action.SEE_SENSITIVE: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: False},
    Action.RUN_CHECKS: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: False},
    Action.REGISTER: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: False},
    Action.PUBLISH_VERSION: {OWNER: True, STEWARD: True, ENGINEER: True, CONSUMER: False},
    Action.APPROVE: {OWNER: True, STEWARD: True, ENGINEER: False, CONSUMER: False},
    Action.DECIDE_ACCESS: {OWNER: True, STEWARD: True, ENGINEER: False, CONSUMER: False},
    Action.READ_AUDIT: {OWNER: False, STEWARD: False, ENGINEER: False, CONSUMER: False},
    Action.COPY_STORE: {OWNER: False, STEWARD: False, ENGINEER: False, CONSUMER: False},
}


def test_every_action_has_a_row_in_the_matrix() -> None:
    assert set(MATRIX) == set(Action)
    assert set(EXPECTED) == set(Action)
    assert [row[0] for row in matrix_rows()] == [a.value for a in Action]


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("user", [OWNER, STEWARD, ENGINEER, CONSUMER])
def test_matrix_on_a_real_product(mesh: Mesh, action: Action, user: str) -> None:
    product = mesh.products["operations.flights"]
    found = relations(who(user), domain=mesh.domains["operations"], product=product)
    assert decide(action, found).allowed is EXPECTED[action][user], (action, user, found)


@pytest.mark.parametrize("action", list(Action))
def test_a_governance_admin_may_do_everything(mesh: Mesh, action: Action) -> None:
    admin = principal_for("gov@skyport.example", admins=AdminConfig(
        users=frozenset({"gov@skyport.example"})))
    product = mesh.products["weather.daily_conditions"]
    assert decide(action, relations(admin, domain=mesh.domains["weather"],
                                    product=product)).allowed


@pytest.mark.parametrize("action", list(Action))
def test_nobody_signed_out_may_do_anything(mesh: Mesh, action: Action) -> None:
    product = mesh.products["operations.flights"]
    decision = decide(action, relations(ANONYMOUS, domain=mesh.domains["operations"],
                                        product=product))
    assert not decision.allowed and "Sign in" in decision.reason


def test_rights_stop_at_the_domain_border(mesh: Mesh) -> None:
    product = mesh.products["weather.daily_conditions"]
    found = relations(who(OWNER), domain=mesh.domains["weather"], product=product)
    for action in (Action.RUN_CHECKS, Action.APPROVE, Action.DECIDE_ACCESS,
                   Action.PUBLISH_VERSION, Action.REGISTER):
        decision = decide(action, found, what=product.id)
        assert not decision.allowed, action
        assert product.id in decision.reason and "Only" in decision.reason


def test_a_restricted_port_needs_a_grant(mesh: Mesh) -> None:
    flights = mesh.products["operations.flights"]
    document = flights.document.model_copy(deep=True)
    document.outputPorts[0].customProperties = [{"property": "access", "value": "restricted"}]
    restricted = dataclasses.replace(flights, document=document)
    assert port_access(restricted, None) == "restricted"
    port = restricted.output_ports[0].name
    consumer = who(CONSUMER)
    without = relations(consumer, domain=mesh.domains["operations"], product=restricted)
    assert not decide(Action.READ_DATA, without).allowed
    granted = relations(consumer, domain=mesh.domains["operations"], product=restricted,
                        granted_ports={port})
    assert Relation.GRANTEE in granted and decide(Action.READ_DATA, granted).allowed
    assert not decide(Action.SEE_SENSITIVE, granted).allowed  # columns come with the grant
    other_port = relations(consumer, domain=mesh.domains["operations"], product=restricted,
                           granted_ports={"some_other_port"})
    assert not decide(Action.READ_DATA, other_port).allowed
    team = relations(who(ENGINEER), domain=mesh.domains["operations"], product=restricted)
    assert decide(Action.READ_DATA, team).allowed


def test_four_eyes_the_submitter_cannot_approve(mesh: Mesh) -> None:
    product = mesh.products["operations.flights"]
    found = relations(who(OWNER), domain=mesh.domains["operations"], product=product,
                      submitter=OWNER.upper())
    decision = decide(Action.APPROVE, found, what=product.id)
    assert not decision.allowed and "four eyes" in decision.reason
    other = relations(who(STEWARD), domain=mesh.domains["operations"], product=product,
                      submitter=OWNER)
    assert decide(Action.APPROVE, other).allowed


def test_a_user_in_two_teams_holds_both_roles(mesh: Mesh) -> None:
    weather = mesh.domains["weather"]
    member = weather.team.members[0]
    flights = mesh.products["operations.flights"]
    both = principal_for(OWNER, "María", OWNER, admins=NO_ADMINS)
    assert team_roles(both, mesh.domains["operations"].team)
    found = relations(both, domain=weather, product=flights)
    assert Relation.PRODUCT_OWNER in found  # owner of flights (its ODPS team)
    weather_member = principal_for(member.username, admins=NO_ADMINS)
    in_weather = relations(weather_member, domain=weather,
                           product=mesh.products["weather.daily_conditions"])
    assert Relation.DOMAIN_MEMBER in in_weather
    assert "domain team member" in describe(in_weather)


def test_admins_come_from_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_ADMINS", "Gov@Skyport.example, other@x.example")
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "mesh-admins")
    assert "governance admin" in principal_for("gov@skyport.example").roles
    assert "governance admin" in principal_for("u1", groups=["Mesh-Admins"]).roles
    assert "governance admin" not in principal_for("u2", groups=["analysts"]).roles


def test_the_local_user_is_the_administrator(mesh: Mesh) -> None:
    found = relations(LOCAL_USER, domain=mesh.domains["operations"],
                      product=mesh.products["operations.flights"])
    assert all(decide(action, found).allowed for action in Action)
    assert describe(found) == "governance admin"
