"""``/api/v1/products/{id}/data.csv`` and ``data.parquet``: a product's data as a file.

The catalog writes the extract to a temporary file (DuckDB ``COPY``, flat memory, the caller's
masking, the formula guard for CSV, an audit record); the response streams that file and
deletes it once sent. The caller is named by a Bearer token, or by a short-lived signed link
(``sig`` parameter) that the portal's download button uses; a link carries its own port,
columns and filters, which are not read from the other parameters.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal

from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response
from starlette.types import Receive, Scope, Send

from catalog import ExtractRequest, FilterOp, InvalidRequest, RowFilter
from portal.api.operation import API_PREFIX, ApiCall, Operation, Param, Reply
from portal.api.params import PRODUCT_ID

logger = logging.getLogger(__name__)

Format = Literal["csv", "parquet"]
"""The file formats served."""
MEDIA_TYPES: dict[Format, str] = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
"""Documented media type per format (the catalog sets the one sent)."""
OPERATORS = {op.name.lower(): op for op in FilterOp}
"""Filter operator names of the ``filter`` parameter: ``equals``, ``not_equals``, ``less``,
``less_or_equal``, ``greater``, ``greater_or_equal``, ``contains``, ``is_empty``,
``not_empty``."""
NO_VALUE = frozenset({FilterOp.IS_EMPTY, FilterOp.NOT_EMPTY})
"""Operators that take no value."""
MAX_FILTERS = 20
"""Most ``filter`` parameters one request may have."""
MAX_LIMIT = 100_000_000
"""Highest ``limit`` accepted."""


def parse_filter(text: str) -> RowFilter:
    """A row filter from ``column:operator:value`` (``column:is_empty`` needs no value).

    Args:
        text: the ``filter`` parameter; the column is everything before the first ``:``, the
            operator (see :data:`OPERATORS`) up to the next one, the value the rest.

    Returns:
        The filter (the catalog checks the column and the value against the data).

    Raises:
        catalog.InvalidRequest: no column, an unknown operator, or a missing value.
    """
    column, _, rest = text.partition(":")
    name, _, value = rest.partition(":")
    op = OPERATORS.get(name.strip().lower())
    if not column or op is None:
        raise InvalidRequest(f"'filter' must look like column:operator:value with an operator "
                             f"among {', '.join(OPERATORS)}; got '{text[:80]}'.")
    if op in NO_VALUE:
        return RowFilter(column, op, None)
    if value == "":
        raise InvalidRequest(f"The filter on '{column[:40]}' needs a value: "
                             f"{column[:40]}:{name}:<value>.")
    return RowFilter(column, op, value)


def extract_request(call: ApiCall) -> ExtractRequest:
    """The columns, filters and row limit of a token-authenticated data request.

    Raises:
        catalog.InvalidRequest: a malformed filter or limit, or too many filters.
    """
    columns = [c.strip() for value in call.query_all("columns") for c in value.split(",")
               if c.strip()]
    texts = call.request.query_params.getlist("filter")
    if len(texts) > MAX_FILTERS:
        raise InvalidRequest(f"At most {MAX_FILTERS} filters per request.")
    limit = call.query_int("limit", 0, 1, MAX_LIMIT) if call.query("limit") else None
    return ExtractRequest(columns=tuple(dict.fromkeys(columns)),
                          filters=tuple(parse_filter(t) for t in texts if t.strip()),
                          limit=limit)


def _delete(path: Path) -> None:
    """Remove a sent extract file (already gone is fine)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        logger.warning("could not delete the extract file %s", path.name, exc_info=True)


class ExtractFileResponse(FileResponse):
    """A file response that deletes its (temporary) file once sent, or when sending fails.

    It reads and sends 1 MiB at a time (Starlette's default is 64 KiB): each chunk crosses
    every middleware of the server, so fewer, larger ones send a large extract faster.
    """

    chunk_size = 1024 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the file, then delete it, even when the client went away mid-way."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            _delete(Path(self.path))


async def _data(call: ApiCall, fmt: Format) -> Response:
    """Write the extract with the catalog and send it."""
    product_id = call.path("product_id")
    if call.request.query_params.get("sig") is not None:
        principal, port, request = await call.run(
            call.catalog.principal_for_link, product_id, fmt, call.request.query_params)
    else:
        principal = await call.principal()
        port, request = call.query("port"), extract_request(call)
    extract = await call.run(call.catalog.extract_file, principal, product_id, port, request,
                             fmt)
    # The file goes out as DuckDB wrote it: the server's gzip layer skips a response that
    # names its encoding (recompressing Parquet, or 700 MB of CSV at level 9, costs 3-7x the
    # time of the extract itself; see bench/api.py).
    return ExtractFileResponse(extract.path, media_type=extract.media_type,
                               filename=extract.file_name,
                               headers={"Content-Encoding": "identity"},
                               background=BackgroundTask(_delete, extract.path))


async def data_csv(call: ApiCall) -> Response:
    """The extract as CSV."""
    return await _data(call, "csv")


async def data_parquet(call: ApiCall) -> Response:
    """The extract as Parquet."""
    return await _data(call, "parquet")


def _params() -> list[Param]:
    return [
        PRODUCT_ID,
        Param("port", "query", "The output port; the product's first port when absent."),
        Param("columns", "query", "Columns to include, comma-separated, in order; every column "
              "when absent.", repeated=True),
        Param("filter", "query", "A row filter column:operator:value (repeat for several; all "
              f"must hold). Operators: {', '.join(OPERATORS)}; is_empty and not_empty take no "
              "value. Masked columns cannot be filtered on.", repeated=True),
        Param("limit", "query", "At most this many rows.",
              {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
        Param("sig", "query", "Signed links only: the signature of a link made by the portal's "
              "download button (no token needed; the link's own parameters fix the port, "
              "columns and filters, and when it expires)."),
    ]


_DESCRIPTION = ("Sensitive columns you may not read come out masked; restricted ports need an "
                "approved access request. Every extract is recorded in the audit log. The file "
                "is named <product>-<version>-<date>.{suffix}.")

OPERATIONS = [
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/data.csv", "getDataCsv",
              "Download data as CSV", "The output port's data (or the columns and rows asked "
              "for) as CSV; cells that would start a spreadsheet formula get a leading "
              "apostrophe. " + _DESCRIPTION.format(suffix="csv"), "data", data_csv,
              params=_params(), auth="bearer-or-link",
              replies=[Reply(200, "The CSV file.", media_types=(MEDIA_TYPES["csv"],))]),
    Operation("GET", f"{API_PREFIX}/products/{{product_id}}/data.parquet", "getDataParquet",
              "Download data as Parquet", "The output port's data (or the columns and rows "
              "asked for) as a Parquet file. " + _DESCRIPTION.format(suffix="parquet"), "data",
              data_parquet, params=_params(), auth="bearer-or-link",
              replies=[Reply(200, "The Parquet file.",
                             media_types=(MEDIA_TYPES["parquet"],))]),
]
"""The data routes."""
