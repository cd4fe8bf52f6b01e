"""The catalog's use cases as MCP tools, for AI assistants.

Each tool is a thin adapter: it asks the :class:`~catalog.Catalog` façade with the caller's
:class:`~catalog.Principal` and reshapes the answer into a small, typed result (its JSON schema
is what the assistant sees). No tool decides rights: the core does, and a refusal from it
(:class:`~catalog.PermissionDenied`, :class:`~catalog.ProductNotFound`,
:class:`~catalog.InvalidRequest`, …) comes back as a tool error whose text is the core's own
message, which says what to do next.

The transport decides who the caller is: :data:`PrincipalOf` receives the tool call's
:class:`~mcp.server.mcpserver.Context` and returns the principal (see :mod:`catalog.mcp.auth`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field

from catalog import (
    MAX_DAYS,
    AccessRequest,
    Catalog,
    CatalogError,
    ExtractRequest,
    FilterOp,
    Principal,
    RowFilter,
    SearchQuery,
    quality_presentation,
)

logger = logging.getLogger(__name__)

PrincipalOf = Callable[[Context], Principal]
"""Who is calling: the transport's answer for one tool call (raises ``Unauthenticated``)."""

MAX_PREVIEW_ROWS = 100
"""Most rows ``preview_data`` returns."""
MAX_EXTRACT_ROWS = 10_000
"""Most rows ``extract_data`` returns; larger extracts are downloaded over HTTP."""
MAX_SEARCH_RESULTS = 50
"""Most products ``search_products`` returns."""

INSTRUCTIONS = (
    "Data mesh catalog: find data products (search_products), read what they are and who owns "
    "them (get_product), their data contracts (get_contract), quality (get_quality) and lineage "
    "(get_lineage); look at or extract their data (preview_data, extract_data) within your "
    "access rights, and ask for access to restricted data (request_access, my_access). "
    "Product ids look like '<domain>.<name>', e.g. 'reference.airlines'. Masked values are "
    "shown as the mask text, never the real value. When a tool refuses, its message says why "
    "and what to do next: pass it on to the user."
)
"""What the server tells the assistant about itself when it connects."""

# -- parameters ------------------------------------------------------------------------------

ProductId = Annotated[str, Field(
    description="Data product id, '<domain>.<name>' (e.g. 'reference.airlines'), as "
                "search_products returns it.", min_length=1, max_length=200)]
PortName = Annotated[str | None, Field(
    description="Output port name (get_product lists them); the product's first port when "
                "omitted.", max_length=200)]


class SearchFacets(BaseModel):
    """Facet values a search keeps (within one facet any value; across facets all)."""

    model_config = ConfigDict(extra="forbid")

    domain: list[str] = Field(default_factory=list, description="Domain names, e.g. 'weather'.")
    owner: list[str] = Field(default_factory=list,
                             description="Owner names or owning team names.")
    tag: list[str] = Field(default_factory=list, description="Tags, e.g. 'pii'.")
    status: list[str] = Field(default_factory=list,
                              description="Product statuses, e.g. 'active', 'proposed'.")
    classification: list[str] = Field(
        default_factory=list,
        description="Data classifications used by the product's columns, e.g. 'restricted'.")


class RowFilterArg(BaseModel):
    """One row filter of ``extract_data``: keep rows where ``column op value`` holds."""

    model_config = ConfigDict(extra="forbid")

    column: str = Field(description="Column name, as in the data contract or preview_data.",
                        min_length=1, max_length=200)
    op: FilterOp = Field(description="Comparison, in words.")
    value: str | int | float | bool | None = Field(
        default=None,
        description="Value compared with (cast to the column's type; dates as 'YYYY-MM-DD'). "
                    "Not used by 'is empty' and 'is not empty'.")


# -- results ---------------------------------------------------------------------------------


class FacetCount(BaseModel):
    """A facet value and how many matching products have it."""

    value: str
    count: int


class ProductHit(BaseModel):
    """One product found by a search."""

    id: str = Field(description="Product id, for the other tools.")
    title: str
    domain: str
    status: str
    owners: list[str]
    tags: list[str]
    purpose: str = Field(description="What the product is for (first 300 characters).")
    score: float = Field(description="Relevance; higher is better.")


