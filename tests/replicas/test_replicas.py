"""Several portal replicas on one shared state: two (and, for a crash, three) real portal
servers on different ports, sharing a PostgreSQL operational store and one manifest and data
folder, as a team deployment behind a load balancer runs them.

What is written through one replica must be read through the other within 5 seconds: access
requests, decisions and grants, a revocation, a quality run, a publish, an approval, a token's
revocation. Two replicas publishing the same product id at the same moment end with one
product and a clear message for the other. A replica killed in the middle of a request leaves
the others serving and the shared state whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from catalog import LOCAL_USER, Catalog, Settings, principal_for
from catalog.config import REPO_ROOT
from tests.api.conftest import BOOKINGS, CONSUMER, NO_ADMINS, OWNER, PORT
from tests.e2e.conftest import start_streamlit, stop
from tests.support import postgres

VISIBLE_WITHIN_S = 5.0
"""How soon a write on one replica must be read on another (seconds)."""
WEATHER_OWNER = principal_for("aiko.tanaka@skyport.example", "Aiko Tanaka",
                              "aiko.tanaka@skyport.example", admins=NO_ADMINS)
"""Owner of the demo's weather domain: registers a product there."""

Reply = tuple[int, Any]


@dataclass
class Replicas:
    """Two running replicas over one state, and tokens of the callers."""

    a: str
    b: str
    settings: Settings
    env: dict[str, str]
    catalog: Catalog
    admin: str
    owner: str
    consumer: str
    weather_owner: str


def call(base: str, method: str, path: str, token: str, body: Any = None,
         form: tuple[bytes, str] | None = None, timeout: float = 120) -> Reply:
    """One HTTP call; returns (status, parsed JSON body or raw text)."""
    headers = {"Authorization": f"Bearer {token}"}
    data: bytes | None = None
    if form is not None:
        data, content_type = form
        headers["Content-Type"] = content_type
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def eventually(check: Callable[[], bool], what: str) -> float:
    """Poll ``check`` until true; returns the seconds it took, fails after 5 s."""
    start = time.monotonic()
    while True:
        if check():
            return time.monotonic() - start
        if time.monotonic() - start > VISIBLE_WITHIN_S:
            pytest.fail(f"not visible on the other replica within {VISIBLE_WITHIN_S} s: {what}")
        time.sleep(0.1)


