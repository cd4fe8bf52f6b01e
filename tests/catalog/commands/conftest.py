"""Fixtures of the command-line tests: the fixture mesh as the environment names it, and a way
to run ``python -m catalog`` in-process as the local user or with an API token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from catalog import AdminConfig, Catalog, Principal, Settings, principal_for
from catalog.cli import main

NO_ADMINS = AdminConfig()
OWNER = principal_for("ana@shop.example", "Ana Silva", "ana@shop.example", admins=NO_ADMINS)
"""Owner of the fixture mesh's ``sales`` domain (and of ``sales.orders``)."""
PRODUCT_OWNER = principal_for("bo@shop.example", "Bo Chen", admins=NO_ADMINS)
"""Owner of ``sales.customers`` only (not of its domain)."""
CONSUMER = principal_for("carl@elsewhere.example", "Carl", admins=NO_ADMINS)
"""A signed-in person with no team."""

ENVIRONMENT = ("MESH_STATE_DB", "MESH_API_TOKEN", "MESH_AUTH", "MESH_ADMINS",
               "MESH_ADMIN_GROUPS", "MESH_UPLOAD_LIMIT_MB")
"""Variables cleared so the developer's environment cannot change a test."""


@dataclass(frozen=True)
class Result:
    """One command's exit code and output."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """Standard output parsed as JSON."""
        return json.loads(self.out)


@dataclass
class Cli:
    """Runs ``python -m catalog`` in-process over the fixture mesh."""

    settings: Settings
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def token(self, principal: Principal, name: str = "cli") -> str:
        """A new API token's secret for ``principal``, made in the mesh's state store."""
        return Catalog(self.settings).create_token(principal, name).secret

    def __call__(self, *argv: str, token: str | None = None) -> Result:
        """Run one command, with ``MESH_API_TOKEN`` set to ``token`` (unset when None)."""
        if token is None:
            self.monkeypatch.delenv("MESH_API_TOKEN", raising=False)
        else:
            self.monkeypatch.setenv("MESH_API_TOKEN", token)
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


@pytest.fixture()
def cli_settings(fixture_mesh: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The fixture mesh, named by ``MESH_ROOT`` and ``MESH_DATA_DIR`` as the CLI reads them."""
    monkeypatch.setenv("MESH_ROOT", str(fixture_mesh.mesh_root))
    monkeypatch.setenv("MESH_DATA_DIR", str(fixture_mesh.data_dir))
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return fixture_mesh


@pytest.fixture()
def cli(cli_settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run commands in-process: ``cli("grants", "--json", token=secret)``."""
    return Cli(cli_settings, monkeypatch, capsys)
