"""A stale quality result says it is stale on the mesh-wide Quality page and on the Governance
page too, as the product page does (catalog.Verdict's stale reasons)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.quality.history import save_run
from portal import routes, state
from portal.components.governance_sections import STALE_COLUMN, stale_reasons
from portal.components.quality_dashboard import STALE_COLUMN as QUALITY_STALE
from tests.portal.pagetest import MeshDirs, assert_clean, open_page, texts, use_mesh


@pytest.fixture()
def stale(fixture_mesh: Settings) -> Iterator[tuple[Catalog, str]]:
    """The small fixture mesh as the portal's mesh, one product's latest run made on an older
    version (so it is stale); yields the catalog and that product's id."""
    with use_mesh(MeshDirs(fixture_mesh.mesh_root, fixture_mesh.data_dir)):
        catalog = Catalog(fixture_mesh, recheck_seconds=0)
        product = catalog.all_products(LOCAL_USER)[0]
        run = catalog.run_quality(LOCAL_USER, product.id, store=False)
        save_run(catalog.store, dataclasses.replace(
            run, product_version="0.0.1", as_of=run.started_at + dt.timedelta(seconds=1)))
        assert catalog.verdict(LOCAL_USER, product.id).stale
        yield catalog, product.id


def test_the_quality_page_labels_a_stale_result(stale: tuple[Catalog, str]) -> None:
    catalog, product_id = stale
    title = catalog.product(LOCAL_USER, product_id).title
    reasons = "; ".join(catalog.verdict(LOCAL_USER, product_id).stale_reasons)
    at = open_page(routes.QUALITY)
    assert_clean(at)
    assert f"is stale ({title}" in texts(at)
    table = next(df.value for df in at.dataframe if "Grade" in df.value.columns)
    row = table.set_index("Id").loc[product_id]
    assert row["Grade"].endswith(" · stale") and "version 0.0.1" in row[QUALITY_STALE]
    assert row[QUALITY_STALE] == reasons
    for view in ("Rules not met", "Freshness"):
        section = open_page(routes.QUALITY, **{state.QUALITY_VIEW: view})
        for frame in (df.value for df in section.dataframe):
            rows = frame[frame["Id"] == product_id]
            assert all(rows[QUALITY_STALE] == reasons), view


def test_the_governance_page_labels_a_stale_result(stale: tuple[Catalog, str]) -> None:
    catalog, product_id = stale
    title = catalog.product(LOCAL_USER, product_id).title
    at = open_page(routes.GOVERNANCE, **{state.GOVERNANCE_VIEW: "Violations"})
    assert_clean(at)
    assert f"The latest quality result of 1 product is stale ({title})" in texts(at)
    for frame in (df.value for df in at.dataframe if STALE_COLUMN in df.value.columns):
        for _, row in frame.iterrows():
            quality = "quality" in row["Policy"] and row["Id"] == product_id
            assert isinstance(row[STALE_COLUMN], str) == quality, row.to_dict()


def test_only_quality_findings_of_stale_products_are_marked() -> None:
    class Stale:
        stale = True
        stale_reasons = ("made on version 0.0.1",)

    verdicts: Any = {"a.b": Stale()}
    row = {"Product": routes.product_url("a.b"), "Policy": "min-quality-score"}
    assert stale_reasons(row, verdicts) == "made on version 0.0.1"
    assert stale_reasons({**row, "Policy": "pii-classified"}, verdicts) is None
    assert stale_reasons({**row, "Product": routes.product_url("c.d")}, verdicts) is None
