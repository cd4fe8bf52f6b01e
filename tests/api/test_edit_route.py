"""``PATCH /api/v1/products/{id}``: an owner's edit over HTTP, on a private copy of the fixture
mesh: a dry run, a publish, problems naming the field (422), rights (403), a stale
``based_on`` (409)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from catalog import AdminConfig, Catalog, Settings, principal_for
from portal.api import api_routes

PATH = "/api/v1/products/sales.orders"
NO_ADMINS = AdminConfig()
OWNER = principal_for("ana@shop.example", "Ana Silva", "ana@shop.example", admins=NO_ADMINS)
CONSUMER = principal_for("carl@elsewhere.example", "Carl", admins=NO_ADMINS)


@pytest.fixture()
def world(fixture_mesh: Settings) -> Iterator[tuple[TestClient, Catalog, dict[str, str]]]:
    """A client over the fixture mesh's catalog; headers of the owner and of a consumer."""
    catalog = Catalog(fixture_mesh, recheck_seconds=0)
    app = Starlette(routes=api_routes(lambda: catalog))
    tokens = {"owner": catalog.create_token(OWNER, "owner", days=1).secret,
              "consumer": catalog.create_token(CONSUMER, "consumer", days=1).secret}
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, catalog, {k: f"Bearer {v}" for k, v in tokens.items()}


def test_dry_run_then_publish(world: tuple[TestClient, Catalog, dict[str, str]]) -> None:
    client, catalog, auth = world
    body = {"description": "Every order of the web shop.",
            "columns": {"amount": {"description": "Order total in euros, VAT included."}}}
    preview = client.patch(PATH, params={"dry_run": "true"}, json=body,
                           headers={"Authorization": auth["owner"]})
    assert preview.status_code == 200, preview.text
    out = preview.json()
    assert (out["based_on"], out["version"], out["bump"], out["published"]) == (
        "2.1.0", "2.1.1", "patch", False)
    assert {c["message"] for c in out["changes"]} == {"Description changed",
                                                       "Description of column amount changed"}
    assert catalog.product(OWNER, "sales.orders").version == "2.1.0"

    done = client.patch(PATH, params={"based_on": "2.1.0"}, json=body,
                        headers={"Authorization": auth["owner"]})
    assert done.status_code == 200, done.text
    assert done.json()["published"] and done.json()["version"] == "2.1.1"
    assert catalog.product(OWNER, "sales.orders").purpose == "Every order of the web shop."

    stale = client.patch(PATH, params={"based_on": "2.1.0"}, json={"usage": "Late."},
                         headers={"Authorization": auth["owner"]})
    assert stale.status_code == 409 and "at version 2.1.1, not 2.1.0" in stale.text


def test_problems_name_the_field_and_rights_are_the_catalogs(
        world: tuple[TestClient, Catalog, dict[str, str]]) -> None:
    client, _, auth = world
    bad = client.patch(PATH, json={"columns": {"note": {"classification": "secret"}}},
                       headers={"Authorization": auth["owner"]})
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "columns.note.classification"
    unknown = client.patch(PATH, json={"colour": "red"}, headers={"Authorization": auth["owner"]})
    assert unknown.status_code == 422
    refused = client.patch(PATH, json={"description": "Mine."},
                           headers={"Authorization": auth["consumer"]})
    assert refused.status_code == 403 and "owner or data steward" in refused.text
