"""The MCP server over stdio, as an assistant starts it: ``python -m catalog mcp`` with an API
token in ``MESH_API_TOKEN``, driven by the SDK's client over the process's stdin/stdout."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from mcp import Client

from catalog import MASK
from catalog.config import REPO_ROOT
from tests.mcp import checks
from tests.mcp.conftest import (
    BOOKINGS_OWNER,
    CONSUMER,
    FLIGHTS_OWNER,
    Mesh,
    stdio_parameters,
)


def test_lists_searches_and_reads(mesh: Mesh) -> None:
    token = mesh.token(CONSUMER)

    async def scenario() -> None:
        async with Client(stdio_parameters(mesh, token)) as client:
            await checks.lists_the_tools(client)
            await checks.searches(client)
            await checks.reads_a_product_and_its_contract(client)

    checks.run_async(scenario)


def test_data_within_the_callers_rights(mesh: Mesh) -> None:
    token = mesh.token(CONSUMER)

    async def scenario() -> None:
        async with Client(stdio_parameters(mesh, token)) as client:
            await checks.refuses_data_without_a_grant(client, mesh.catalog, CONSUMER)

    checks.run_async(scenario)


def test_access_requested_by_the_assistant_opens_the_data_once_approved(mesh: Mesh) -> None:
    """The assistant asks, the owner approves in the portal (the core here), the extract then
    works with the sensitive columns the grant does not name masked; a revoked token stops the
    very next call."""
    consumer = CONSUMER
    token = mesh.token(consumer, "access flow")

    async def scenario() -> None:
        async with Client(stdio_parameters(mesh, token)) as client:
            asked = checks.data(await client.call_tool("request_access", {
                "product_id": checks.RESTRICTED_PRODUCT, "ports": ["bookings"],
                "purpose": "Fare mix per route for the pricing review", "days": 30}))
            assert asked["status"] == "pending" and asked["duration_days"] == 30
            mesh.catalog.decide_request(BOOKINGS_OWNER, asked["id"], approve=True)
            mine = checks.data(await client.call_tool("my_access", {}))
            assert [r["status"] for r in mine["requests"]] == ["approved"]
            assert [(g["port"], g["status"]) for g in mine["grants"]] == [("bookings", "active")]
            extract = checks.data(await client.call_tool("extract_data", {
                "product_id": checks.RESTRICTED_PRODUCT, "max_rows": 25,
                "filters": [{"column": "origin", "op": "equals", "value": "JFK"}]}))
            rows = list(csv.DictReader(io.StringIO(extract["csv"])))
            assert extract["rows"] == len(rows) == 25
            assert extract["truncated"] and extract["matching_rows"] > 25
            assert extract["full_extract"].startswith(
                "/api/v1/products/passengers.bookings/data.csv?")
            assert {r["origin"] for r in rows} == {"JFK"}
            masked = mesh.catalog.masked_columns(consumer, checks.RESTRICTED_PRODUCT)
            assert masked and extract["masked_columns"] == masked
            assert all(row[c] == MASK for row in rows for c in masked)
            token_id = next(t.id for t in mesh.catalog.tokens(consumer)
                            if t.name == "access flow")
            mesh.catalog.revoke_token(consumer, token_id)
            refused = await client.call_tool("my_access", {})
            assert refused.is_error and "revoked" in checks.text(refused)

    checks.run_async(scenario)


def test_quality_in_sentences(mesh: Mesh) -> None:
    """After a run (by the product's owner, in the core), the assistant reads the score, the
    grade and each broken rule as the portal words it."""
    run = mesh.catalog.run_quality(FLIGHTS_OWNER, "operations.flights")
    token = mesh.token(CONSUMER)

    async def scenario() -> None:
        async with Client(stdio_parameters(mesh, token)) as client:
            report = checks.data(await client.call_tool("get_quality",
                                                        {"product_id": "operations.flights"}))
            product = checks.data(await client.call_tool("get_product",
                                                         {"product_id": "operations.flights"}))
            never = checks.data(await client.call_tool("get_quality",
                                                       {"product_id": "weather.daily_conditions"}))
        assert report["checked"] and report["grade"] == run.score.grade
        assert report["score"] == run.score.value
        assert report["counts"] == run.counts()
        broken = [r for r in run.results if str(r.status) in ("failed", "warning", "error")]
        assert len(report["failed_checks"]) == len(broken) > 0
        assert all(" — " in c["sentence"] for c in report["failed_checks"])
        assert product["quality"]["grade"] == run.score.grade
        # the verdict every door shows: when it ran, and whether it is stale (a fresh run: no)
        assert report["checked_at"] and report["stale"] is False and report["verdict"]
        assert never == {"product_id": "weather.daily_conditions", "checked": False,
                         "score": None, "grade": None, "as_of": None, "checked_at": None,
                         "stale": False, "stale_reasons": [], "verdict": "", "counts": {},
                         "failed_checks": []}

    checks.run_async(scenario)


def _start(mesh: Mesh, token: str | None) -> subprocess.CompletedProcess[str]:
    env = mesh.env() if token is None else mesh.env(MESH_API_TOKEN=token)
    return subprocess.run([sys.executable, "-m", "catalog", "mcp"], env=env, cwd=REPO_ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_refuses_to_start_without_a_valid_token(mesh: Mesh) -> None:
    missing = _start(mesh, None)
    assert missing.returncode == 2 and missing.stdout == ""
    assert "set MESH_API_TOKEN to an API token" in missing.stderr
    unknown = _start(mesh, "mesh_not-a-real-token")
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "MESH_API_TOKEN was refused" in unknown.stderr
    token = mesh.catalog.create_token(CONSUMER, "revoked at once")
    mesh.catalog.revoke_token(CONSUMER, token.id)
    revoked = _start(mesh, token.secret)
    assert revoked.returncode == 2 and "revoked" in revoked.stderr
