"""The product page's edit form, as people signed in with OIDC see it: the Edit button only for
owners, stewards and admins; the form prefilled; a refused preview keeps what was typed and
names the field; the preview in words; "Publish version X.Y.Z" makes the new version live.

People come from the demo manifests: Priya Raman owns the reference domain and its
reference.airlines, Tomás Becker is its data steward, Nadia Haddad its data engineer; Lee Park
is in no team.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from catalog.access.identity import AdminConfig, principal_for
from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.editing.changes import ProductChanges
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from tests.portal.pagetest import (
    APP,
    OIDC_SECRETS,
    TIMEOUT,
    MeshDirs,
    assert_clean,
    private_demo_copy,
    texts,
)

PRODUCT = "reference.airlines"
PRIYA = ("priya.raman@skyport.example", "Priya Raman")
TOMAS = ("tomas.becker@skyport.example", "Tomás Becker")
NADIA = ("nadia.haddad@skyport.example", "Nadia Haddad")
LEE = ("lee.park@partner.example", "Lee Park")

@pytest.fixture(scope="module")
def mesh(demo_mesh: MeshDirs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MeshDirs]:
    """A private copy of the demo mesh (manifests, built data, its own operational store)."""
    with private_demo_copy(demo_mesh, tmp_path_factory.mktemp("edit")) as copied:
        yield copied


@pytest.fixture(autouse=True)
def oidc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in with OpenID Connect; no governance admin."""
    monkeypatch.setenv("MESH_AUTH", "oidc")
    monkeypatch.setenv("MESH_ADMINS", "")
    monkeypatch.setenv("MESH_ADMIN_GROUPS", "")


