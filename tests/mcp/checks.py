"""The checks both transports must pass, written once against an MCP client."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent

from catalog import Catalog, PermissionDenied, Principal

TOOLS = {"search_products", "get_product", "get_contract", "get_quality", "get_lineage",
         "preview_data", "extract_data", "request_access", "my_access"}
"""Every tool the server offers."""

RESTRICTED_PRODUCT = "passengers.bookings"
"""Demo product whose only port is restricted (personal data, synthetic)."""
OPEN_PRODUCT = "reference.airlines"
"""Demo product whose port every signed-in user may read."""


def run_async(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run an async scenario on a thread of its own: in a full test run the sync Playwright
    API of the browser tests keeps an event loop running in the main thread, where
    ``anyio.run`` would refuse to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, scenario).result()


def text(result: CallToolResult) -> str:
    """The text of a tool result's first content block."""
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


def data(result: CallToolResult) -> Any:
    """A successful structured tool result, parsed."""
    assert not result.is_error, text(result)
    return json.loads(text(result))


async def lists_the_tools(client: Client) -> None:
    """Every tool is offered, described, with typed parameters."""
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    assert all(t.description and len(t.description) > 40 for t in tools.values())
    extract = tools["extract_data"].input_schema["properties"]
    assert extract["max_rows"]["maximum"] == 10_000
    assert tools["preview_data"].input_schema["properties"]["rows"]["maximum"] == 100
    assert tools["get_product"].input_schema["required"] == ["product_id"]
    assert tools["request_access"].annotations is not None
    assert tools["request_access"].annotations.read_only_hint is False
    assert tools["search_products"].annotations is not None
    assert tools["search_products"].annotations.read_only_hint is True


async def searches(client: Client) -> None:
    """A search finds the airline codes and offers facets to narrow it."""
    found = data(await client.call_tool("search_products", {"query": "airline names",
                                                            "limit": 5}))
    assert found["products"][0]["id"] == OPEN_PRODUCT
    assert len(found["products"]) <= 5
    assert {"domain", "tag", "status"} <= set(found["facets"])
    narrowed = data(await client.call_tool("search_products", {
        "query": "", "facets": {"domain": ["passengers"]}}))
    assert [p["id"] for p in narrowed["products"]] == [RESTRICTED_PRODUCT]


async def reads_a_product_and_its_contract(client: Client) -> None:
    """The product summary names its restricted port; the contract comes back as YAML."""
    product = data(await client.call_tool("get_product", {"product_id": RESTRICTED_PRODUCT}))
    assert product["owner"] == "Sofia Rossi"
    assert product["domain"] == "passengers"
    assert [(p["name"], p["access"]) for p in product["ports"]] == [("bookings", "restricted")]
    contract = await client.call_tool("get_contract", {"product_id": OPEN_PRODUCT})
    assert not contract.is_error
    assert "kind: DataContract" in text(contract)
    assert "id: reference.airlines.airlines" in text(contract)
    lineage = data(await client.call_tool("get_lineage", {"product_id": OPEN_PRODUCT}))
    assert "operations.daily_carrier_performance" in [p["id"] for p in lineage["downstream"]]


async def refuses_data_without_a_grant(client: Client, catalog: Catalog,
                                       principal: Principal) -> None:
    """A restricted port's data is refused with the core's own words; an open one is shown."""
    try:
        catalog.extract_csv(principal, RESTRICTED_PRODUCT)
    except PermissionDenied as err:
        expected = str(err)
    else:  # pragma: no cover - the demo mesh restricts this port
        raise AssertionError("the core let a consumer extract a restricted port")
    refused = await client.call_tool("extract_data", {"product_id": RESTRICTED_PRODUCT})
    assert refused.is_error
    assert text(refused) == expected
    preview = await client.call_tool("preview_data", {"product_id": RESTRICTED_PRODUCT})
    assert preview.is_error and text(preview) == expected
    shown = data(await client.call_tool("preview_data", {"product_id": OPEN_PRODUCT,
                                                         "rows": 5}))
    assert shown["columns"] == ["carrier", "name"]
    assert len(shown["rows"]) == 5 and shown["masked_columns"] == []
    missing = await client.call_tool("get_product", {"product_id": "nowhere.nothing"})
    assert missing.is_error and "There is no data product with id 'nowhere.nothing'" in text(
        missing)
