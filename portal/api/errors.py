"""Errors of the HTTP API as JSON: ``{"error": {"status", "code", "message", "details"}}``.

The catalog's refusals (:class:`catalog.CatalogError` and its subclasses) carry messages that
are safe to show and say what to do next; each class maps to an HTTP status here. Anything
else is a bug: it is logged with its stack trace and a request id, and the client gets a
generic message with that id, never a stack trace or a path of the host.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse

from catalog import (
    ApprovalRefused,
    DataUnavailable,
    DocumentRejected,
    DomainNotFound,
    GrantNotFound,
    InvalidRequest,
    LimitExceeded,
    ManifestError,
    PermissionDenied,
    ProductNotFound,
    PublishConflict,
    QueryFailed,
    RegistrationError,
    RequestNotFound,
    SandboxRefused,
    StoreError,
    Unauthenticated,
)

logger = logging.getLogger(__name__)

UNEXPECTED = ("Something went wrong on our side. Try again in a moment; if it keeps happening, "
              "tell the platform team and quote request id {request_id}.")
"""The message of an unexpected error (the details go to the server log only)."""


@dataclass(frozen=True)
class ErrorKind:
    """How one class of catalog error is answered: HTTP status and a stable error code."""

    status: int
    code: str


# Most specific classes first: the first class the error is an instance of wins.
_KINDS: tuple[tuple[type[BaseException], ErrorKind], ...] = (
    (Unauthenticated, ErrorKind(401, "unauthenticated")),
    (PermissionDenied, ErrorKind(403, "permission_denied")),
    (ProductNotFound, ErrorKind(404, "not_found")),
    (DomainNotFound, ErrorKind(404, "not_found")),
    (RequestNotFound, ErrorKind(404, "not_found")),
    (GrantNotFound, ErrorKind(404, "not_found")),
    (PublishConflict, ErrorKind(409, "conflict")),
    (ApprovalRefused, ErrorKind(409, "conflict")),
    (DocumentRejected, ErrorKind(422, "document_rejected")),
    (ManifestError, ErrorKind(422, "document_rejected")),
    (RegistrationError, ErrorKind(400, "invalid_request")),
    (InvalidRequest, ErrorKind(400, "invalid_request")),
    (SandboxRefused, ErrorKind(400, "invalid_request")),
    (QueryFailed, ErrorKind(400, "invalid_request")),
    (DataUnavailable, ErrorKind(503, "data_unavailable")),
    (StoreError, ErrorKind(503, "unavailable")),
)

ROWS_LIMIT = ErrorKind(413, "too_large")
"""A sandbox row limit: the answer would be too large (ask for fewer rows)."""
BUSY = ErrorKind(503, "limit_exceeded")
"""A sandbox time, memory or spill limit: the server could not do it now."""
VALIDATION = ErrorKind(422, "validation_failed")
"""A request body that does not match its schema."""
BAD_BODY = ErrorKind(400, "invalid_request")
"""A request body that is not JSON, or a malformed multipart form."""
INTERNAL = ErrorKind(500, "internal_error")
"""A bug: logged, answered with a generic message."""


def error_body(status: int, code: str, message: str,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The JSON body of an error response.

    Args:
        status: the HTTP status code.
        code: a stable, machine-readable code (``not_found``, ``permission_denied`` …).
        message: what went wrong and what to do, for people.
        details: optional items (a field's problem, a document's file:line:field).

    Returns:
        ``{"error": {"status": ..., "code": ..., "message": ..., "details": [...]}}``.
    """
    return {"error": {"status": status, "code": code, "message": message,
                      "details": details or []}}


def json_error(status: int, code: str, message: str,
               details: list[dict[str, Any]] | None = None,
               headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error response with the body of :func:`error_body`."""
    return JSONResponse(error_body(status, code, message, details), status_code=status,
                        headers=dict(headers or {}))


def _details(err: BaseException) -> list[dict[str, Any]]:
    """Machine-readable details of a validation error or a rejected document."""
    if isinstance(err, ValidationError):
        return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in err.errors(include_url=False, include_input=False)]
    if isinstance(err, DocumentRejected):
        return [{"file": p.file, "line": p.line, "field": p.field, "message": p.message}
                for p in err.problems]
    if isinstance(err, ManifestError):
        return [{"file": err.file, "line": err.line, "field": err.field,
                 "message": err.message}]
    return []


def kind_of(err: BaseException) -> ErrorKind:
    """The status and code an exception is answered with (:data:`INTERNAL` for a bug)."""
    if isinstance(err, LimitExceeded):
        return ROWS_LIMIT if err.limit == "rows" else BUSY
    if isinstance(err, ValidationError):
        return VALIDATION
    if isinstance(err, (MultiPartException, json.JSONDecodeError, UnicodeDecodeError)):
        return BAD_BODY
    if isinstance(err, HTTPException) and 400 <= err.status_code < 500:
        return ErrorKind(err.status_code, "invalid_request")
    for cls, kind in _KINDS:
        if isinstance(err, cls):
            return kind
    return INTERNAL


def error_response(err: BaseException, request: Request | None = None) -> JSONResponse:
    """The JSON response for an exception a handler raised.

    Args:
        err: the exception.
        request: the request, for the log line of an unexpected error.

    Returns:
        The mapped status with the error's own message (catalog errors are safe to show);
        401 responses carry ``WWW-Authenticate: Bearer``. An unexpected exception is logged
        with its stack trace and answered 500 with a generic message and a request id.
    """
    kind = kind_of(err)
    if kind is INTERNAL:
        request_id = uuid.uuid4().hex[:12]
        where = f"{request.method} {request.url.path}" if request is not None else "?"
        logger.error("API request %s (%s) failed", request_id, where, exc_info=err)
        return json_error(kind.status, kind.code, UNEXPECTED.format(request_id=request_id))
    if kind is VALIDATION:
        message = "The request body does not match its schema; see details."
    elif isinstance(err, HTTPException):
        message = f"The request could not be read: {err.detail}"
    elif kind is BAD_BODY:
        message = ("The request body could not be read: send JSON (or a multipart form where "
                   "the route takes files).")
    else:
        message = str(err)
    headers = {"WWW-Authenticate": 'Bearer realm="data mesh portal"'} if kind.status == 401 else {}
    return json_error(kind.status, kind.code, message, _details(err), headers)

