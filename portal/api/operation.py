"""One registry for the HTTP API: each route is an :class:`Operation`, from which both the
Starlette route and its OpenAPI description are made, so the two cannot drift apart.

A handler receives an :class:`ApiCall`: the request, the shared catalog, the caller's principal
(from the Bearer token, see :mod:`portal.api.auth`) and :meth:`ApiCall.run`, which runs a
blocking catalog call on the thread pool. Handlers never decide rights: the catalog does, and
its refusals become JSON errors (:mod:`portal.api.errors`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, ParamSpec, TypeVar

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from catalog import Catalog, InvalidRequest, Principal
from portal.api import auth
from portal.api.errors import error_response

P = ParamSpec("P")
T = TypeVar("T")

API_PREFIX = "/api/v1"
"""Path prefix of every API route (``/healthz`` excepted)."""

Auth = Literal["bearer", "bearer-or-link", "none"]
"""How an operation learns who is asking: a Bearer token, a token or a signed link, nobody."""


@dataclass(frozen=True)
class Param:
    """A path or query parameter, as the OpenAPI document describes it.

    Attributes:
        name: the parameter's name.
        location: ``path`` or ``query``.
        description: what it means, for the API documentation.
        schema: its JSON schema (``{"type": "string"}`` …).
        required: whether it must be given (path parameters always are).
        repeated: a query parameter that may be given several times (an array).
    """

    name: str
    location: Literal["path", "query"]
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False
    repeated: bool = False


@dataclass(frozen=True)
class Body:
    """A request body: a JSON document or a multipart form.

    Attributes:
        media_type: ``application/json`` or ``multipart/form-data``.
        model: the pydantic model of a JSON body, or of a form's fields (files as strings
            with ``format: binary``).
        description: what to send.
    """

    media_type: str
    model: type[BaseModel]
    description: str


@dataclass(frozen=True)
class Reply:
    """One documented response of an operation.

    Attributes:
        status: the HTTP status code.
        description: when it is sent.
        model: the pydantic model of a JSON body; None for a file or no body.
        media_types: content types of a non-JSON body (``text/csv`` …).
    """

    status: int
    description: str
    model: type[BaseModel] | None = None
    media_types: tuple[str, ...] = ()


class ApiCall:
    """What a handler gets: the request, the catalog and the caller.

    Args:
        request: the Starlette request.
        catalog: the shared catalog.
    """

    def __init__(self, request: Request, catalog: Catalog) -> None:
        self.request = request
        self.catalog = catalog
        self._principal: Principal | None = None

    async def principal(self) -> Principal:
        """The caller named by the request's Bearer token.

        Raises:
            catalog.Unauthenticated: no token, or an unknown, expired or revoked one.
        """
        if self._principal is None:
            secret = auth.bearer_secret(self.request.headers)
            self._principal = await self.run(self.catalog.authenticate, secret)
        return self._principal

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking call (a catalog method) on the thread pool and return its result."""
        return await run_in_threadpool(func, *args, **kwargs)

    def path(self, name: str) -> str:
        """A path parameter's value."""
        return str(self.request.path_params[name])

    def path_int(self, name: str) -> int:
        """A path parameter that must be a whole number (a request or grant id).

        Raises:
            catalog.InvalidRequest: it is not one.
        """
        text = self.path(name)
        if not text.isascii() or not text.isdigit() or len(text) > 18:
            raise InvalidRequest(f"'{name}' must be a whole number, not '{text[:40]}'.")
        return int(text)

    def query(self, name: str) -> str | None:
        """A query parameter's last value, stripped; None when absent or blank."""
        values = self.request.query_params.getlist(name)
        value = values[-1].strip() if values else ""
        return value or None

    def query_all(self, name: str) -> list[str]:
        """Every non-blank value of a repeated query parameter, stripped, in order."""
        return [v.strip() for v in self.request.query_params.getlist(name) if v.strip()]

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        """An integer query parameter within ``low``..``high``.

        Raises:
            catalog.InvalidRequest: not a whole number, or out of range.
        """
        text = self.query(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise InvalidRequest(f"'{name}' must be a whole number, not '{text}'.") from None
        if not low <= value <= high:
            raise InvalidRequest(f"'{name}' must be between {low} and {high}.")
        return value

    def query_bool(self, name: str) -> bool:
        """A yes/no query parameter: ``true``/``1``/``yes`` (any case) mean yes.

        Raises:
            catalog.InvalidRequest: a value that is neither yes nor no.
        """
        text = (self.query(name) or "false").lower()
        if text in {"true", "1", "yes"}:
            return True
        if text in {"false", "0", "no"}:
            return False
        raise InvalidRequest(f"'{name}' must be true or false, not '{text}'.")


def json_model(model: BaseModel, status: int = 200) -> JSONResponse:
    """A JSON response of a pydantic model (dates as ISO 8601 text)."""
    return JSONResponse(model.model_dump(mode="json"), status_code=status)


Handler = Callable[[ApiCall], Awaitable[Response]]
"""An operation's implementation."""


@dataclass(frozen=True)
class Operation:
    """One route of the HTTP API and its documentation.

    Attributes:
        method: ``GET``, ``POST`` or ``DELETE``.
        path: the path, with ``{name}`` placeholders, e.g. ``/api/v1/products/{product_id}``.
        operation_id: a unique name for generated clients.
        summary: one line.
        description: what it does and who may.
        tag: the resource it belongs to (products, data, access …).
        handler: the implementation.
        params: path and query parameters.
        body: the request body, if any.
        replies: the success responses (error responses are added for every operation).
        auth: how the caller is identified.
    """

    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    tag: str
    handler: Handler
    params: Sequence[Param] = ()
    body: Body | None = None
    replies: Sequence[Reply] = ()
    auth: Auth = "bearer"

    def route(self, catalog: Callable[[], Catalog]) -> Route:
        """The Starlette route of this operation.

        Args:
            catalog: gives the catalog to call (the shared one in the server).

        Returns:
            A route whose endpoint turns every exception into a JSON error response.
        """
        handler = self.handler

        async def endpoint(request: Request) -> Response:
            """Call the handler; catalog refusals and bugs become JSON errors."""
            try:
                call = ApiCall(request, await run_in_threadpool(catalog))
                return await handler(call)
            except Exception as err:  # noqa: BLE001 - the one place errors become responses
                return error_response(err, request)

        endpoint.__name__ = self.operation_id
        return Route(self.path, endpoint, methods=[self.method], name=self.operation_id)
