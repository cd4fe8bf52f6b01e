"""The MCP server over streamable HTTP at ``/mcp`` on the portal's real server
(``streamlit run portal/server.py``), each request authenticated by its bearer token."""

from __future__ import annotations

import httpx2

from tests.mcp import checks
from tests.mcp.conftest import CONSUMER, Mesh, http_client

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                         "clientInfo": {"name": "test", "version": "0"}}}
HEADERS = {"Accept": "application/json, text/event-stream"}


def _post(url: str, token: str | None) -> httpx2.Response:
    headers = dict(HEADERS)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx2.post(url, json=INITIALIZE, headers=headers, timeout=30)


def test_401_without_a_valid_token(portal: str, mesh: Mesh) -> None:
    url = f"{portal}/mcp"
    missing = _post(url, None)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = _post(url, "mesh_not-a-real-token")
    assert unknown.status_code == 401
    assert "unknown" in unknown.json()["error_description"]
    token = mesh.catalog.create_token(CONSUMER, "revoked")
    assert _post(url, token.secret).status_code == 200
    mesh.catalog.revoke_token(CONSUMER, token.id)
    revoked = _post(url, token.secret)
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error_description"]


def test_tools_over_http(portal: str, mesh: Mesh) -> None:
    token = mesh.token(CONSUMER)

    async def scenario() -> None:
        async with http_client(f"{portal}/mcp", token) as client:
            await checks.lists_the_tools(client)
            await checks.searches(client)
            await checks.reads_a_product_and_its_contract(client)
            await checks.refuses_data_without_a_grant(client, mesh.catalog, CONSUMER)
            mine = checks.data(await client.call_tool("my_access", {}))
            assert mine["user"] == CONSUMER.username

    checks.run_async(scenario)


def test_the_pages_are_still_served(portal: str) -> None:
    assert httpx2.get(f"{portal}/_stcore/health", timeout=30).status_code == 200
    assert httpx2.get(f"{portal}/healthz", timeout=30).status_code == 200
