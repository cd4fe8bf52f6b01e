"""The publish claim in the operational store, on both adapters: a replica that shares the
store's database but not the claim file (another machine) still keeps a second publisher of the
same id out, a stale claim is taken over, and a publish leaves no claim behind."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from catalog.catalog import Catalog
from catalog.models.principal import LOCAL_USER
from catalog.registration import publish
from catalog.registration.errors import PublishConflict
from catalog.registration.sources import DataSource
from tests.catalog.registration.conftest import complete_form

OTHER_REPLICA = "replica-b:4242:0123456789ab"


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, fixture_catalog: Catalog) -> Catalog:
    """The fixture mesh's catalog on a SQLite store, or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return fixture_catalog
    url = str(request.getfixturevalue("fresh_postgres_url"))
    return Catalog(dataclasses.replace(fixture_catalog.settings, state_url=url),
                   recheck_seconds=0)


def test_a_claim_another_replica_holds_in_the_store_refuses_the_publish(
        catalog: Catalog, staged: DataSource) -> None:
    store = catalog.store
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    store.claim("sales.returns", OTHER_REPLICA, publish.STALE_CLAIM_S, now=now)
    claim_file = publish.claim_path(catalog.settings.mesh_root, "sales", "returns")
    with pytest.raises(PublishConflict, match="Someone else is publishing sales.returns"):
        publish.publish(catalog, LOCAL_USER, complete_form(catalog, staged), staged)
    assert not claim_file.exists()
    assert not (catalog.settings.mesh_root / "sales" / "returns").exists()
    assert store.claims()["sales.returns"][0] == OTHER_REPLICA
    # The other replica died long ago: its claim is stale and taken over.
    long_ago = now - dt.timedelta(seconds=publish.STALE_CLAIM_S + 60)
    store.claim("sales.returns", OTHER_REPLICA, publish.STALE_CLAIM_S, now=long_ago)
    result = publish.publish(catalog, LOCAL_USER, complete_form(catalog, staged), staged)
    assert result.product_id == "sales.returns"
    assert store.claims() == {} and not claim_file.exists()
    assert store.audit("sales.returns")[0]["action"] == "product.registered"


def test_a_claim_file_refusal_releases_the_store_claim(catalog: Catalog,
                                                       staged: DataSource) -> None:
    claim_file = publish.claim_path(catalog.settings.mesh_root, "sales", "returns")
    claim_file.write_text("{}")
    with pytest.raises(PublishConflict, match="Someone else is publishing sales.returns"):
        publish.publish(catalog, LOCAL_USER, complete_form(catalog, staged), staged)
    assert catalog.store.claims() == {}
