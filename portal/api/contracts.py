"""``/api/v1/products/{id}/contracts``: the ODCS data contracts of a product's output ports."""

from __future__ import annotations

import json

from starlette.responses import Response

from catalog import InvalidRequest
from portal.api.errors import json_error
from portal.api.operation import API_PREFIX, ApiCall, Operation, Param, Reply, json_model
from portal.api.params import PRODUCT_ID
from portal.api.schemas import ContractInfo, ContractList

YAML = "application/yaml"
"""Media type of a contract as stored."""
JSON = "application/json"
"""Media type of a contract converted to JSON."""


def wants_json(format_param: str | None, accept: str) -> bool:
    """Whether the client asked for JSON rather than the stored YAML.

    Args:
        format_param: the ``format`` query parameter (``json`` or ``yaml``), None when absent.
        accept: the ``Accept`` header (``""`` when absent).

    Returns:
        True for ``format=json``, or, without ``format``, an ``Accept`` header naming JSON and
        no YAML type.

    Raises:
        catalog.InvalidRequest: ``format`` is neither ``json`` nor ``yaml``.
    """
    if format_param is not None:
        fmt = format_param.lower()
        if fmt not in {"json", "yaml"}:
            raise InvalidRequest(f"'format' must be json or yaml, not '{format_param[:40]}'.")
        return fmt == "json"
    accept = accept.lower()
    return "json" in accept and "yaml" not in accept


async def list_contracts(call: ApiCall) -> Response:
    """The contract of each output port, with the path to read it."""
    principal = await call.principal()
    product = await call.run(call.catalog.product, principal, call.path("product_id"))
    base = f"{API_PREFIX}/products/{product.id}/contracts"
    return json_model(ContractList(product_id=product.id, contracts=[
        ContractInfo(port=p.name, contract_id=p.contract_id, version=p.version,
                     file_name=p.contract_file.name if p.contract_file else None,
                     url=f"{base}/{p.name}") for p in product.output_ports]))


async def get_contract(call: ApiCall) -> Response:
    """One port's contract: the stored YAML file, or the same document as JSON."""
    principal = await call.principal()
    as_json = wants_json(call.query("format"), call.request.headers.get("accept", ""))
    product = await call.run(call.catalog.product, principal, call.path("product_id"))
    name = call.path("port")
    port = next((p for p in product.output_ports if p.name == name), None)
    if port is None or port.contract_file is None:
        ports = ", ".join(p.name for p in product.output_ports) or "none"
        what = "no output port" if port is None else "no data contract for port"
        return json_error(404, "not_found", f"{product.id} has {what} '{name}'. Its ports: "
                          f"{ports}.")
    if as_json:
        return Response(json.dumps(port.raw_contract, ensure_ascii=False, default=str),
                        media_type=JSON)
    files = await call.run(call.catalog.manifest_files, principal, product.id)
    stored = next(f for f in files if f.name == port.contract_file.name)
    return Response(stored.data, media_type=YAML,
                    headers={"Content-Disposition": f'inline; filename="{stored.name}"'})


OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/contracts", "listContracts",
              "List a product's data contracts", "One entry per output port: the ODCS "
              "contract's id, version, file name and the path to read it.", "contracts",
              list_contracts, params=[PRODUCT_ID],
              replies=[Reply(200, "The contracts.", ContractList)]),
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/contracts/{{port}}", "getContract",
              "Read a data contract", "The output port's ODCS v3 data contract: the YAML file "
              "as stored (default), or the same document as JSON with ?format=json or an "
              "Accept header naming application/json.", "contracts", get_contract,
              params=[PRODUCT_ID,
                      Param("port", "path", "The output port's name.", required=True),
                      Param("format", "query", "json or yaml (default yaml; overrides Accept).",
                            {"type": "string", "enum": ["yaml", "json"]})],
              replies=[Reply(200, "The contract.", media_types=(YAML, JSON))]),
]
"""The contract routes."""
