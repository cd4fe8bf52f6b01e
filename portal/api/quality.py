"""``/api/v1/products/{id}/quality``: the latest quality run and the history of runs."""

from __future__ import annotations

from starlette.responses import Response

from portal.api.operation import API_PREFIX, ApiCall, Operation, Reply, json_model
from portal.api.params import PRODUCT_ID
from portal.api.schemas import LatestQuality, QualityHistory, QualityRunOut


async def latest(call: ApiCall) -> Response:
    """The product's latest stored run with every check's result."""
    principal = await call.principal()
    product_id = call.path("product_id")
    run = await call.run(call.catalog.latest_quality, principal, product_id)
    return json_model(LatestQuality(product_id=product_id,
                                    run=QualityRunOut.from_run(run) if run else None))


async def history(call: ApiCall) -> Response:
    """The product's stored runs, oldest first, without their results."""
    principal = await call.principal()
    product_id = call.path("product_id")
    runs = await call.run(call.catalog.quality_history, principal, product_id)
    return json_model(QualityHistory(
        product_id=product_id, runs=[QualityRunOut.from_run(r, with_results=False)
                                     for r in runs]))


OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/quality", "getQuality",
              "Latest quality run", "The score, grade and every check's result of the "
              "product's most recent quality run (null when it has none).", "quality", latest,
              params=[PRODUCT_ID], replies=[Reply(200, "The latest run.", LatestQuality)]),
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/quality/history",
              "getQualityHistory", "Quality history", "Every stored run of the product, "
              "oldest first, with score, grade and counts per status (no per-check results).",
              "quality", history, params=[PRODUCT_ID],
              replies=[Reply(200, "The runs.", QualityHistory)]),
]
"""The quality routes."""
