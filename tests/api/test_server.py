"""The API in the real server (``streamlit run portal/server.py``): beside the pages, health for
load balancers, a download by signed link with its file deleted afterwards, and schemathesis
over the OpenAPI document without a single server error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog import ExtractRequest, Settings
from tests.api.conftest import BOOKINGS, OWNER, PORT, ApiWorld, extract_files
from tests.e2e.conftest import serve_portal

SCHEMATHESIS_EXAMPLES = 8
"""Examples per operation: the run stays well under a minute."""


@pytest.fixture(scope="module")
def server(api_world: ApiWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real portal server over a copy of the demo manifests (so nothing a test
    sends can write into the repository), the built demo data and the tests' own store."""
    root = tmp_path_factory.mktemp("api-server")
    mesh = root / "domains"
    shutil.copytree(api_world.settings.mesh_root, mesh)
    settings = Settings(mesh_root=mesh, data_dir=api_world.settings.data_dir)
    env: dict[str, str | None] = {"MESH_STATE_DB": str(api_world.settings.state_path),
                                  "MESH_AUTH": None, "MESH_ADMINS": None,
                                  "MESH_ADMIN_GROUPS": None}
    with serve_portal(settings, root / "server.log", env=env) as url:
        yield url


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def test_pages_and_api_share_the_server(server: str, api_world: ApiWorld) -> None:
    assert _get(f"{server}/healthz")[2] == b'{"status":"ok"}'
    assert _get(f"{server}/_stcore/health")[0] == 200
    status, headers, body = _get(f"{server}/")
    assert status == 200 and b"<html" in body.lower()
    status, headers, body = _get(f"{server}/api/v1/products")
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthenticated"
    assert headers["www-authenticate"].startswith("Bearer")
    status, _, body = _get(f"{server}/api/v1/products?q=flights",
                           api_world.auth(api_world.consumer))
    assert status == 200 and json.loads(body)["total"] >= 1


def test_a_signed_link_downloads_and_the_file_is_deleted(server: str,
                                                         api_world: ApiWorld) -> None:
    link = api_world.catalog.sign_extract_link(OWNER, BOOKINGS, PORT,
                                               ExtractRequest(columns=("email",), limit=5), "csv")
    # a client that accepts gzip still gets the file as DuckDB wrote it (no recompression)
    status, headers, body = _get(server + link, {"Accept-Encoding": "gzip"})
    assert status == 200, body
    assert headers.get("content-encoding") == "identity"
    assert headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    lines = body.decode().splitlines()
    assert lines[0] == "email" and len(lines) == 6
    deadline = time.monotonic() + 10  # the server deletes it right after the last byte
    while extract_files(api_world.settings) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not extract_files(api_world.settings), "the file is gone once sent"
    status, _, body = _get(server + link.replace("sig=", "sig=x"))
    assert status == 401 and json.loads(body)["error"]["status"] == 401


def _schemathesis(server: str, token: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("schemathesis")), "run",
               f"{server}/api/v1/openapi.json", "--url", server,
               "--checks", "not_a_server_error", "--header", f"Authorization: Bearer {token}",
               "--max-examples", str(SCHEMATHESIS_EXAMPLES), "--seed", "2013",
               "--phases", "examples,fuzzing", "--request-timeout", "30",
               "--suppress-health-check", "all", "--no-color", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_schemathesis_finds_no_server_error(server: str, api_world: ApiWorld) -> None:
    """Every operation fuzzed as a consumer (who may register nothing, so nothing is
    published), and the read operations as an administrator."""
    consumer = _schemathesis(server, api_world.consumer)
    assert consumer.returncode == 0, consumer.stdout[-4000:] + consumer.stderr[-2000:]
    admin = _schemathesis(server, api_world.admin, "--include-method", "GET")
    assert admin.returncode == 0, admin.stdout[-4000:] + admin.stderr[-2000:]
