"""Approval and "run the checks now" through the HTTP API: the same decisions as the pages
(an admin approves, a stranger is refused, a product with a policy error cannot be approved, a
send-back needs a reason) and a run started by a program is stored like any other."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from catalog import LOCAL_USER, Catalog, Settings, principal_for
from portal.api import api_routes
from tests.api.conftest import NO_ADMINS
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps

STRANGER = principal_for("eve@elsewhere.example", "Eve", admins=NO_ADMINS)


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[TestClient, Catalog, dict[str, str], dict[str, str]]]:
    """A proposed product that meets every policy, one that breaks one; admin and stranger."""
    root = tmp_path / "domains"
    mesh_of(root, (odps(status="proposed"), odcs()),
            (odps(name="refunds", status="proposed"),
             odcs(name="refunds", slaProperties=[{"property": "frequency", "value": 1}])))
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MESH_AUTH", raising=False)
        catalog = Catalog(Settings(root, tmp_path / "data"), recheck_seconds=0)
        admin = {"Authorization": "Bearer " + catalog.create_token(LOCAL_USER, "a", days=1).secret}
        stranger = {"Authorization": "Bearer "
                    + catalog.create_token(STRANGER, "s", days=1).secret}
        with TestClient(Starlette(routes=api_routes(lambda: catalog)),
                        raise_server_exceptions=False) as client:
            yield client, catalog, admin, stranger


def test_approve_and_send_back(world: tuple[TestClient, Catalog, dict[str, str],
                                            dict[str, str]]) -> None:
    client, catalog, admin, stranger = world
    url = "/api/v1/products/sales.orders/approval"
    refused = client.post(url, headers=stranger, json={"approve": True})
    assert refused.status_code == 403, refused.text
    assert catalog.product(LOCAL_USER, "sales.orders").status == "proposed"
    done = client.post(url, headers=admin, json={"approve": True})
    assert done.status_code == 200, done.text
    assert done.json()["new_status"] == "active" and done.json()["action"] == "product.approved"
    assert catalog.product(LOCAL_USER, "sales.orders").status == "active"

    blocked = client.post("/api/v1/products/sales.refunds/approval", headers=admin,
                          json={"approve": True})
    assert blocked.status_code == 409 and "sla-freshness" in blocked.json()["error"]["message"]
    no_reason = client.post("/api/v1/products/sales.refunds/approval", headers=admin,
                            json={"approve": False})
    assert no_reason.status_code == 400 and "Say why" in no_reason.json()["error"]["message"]
    back = client.post("/api/v1/products/sales.refunds/approval", headers=admin,
                       json={"approve": False, "reason": "Promise a freshness SLA first."})
    assert back.status_code == 200 and back.json()["new_status"] == "draft"


def test_run_checks_now(world: tuple[TestClient, Catalog, dict[str, str], dict[str, str]]
                        ) -> None:
    client, catalog, admin, stranger = world
    url = "/api/v1/products/sales.orders/quality/runs"
    assert client.post(url, headers=stranger).status_code == 403
    assert catalog.latest_quality(LOCAL_USER, "sales.orders") is None
    run = client.post(url, headers=admin)
    assert run.status_code == 201, run.text
    stored = catalog.latest_quality(LOCAL_USER, "sales.orders")
    assert stored is not None and run.json()["run"]["run_id"] == stored.run_id
    latest = client.get("/api/v1/products/sales.orders/quality", headers=admin).json()
    assert latest["run"]["run_id"] == stored.run_id
