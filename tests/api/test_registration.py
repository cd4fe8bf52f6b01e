"""Registration and import through the HTTP API, on a writable copy of the fixture mesh: a dry
run publishes nothing, a registration publishes once (the second is refused), strangers are
refused by the catalog, bad answers and bad forms are JSON 4xx errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from catalog import LOCAL_USER, Catalog, Settings, principal_for
from portal.api import api_routes
from tests.api.conftest import NO_ADMINS
from tests.catalog.registration.conftest import basics, orders_csv
from tests.catalog.registration.test_service import CONTRACT

STRANGER = principal_for("zoe@elsewhere.example", "Zoe", admins=NO_ADMINS)


@pytest.fixture()
def writable(fixture_mesh: Settings) -> Iterator[tuple[TestClient, Catalog, str, str]]:
    """A client over a private copy of the fixture mesh; tokens of an admin and a stranger."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MESH_AUTH", raising=False)
        catalog = Catalog(fixture_mesh, recheck_seconds=0)
        admin = catalog.create_token(LOCAL_USER, "admin", days=1).secret
        stranger = catalog.create_token(STRANGER, "stranger", days=1).secret
        app = Starlette(routes=api_routes(lambda: catalog))
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, catalog, admin, stranger


def _register(client: TestClient, token: str, dry_run: bool, **answers: object
              ) -> object:
    values = basics().model_dump()
    values.update(answers)
    return client.post("/api/v1/products", headers={"Authorization": f"Bearer {token}"},
                       files={"file": ("returns.csv", orders_csv(), "text/csv")},
                       data={"answers": json.dumps(values), "dry_run": str(dry_run).lower()})


def test_dry_run_then_register_then_conflict(writable: tuple[TestClient, Catalog, str, str]
                                             ) -> None:
    client, catalog, admin, _ = writable
    dry = _register(client, admin, True)
    assert dry.status_code == 200, dry.text  # type: ignore[attr-defined]
    body = dry.json()  # type: ignore[attr-defined]
    assert body["dry_run"] and body["published"] is None and body["problems"] == []
    assert body["odcs"]["kind"] == "DataContract" and body["checks"]
    assert not (catalog.settings.mesh_root / "sales" / "returns").exists()

    done = _register(client, admin, False)
    assert done.status_code == 201, done.text  # type: ignore[attr-defined]
    published = done.json()["published"]  # type: ignore[attr-defined]
    assert published["product_id"] == "sales.returns" and published["rows"] == 200
    assert all("/" not in f for f in published["files"]), "file names, never host paths"
    assert catalog.product(LOCAL_USER, "sales.returns")

    again = _register(client, admin, False)
    assert again.status_code in {409, 422}, again.text  # type: ignore[attr-defined]
    assert again.json()["error"]["message"]  # type: ignore[attr-defined]


def test_registration_refusals_are_json(writable: tuple[TestClient, Catalog, str, str]) -> None:
    client, _, admin, stranger = writable
    refused = _register(client, stranger, True)
    assert refused.status_code == 403  # type: ignore[attr-defined]
    assert "team" in refused.json()["error"]["message"]  # type: ignore[attr-defined]
    bad_name = _register(client, admin, False, name="Bad Name", purpose="short")
    assert bad_name.status_code == 422  # type: ignore[attr-defined]
    error = bad_name.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "registration_refused"
    assert any(d["message"].startswith("name: ") for d in error["details"])
    unknown_field = _register(client, admin, True, colour="blue")
    assert unknown_field.status_code == 422  # type: ignore[attr-defined]
    assert unknown_field.json()["error"]["code"] == "validation_failed"  # type: ignore[attr-defined]
    auth = {"Authorization": f"Bearer {admin}"}
    no_file = client.post("/api/v1/products", headers=auth, data={"answers": "{}"})
    assert no_file.status_code == 400 and "file" in no_file.json()["error"]["message"]
    not_multipart = client.post("/api/v1/products", headers=auth, json={"answers": {}})
    assert not_multipart.status_code == 400
    two_files = client.post("/api/v1/products", headers=auth, files=[
        ("file", ("a.csv", b"a\n1\n", "text/csv")), ("file", ("b.csv", b"a\n1\n", "text/csv"))])
    assert two_files.status_code == 400 and two_files.json()["error"]["status"] == 400


def test_import_dry_run_and_publish(writable: tuple[TestClient, Catalog, str, str]) -> None:
    client, catalog, admin, stranger = writable
    auth = {"Authorization": f"Bearer {admin}"}
    form = {"domain": "sales", "name": "returns"}
    files = {"files": ("returns.odcs.yaml", CONTRACT.encode(), "application/yaml")}
    dry = client.post("/api/v1/imports", headers=auth, files=files,
                      data={**form, "dry_run": "true"})
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and not dry.json()["published"]
    assert dry.json()["product_id"] == "sales.returns"
    refused = client.post("/api/v1/imports", headers={"Authorization": f"Bearer {stranger}"},
                          files=files, data=form)
    assert refused.status_code == 403
    broken = client.post("/api/v1/imports", headers=auth, data=form, files={
        "files": ("returns.odcs.yaml", CONTRACT.replace("schema:", "schema: [").encode())})
    assert broken.status_code == 422
    error = broken.json()["error"]
    assert error["code"] == "document_rejected" and error["details"][0]["file"]
    assert "/tmp" not in broken.text
    if dry.json()["problems"]:
        return  # the domain's policies block a real import; the dry run said why
    done = client.post("/api/v1/imports", headers=auth, files=files, data=form)
    assert done.status_code == 201, done.text
    assert catalog.product(LOCAL_USER, "sales.returns")
    assert client.post("/api/v1/imports", headers=auth, files=files,
                       data=form).status_code == 409
