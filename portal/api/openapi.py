"""The OpenAPI 3.1 document of the HTTP API, built from the operations and pydantic models.

Nothing here is written by hand per route: paths, parameters, bodies and responses come from
each :class:`~portal.api.operation.Operation`, schemas from the models' ``model_json_schema``.
Every operation that needs a caller lists the ``bearerAuth`` scheme and the error responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, cast

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from portal.api.operation import API_PREFIX, Operation, Param, Reply
from portal.api.schemas import ErrorResponse

TITLE = "Data mesh portal API"
"""The document's title."""
VERSION = "1.0.0"
"""The API's version (the ``v1`` of the paths)."""
Mode = Literal["validation", "serialization"]
REF = "#/components/schemas/{model}"
"""Where model schemas are referenced from."""

_ERRORS: dict[int, str] = {
    400: "The request is malformed or names something that does not exist (a column, a "
         "port, an operator).",
    401: "No token, or an unknown, expired or revoked token (or an invalid signed link).",
    403: "The catalog refuses this to the caller; the message says who may.",
    404: "No such product, port, request or grant.",
    409: "A conflict: the product id was taken, or it changed meanwhile.",
    413: "The answer would be larger than the server allows; ask for fewer rows.",
    422: "The request body does not match its schema, or a document was rejected.",
    500: "A bug on the server: the message carries a request id for the platform team.",
    503: "The data cannot be read now, or a resource limit stopped the request; retry later.",
}
"""Error statuses and what they mean, documented for every operation that may send them."""

_ERRORS_BY_AUTH: dict[str, tuple[int, ...]] = {
    "none": (500, 503),
    "bearer": (400, 401, 403, 404, 500, 503),
    "bearer-or-link": (400, 401, 403, 404, 413, 500, 503),
}


def _schemas(operations: Iterable[Operation]) -> tuple[dict[tuple[type[BaseModel], Mode], Any],
                                                          dict[str, Any]]:
    """Schemas of every model the operations use, with ``$ref`` into components."""
    pairs: dict[tuple[type[BaseModel], Mode], None] = {(ErrorResponse, "serialization"): None}
    for op in operations:
        if op.body is not None:
            pairs[(op.body.model, "validation")] = None
        for reply in op.replies:
            if reply.model is not None:
                pairs[(reply.model, "serialization")] = None
    refs, top = models_json_schema(list(pairs), ref_template=REF)
    return {(cast(type[BaseModel], m), mode): ref for (m, mode), ref in refs.items()}, \
        dict(top.get("$defs", {}))


def _parameter(param: Param) -> dict[str, Any]:
    """The OpenAPI parameter object of ``param``."""
    schema: dict[str, Any] = dict(param.schema)
    if param.repeated:
        schema = {"type": "array", "items": schema}
    out: dict[str, Any] = {"name": param.name, "in": param.location,
                           "description": param.description,
                           "required": param.required or param.location == "path",
                           "schema": schema}
    if param.repeated:
        out["style"], out["explode"] = "form", True
    return out


def _response(reply: Reply, refs: dict[tuple[type[BaseModel], Mode], Any]) -> dict[str, Any]:
    """The OpenAPI response object of ``reply``."""
    content: dict[str, Any] = {}
    if reply.model is not None:
        content["application/json"] = {"schema": refs[(reply.model, "serialization")]}
    for media_type in reply.media_types:
        content[media_type] = {"schema": {"type": "string", "format": "binary"}
                               if media_type != "application/json" else {"type": "object"}}
    out: dict[str, Any] = {"description": reply.description}
    if content:
        out["content"] = content
    return out


def _operation(op: Operation, refs: dict[tuple[type[BaseModel], Mode], Any]) -> dict[str, Any]:
    """The OpenAPI operation object of ``op``."""
    error = {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}
    statuses: Sequence[int] = _ERRORS_BY_AUTH[op.auth]
    if op.body is not None:
        statuses = sorted({*statuses, 400, 422})
    if op.method == "POST" and op.tag == "registration":
        statuses = sorted({*statuses, 409})
    responses: dict[str, Any] = {str(r.status): _response(r, refs) for r in op.replies}
    for status in statuses:
        headers = ({"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
                   if status == 401 else None)
        responses[str(status)] = {"description": _ERRORS[status], "content": error,
                                  **({"headers": headers} if headers else {})}
    out: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary, "description": op.description,
        "tags": [op.tag], "parameters": [_parameter(p) for p in op.params],
        "responses": responses,
    }
    if op.auth == "none":
        out["security"] = []
    elif op.auth == "bearer-or-link":
        out["security"] = [{"bearerAuth": []}, {}]
    else:
        out["security"] = [{"bearerAuth": []}]
    if op.body is not None:
        out["requestBody"] = {"required": True, "description": op.body.description,
                              "content": {op.body.media_type: {
                                  "schema": refs[(op.body.model, "validation")]}}}
    return out


def openapi_document(operations: Sequence[Operation], server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``.

    Args:
        operations: the API's operations (:data:`portal.api.OPERATIONS`).
        server_url: the server's base URL as the client reached it (``/`` when unknown).

    Returns:
        The document as a JSON-ready dict.
    """
    refs, schemas = _schemas(operations)
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION,
                 "description": "Find, understand and download the mesh's data products. "
                 "Send a personal API token (made on the portal's My tokens page) as "
                 "'Authorization: Bearer <token>'. Errors are JSON: "
                 "{\"error\": {\"status\", \"code\", \"message\", \"details\"}}."},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in dict.fromkeys(op.tag for op in operations)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token from the portal's My tokens page."}},
        },
        "security": [{"bearerAuth": []}],
        "x-api-prefix": API_PREFIX,
    }
