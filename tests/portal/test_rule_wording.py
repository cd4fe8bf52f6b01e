"""One rule, one sentence: the Quality tab, the Contract tab, the registration wizard's rule
step and the product's Markdown documentation say a quality rule in the same words, its rule
kind's sentence (catalog/quality/kinds; docs/rule-kinds.md)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from catalog import PropertyForm, RegistrationForm, RuleForm, RuleKind
from catalog.catalog import Catalog
from catalog.interchange.markdown import product_markdown
from catalog.models.principal import LOCAL_USER
from portal import routes, state
from tests.portal.pagetest import (
    MeshDirs,
    assert_clean,
    copy_manifests,
    open_page,
    texts,
    use_mesh,
)

PRODUCT = "fleet.aircraft"
RULES = {
    "aircraft-tailnum-not-null": "No missing values in Tail number (tailnum)",
    "aircraft-tailnum-unique": "No duplicate values in Tail number (tailnum)",
}
"""Rules of the demo mesh and the one sentence each is said in (property ``tailnum``, business
name "Tail number"; each rule has its own description, shown beside the sentence)."""


def _entry(mesh: MeshDirs, rule_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the published property, its quality entry) of ``rule_id``."""
    contract = yaml.safe_load((mesh.root / "fleet" / "aircraft" / "aircraft.odcs.yaml")
                              .read_text())
    for prop in contract["schema"][0]["properties"]:
        for entry in prop.get("quality") or []:
            if entry.get("id") == rule_id:
                return prop, entry
    raise AssertionError(f"{rule_id} is not in the demo contract")


def _frames(at: AppTest) -> str:
    return "\n".join(df.value.to_string() for df in at.dataframe)


@pytest.fixture(scope="module")
def checked(demo_mesh: MeshDirs, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[MeshDirs]:
    """A private copy of the demo mesh with a stored quality run of the product (the
    Quality tab shows the latest run)."""
    base = tmp_path_factory.mktemp("wording")
    mesh = MeshDirs(copy_manifests(base / "domains"), base / "data")
    mesh.data.mkdir()
    shutil.copy2(demo_mesh.data / "mesh.duckdb", mesh.data / "mesh.duckdb")
    with use_mesh(mesh):
        Catalog().run_quality(LOCAL_USER, PRODUCT)
        yield mesh


def test_quality_tab_says_the_rule_in_its_kind_words(checked: MeshDirs) -> None:
    at = open_page(routes.PRODUCT, product=PRODUCT, tab=routes.QUALITY_TAB)
    assert_clean(at)
    shown = _frames(at) + texts(at)
    for sentence in RULES.values():
        assert sentence in shown


def test_contract_tab_says_the_same(checked: MeshDirs) -> None:
    at = open_page(routes.PRODUCT, product=PRODUCT, tab=routes.CONTRACT)
    assert_clean(at)
    frames = _frames(at)
    for sentence in RULES.values():
        assert sentence in frames
    assert "Every aircraft has a tail number" in frames  # the rule's own words, beside it


def test_markdown_documentation_says_the_same(checked: MeshDirs) -> None:
    text = product_markdown(Catalog().product(LOCAL_USER, PRODUCT))
    for sentence in RULES.values():
        assert f"| {sentence} |" in text


def test_wizard_rule_step_says_the_same(checked: MeshDirs) -> None:
    """A new version of the product carries its published rules into the wizard's rule step,
    which says each as the published contract does."""
    rules, props = [], {}
    for rule_id in RULES:
        prop, entry = _entry(checked, rule_id)
        props[prop["name"]] = prop
        rules.append(RuleForm(id=rule_id, kind=RuleKind.KEPT, property=prop["name"],
                              raw=entry))
    properties = [PropertyForm(source_name=name, name=name, logical_type=p["logicalType"],
                               physical_type=p["physicalType"],
                               carried={"businessName": p["businessName"]})
                  for name, p in props.items()]
    at = open_page(routes.REGISTER)
    at.session_state[state.REGISTER_FORM] = RegistrationForm(properties=properties, rules=rules)
    at.session_state[state.REGISTER_STEP] = 4
    at.run()
    assert_clean(at)
    said = list(at.data_editor(key=state.REGISTER_RULES_EDITOR).value["Rule"])
    assert said == list(RULES.values())