class SearchProducts(BaseModel):
    """Result of ``search_products``."""

    total: int = Field(description="Products matching the query and facets.")
    partial: bool = Field(description="No product matched every word; these match some.")
    products: list[ProductHit] = Field(description="Best matches first, at most `limit`.")
    facets: dict[str, list[FacetCount]] = Field(
        description="For each facet, values among the matches with their counts (top 10).")


class PortSummary(BaseModel):
    """An output port of a product."""

    name: str
    description: str | None
    type: str | None
    version: str | None
    contract_id: str | None
    access: str = Field(description="'open' (every signed-in user may read it) or "
                                    "'restricted' (needs an approved access request).")


class ProductDescription(BaseModel):
    """What a product is for, how to use it, and its known limits."""

    purpose: str
    usage: str
    limitations: str


class QualityGrade(BaseModel):
    """The latest stored quality score of a product."""

    score: float | None = Field(description="0 to 100; null when nothing could be scored.")
    grade: str = Field(description="A (best) to E.")
    as_of: dt.datetime = Field(description="Data cut-off of the run (UTC).")


class ProductSummary(BaseModel):
    """Result of ``get_product``: the product's ODPS description in short."""

    id: str
    title: str
    description: ProductDescription
    owner: str | None = Field(description="The product owner's name.")
    team: str | None = Field(description="The owning team.")
    domain: str
    status: str
    version: str
    type: str | None
    tags: list[str]
    ports: list[PortSummary]
    input_ports: list[str] = Field(description="Contracts (ids) the product is built from.")
    quality: QualityGrade | None = Field(description="Null when never checked.")


class FailedCheck(BaseModel):
    """A quality rule the latest run found broken, or could not run."""

    check_id: str
    port: str
    status: str = Field(description="'failed', 'warning' or 'error' (could not run).")
    severity: str
    dimension: str
    sentence: str = Field(description="The rule and its outcome in plain words.")


class QualityReport(BaseModel):
    """Result of ``get_quality``: the product's latest quality run."""

    product_id: str
    checked: bool = Field(description="False when no run is stored yet.")
    score: float | None = None
    grade: str | None = None
    as_of: dt.datetime | None = Field(default=None, description="Data cut-off of the run (UTC).")
    checked_at: dt.datetime | None = Field(default=None, description="When the run ran (UTC).")
    stale: bool = Field(default=False, description="True when the run no longer tells how the "
                        "product is now; see stale_reasons.")
    stale_reasons: list[str] = Field(default_factory=list, description="Why it is stale.")
    verdict: str = Field(default="", description="The verdict in words, as the portal shows "
                         "it.")
    counts: dict[str, int] = Field(default_factory=dict, description="Results per status.")
    failed_checks: list[FailedCheck] = Field(default_factory=list,
                                             description="Broken rules, failing first.")


class ProductRef(BaseModel):
    """A product by id and title."""

    id: str
    title: str


class Lineage(BaseModel):
    """Result of ``get_lineage``."""

    product_id: str
    upstream: list[ProductRef] = Field(description="Products it is built from.")
    downstream: list[ProductRef] = Field(description="Products built from it.")


class DataPreview(BaseModel):
    """Result of ``preview_data``."""

    product_id: str
    port: str
    columns: list[str]
    masked_columns: list[str] = Field(
        description="Sensitive columns you see masked (request access naming them to see them).")
    rows: list[dict[str, Any]] = Field(description="The first rows, one object per row.")


class DataExtract(BaseModel):
    """Result of ``extract_data``."""

    product_id: str
    port: str
    rows: int = Field(description="Data rows in `csv`.")
    matching_rows: int = Field(description="Rows matching the filters in all.")
    truncated: bool = Field(description="True when `csv` holds only the first `rows`.")
    masked_columns: list[str]
    csv: str = Field(description="CSV text with a header line.")
    full_extract: str | None = Field(
        default=None,
        description="When truncated: a signed link (path on the portal server, valid a few "
                    "minutes) that downloads every matching row as CSV.")


class AccessRequestSummary(BaseModel):
    """An access request."""

    id: int
    product_id: str
    ports: list[str]
    columns: list[str]
    purpose: str
    duration_days: int | None = Field(description="Null: permanent.")
    status: str = Field(description="'pending', 'approved', 'denied' or 'withdrawn'.")
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str