def registration_form(name: str) -> tuple[bytes, str]:
    """A multipart body registering ``weather.<name>`` from a small CSV of snow days."""
    answers = {"domain": "weather", "name": name, "product_type": "consumerAligned",
               "title": "Snow days at the NYC airports",
               "purpose": "Days with snow at Newark, JFK and LaGuardia (test data).",
               "usage": "One row per airport and day.",
               "owner": "aiko.tanaka@skyport.example", "owner_name": "Aiko Tanaka",
               "team_name": "Weather Insights Team", "support_channel": "#weather-data",
               "support_url": "https://chat.skyport.example/channels/weather-data",
               "tags": ["weather"]}
    rows = ["origin,day,snow_cm"] + [f"{o},2013-01-{d:02d},{d % 7}" for o in ("EWR", "JFK", "LGA")
                                    for d in range(1, 29)]
    boundary = "----replicas-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="answers"\r\n\r\n'
        f"{json.dumps(answers)}\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="dry_run"\r\n\r\nfalse\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="snow.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n" + "\n".join(rows) + "\n\r\n",
        f"--{boundary}--\r\n",
    ]
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def server_env(settings: Settings, state_url: str) -> dict[str, str]:
    """The environment of a replica: shared folders and store, local sign-in mode."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"MESH_AUTH", "MESH_ADMINS", "MESH_ADMIN_GROUPS", "MESH_STATE_DB"}}
    env.update(MESH_ROOT=str(settings.mesh_root), MESH_DATA_DIR=str(settings.data_dir),
               MESH_STATE_URL=state_url)
    return env


@pytest.fixture(scope="module")
def replicas(demo_settings: Settings, postgres_url: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    """Two replicas over a private copy of the demo mesh and data, on a new database."""
    root = tmp_path_factory.mktemp("replicas")
    shutil.copytree(demo_settings.mesh_root, root / "domains")
    shutil.copytree(demo_settings.data_dir, root / "data",
                    ignore=shutil.ignore_patterns("state.sqlite*", ".extracts", ".mesh-index"))
    state_url = postgres.create_database(postgres_url, "replicas")
    settings = Settings(mesh_root=root / "domains", data_dir=root / "data", state_url=state_url)
    env = server_env(settings, state_url)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("MESH_AUTH", "MESH_ADMINS", "MESH_ADMIN_GROUPS"):
            patch.delenv(name, raising=False)
        catalog = Catalog(settings, recheck_seconds=0)
        tokens = {name: catalog.create_token(who, name, days=1).secret
                  for name, who in (("admin", LOCAL_USER), ("owner", OWNER),
                                    ("consumer", CONSUMER), ("weather", WEATHER_OWNER))}
        with (root / "a.log").open("wb") as log_a, (root / "b.log").open("wb") as log_b:
            server = REPO_ROOT / "portal" / "server.py"
            a, process_a = start_streamlit(server, log_a, env=env)
            try:
                b, process_b = start_streamlit(server, log_b, env=env)
                try:
                    yield Replicas(a, b, settings, env, catalog, tokens["admin"],
                                   tokens["owner"], tokens["consumer"], tokens["weather"])
                finally:
                    stop(process_b)
            finally:
                stop(process_a)


def test_access_written_on_one_is_read_on_the_other(replicas: Replicas) -> None:
    r = replicas
    status, request = call(r.a, "POST", "/api/v1/access-requests", r.consumer, {
        "product_id": BOOKINGS, "ports": [PORT], "duration_days": 30,
        "purpose": "Load factors per route for the network plan"})
    assert status == 201, request
    eventually(lambda: any(q["id"] == request["id"] for q in call(
        r.b, "GET", "/api/v1/access-requests?scope=to_decide", r.owner)[1]["requests"]),
        "an access request filed on A, in the owner's queue on B")

    status, decided = call(r.b, "POST", f"/api/v1/access-requests/{request['id']}/decision",
                           r.owner, {"approve": True, "note": "ok"})
    assert status == 200 and decided["status"] == "approved", decided
    grants: list[dict[str, Any]] = []

    def granted() -> bool:
        grants[:] = [g for g in call(r.a, "GET", "/api/v1/grants", r.consumer)[1]["grants"]
                     if g["product_id"] == BOOKINGS and not g.get("revoked_at")]
        return bool(grants)

    eventually(granted, "a grant approved on B, among the consumer's grants on A")
    data = f"/api/v1/products/{BOOKINGS}/data.csv?limit=3"
    status, body = call(r.a, "GET", data, r.consumer)
    assert status == 200 and len(str(body).splitlines()) == 4, body

    status, revoked = call(r.a, "DELETE", f"/api/v1/grants/{grants[0]['id']}?note=done",
                           r.owner)
    assert status == 200, revoked
    eventually(lambda: call(r.b, "GET", data, r.consumer)[0] == 403,
               "a grant revoked on A, refused on B")


def test_quality_run_on_one_is_read_on_the_other(replicas: Replicas) -> None:
    r = replicas
    status, run = call(r.a, "POST", "/api/v1/products/reference.airlines/quality/runs", r.admin)
    assert status == 201, run
    run_id = run["run"]["run_id"]
    eventually(lambda: (call(r.b, "GET", "/api/v1/products/reference.airlines/quality",
                             r.consumer)[1].get("run") or {}).get("run_id") == run_id,
               "a quality run made on A, the latest run on B")


def test_publish_and_approval_on_one_are_read_on_the_other(replicas: Replicas) -> None:
    r = replicas
    status, body = call(r.a, "POST", "/api/v1/products", r.weather_owner,
                        form=registration_form("snow_days"))
    assert status == 201, body
    eventually(lambda: call(r.b, "GET", "/api/v1/products/weather.snow_days", r.consumer)[0]
               == 200, "a product published on A, readable on B")
    eventually(lambda: any(h["product"]["id"] == "weather.snow_days" for h in call(
        r.b, "GET", "/api/v1/products?q=snow", r.consumer)[1]["hits"]),
        "a product published on A, found by search on B")

    status, decision = call(r.a, "POST", "/api/v1/products/fleet.aircraft_utilisation/approval",
                            r.admin, {"approve": True})
    assert status == 200 and decision["new_status"] == "active", decision
    eventually(lambda: call(r.b, "GET", "/api/v1/products/fleet.aircraft_utilisation",
                            r.consumer)[1]["summary"]["status"] == "active",
               "an approval made on A, the product's status on B")
    status, audit = call(r.b, "GET", "/api/v1/audit?target=fleet.aircraft_utilisation", r.admin)
    assert status == 200 and any(e["action"] == "product.approved" for e in audit["events"])


def test_a_revoked_token_is_refused_everywhere(replicas: Replicas) -> None:
    r = replicas
    token = r.catalog.create_token(CONSUMER, "short-lived", days=1)
    for base in (r.a, r.b):
        assert call(base, "GET", "/api/v1/products?q=flights", token.secret)[0] == 200
    r.catalog.revoke_token(CONSUMER, token.id)
    for base in (r.a, r.b):
        eventually(lambda base=base: call(base, "GET", "/api/v1/products", token.secret)[0]
                   == 401, "a token revoked elsewhere, refused")


def test_two_replicas_publishing_one_id_end_with_one_product(replicas: Replicas) -> None:
    r = replicas
    replies: dict[str, Reply] = {}
    start = threading.Barrier(2)

    def publish(name: str, base: str) -> None:
        start.wait()
        replies[name] = call(base, "POST", "/api/v1/products", r.weather_owner,
                             form=registration_form("sleet_days"))

    threads = [threading.Thread(target=publish, args=item) for item in
               (("a", r.a), ("b", r.b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    statuses = sorted(status for status, _ in replies.values())
    assert statuses == [201, 409], replies
    [(_, loser)] = [reply for reply in replies.values() if reply[0] == 409]
    assert "weather.sleet_days" in loser["error"]["message"], loser
    products = [p for p in (r.settings.mesh_root / "weather").iterdir()
                if p.name.startswith("sleet_days")]
    assert [p.name for p in products] == ["sleet_days"]
    for base in (r.a, r.b):
        assert call(base, "GET", "/api/v1/products/weather.sleet_days", r.consumer)[0] == 200


def test_a_replica_killed_mid_request_leaves_the_others_whole(replicas: Replicas) -> None:
    r = replicas
    log = (r.settings.data_dir.parent / "c.log").open("wb")
    c, process = start_streamlit(REPO_ROOT / "portal" / "server.py", log, env=r.env)
    try:
        runs_before = call(r.a, "GET", "/api/v1/products/operations.flights/quality/history",
                           r.admin)[1]["runs"]
        killer = threading.Timer(0.5, lambda: os.kill(process.pid, signal.SIGKILL))
        killer.start()  # mid-way through a quality run over 336,776 flights
        with contextlib.suppress(OSError):  # the connection dies with the replica
            call(c, "POST", "/api/v1/products/operations.flights/quality/runs", r.admin,
                 timeout=60)
        killer.join()
        process.wait(timeout=30)
    finally:
        stop(process)
        log.close()
    for base in (r.a, r.b):
        status, found = call(base, "GET", "/api/v1/products?q=flights", r.consumer)
        assert status == 200 and found["total"] >= 1
    runs_after = call(r.b, "GET", "/api/v1/products/operations.flights/quality/history",
                      r.admin)[1]["runs"]
    assert len(runs_after) - len(runs_before) in {0, 1}
    latest = call(r.b, "GET", "/api/v1/products/operations.flights/quality", r.admin)[1]["run"]
    if latest is not None:  # a run is stored whole (all its checks) or not at all
        assert latest["results"] and len(latest["results"]) == sum(latest["counts"].values())
    status, request = call(r.a, "POST", "/api/v1/access-requests", r.consumer, {
        "product_id": BOOKINGS, "ports": [PORT], "duration_days": 7,
        "purpose": "After a replica died: still writable"})
    assert status == 201, request
    eventually(lambda: any(q["id"] == request["id"] for q in call(
        r.b, "GET", "/api/v1/access-requests?scope=to_decide", r.owner)[1]["requests"]),
        "a write after the crash, read on the other replica")

