"""Fixtures of the MCP tests: the built demo mesh with a state store of their own, people with
API tokens, and MCP clients over the real transports (a ``python -m catalog mcp`` process, and
the portal's server at ``/mcp``)."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from catalog import AdminConfig, Catalog, Principal, Settings, principal_for
from catalog.config import REPO_ROOT
from tests.e2e.conftest import serve_streamlit

NO_ADMINS = AdminConfig()
CONSUMER = principal_for("carla.consumer@example.com", "Carla Consumer", admins=NO_ADMINS)
"""A signed-in person with no team and no grant."""
BOOKINGS_OWNER = principal_for("sofia.rossi@skyport.example", "Sofia Rossi", admins=NO_ADMINS)
"""Owner of the demo product ``passengers.bookings`` (restricted port ``bookings``)."""
FLIGHTS_OWNER = principal_for("maria.lopez@skyport.example", "María López", admins=NO_ADMINS)
"""Owner of the demo product ``operations.flights`` (may run its quality checks)."""

CLEARED = ("MESH_API_TOKEN", "MESH_AUTH", "MESH_ADMINS", "MESH_ADMIN_GROUPS",
           "MESH_UPLOAD_LIMIT_MB", "MESH_TRUSTED_PROXIES")
"""Variables of the developer's environment that must not reach the servers."""


@dataclass(frozen=True)
class Mesh:
    """The demo mesh the MCP servers read, and the environment naming it."""

    settings: Settings

    @property
    def catalog(self) -> Catalog:
        """A catalog over the same mesh and state store as the servers."""
        return Catalog(self.settings, recheck_seconds=0)

    def env(self, **extra: str) -> dict[str, str]:
        """A server process's environment: this one's, the mesh's locations, and ``extra``."""
        env = {k: v for k, v in os.environ.items() if k not in CLEARED}
        env.update(MESH_ROOT=str(self.settings.mesh_root),
                   MESH_DATA_DIR=str(self.settings.data_dir),
                   MESH_STATE_DB=str(self.settings.state_path),
                   PYTHONPATH=str(REPO_ROOT))
        env.update(extra)
        return env

    def token(self, principal: Principal, name: str = "assistant") -> str:
        """A new API token's secret for ``principal``."""
        return self.catalog.create_token(principal, name).secret


@pytest.fixture(scope="module")
def mesh(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Mesh:
    """The built demo mesh with a fresh state store (tokens, requests, audit) for this module."""
    state = tmp_path_factory.mktemp("mcp-state") / "state.sqlite"
    return Mesh(Settings(mesh_root=demo_settings.mesh_root, data_dir=demo_settings.data_dir,
                         state_db=state))


def stdio_parameters(mesh: Mesh, token: str) -> StdioServerParameters:
    """How an assistant starts the stdio server: ``python -m catalog mcp`` with a token."""
    return StdioServerParameters(command=sys.executable, args=["-m", "catalog", "mcp"],
                                 env=mesh.env(MESH_API_TOKEN=token), cwd=str(REPO_ROOT))


@asynccontextmanager
async def http_client(url: str, token: str) -> AsyncIterator[Client]:
    """An MCP client of the streamable HTTP endpoint ``url``, sending ``token`` as bearer."""
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"},
                           timeout=httpx2.Timeout(30, read=120)) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def portal(mesh: Mesh, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real portal server (``streamlit run portal/server.py``) over the mesh."""
    log = tmp_path_factory.mktemp("mcp-server") / "streamlit.log"
    with serve_streamlit(Path(REPO_ROOT) / "portal" / "server.py", log,
                         env=mesh.env()) as url:
        yield url
