"""Publishing: both files and the data appear together, searchable at once, with a stored first
quality run; a failed publish leaves nothing; a held claim or a taken id is refused clearly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import pytest

from catalog.catalog import Catalog
from catalog.governance.evaluate import evaluate_product
from catalog.models.principal import LOCAL_USER
from catalog.registration import publish, sources
from catalog.registration.errors import PublishConflict, PublishFailed, RegistrationError
from catalog.registration.sources import DataSource
from catalog.search import SearchQuery
from tests.catalog.registration.conftest import basics, complete_form


def _leftovers(catalog: Catalog) -> list[str]:
    """Everything under the mesh and data folders that a failed publish could leave."""
    roots = (catalog.settings.mesh_root / "sales", catalog.settings.data_dir)
    return sorted(str(p.relative_to(r)) for r in roots for p in r.rglob("*")
                  if ".staging" not in p.parts and ".mesh-index" not in p.parts
                  and p.name != "state.sqlite" and not p.name.startswith("state.sqlite"))


def test_publish_writes_data_and_manifests_and_the_product_is_found(
        fixture_catalog: Catalog, staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    result = publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    settings = fixture_catalog.settings
    folder = settings.mesh_root / "sales" / "returns"
    assert sorted(p.name for p in folder.iterdir()) == ["product.odps.yaml",
                                                        "returns.odcs.yaml"]
    data = settings.data_dir / "products" / "sales" / "returns" / "1.0.0.parquet"
    assert result.data_file == data and result.rows == 200
    columns = [r[0] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{data}'").fetchall()]
    assert columns == ["return_id", "carrier_code", "return_date", "amount", "email", "note"]
    # Searchable at once, and it reads its data through the engine like any product.
    hits = fixture_catalog.search(LOCAL_USER, SearchQuery(text="web shop returns")).hits
    assert hits[0].product_id == "sales.returns"
    product = fixture_catalog.product(LOCAL_USER, "sales.returns")
    assert (product.status, product.version, product.title) == ("proposed", "1.0.0",
                                                                "Web shop returns")
    assert fixture_catalog.row_count(LOCAL_USER, "sales.returns") == 200
    assert not [p for p in fixture_catalog.problems() if "returns" in p.file]
    # CI's governance check agrees with the form's review on the files as published.
    findings = evaluate_product(product, fixture_catalog.mesh())
    assert not [f for f in findings if f.severity == "error"], findings
    # The first quality run is stored, and the product passes its own checks.
    run = fixture_catalog.latest_quality(LOCAL_USER, "sales.returns")
    assert run is not None and run.trigger == "registration"
    assert run.run_id == result.quality.run_id
    assert run.counts()["failed"] == 0 and run.counts()["error"] == 0
    audit = fixture_catalog.store.audit("sales.returns")
    assert audit[0]["action"] == "product.registered"
    # No claim and no hidden staging folder is left behind.
    assert not list((settings.mesh_root / "sales").glob(".*"))


def test_publishing_the_same_id_again_is_refused(fixture_catalog: Catalog,
                                                 staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    before = _leftovers(fixture_catalog)
    with pytest.raises(PublishConflict, match="sales.returns already exists"):
        publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    assert _leftovers(fixture_catalog) == before


def test_a_claim_held_by_another_publisher_is_refused(fixture_catalog: Catalog,
                                                      staged: DataSource) -> None:
    claim = publish.claim_path(fixture_catalog.settings.mesh_root, "sales", "returns")
    claim.write_text("{}")
    before = _leftovers(fixture_catalog)
    with pytest.raises(PublishConflict, match="Someone else is publishing sales.returns"):
        publish.publish(fixture_catalog, LOCAL_USER, complete_form(fixture_catalog, staged),
                        staged)
    assert _leftovers(fixture_catalog) == before and claim.exists()
    # A claim left by a publisher that died long ago is taken over.
    old = time.time() - publish.STALE_CLAIM_S - 60
    os.utime(claim, (old, old))
    result = publish.publish(fixture_catalog, LOCAL_USER,
                             complete_form(fixture_catalog, staged), staged)
    assert result.product_id == "sales.returns" and not claim.exists()


def test_a_failure_while_writing_the_data_leaves_nothing(fixture_catalog: Catalog,
                                                         staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    before = _leftovers(fixture_catalog)
    staged.path.unlink()  # the staged data vanished (disk cleaned, another session…)
    with pytest.raises(PublishFailed, match="failed and was undone"):
        publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    assert _leftovers(fixture_catalog) == before
    assert "sales.returns" not in fixture_catalog.reload().products


def test_a_failure_after_the_data_is_written_removes_it(fixture_catalog: Catalog,
                                                        staged: DataSource,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    form = complete_form(fixture_catalog, staged)
    before = _leftovers(fixture_catalog)

    def disk_full(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    # The one fault that cannot be produced for real here: the final rename failing.
    monkeypatch.setattr(publish.os, "rename", disk_full)
    with pytest.raises(PublishFailed, match="No space left on device"):
        publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    assert _leftovers(fixture_catalog) == before
    assert not list((fixture_catalog.settings.mesh_root / "sales").glob(".*"))


def test_a_product_that_breaks_a_policy_is_not_published(fixture_catalog: Catalog,
                                                         staged: DataSource) -> None:
    form = complete_form(fixture_catalog, staged)
    form.basics.product_type = "sourceAligned"  # promises no freshness: policy error
    before = _leftovers(fixture_catalog)
    with pytest.raises(RegistrationError, match="sla-freshness"):
        publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    assert _leftovers(fixture_catalog) == before


def test_hostile_names_are_refused_before_any_path_is_built(fixture_catalog: Catalog,
                                                           staged: DataSource) -> None:
    before = _leftovers(fixture_catalog)
    outside = fixture_catalog.settings.mesh_root.parent
    for name in ("../../escape", "..", "con", "a/b"):
        form = complete_form(fixture_catalog, staged)
        form.basics = basics(name)
        with pytest.raises(PublishConflict):
            publish.publish(fixture_catalog, LOCAL_USER, form, staged)
    assert _leftovers(fixture_catalog) == before
    assert sorted(p.name for p in outside.iterdir()) == ["data", "domains"]


def test_staged_uploads_are_cleaned_up(fixture_catalog: Catalog) -> None:
    folder = sources.staging_dir(fixture_catalog.settings)
    stale = folder / "old.parquet"
    stale.write_bytes(b"x")
    old = time.time() - sources.STAGED_MAX_AGE_S - 1
    os.utime(stale, (old, old))
    fresh = Path(folder / "fresh.parquet")
    fresh.write_bytes(b"y")
    sources.staging_dir(fixture_catalog.settings)
    assert not stale.exists() and fresh.exists()
