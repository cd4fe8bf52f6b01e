"""``/api/v1/products/{id}/data.csv`` and ``data.parquet``: a product's data as a file.

The catalog writes the extract to a temporary file (DuckDB ``COPY``, flat memory, the caller's
masking, the formula guard for CSV, an audit record) on a thread of its own, and the response
sends the file while it is being written, so a download takes about as long as the writing
(not the writing plus the sending). An extract finished within its first
:data:`START_BYTES` goes out whole with a ``Content-Length``; a larger one with chunked transfer
encoding. Errors found before the response starts (rights, columns, filter values, missing
data) are answered as JSON errors; a failure after it started closes the connection without
the end of the chunked body (:class:`ExtractAborted`), so the client sees an incomplete
download rather than a shorter file that looks whole. The file is deleted however the response
ends (sent, failed, client gone). The caller is named by a Bearer token, or by a short-lived
signed link (``sig`` parameter) that the portal's download button uses; a link carries its own
port, columns and filters, which are not read from the other parameters.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

import anyio
import anyio.to_thread
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from catalog import (
    FILTER_OPERATORS,
    ExtractJob,
    ExtractRequest,
    InvalidRequest,
    parse_filter,
)
from portal.api.operation import API_PREFIX, ApiCall, Operation, Param, Reply
from portal.api.params import PRODUCT_ID

logger = logging.getLogger(__name__)

Format = Literal["csv", "parquet"]
"""The file formats served."""
MEDIA_TYPES: dict[Format, str] = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
"""Documented media type per format (the catalog sets the one sent)."""
OPERATORS = FILTER_OPERATORS
"""Filter operator names of the ``filter`` parameter (:data:`catalog.FILTER_OPERATORS`)."""
MAX_FILTERS = 20
"""Most ``filter`` parameters one request may have."""
MAX_LIMIT = 100_000_000
"""Highest ``limit`` accepted."""
CHUNK_BYTES = 1024 * 1024
"""Bytes read and sent at a time (each chunk crosses every middleware of the server)."""
START_BYTES = CHUNK_BYTES
"""The response starts once the extract file has this many bytes, or is finished: errors found
before (a bad column or filter value, missing data) are answered as errors, with a status."""
POLL_S = 0.005
"""Seconds to wait before looking again at an extract file that has not grown."""


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

    chunk_size = CHUNK_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the file, then delete it, even when the client went away mid-way."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            _delete(Path(self.path))


class ExtractAborted(Exception):
    """The extract failed after part of it was sent: the connection is closed without the
    end of the chunked body, so the client sees an incomplete download, never a short file
    that looks whole."""


async def _tail(job: ExtractJob) -> AsyncIterator[bytes]:
    """The extract's bytes as the writers write them, file after file
    (:attr:`ExtractJob.files`), until every file is whole and read; then a check that what was
    sent is the finished extract.

    A byte a writer has not written yet reads as 0, and a writer may write out of order:
    DuckDB with more than one thread reserves each batch's place in the file and fills it
    later, so a reader at the end of a file can meet a stretch of zeros that becomes data
    afterwards. Any chunk sent before its file was whole that holds a 0 byte is therefore read
    again once the writers have ended and compared (CRC-32): a CSV has no 0 bytes, so nothing
    is read twice; a Parquet file is, at about 0.1 s per 200 MB. (This relies on each byte
    being written once, as DuckDB, the PostgreSQL adapter's stream and Spark's move into place
    do.)

    Raises:
        ExtractAborted: a writer failed, the files do not add up to what the writers reported,
            or a chunk sent early differs from the finished file.
    """
    sent = 0
    suspects: list[tuple[int, int, int, int]] = []  # (file, offset, length, CRC-32) to re-read
    for index in range(len(job.files)):
        async for chunk, offset, early in _tail_file(job, index):
            if early and b"\0" in chunk:
                suspects.append((index, offset, len(chunk), zlib.crc32(chunk)))
            sent += len(chunk)
            yield chunk
    while not job.done:  # the files are whole; the writer still records the audit
        await anyio.sleep(POLL_S)
    try:
        expected = job.result(timeout=0).bytes
    except Exception as err:
        logger.warning("extract %s failed after %s bytes were sent; closing the "
                       "connection: %s", job.path.name, f"{sent:,}", err)
        raise ExtractAborted(f"the extract failed after {sent:,} bytes: {err}") from err
    if sent != expected:
        raise ExtractAborted(f"sent {sent:,} bytes of an extract of {expected:,}")
    if suspects:
        changed = await anyio.to_thread.run_sync(_changed, job.files, suspects)
        if changed is not None:
            logger.warning("extract %s changed at byte %s of piece %s after it was sent; "
                           "closing the connection", job.path.name, f"{changed[1]:,}",
                           changed[0])
            raise ExtractAborted(f"the extract changed at byte {changed[1]:,} of piece "
                                 f"{changed[0]} after it was sent (written out of order)")


async def _tail_file(job: ExtractJob, index: int
                     ) -> AsyncIterator[tuple[bytes, int, bool]]:
    """File ``index`` of the job as it is written: ``(chunk, offset, early)`` until the file
    is whole (or the job has ended) and read to its end; ``early`` when the chunk was read
    before the file was whole. A file the writers never made (they failed) yields nothing."""
    path = job.files[index]
    handle = None
    offset = 0
    try:
        while True:
            whole = job.piece_done(index)  # read before the file: nothing is added after
            if handle is None:
                try:
                    handle = open(path, "rb")  # noqa: SIM115 - closed in finally
                except FileNotFoundError:
                    if whole:
                        return
                    await anyio.sleep(POLL_S)
                    continue
            chunk = await anyio.to_thread.run_sync(handle.read, CHUNK_BYTES)
            if chunk:
                yield chunk, offset, not whole
                offset += len(chunk)
            elif whole:
                return
            else:
                await anyio.sleep(POLL_S)
    finally:
        if handle is not None:
            handle.close()


def _changed(files: tuple[Path, ...], suspects: list[tuple[int, int, int, int]]
             ) -> tuple[int, int] | None:
    """``(file index, offset)`` of the first sent chunk whose bytes in the finished file
    differ (by CRC-32), or None when all are the same (a file gone counts as changed)."""
    for index, offset, length, crc in suspects:
        try:
            with open(files[index], "rb") as handle:
                handle.seek(offset)
                if zlib.crc32(handle.read(length)) != crc:
                    return index, offset
        except FileNotFoundError:
            return index, offset
    return None


class GrowingExtractResponse(StreamingResponse):
    """Sends an extract while DuckDB is still writing it (chunked transfer encoding, as the
    size is not known yet), then deletes the file, also when the client goes away or the
    writer fails (:class:`ExtractAborted`)."""

    def __init__(self, job: ExtractJob) -> None:
        self.job = job
        super().__init__(_tail(job), media_type=job.media_type, headers={
            "Content-Disposition": f'attachment; filename="{job.file_name}"',
            "Content-Encoding": "identity"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream the file; delete it however the sending ends."""
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.job.discard()


