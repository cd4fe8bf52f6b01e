"""Fixtures of the HTTP API tests: the demo mesh with a private operational store, API tokens
for an admin, the owner of ``passengers.bookings``, a consumer (also an expired and a revoked
token of theirs), and a Starlette test client over the real routes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from catalog import LOCAL_USER, AdminConfig, Catalog, Principal, Settings, principal_for
from portal.api import api_routes

BOOKINGS = "passengers.bookings"
"""The demo product with a restricted port and personal data."""
PORT = "bookings"
"""Its output port."""
SENSITIVE = ("passenger_name", "email", "date_of_birth", "frequent_flyer_number", "fare_usd")
"""Its columns a consumer without a grant naming them sees masked."""
NO_ADMINS = AdminConfig()
OWNER = principal_for("sofia.rossi@skyport.example", "Sofia Rossi",
                      "sofia.rossi@skyport.example", admins=NO_ADMINS)
CONSUMER = principal_for("carl@elsewhere.example", "Carl Consumer", "carl@elsewhere.example",
                         admins=NO_ADMINS)
READER = principal_for("rita@elsewhere.example", "Rita Reader", "rita@elsewhere.example",
                       admins=NO_ADMINS)


@dataclass(frozen=True)
class ApiWorld:
    """The mesh, its catalog and one token per kind of caller.

    Attributes:
        settings: the demo mesh, its built data and a private operational store.
        catalog: a catalog over them.
        admin: token of the local-mode user (a governance admin).
        owner: token of the owner of ``passengers.bookings``.
        consumer: token of a consumer without any grant.
        reader: token of a consumer granted the bookings port (sensitive columns not named).
        expired: an expired token of the consumer.
        revoked: a revoked token of the consumer.
    """

    settings: Settings
    catalog: Catalog
    admin: str
    owner: str
    consumer: str
    reader: str
    expired: str
    revoked: str

    def auth(self, token: str) -> dict[str, str]:
        """The ``Authorization`` header of ``token``."""
        return {"Authorization": f"Bearer {token}"}


def expire(settings: Settings, token_id: str) -> None:
    """Make a token expired by moving its expiry into the past (as time would)."""
    with sqlite3.connect(settings.state_path) as conn:
        conn.execute("UPDATE api_tokens SET expires_at = ? WHERE id = ?",
                     ("2025-01-15T00:00:00", token_id))


def grant(catalog: Catalog, consumer: Principal, columns: tuple[str, ...] = ()) -> None:
    """Give ``consumer`` an approved access request on the bookings port."""
    request = catalog.request_access(consumer, BOOKINGS, [PORT],
                                     "Load factors per route for the network plan", 30, columns)
    catalog.decide_request(OWNER, request.id, True, "ok")


@pytest.fixture(scope="session")
def api_world(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[ApiWorld]:
    """The demo mesh (built once per session) with this package's own operational store."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("MESH_AUTH", "MESH_ADMINS", "MESH_ADMIN_GROUPS"):
            patch.delenv(name, raising=False)
        state = tmp_path_factory.mktemp("api-state") / "state.sqlite"
        settings = Settings(mesh_root=demo_settings.mesh_root, data_dir=demo_settings.data_dir,
                            state_db=state)
        catalog = Catalog(settings, recheck_seconds=0)
        catalog.run_quality(LOCAL_USER, "reference.airlines", trigger="cli")
        grant(catalog, READER)
        expired = catalog.create_token(CONSUMER, "old laptop", days=1)
        expire(settings, expired.id)
        revoked = catalog.create_token(CONSUMER, "lost laptop", days=1)
        catalog.revoke_token(CONSUMER, revoked.id)
        yield ApiWorld(settings, catalog,
                       admin=catalog.create_token(LOCAL_USER, "admin", days=1).secret,
                       owner=catalog.create_token(OWNER, "owner", days=1).secret,
                       consumer=catalog.create_token(CONSUMER, "consumer", days=1).secret,
                       reader=catalog.create_token(READER, "reader", days=1).secret,
                       expired=expired.secret, revoked=revoked.secret)


@pytest.fixture(scope="session")
def client(api_world: ApiWorld) -> Iterator[TestClient]:
    """A test client over the API's routes, calling ``api_world``'s catalog."""
    app = Starlette(routes=api_routes(lambda: api_world.catalog))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def extract_files(settings: Settings) -> list[Path]:
    """The extract files present in the data folder's temporary extracts folder."""
    folder = settings.data_dir / ".extracts"
    return sorted(folder.iterdir()) if folder.is_dir() else []
