"""Every route of the HTTP API through Starlette's test client: with and without a token, with
an expired and a revoked one, as a consumer without a grant on a restricted port, as one with
a grant (masked columns), as the owner and as an admin; errors are JSON with the right status."""

from __future__ import annotations

import csv
import io
import re

import duckdb
import pytest
from starlette.testclient import TestClient

from catalog import MASK, Catalog
from portal.api import OPENAPI_PATH, OPERATIONS
from tests.api.conftest import (
    BOOKINGS,
    CONSUMER,
    OWNER,
    PORT,
    SENSITIVE,
    ApiWorld,
    extract_files,
)

FLIGHTS = "operations.flights"
AIRLINES = "reference.airlines"
PATH_VALUES = {"product_id": FLIGHTS, "port": "flights", "request_id": "1", "grant_id": "1"}


def _path(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], template)


def _error(response: object, status: int, code: str | None = None) -> str:
    """Assert a JSON error response; return its message."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/json"  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["status"] == status and error["message"]
    if code is not None:
        assert error["code"] == code
    assert "Traceback" not in error["message"] and "/work/" not in error["message"]
    return str(error["message"])


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# -- who is calling ------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.auth != "none"],
                         ids=lambda op: op.operation_id)
def test_every_route_needs_a_token(client: TestClient, op: object) -> None:
    response = client.request(op.method, _path(op.path))  # type: ignore[attr-defined]
    message = _error(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "My tokens" in message


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer " + "x" * 600, "token abc"])
def test_malformed_authorization_is_refused(client: TestClient, header: str) -> None:
    _error(client.get("/api/v1/products", headers={"Authorization": header}), 401)


def test_expired_revoked_and_unknown_tokens_say_which(client: TestClient,
                                                      api_world: ApiWorld) -> None:
    expired = _error(client.get("/api/v1/products", headers=api_world.auth(api_world.expired)),
                     401)
    assert "expired" in expired
    revoked = _error(client.get("/api/v1/products", headers=api_world.auth(api_world.revoked)),
                     401)
    assert "revoked" in revoked
    unknown = _error(client.get("/api/v1/products", headers=api_world.auth("mesh_nope")), 401)
    assert "unknown" in unknown
    for path in (f"/api/v1/products/{BOOKINGS}/data.csv",
                 f"/api/v1/products/{BOOKINGS}/data.parquet"):
        _error(client.get(path, headers=api_world.auth(api_world.revoked)), 401)


def test_health_and_openapi_need_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    document = client.get(OPENAPI_PATH).json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = {(m.upper(), p) for p, item in document["paths"].items() for m in item}
    assert documented == {(op.method, op.path) for op in OPERATIONS}
    for op in OPERATIONS:
        spec = document["paths"][op.path][op.method.lower()]
        assert spec["summary"] and spec["description"] and spec["responses"]
        assert ("401" in spec["responses"]) == (op.auth != "none")
        assert all(p["description"] for p in spec["parameters"])


# -- reading the catalog ---------------------------------------------------------------------
def test_search_pages_and_facets(client: TestClient, api_world: ApiWorld) -> None:
    auth = api_world.auth(api_world.consumer)
    everything = client.get("/api/v1/products", headers=auth).json()
    assert everything["total"] == len(api_world.catalog.all_products(CONSUMER))
    assert {f for f in everything["facets"]} == {"domain", "owner", "tag", "status",
                                                 "classification"}
    found = client.get("/api/v1/products", params={"q": "flihgts", "page_size": 1},
                       headers=auth).json()
    assert found["hits"][0]["product"]["id"] == FLIGHTS and len(found["hits"]) == 1
    two = client.get("/api/v1/products", params=[("domain", "operations"), ("domain", "weather"),
                                                 ("page", 2), ("page_size", 1)],
                     headers=auth).json()
    assert two["page"] == 2 and two["total"] >= 2
    assert all(h["product"]["domain"] in {"operations", "weather"} for h in two["hits"])
    beyond = client.get("/api/v1/products", params={"page": 999}, headers=auth).json()
    assert beyond["hits"] == [] and beyond["total"] == everything["total"]
    _error(client.get("/api/v1/products", params={"page_size": 101}, headers=auth), 400,
           "invalid_request")
    _error(client.get("/api/v1/products", params={"page": "two"}, headers=auth), 400)


def test_product_contracts_quality_and_lineage(client: TestClient, api_world: ApiWorld) -> None:
    auth = api_world.auth(api_world.consumer)
    product = client.get(f"/api/v1/products/{FLIGHTS}", headers=auth).json()
    assert product["summary"]["id"] == FLIGHTS
    assert product["document"]["kind"] == "DataProduct" and product["document"]["id"] == FLIGHTS
    assert [p["name"] for p in product["ports"]] == ["flights"]
    contracts = client.get(f"/api/v1/products/{FLIGHTS}/contracts", headers=auth).json()
    assert contracts["contracts"][0]["file_name"] == "flights.odcs.yaml"
    yaml = client.get(contracts["contracts"][0]["url"], headers=auth)
    assert yaml.headers["content-type"].startswith("application/yaml")
    assert "kind: DataContract" in yaml.text
    for response in (client.get(f"/api/v1/products/{FLIGHTS}/contracts/flights?format=json",
                                headers=auth),
                     client.get(f"/api/v1/products/{FLIGHTS}/contracts/flights",
                                headers={**auth, "Accept": "application/json"})):
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["kind"] == "DataContract"
    _error(client.get(f"/api/v1/products/{FLIGHTS}/contracts/nope", headers=auth), 404)
    _error(client.get(f"/api/v1/products/{FLIGHTS}/contracts/flights?format=xml",
                      headers=auth), 400)

    latest = client.get(f"/api/v1/products/{AIRLINES}/quality", headers=auth).json()
    assert latest["run"]["grade"] and latest["run"]["results"]
    # each rule in the same words as the Quality and Contract tabs (the rule-kind registry)
    by_id = {r["check_id"]: r for r in latest["run"]["results"]}
    assert all(r["sentence"] for r in by_id.values())
    key = next(r for r in by_id.values() if r["kind"] == "primaryKey")
    assert key["sentence"].startswith("Each row is identified by"), key["sentence"]
    history = client.get(f"/api/v1/products/{AIRLINES}/quality/history", headers=auth).json()
    assert history["runs"] and history["runs"][-1]["results"] is None

    up = client.get(f"/api/v1/products/{BOOKINGS}/upstream", headers=auth).json()
    assert [p["id"] for p in up["products"]] == [FLIGHTS]
    down = client.get(f"/api/v1/products/{FLIGHTS}/downstream", headers=auth).json()
    assert BOOKINGS in [p["id"] for p in down["products"]]
    assert BOOKINGS in product["downstream"]


@pytest.mark.parametrize("suffix", ["", "/contracts", "/quality", "/quality/history",
                                    "/upstream", "/downstream", "/data.csv", "/data.parquet"])
def test_an_unknown_product_is_a_json_404(client: TestClient, api_world: ApiWorld,
                                          suffix: str) -> None:
    message = _error(client.get(f"/api/v1/products/no.such{suffix}",
                                headers=api_world.auth(api_world.consumer)), 404, "not_found")
    assert "no.such" in message


def test_unknown_routes_and_methods_are_json(client: TestClient, api_world: ApiWorld) -> None:
    _error(client.get("/api/v1/nothing/here", headers=api_world.auth(api_world.admin)), 404)
    response = client.put("/api/v1/products", headers=api_world.auth(api_world.admin))
    _error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


def test_an_unexpected_error_is_a_generic_500(client: TestClient, api_world: ApiWorld,
                                              monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk /srv/secret/mesh.duckdb on fire")

    monkeypatch.setattr(Catalog, "search", boom)
    message = _error(client.get("/api/v1/products", headers=api_world.auth(api_world.consumer)),
                     500, "internal_error")
    assert "secret" not in message and "request id" in message
    assert "on fire" in caplog.text, "the details go to the log"


# -- data -----------------------------------------------------------------------------------
def test_a_restricted_port_needs_a_grant(client: TestClient, api_world: ApiWorld) -> None:
    for fmt in ("csv", "parquet"):
        message = _error(client.get(f"/api/v1/products/{BOOKINGS}/data.{fmt}",
                                    headers=api_world.auth(api_world.consumer)),
                         403, "permission_denied")
        assert "access request" in message
    assert not extract_files(api_world.settings)


def test_the_owner_reads_everything_in_clear(client: TestClient, api_world: ApiWorld) -> None:
    response = client.get(f"/api/v1/products/{BOOKINGS}/data.csv", params={"limit": 5},
                          headers=api_world.auth(api_world.owner))
    assert response.status_code == 200, response.text
    rows = _csv(response.text)
    assert len(rows) == 5 and all("@" in r["email"] for r in rows)
    assert not {r[c] for r in rows for c in SENSITIVE} & {MASK}


def test_masked_columns_stay_masked_in_csv_and_parquet(client: TestClient, api_world: ApiWorld,
                                                       tmp_path: object) -> None:
    auth = api_world.auth(api_world.reader)
    response = client.get(f"/api/v1/products/{BOOKINGS}/data.csv",
                          params={"limit": 20, "port": PORT}, headers=auth)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    # named after the data's period: 2013, 2013-07, 2013-01_2013-06, 2013-07-04 …
    assert re.search(r'filename="?passengers\.bookings-[\d.]+-\d{4}(-\d\d){0,2}'
                     r'(_\d{4}(-\d\d){1,2})?\.csv"', response.headers["content-disposition"])
    rows = _csv(response.text)
    assert len(rows) == 20
    assert {r[c] for r in rows for c in SENSITIVE} == {MASK}
    assert all(r["carrier"] != MASK for r in rows)

    parquet = client.get(f"/api/v1/products/{BOOKINGS}/data.parquet", params={"limit": 20},
                         headers=auth)
    assert parquet.status_code == 200, parquet.text
    assert parquet.content[:4] == b"PAR1"
    target = f"{tmp_path}/bookings.parquet"
    with open(target, "wb") as handle:
        handle.write(parquet.content)
    frame = duckdb.sql(f"SELECT * FROM read_parquet('{target}')").df()
    assert len(frame) == 20
    for column in SENSITIVE:
        assert set(frame[column].astype(str)) == {MASK}, column
    _error(client.get(f"/api/v1/products/{BOOKINGS}/data.csv",
                      params={"filter": "email:contains:a"}, headers=auth), 400)
    assert not extract_files(api_world.settings), "every extract file was deleted after sending"


def test_columns_filters_and_limit(client: TestClient, api_world: ApiWorld) -> None:
    auth = api_world.auth(api_world.consumer)
    response = client.get(f"/api/v1/products/{AIRLINES}/data.csv",
                          params=[("columns", "name,carrier"), ("filter", "carrier:equals:B6")],
                          headers=auth)
    assert response.status_code == 200, response.text
    assert list(csv.reader(io.StringIO(response.text))) == [["name", "carrier"],
                                                            ["JetBlue Airways", "B6"]]
    empty = client.get(f"/api/v1/products/{AIRLINES}/data.csv",
                       params=[("filter", "name:is_empty"), ("limit", "3")], headers=auth)
    assert empty.status_code == 200 and _csv(empty.text) == []
    for params in ({"filter": "carrier:like:B6"}, {"filter": "carrier:equals"},
                   {"columns": "nope"}, {"limit": "0"}, {"limit": "many"},
                   {"port": "nope"}):
        _error(client.get(f"/api/v1/products/{AIRLINES}/data.csv", params=params,
                          headers=auth), 400, "invalid_request")
    assert not extract_files(api_world.settings)


def test_a_signed_link_needs_no_token_and_cannot_be_altered(client: TestClient,
                                                             api_world: ApiWorld) -> None:
    from catalog import ExtractRequest

    link = api_world.catalog.sign_extract_link(OWNER, BOOKINGS, PORT,
                                               ExtractRequest(columns=("email",), limit=3), "csv")
    response = client.get(link)
    assert response.status_code == 200, response.text
    rows = _csv(response.text)
    assert len(rows) == 3 and all("@" in r["email"] for r in rows)
    _error(client.get(link.replace("limit=3", "limit=4")), 401, "unauthenticated")
    _error(client.get(link.replace("data.csv", "data.parquet")), 401)
    assert not extract_files(api_world.settings)


# -- access ---------------------------------------------------------------------------------
def test_request_decide_list_and_revoke(client: TestClient, api_world: ApiWorld) -> None:
    consumer, owner = api_world.auth(api_world.consumer), api_world.auth(api_world.owner)
    body = {"product_id": BOOKINGS, "ports": [PORT], "columns": ["email"],
            "purpose": "Load factors per route for the network plan", "duration_days": 7}
    created = client.post("/api/v1/access-requests", json=body, headers=consumer)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    mine = client.get("/api/v1/access-requests", headers=consumer).json()["requests"]
    assert request_id in [r["id"] for r in mine]
    queue = client.get("/api/v1/access-requests?scope=to_decide", headers=owner).json()
    assert request_id in [r["id"] for r in queue["requests"]]
    assert client.get("/api/v1/access-requests?scope=to_decide",
                      headers=consumer).json() == {"requests": []}
    _error(client.post(f"/api/v1/access-requests/{request_id}/decision",
                       json={"approve": True}, headers=consumer), 403, "permission_denied")
    decided = client.post(f"/api/v1/access-requests/{request_id}/decision",
                          json={"approve": True, "note": "ok"}, headers=owner)
    assert decided.status_code == 200 and decided.json()["status"] == "approved"

    grants = client.get("/api/v1/grants", headers=consumer).json()["grants"]
    grant = next(g for g in grants if g["request_id"] == request_id)
    assert grant["columns"] == ["email"] and grant["revoked_at"] is None
    rows = _csv(client.get(f"/api/v1/products/{BOOKINGS}/data.csv?limit=3",
                           headers=consumer).text)
    assert all("@" in r["email"] and r["passenger_name"] == MASK for r in rows)
    assert grant["id"] in [g["id"] for g in client.get(
        f"/api/v1/grants?product={BOOKINGS}", headers=owner).json()["grants"]]
    _error(client.get(f"/api/v1/grants?product={BOOKINGS}", headers=consumer), 403)
    _error(client.delete(f"/api/v1/grants/{grant['id']}", headers=consumer), 403)
    revoked = client.delete(f"/api/v1/grants/{grant['id']}?note=report+done", headers=owner)
    assert revoked.status_code == 200 and revoked.json()["note"] == "report done"
    _error(client.get(f"/api/v1/products/{BOOKINGS}/data.csv", headers=consumer), 403)


def test_access_errors(client: TestClient, api_world: ApiWorld) -> None:
    consumer, owner = api_world.auth(api_world.consumer), api_world.auth(api_world.owner)
    _error(client.post("/api/v1/access-requests", json={"product_id": BOOKINGS},
                       headers=consumer), 422, "validation_failed")
    _error(client.post("/api/v1/access-requests", content=b"{not json", headers=consumer),
           422)
    _error(client.post("/api/v1/access-requests", json={
        "product_id": BOOKINGS, "ports": ["nope"], "purpose": "A good long reason here"},
        headers=consumer), 400)
    _error(client.post("/api/v1/access-requests/999999/decision", json={"approve": True},
                       headers=owner), 404)
    _error(client.post("/api/v1/access-requests/abc/decision", json={"approve": True},
                       headers=owner), 400)
    _error(client.delete("/api/v1/grants/999999", headers=owner), 404)
    _error(client.get("/api/v1/access-requests?scope=all", headers=owner), 400)


# -- audit ----------------------------------------------------------------------------------
def test_audit_is_for_admins(client: TestClient, api_world: ApiWorld) -> None:
    _error(client.get("/api/v1/audit", headers=api_world.auth(api_world.consumer)), 403)
    extract = client.get(f"/api/v1/products/{BOOKINGS}/data.csv", params={"limit": 3},
                         headers=api_world.auth(api_world.owner))
    assert extract.status_code == 200, extract.text  # an extract of its own: audited
    events = client.get("/api/v1/audit", params={"action": "data.extracted", "limit": 50},
                        headers=api_world.auth(api_world.admin)).json()["events"]
    assert events and all(e["action"] == "data.extracted" for e in events)
    assert {"port", "columns", "rows"} <= set(events[0]["detail"])
    _error(client.get("/api/v1/audit", params={"since": "yesterday"},
                      headers=api_world.auth(api_world.admin)), 400)