async def _first_bytes(job: ExtractJob) -> None:
    """Wait until the writer has written :data:`START_BYTES` or ended."""
    while not job.done and job.written() < START_BYTES:
        await anyio.sleep(POLL_S)


async def _data(call: ApiCall, fmt: Format) -> Response:
    """Start the extract with the catalog and send it as it is written."""
    product_id = call.path("product_id")
    if call.request.query_params.get("sig") is not None:
        principal, port, request = await call.run(
            call.catalog.principal_for_link, product_id, fmt, call.request.query_params)
    else:
        principal = await call.principal()
        port, request = call.query("port"), extract_request(call)
    job = await call.run(call.catalog.start_extract_file, principal, product_id, port, request,
                         fmt)
    try:
        await _first_bytes(job)
        if job.done and (job.failed or not job.pieces):  # small, or an early error: sent
            extract = job.result()  # whole with its length, or the error as a JSON response
            # The file goes out as DuckDB wrote it: the server's gzip layer skips a response
            # that names its encoding (recompressing Parquet, or 700 MB of CSV at level 9,
            # costs 3-7x the time of the extract itself; see bench/api.py).
            return ExtractFileResponse(extract.path, media_type=extract.media_type,
                                       filename=extract.file_name,
                                       headers={"Content-Encoding": "identity"})
        return GrowingExtractResponse(job)
    except BaseException:
        job.discard()
        raise


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
                "is named <product>-<version>-<period>.{suffix} (the period its rows cover, "
                "e.g. 2013 or 2013-07; the download day when the port has no date column). A "
                "large file is sent while it is written (chunked); a failure after the first "
                "bytes closes the connection before the end of the body, so the download is "
                "incomplete, never a shorter file that looks whole.")

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