def product_page(person: tuple[str, str]) -> AppTest:
    """The product page of reference.airlines for a session signed in as ``person``."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets = OIDC_SECRETS
    at.user = {"is_logged_in": True, "sub": person[0], "email": person[0], "name": person[1]}
    at.run()
    at.switch_page(routes.PRODUCT)
    at.query_params[routes.PRODUCT_PARAM] = PRODUCT
    at.run()
    assert_clean(at)
    return at


def key(part: str) -> str:
    return state.product_edit(PRODUCT, part)


def _has(at: AppTest, part: str) -> bool:
    return any(b.key == key(part) for b in at.button)


def test_only_owners_and_stewards_see_the_edit_button(mesh: MeshDirs) -> None:
    assert _has(product_page(PRIYA), "open") and _has(product_page(TOMAS), "open")
    assert not _has(product_page(NADIA), "open") and not _has(product_page(LEE), "open")


def test_an_owner_edits_previews_and_publishes(mesh: MeshDirs) -> None:
    at = product_page(PRIYA)
    at.button(key=key("open")).click().run()
    assert_clean(at)
    description = at.text_area(key=key("description"))
    assert description.value.startswith("The official list of airline codes")
    assert at.text_input(key=key("rule_0_threshold")).value == "16"  # airlines-row-count
    # each rule is named in the words of every other screen, then its id
    assert "At least 16 rows · rule airlines-row-count" in [e.label for e in at.expander]

    description.set_value("Airline codes and the names behind them.")
    at.text_input(key=key("rule_0_threshold")).set_value("fifteen")
    at.button(key=key("preview")).click().run()
    assert_clean(at)
    errors = [e.value for e in at.error]
    assert "quality.airlines-row-count.threshold: write a number, e.g. 0." in errors
    assert at.text_area(key=key("description")).value == "Airline codes and the names behind them."
    assert not _has(at, "publish")

    at.text_input(key=key("rule_0_threshold")).set_value("15")
    at.button(key=key("preview")).click().run()
    assert_clean(at)
    page = texts(at)
    assert "Version 1.0.0 → 1.1.0" in page
    changes = at.dataframe[-1].value["Change"].tolist()
    assert "Description changed" in changes
    assert any("airlines-row-count" in c and "loosened" in c for c in changes), changes
    publish = at.button(key=key("publish"))
    assert publish.label == "Publish version 1.1.0"
    publish.click().run()
    assert_clean(at)
    assert "Published version 1.1.0 of reference.airlines." in texts(at)
    assert not _has(at, "preview")  # the form is closed, the page shows the new version
    assert "Airline codes and the names behind them." in texts(at)

    catalog = Catalog(Settings(mesh.root, mesh.data), recheck_seconds=0)
    run = catalog.latest_quality(LOCAL_USER, PRODUCT)  # the new version was checked
    assert run is not None and run.product_version == "1.1.0"
    assert catalog.store.audit(PRODUCT, limit=1)[0]["actor"] == PRIYA[0]
    contract = yaml.safe_load((mesh.root / "reference" / "airlines" / "airlines.odcs.yaml")
                              .read_text())
    assert contract["version"] == "1.1.0"
    assert contract["schema"][0]["quality"][0]["mustBeGreaterOrEqualTo"] == 15


def test_a_stale_preview_is_refused_and_what_was_typed_stays(mesh: MeshDirs) -> None:
    product = "reference.airports"
    at = product_page(PRIYA)
    at.switch_page(routes.PRODUCT)
    at.query_params[routes.PRODUCT_PARAM] = product
    at.run()
    at.button(key=state.product_edit(product, "open")).click().run()
    at.text_area(key=state.product_edit(product, "description")).set_value("Mine.")
    at.button(key=state.product_edit(product, "preview")).click().run()
    assert at.button(key=state.product_edit(product, "publish")).label.startswith(
        "Publish version")

    catalog = Catalog(Settings(mesh.root, mesh.data), recheck_seconds=0)
    tomas = principal_for(TOMAS[0], TOMAS[1], TOMAS[0], admins=AdminConfig())
    theirs = catalog.draft_edit(tomas, product, ProductChanges(usage="Theirs."))
    catalog.publish_edit(tomas, theirs)

    at.button(key=state.product_edit(product, "publish")).click().run()
    assert_clean(at)
    assert any("changed since you previewed" in e.value for e in at.error)
    assert at.text_area(key=state.product_edit(product, "description")).value == "Mine."
    at.button(key=state.product_edit(product, "preview")).click().run()
    publish = at.button(key=state.product_edit(product, "publish"))
    assert publish.label == f"Publish version {theirs.version[:-1]}{int(theirs.version[-1]) + 1}"
    publish.click().run()
    assert_clean(at)
    after = catalog.product(tomas, product)
    assert (after.purpose, after.usage) == ("Mine.", "Theirs.")  # nothing lost


def test_typed_markdown_and_html_stay_inert(mesh: MeshDirs) -> None:
    from tests.security.test_markdown_injection import assert_inert, payload

    product = "reference.airport_connections"
    at = product_page(PRIYA)
    at.switch_page(routes.PRODUCT)
    at.query_params[routes.PRODUCT_PARAM] = product
    at.run()
    at.button(key=state.product_edit(product, "open")).click().run()
    at.text_area(key=state.product_edit(product, "description")).set_value(payload("purpose"))
    at.text_input(key=state.product_edit(product, "new_rule_id")).set_value("hostile-rule")
    at.selectbox(key=state.product_edit(product, "new_rule_kind")).set_value("rowCount")
    at.selectbox(key=state.product_edit(product, "new_rule_operator")).set_value(
        "mustBeGreaterOrEqualTo")
    at.text_input(key=state.product_edit(product, "new_rule_threshold")).set_value("1")
    at.text_input(key=state.product_edit(product, "new_rule_description")).set_value(
        payload("rule"))
    at.button(key=state.product_edit(product, "preview")).click().run()
    assert_inert(at)
    at.button(key=state.product_edit(product, "publish")).click().run()
    assert_inert(at)
    catalog = Catalog(Settings(mesh.root, mesh.data), recheck_seconds=0)
    assert catalog.product(LOCAL_USER, product).purpose == payload("purpose")
