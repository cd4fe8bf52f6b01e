"""``/api/v1/products/{id}/upstream`` and ``/downstream``: one step of lineage."""

from __future__ import annotations

from starlette.responses import Response

from portal.api.operation import API_PREFIX, ApiCall, Operation, Reply, json_model
from portal.api.params import PRODUCT_ID
from portal.api.schemas import Lineage, ProductSummary


async def upstream(call: ApiCall) -> Response:
    """The products this product is built from."""
    principal = await call.principal()
    product_id = call.path("product_id")
    products = await call.run(call.catalog.upstream, principal, product_id)
    return json_model(Lineage(product_id=product_id, direction="upstream",
                              products=[ProductSummary.from_product(p) for p in products]))


async def downstream(call: ApiCall) -> Response:
    """The products built from this product."""
    principal = await call.principal()
    product_id = call.path("product_id")
    products = await call.run(call.catalog.downstream, principal, product_id)
    return json_model(Lineage(product_id=product_id, direction="downstream",
                              products=[ProductSummary.from_product(p) for p in products]))


OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/upstream", "getUpstream",
              "Products it is built from", "The products named by its input ports.",
              "lineage", upstream, params=[PRODUCT_ID],
              replies=[Reply(200, "The upstream products.", Lineage)]),
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/downstream", "getDownstream",
              "Products built from it", "The products whose input ports read it.",
              "lineage", downstream, params=[PRODUCT_ID],
              replies=[Reply(200, "The downstream products.", Lineage)]),
]
"""The lineage routes."""
