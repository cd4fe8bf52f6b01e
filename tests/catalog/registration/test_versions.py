"""New versions: pre-filled from the published contract, diffed, semver enforced, downstream
consumers listed for breaking changes, old data and manifests kept."""

from __future__ import annotations

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.registration import profile as profiling
from catalog.registration import publish, query, sources, steps, versions
from catalog.registration.errors import PublishConflict, RegistrationError
from catalog.registration.forms import RegistrationForm, RuleKind
from catalog.registration.sources import DataSource
from tests.catalog.registration.conftest import basics, complete_form, orders_csv


def _published(catalog: Catalog, staged: DataSource) -> None:
    form = complete_form(catalog, staged)
    form.properties[0].description = "Return number."
    form.properties[0].primary_key = True
    publish.publish(catalog, LOCAL_USER, form, staged)


def _next(catalog: Catalog, csv: bytes) -> tuple[RegistrationForm, DataSource]:
    """A new version's form as the wizard builds it: pre-filled, then the new data."""
    product = catalog.product(LOCAL_USER, "sales.returns")
    form = versions.prefill(product)
    src = sources.stage_upload(catalog.settings, catalog.engine, "returns.csv", csv)
    inferred = steps.properties_from_profile(profiling.profile(catalog.engine, src))
    form.properties = versions.merge_properties(
        inferred, versions.published_properties(product, form.port))
    return form, src


def _without_email(csv: bytes) -> bytes:
    lines = csv.decode().splitlines()
    return ("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 4)
                      for line in lines) + "\n").encode()


def test_the_form_is_prefilled_from_the_published_contract(fixture_catalog: Catalog,
                                                           staged: DataSource) -> None:
    _published(fixture_catalog, staged)
    form, src = _next(fixture_catalog, orders_csv(240))
    assert form.based_on == "1.0.0" and form.version == "1.1.0"
    assert form.basics.title == "Web shop returns" and form.basics.owner == "ana@shop.example"
    assert form.basics.support_url == "https://chat.shop.example/sales"
    first = form.properties[0]
    assert (first.name, first.description, first.primary_key) == ("return_id",
                                                                   "Return number.", True)
    assert all(r.kind == RuleKind.KEPT for r in form.rules) and len(form.rules) > 5
    assert form.sla.choices["freshness"] == "none"


def test_new_data_with_the_same_schema_needs_a_minor_version(fixture_catalog: Catalog,
                                                             staged: DataSource) -> None:
    _published(fixture_catalog, staged)
    form, src = _next(fixture_catalog, orders_csv(240))
    plan = versions.plan(fixture_catalog, LOCAL_USER, form)
    assert not plan.diff.breaking and plan.required_bump == "minor"
    assert plan.suggested == "1.1.0" and plan.downstream == []
    assert versions.version_problems(plan, "1.0.1") == ["A new version must be at least 1.1.0."]
    assert versions.version_problems(plan, "1.1.0") == []
    assert "MAJOR.MINOR.PATCH" in versions.version_problems(plan, "next")[0]


def test_a_breaking_change_needs_a_major_version_and_lists_consumers(
        fixture_catalog: Catalog, staged: DataSource) -> None:
    _published(fixture_catalog, staged)
    derived = query.query_source(
        fixture_catalog.settings, fixture_catalog.engine, fixture_catalog.mesh(),
        'SELECT "carrier_code", count(*) AS returns FROM sales.returns GROUP BY 1')
    form = complete_form(fixture_catalog, derived, "returns_by_carrier")
    form.basics = basics("returns_by_carrier", title="Returns by carrier")
    publish.publish(fixture_catalog, LOCAL_USER, form, derived)

    new, src = _next(fixture_catalog, _without_email(orders_csv(240)))
    plan = versions.plan(fixture_catalog, LOCAL_USER, new)
    assert plan.diff.breaking and plan.required_bump == "major" and plan.suggested == "2.0.0"
    assert any(c.kind == "property-removed" and "email" in c.message for c in plan.diff.changes)
    assert [p.id for p in plan.downstream] == ["sales.returns_by_carrier"]
    assert "new major number" in versions.version_problems(plan, "1.1.0")[0]
    with pytest.raises(RegistrationError, match="new major number"):
        versions.publish_version(fixture_catalog, LOCAL_USER, new, src)


def test_publishing_a_version_keeps_the_old_data_and_manifests(fixture_catalog: Catalog,
                                                               staged: DataSource) -> None:
    _published(fixture_catalog, staged)
    new, src = _next(fixture_catalog, _without_email(orders_csv(240)))
    new.version = "2.0.0"
    result = versions.publish_version(fixture_catalog, LOCAL_USER, new, src)
    settings = fixture_catalog.settings
    folder = settings.mesh_root / "sales" / "returns"
    data = settings.data_dir / "products" / "sales" / "returns"
    assert sorted(p.name for p in data.iterdir()) == ["1.0.0.parquet", "2.0.0.parquet"]
    archived = folder / versions.VERSIONS_FOLDER / "1.0.0"
    assert sorted(p.name for p in archived.iterdir()) == ["product.odps.yaml",
                                                          "returns.odcs.yaml"]
    assert "1.0.0.parquet" in (archived / "returns.odcs.yaml").read_text()
    product = fixture_catalog.product(LOCAL_USER, "sales.returns")
    assert product.version == "2.0.0" and result.rows == 240
    assert fixture_catalog.row_count(LOCAL_USER, "sales.returns") == 240
    assert "email" not in [c.name for c in fixture_catalog.columns(LOCAL_USER, "sales.returns")]
    assert not [p for p in fixture_catalog.problems() if "returns" in p.file]
    assert fixture_catalog.latest_quality(LOCAL_USER, "sales.returns").product_version == "2.0.0"


def test_a_version_started_from_an_old_state_is_refused(fixture_catalog: Catalog,
                                                        staged: DataSource) -> None:
    _published(fixture_catalog, staged)
    first, src1 = _next(fixture_catalog, orders_csv(240))
    second, src2 = _next(fixture_catalog, orders_csv(260))
    versions.publish_version(fixture_catalog, LOCAL_USER, first, src1)
    second.version = "1.2.0"
    with pytest.raises(PublishConflict, match="now at version 1.1.0"):
        versions.publish_version(fixture_catalog, LOCAL_USER, second, src2)
    data = fixture_catalog.settings.data_dir / "products" / "sales" / "returns"
    assert sorted(p.name for p in data.iterdir()) == ["1.0.0.parquet", "1.1.0.parquet"]


def test_kept_rules_come_first_and_suggestions_fill_the_gaps() -> None:
    from catalog.registration.forms import RuleForm

    kept = [RuleForm(id="a", kind=RuleKind.KEPT, property="x", raw={"metric": "nullValues"}),
            RuleForm(id="b", kind=RuleKind.KEPT, property=None, raw={"metric": "rowCount"})]
    suggested = [RuleForm(id="c", kind=RuleKind.NOT_NULL, property="x"),
                 RuleForm(id="d", kind=RuleKind.NOT_NULL, property="new_column"),
                 RuleForm(id="e", kind=RuleKind.ROW_COUNT, property=None)]
    assert [r.id for r in versions.merge_rules(kept, suggested)] == ["a", "b", "d"]