class GrantSummary(BaseModel):
    """An access grant on one output port."""

    id: int
    product_id: str
    port: str
    columns: list[str] = Field(description="Sensitive columns it opens.")
    starts_at: dt.datetime
    expires_at: dt.datetime | None = Field(description="Null: permanent.")
    status: str = Field(description="'active', 'expired', 'revoked' or 'not started'.")


class MyAccess(BaseModel):
    """Result of ``my_access``."""

    user: str
    requests: list[AccessRequestSummary] = Field(description="Newest first.")
    grants: list[GrantSummary]


# -- adapters --------------------------------------------------------------------------------

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _refusals_as_tool_errors(fn: Callable[_P, _R]) -> Callable[_P, _R | CallToolResult]:
    """Wrap a tool so a refusal from the core becomes a tool error with the core's message."""

    @functools.wraps(fn)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R | CallToolResult:
        """The tool's result, or a tool error carrying the core's refusal."""
        try:
            return fn(*args, **kwargs)
        except CatalogError as err:
            logger.info("MCP tool %s refused: %s", fn.__name__, err)
            return CallToolResult(content=[TextContent(type="text", text=str(err))],
                                  is_error=True)

    return call


def _naive_utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _records(frame: Any, dates: set[str]) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON-ready objects: times as ISO text (``dates``, the DATE
    columns, as ``YYYY-MM-DD``), missing values null."""
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso",
                                                          default_handler=str))
    for row in rows:
        for name in dates:
            if isinstance(row.get(name), str):
                row[name] = row[name][:10]
    return rows


READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
"""Hints of the tools that only read."""


def build_server(catalog: Callable[[], Catalog], principal_of: PrincipalOf,
                 name: str = "data-mesh-catalog") -> MCPServer:
    """An MCP server whose tools are the catalog's use cases.

    Args:
        catalog: returns the catalog to ask (called on every tool call).
        principal_of: who the caller of a tool call is (see :data:`PrincipalOf`).
        name: the server's name, as assistants show it.

    Returns:
        The server; run it over stdio or mount its streamable HTTP app.
    """
    server: MCPServer = MCPServer(name, instructions=INSTRUCTIONS, log_level="WARNING")

    def tool(read_only: bool = True, structured: bool | None = None
             ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a function as a tool under its own name; its docstring describes it."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            """Add ``fn`` to the server (refusals as tool errors); returns it unchanged."""
            annotations = READ_ONLY if read_only else ToolAnnotations(
                read_only_hint=False, destructive_hint=False, idempotent_hint=False,
                open_world_hint=False)
            server.add_tool(_refusals_as_tool_errors(fn), annotations=annotations,
                            structured_output=structured)
            return fn

        return register

    @tool()
    def search_products(
        ctx: Context,
        query: Annotated[str, Field(
            description="Words to look for in names, titles, tags, owners, column names and "
                        "descriptions (typos tolerated); empty lists every product.",
            max_length=500)] = "",
        facets: Annotated[SearchFacets | None, Field(
            description="Keep only products with these facet values.")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_SEARCH_RESULTS,
                                    description="Most products to return.")] = 10,
    ) -> SearchProducts:
        """Search the data products of the catalog by words and facets.

        Returns the best matches (id, title, domain, status, owners, tags, purpose) and, for
        each facet (domain, owner, tag, status, classification), the values among all
        matches with their counts, to narrow the search.
        """
        principal = principal_of(ctx)
        chosen = facets or SearchFacets()
        result = catalog().search(principal, SearchQuery(
            text=query, domain=tuple(chosen.domain), owner=tuple(chosen.owner),
            tag=tuple(chosen.tag), status=tuple(chosen.status),
            classification=tuple(chosen.classification)))
        hits = result.hits[:limit]
        scores = {h.product_id: h.score for h in hits}
        products = catalog().products(principal, [h.product_id for h in hits])
        return SearchProducts(
            total=len(result.hits), partial=result.partial,
            products=[ProductHit(id=p.id, title=p.title, domain=p.domain, status=p.status,
                                 owners=p.owners, tags=list(p.tags),
                                 purpose=p.purpose[:300], score=scores[p.id])
                      for p in products],
            facets={facet: [FacetCount(value=v, count=c) for v, c in counts[:10]]
                    for facet, counts in result.facets.items()})

    @tool()
    def get_product(ctx: Context, product_id: ProductId) -> ProductSummary:
        """Describe one data product: title, purpose, usage and limitations, owner and team,
        domain, status, version, tags, output ports (with their data contract and whether
        they are open or restricted) and the latest quality grade.
        """
        principal = principal_of(ctx)
        product = catalog().product(principal, product_id)
        run = catalog().latest_quality(principal, product_id)
        return ProductSummary(
            id=product.id, title=product.title,
            description=ProductDescription(purpose=product.purpose, usage=product.usage,
                                           limitations=product.limitations),
            owner=product.owners[0] if product.owners else None,
            team=product.team_name or None, domain=product.domain, status=product.status,
            version=product.version, type=product.type, tags=list(product.tags),
            ports=[PortSummary(name=p.name, description=p.description, type=p.type,
                               version=p.version, contract_id=p.contract_id,
                               access=catalog().port_access(principal, product_id, p.name))
                   for p in product.output_ports],
            input_ports=[p.contractId or p.name for p in product.input_ports],
            quality=None if run is None else QualityGrade(
                score=run.score.value, grade=run.score.grade, as_of=run.as_of))

    @tool(structured=False)
    def get_contract(ctx: Context, product_id: ProductId, port: PortName = None) -> str:
        """The data contract (ODCS YAML, as the producing team wrote it) of one output port:
        its schema (tables, columns, types, classifications), quality rules, service levels
        and servers.

        Returns:
            The YAML text.
        """
        principal = principal_of(ctx)
        product = catalog().product(principal, product_id)
        try:
            view = product.port(port)
        except KeyError:
            known = ", ".join(p.name for p in product.output_ports) or "none"
            return _error(f"{product_id} has no output port '{port}'; its ports: {known}.")
        if view.contract_file is None:
            return _error(f"The output port '{view.name}' of {product_id} has no data contract.")
        wanted = view.contract_file.name
        for file in catalog().manifest_files(principal, product_id):
            if file.name == wanted:
                return file.data.decode("utf-8")
        return _error(f"The data contract of port '{view.name}' of {product_id} is missing.")

    @tool()
    def get_quality(ctx: Context, product_id: ProductId) -> QualityReport:
        """The product's latest quality run: score (0-100), grade (A best to E), data cut-off,
        results per status, and every rule it found broken (or could not run), each as a
        plain sentence such as "At most 1% of flights lack a departure time — 2.45% missing".
        """
        principal = principal_of(ctx)
        run = catalog().latest_quality(principal, product_id)
        if run is None:
            return QualityReport(product_id=product_id, checked=False)
        verdict = catalog().verdict(principal, product_id, run=run)
        broken = [r for r in quality_presentation.ordered(run.results)
                  if str(r.status) in ("failed", "warning", "error")]
        return QualityReport(
            product_id=product_id, checked=True, score=run.score.value, grade=run.score.grade,
            as_of=run.as_of, checked_at=run.started_at, stale=verdict.stale,
            stale_reasons=list(verdict.stale_reasons), verdict=verdict.sentence(),
            counts=run.counts(),
            failed_checks=[FailedCheck(check_id=r.check.id, port=r.check.port,
                                       status=str(r.status), severity=r.check.severity,
                                       dimension=r.check.dimension,
                                       sentence=quality_presentation.result_sentence(r))
                           for r in broken])

    @tool()
    def get_lineage(ctx: Context, product_id: ProductId) -> Lineage:
        """Which products this one is built from (upstream) and which are built from it
        (downstream), by id and title.
        """
        principal = principal_of(ctx)
        up = catalog().upstream(principal, product_id)
        down = catalog().downstream(principal, product_id)
        return Lineage(product_id=product_id,
                       upstream=[ProductRef(id=p.id, title=p.title) for p in up],
                       downstream=[ProductRef(id=p.id, title=p.title) for p in down])

    @tool()
    def preview_data(
        ctx: Context, product_id: ProductId, port: PortName = None,
        rows: Annotated[int, Field(ge=1, le=MAX_PREVIEW_ROWS,
                                   description="How many rows.")] = 20,
    ) -> DataPreview:
        """The first rows of an output port's data, one object per row, within your access
        rights: a restricted port needs an approved access request, and sensitive columns
        you have no grant for are masked.
        """
        principal = principal_of(ctx)
        frame = catalog().preview(principal, product_id, port, rows)
        masked = catalog().masked_columns(principal, product_id, port)
        dates = {c.name for c in catalog().columns(principal, product_id, port)
                 if c.type.upper() == "DATE" and c.name not in masked}
        return DataPreview(product_id=product_id,
                           port=port or catalog().product(principal, product_id).port().name,
                           columns=[str(c) for c in frame.columns], masked_columns=masked,
                           rows=_records(frame, dates))

    @tool()
    def extract_data(
        ctx: Context, product_id: ProductId, port: PortName = None,
        columns: Annotated[list[str], Field(
            description="Columns in the wanted order; all columns when empty.")] = [],  # noqa: B006
        filters: Annotated[list[RowFilterArg], Field(
            description="Row filters; every one must hold.")] = [],  # noqa: B006
        max_rows: Annotated[int, Field(ge=1, le=MAX_EXTRACT_ROWS,
                                       description="Most rows to return.")] = 1000,
    ) -> DataExtract:
        """Extract an output port's data as CSV text: chosen columns, rows filtered, at most
        `max_rows` rows (10,000 at most), within your access rights (a restricted port needs
        an approved access request; sensitive columns you have no grant for are masked).
        Extracts are recorded in the audit log. When more rows match, the result says so and
        gives a link that downloads the whole extract from the portal's HTTP API.
        """
        principal = principal_of(ctx)
        wanted = ExtractRequest(
            columns=tuple(columns),
            filters=tuple(RowFilter(f.column, f.op, f.value) for f in filters))
        matching = catalog().row_count(principal, product_id, port, wanted)
        limited = ExtractRequest(columns=wanted.columns, filters=wanted.filters, limit=max_rows)
        data = catalog().extract_csv(principal, product_id, port, limited)
        truncated = matching > max_rows
        link = (catalog().sign_extract_link(principal, product_id, port, wanted, "csv")
                if truncated else None)
        return DataExtract(
            product_id=product_id,
            port=port or catalog().product(principal, product_id).port().name,
            rows=min(matching, max_rows), matching_rows=matching, truncated=truncated,
            masked_columns=catalog().masked_columns(principal, product_id, port),
            csv=data.decode("utf-8"), full_extract=link)

    @tool(read_only=False)
    def request_access(
        ctx: Context, product_id: ProductId,
        ports: Annotated[list[str], Field(min_length=1,
                                          description="Output port names to ask for.")],
        purpose: Annotated[str, Field(
            description="Why you need the data, for the owner who decides (at least 10 "
                        "characters).", max_length=2000)],
        days: Annotated[int | None, Field(
            ge=1, le=MAX_DAYS, description="How long, in days; null for permanent.")] = 90,
        columns: Annotated[list[str], Field(
            description="Sensitive columns to see unmasked (they stay masked otherwise).")
        ] = [],  # noqa: B006
    ) -> AccessRequestSummary:
        """Ask the product's owners for access to output ports (and sensitive columns) of a
        data product, with a purpose and a duration. The request waits for an owner's
        decision; my_access shows its status.
        """
        principal = principal_of(ctx)
        request = catalog().request_access(principal, product_id, ports, purpose, days, columns)
        return _request_summary(request)

    @tool()
    def my_access(ctx: Context) -> MyAccess:
        """Your access requests (pending, approved, denied, withdrawn) and your grants (which
        ports and sensitive columns they open, until when, and whether still active).
        """
        principal = principal_of(ctx)
        requests = catalog().my_requests(principal)
        grants = catalog().my_grants(principal)
        now = _naive_utc_now()
        return MyAccess(
            user=principal.username,
            requests=[_request_summary(r) for r in requests],
            grants=[GrantSummary(id=g.id, product_id=g.product_id, port=g.port,
                                 columns=list(g.columns), starts_at=g.starts_at,
                                 expires_at=g.expires_at,
                                 status=g.state(now))
                    for g in grants])

    return server


def _error(message: str) -> Any:
    """A tool error result (typed ``Any``: tools return it in place of their result)."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _request_summary(request: AccessRequest) -> AccessRequestSummary:
    return AccessRequestSummary(
        id=request.id, product_id=request.product_id, ports=list(request.ports),
        columns=list(request.columns), purpose=request.purpose,
        duration_days=request.duration_days, status=request.status,
        created_at=request.created_at, decided_by=request.decided_by,
        decided_at=request.decided_at, note=request.note)
