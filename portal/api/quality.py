"""``/api/v1/products/{id}/quality``: the latest quality run, the history of runs, and running
the checks now (for the product's team and admins; the catalog decides)."""

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
    verdict = await call.run(call.catalog.verdict, principal, product_id, run)
    return json_model(LatestQuality(product_id=product_id,
                                    run=QualityRunOut.from_run(run) if run else None,
                                    stale=verdict.stale,
                                    stale_reasons=list(verdict.stale_reasons),
                                    verdict=verdict.sentence()))


async def history(call: ApiCall) -> Response:
    """The product's stored runs, oldest first, without their results."""
    principal = await call.principal()
    product_id = call.path("product_id")
    runs = await call.run(call.catalog.quality_history, principal, product_id)
    return json_model(QualityHistory(
        product_id=product_id, runs=[QualityRunOut.from_run(r, with_results=False)
                                     for r in runs]))


async def run_now(call: ApiCall) -> Response:
    """Run every check of the product on its data now, store the run; 201 with it."""
    principal = await call.principal()
    product_id = call.path("product_id")
    run = await call.run(call.catalog.run_quality, principal, product_id, "api")
    verdict = await call.run(call.catalog.verdict, principal, product_id, run)
    return json_model(LatestQuality(product_id=product_id, run=QualityRunOut.from_run(run),
                                    stale=verdict.stale,
                                    stale_reasons=list(verdict.stale_reasons),
                                    verdict=verdict.sentence()), status=201)


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
    Operation("POST", f"{API_PREFIX}/products/{{product_id}}/quality/runs", "runQuality",
              "Run the checks now", "Run every check of the product's contracts on its data "
              "now and store the run (for the product's or its domain's team, and governance "
              "admins). Takes as long as the checks do.", "quality", run_now,
              params=[PRODUCT_ID], replies=[Reply(201, "The new run.", LatestQuality)]),
]
"""The quality routes."""
