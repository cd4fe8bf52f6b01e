"""``/api/v1/products``: search the catalog and read one product's description."""

from __future__ import annotations

from starlette.responses import Response

from catalog import FACETS, SearchQuery
from portal.api.operation import API_PREFIX, ApiCall, Operation, Param, Reply, json_model
from portal.api.params import PRODUCT_ID
from portal.api.schemas import (
    FacetValue,
    PortSummary,
    ProductDetail,
    ProductHit,
    ProductPage,
    ProductSummary,
)

MAX_PAGE_SIZE = 100
"""Most products one page may hold."""
DEFAULT_PAGE_SIZE = 20
"""Products per page when ``page_size`` is not given."""
MAX_PAGE = 100_000
"""Highest page number accepted."""


async def list_products(call: ApiCall) -> Response:
    """Search products: free text ``q`` plus facet filters, one page of hits and the facets."""
    principal = await call.principal()
    query = SearchQuery(text=call.query("q") or "",
                        **{f: tuple(dict.fromkeys(call.query_all(f))) for f in FACETS})
    page = call.query_int("page", 1, 1, MAX_PAGE)
    size = call.query_int("page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    result = await call.run(call.catalog.search, principal, query)
    window = result.hits[(page - 1) * size: page * size]
    found = await call.run(call.catalog.products, principal, [h.product_id for h in window])
    products = {p.id: p for p in found}
    return json_model(ProductPage(
        total=len(result.hits), page=page, page_size=size, partial=result.partial,
        hits=[ProductHit.from_hit(h, products[h.product_id]) for h in window
              if h.product_id in products],
        facets={f: [FacetValue(value=v, count=c) for v, c in counts]
                for f, counts in result.facets.items()}))


async def get_product(call: ApiCall) -> Response:
    """One product: summary, ports, lineage ids and its ODPS document."""
    principal = await call.principal()
    product_id = call.path("product_id")
    product = await call.run(call.catalog.product, principal, product_id)
    upstream = await call.run(call.catalog.upstream, principal, product_id)
    downstream = await call.run(call.catalog.downstream, principal, product_id)
    return json_model(ProductDetail(
        summary=ProductSummary.from_product(product),
        ports=[PortSummary.from_port(p) for p in product.output_ports],
        upstream=[p.id for p in upstream], downstream=[p.id for p in downstream],
        document=product.document.model_dump(mode="json", by_alias=True, exclude_none=True)))


_FACET_PARAMS = [
    Param(f, "query", f"Keep products whose {f} is one of these values (repeat the parameter "
          "for several).", repeated=True) for f in FACETS
]

OPERATIONS = [
    Operation(
        "GET", f"{API_PREFIX}/products", "listProducts", "Search data products",
        "Free-text search over names, titles, descriptions, tags, column names and owners "
        "(typo-tolerant, exact name matches first), narrowed by facets; returns one page of "
        "hits, the total and the facet counts.", "products", list_products,
        params=[Param("q", "query", "Free text to search for; every product when empty."),
                *_FACET_PARAMS,
                Param("page", "query", "Page number, from 1.",
                      {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
                Param("page_size", "query", f"Products per page, at most {MAX_PAGE_SIZE}.",
                      {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                       "default": DEFAULT_PAGE_SIZE})],
        replies=[Reply(200, "A page of results.", ProductPage)]),
    Operation(
        "GET", f"{API_PREFIX}/products/{{product_id}}", "getProduct", "Read a data product",
        "The product's summary, output ports, upstream and downstream product ids and its "
        "whole ODPS document as JSON.", "products", get_product, params=[PRODUCT_ID],
        replies=[Reply(200, "The product.", ProductDetail)]),
]
"""The product routes."""
