"""Extract files and signed download links, as :class:`~catalog.catalog.Catalog` façade methods.

:meth:`ExtractFileUseCases.extract_file` writes an extract (CSV or Parquet) straight to a file
with one DuckDB ``COPY`` (:meth:`catalog.engine.Engine.write_extract`), so memory stays flat
whatever its size and the sandbox's limits hold. The file is a temporary one under
``<data dir>/.extracts/`` with a random name; the caller sends it and deletes it. Files left
behind by a killed process are removed an hour later, when the next process starts
(:mod:`catalog.housekeeping`). The masking, the formula guard and the audit record are those of
:meth:`Catalog.extract_csv <catalog.catalog.Catalog.extract_csv>`.
:meth:`ExtractFileUseCases.start_extract_file` writes the same file on a thread of its own and
returns at once (:class:`ExtractJob`), so the HTTP route sends the file while DuckDB is still
writing it: the download takes about as long as the writing, not the writing plus the sending.

A **signed link** (:meth:`ExtractFileUseCases.sign_extract_link`) lets a browser or a tool
download an extract without a token, for a few minutes: the URL carries the product, format,
port, columns, filters and limit, who asked and an expiry, and an HMAC-SHA256 signature over
all of them. :meth:`ExtractFileUseCases.principal_for_link` checks the signature and the expiry
and gives back who asked and what. The link carries a snapshot of the person (user id, display
name, e-mail, groups), signed with the rest, so the principal is rebuilt exactly as
:meth:`~catalog.access.token_facade.TokenUseCases.authenticate` rebuilds a token's owner:
governance-admin status comes from the configuration at download time. The data rights are
checked again when the extract is written, so a grant revoked meanwhile ends the link too.

The signing key is ``MESH_LINK_SECRET`` when set (the same value on every server of a
deployment), otherwise a random key kept in ``<data dir>/.link-secret`` (mode 0600), created
once, atomically, so every process sharing the data folder signs alike.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote, urlencode

from catalog.access.tokens import is_local_user, rebuild_principal
from catalog.engine import Engine
from catalog.engines.duckdb_engine import DuckDBAdapter
from catalog.errors import InvalidRequest, Unauthenticated
from catalog.extracts import (
    EXTRACT_FORMATS,
    ExtractFormat,
    ExtractRequest,
    FilterOp,
    RowFilter,
    extract_filename,
)
from catalog.housekeeping import EXTRACTS_DIR
from catalog.sandbox import Limits
from catalog.slices import file_period

if TYPE_CHECKING:
    from catalog.config import Settings
    from catalog.mesh import DataProduct, OutputPortView
    from catalog.models.principal import Principal
    from catalog.store import StateStore

logger = logging.getLogger(__name__)

MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8",
                               "parquet": "application/vnd.apache.parquet"}
"""The media type (``Content-Type``) of each extract format."""
LINK_SECRET_ENV = "MESH_LINK_SECRET"
"""Environment variable: the key signed links are signed with (shared by all servers)."""
LINK_SECRET_FILE = ".link-secret"
"""File under the data folder holding the generated key when ``MESH_LINK_SECRET`` is unset."""
LINK_PATH = "/api/v1/products/{product}/data.{fmt}"
"""Path of a signed link (the HTTP API's extract route)."""
DEFAULT_LINK_TTL_S = 300
"""How long a signed link works by default, in seconds."""
MAX_LINK_TTL_S = 86_400
"""Longest a signed link may work, in seconds (one day)."""
LINK_VERSION = "v1"
"""Version of the signed payload (part of what is signed)."""
SIGNED_PARAMS = ("port", "columns", "filters", "limit", "user", "who", "exp")
"""Query parameters covered by the signature, besides the product id and the format."""

EXTRACT_THREADS = 1
"""DuckDB threads of the extract engine. A ``COPY`` keeps the rows in the data's own order;
run by several threads, DuckDB holds the batches that finish out of order in memory until their
turn, which grows with the size of the extract. One thread writes them in order as they come:
on TPC-H lineitem SF1 (6 M rows, 2 cores) the peak fell from 556 to 112 MB for CSV and from 607
to 173 MB for Parquet, in the same time (CSV 4.5 s, Parquet 2.8-2.9 s).

Two threads under a DuckDB memory limit of 400 MB (bench/api.py) cap that memory near 300 MB,
but use 20-25 % more CPU, run slower than one thread as soon as other work shares the cores,
and write a CSV out of order: each batch's place in the file is reserved and filled later, so
the file has stretches of zeros while it grows, which the HTTP route, sending the file as it is
written, would have to hold back. One thread writes front to back."""

EXTRACT_PIECES = max(1, min(4, os.cpu_count() or 1))
"""Most pieces a large CSV extract is written in, side by side (one DuckDB thread each, one
per core up to 4; :mod:`catalog.engines.duckdb_slices`). TPC-H lineitem SF1 on 2 cores: two
pieces write the CSV about as fast as DuckDB's own two-thread ``COPY``, each piece in flat
memory (bench/api.py)."""

CHUNK = 1 << 20
"""Bytes copied at a time where the kernel cannot join the pieces itself (1 MiB)."""

_NEW_LINK = ("Ask for a new download link (the portal and the API give one on request).")


@dataclass(frozen=True)
class ExtractFile:
    """An extract written to a temporary file, ready to send.

    Attributes:
        path: the file, under ``<data dir>/.extracts/``; the caller deletes it after sending.
        file_name: the name to offer the recipient, ``<product>-<version>-<date>.<format>``.
        media_type: its ``Content-Type``.
        rows: data rows written (the header row of a CSV not counted).
        bytes: the extract's size, in bytes (of ``path`` and ``pieces`` together).
        pieces: for a job's result (:meth:`ExtractJob.result`) written in several pieces, the
            files that follow ``path``, in order; empty when ``path`` is the whole extract.
    """

    path: Path
    file_name: str
    media_type: str
    rows: int
    bytes: int
    pieces: tuple[Path, ...] = ()


@dataclass(frozen=True)
class _Plan:
    """What :meth:`ExtractFileUseCases.extract_file` decides before writing (rights checked)."""

    principal: Principal
    product_id: str
    view: OutputPortView
    request: ExtractRequest
    masked: list[str]
    kind: ExtractFormat
    max_rows: int | None
    path: Path
    file_name: str
    writers: tuple[Callable[[Path], int], ...]
    pieces: tuple[Path, ...]


class ExtractJob:
    """An extract being written to its temporary file(s) by threads of its own.

    A large CSV is written in consecutive pieces side by side (:data:`EXTRACT_PIECES`,
    :meth:`catalog.engine.Engine.extract_writers`): :attr:`path`, then each of :attr:`pieces`;
    the files one after the other are the extract. Each file grows as DuckDB writes it (one
    thread per file: front to back, each byte once), so a reader may send what it finds in a
    file while its writer runs, and move to the next file once :meth:`piece_done` says so; a
    byte not written yet reads as 0. The data is complete only when :meth:`result` returns: it
    raises the writers' error otherwise, and the files are then gone.

    Args:
        path: the (first) file the writer creates (under ``<data dir>/.extracts/``).
        file_name: the name to offer the recipient.
        media_type: its ``Content-Type``.
        pieces: the files that follow ``path``, in order (none when one file is written).
    """

    def __init__(self, path: Path, file_name: str, media_type: str,
                 pieces: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.pieces = tuple(pieces)
        self.file_name = file_name
        self.media_type = media_type
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._discarded = False
        self._result: ExtractFile | None = None
        self._error: BaseException | None = None
        self._pieces_done = [threading.Event() for _ in self.files]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file of the extract, in order (:attr:`path` first)."""
        return (self.path, *self.pieces)

    def piece_done(self, index: int) -> bool:
        """Whether file ``index`` of :attr:`files` is written whole (or the job has ended)."""
        return self._pieces_done[index].is_set() or self._finished.is_set()

    def mark_piece_done(self, index: int) -> None:
        """Called by the writer once file ``index`` of :attr:`files` is written whole."""
        self._pieces_done[index].set()

    def start(self, write: Callable[[], ExtractFile]) -> None:
        """Run ``write`` on a new daemon thread; its result or error is kept for the reader."""
        threading.Thread(target=self._run, args=(write,), daemon=True,
                         name=f"extract-{self.path.stem[-8:]}").start()

    def _run(self, write: Callable[[], ExtractFile]) -> None:
        try:
            self._result = write()
        except BaseException as err:  # noqa: BLE001 - handed to the reader by result()
            self._error = err
        with self._lock:  # discard() before this point leaves the deletion to this thread
            if self._discarded:
                if self._error is not None:
                    logger.warning("an extract nobody reads any more failed: %s", self._error)
                self._unlink()
            self._finished.set()

    @property
    def done(self) -> bool:
        """Whether the writer has ended (successfully or not)."""
        return self._finished.is_set()

    @property
    def failed(self) -> bool:
        """Whether the writer has ended with an error (the file is then removed)."""
        return self._finished.is_set() and self._error is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds (forever when None) for the writer to end.

        Returns:
            Whether it has ended.
        """
        return self._finished.wait(timeout)

    def written(self) -> int:
        """Bytes in the files so far (0 before DuckDB creates them, or once deleted)."""
        total = 0
        for file in self.files:
            with contextlib.suppress(FileNotFoundError):
                total += file.stat().st_size
        return total

    def result(self, timeout: float | None = None) -> ExtractFile:
        """The finished extract, once the writer has ended.

        Args:
            timeout: seconds to wait for the writer; forever when None.

        Returns:
            The extract file: rows written and its final size in bytes.

        Raises:
            TimeoutError: the writer is still running after ``timeout`` seconds.
            InvalidRequest, DataUnavailable, catalog.sandbox.LimitExceeded: the writer's own
                error (see :meth:`ExtractFileUseCases.extract_file`).
        """
        if not self._finished.wait(timeout):
            raise TimeoutError(f"the extract {self.path.name} is still being written")
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result

    def discard(self) -> None:
        """Delete the file: now if the writer has ended, else as soon as it ends (the writer
        is not interrupted: it finishes and records its audit record). Idempotent."""
        with self._lock:
            self._discarded = True
            finished = self._finished.is_set()
        if finished:
            self._unlink()

    def _unlink(self) -> None:
        for file in self.files:
            try:
                file.unlink(missing_ok=True)
            except OSError:
                logger.warning("could not delete the extract file %s", file.name,
                               exc_info=True)


def _write_side_by_side(writers: tuple[Callable[[Path], int], ...], files: tuple[Path, ...],
                        piece_done: Callable[[int], None] | None) -> list[int]:
    """Run ``writers[i](files[i])`` for every piece, the first on this thread and the others
    on threads of their own, all at once; wait for all of them.

    Returns:
        The rows each wrote, in order.

    Raises:
        The first piece's error (in order) when any failed, once all have ended.
    """
    rows: list[int] = [0] * len(writers)
    errors: list[BaseException | None] = [None] * len(writers)

    def run(index: int) -> None:
        """Write piece ``index``; keep its rows or its error."""
        try:
            rows[index] = writers[index](files[index])
            if piece_done is not None:
                piece_done(index)
        except BaseException as err:  # noqa: BLE001 - raised below, in the pieces' order
            errors[index] = err

    threads = [threading.Thread(target=run, args=(n,), daemon=True,
                                name=f"extract-piece-{n}") for n in range(1, len(writers))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    for error in errors:
        if error is not None:
            raise error
    return rows


def _joined(written: ExtractFile) -> ExtractFile:
    """The extract as one file: the pieces appended to the first file (in the kernel, no
    copy through Python) and deleted.

    Raises:
        OSError: the disk is full; every file of the extract is then removed.
    """
    if not written.pieces:
        return written
    try:
        with open(written.path, "r+b") as out:
            end = os.fstat(out.fileno()).st_size
            for piece in written.pieces:
                with open(piece, "rb") as source:
                    end = _append(source, out, end)
                piece.unlink()
    except BaseException:
        for file in (written.path, *written.pieces):
            file.unlink(missing_ok=True)
        raise
    return dataclasses.replace(written, pieces=())


def _append(source: BinaryIO, out: BinaryIO, end: int) -> int:
    """Copy ``source`` whole to ``out`` at byte ``end`` (``copy_file_range``: in the kernel,
    no copy through Python; plain reads and writes where the file system refuses it).

    Returns:
        The new end of ``out``, in bytes.
    """
    remaining = os.fstat(source.fileno()).st_size
    try:
        while remaining > 0:
            copied = os.copy_file_range(source.fileno(), out.fileno(), remaining,
                                        offset_dst=end)
            if copied == 0:
                break
            remaining -= copied
            end += copied
    except OSError:  # e.g. across file systems on old kernels: copy through Python
        out.seek(end)
        shutil.copyfileobj(source, out, CHUNK)
        end = out.tell()
    return end


def _format(fmt: str) -> ExtractFormat:
    """``fmt`` checked against the extract formats.

    Raises:
        InvalidRequest: not ``csv`` or ``parquet``.
    """
    for known in EXTRACT_FORMATS:
        if fmt == known:
            return known
    raise InvalidRequest(f"'{fmt}' is not an extract format; use "
                         f"{' or '.join(EXTRACT_FORMATS)}.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def link_key(data_dir: Path) -> bytes:
    """The key signed links are signed with.

    ``MESH_LINK_SECRET`` when set; otherwise the key in ``<data dir>/.link-secret``, created
    with 32 random bytes (mode 0600) if missing. The file is written under a temporary name and
    hard-linked into place, which fails if another process got there first: then that
    process's key is read, so all agree.

    Args:
        data_dir: the data folder.

    Returns:
        The key's bytes.

    Raises:
        OSError: the key file can neither be read nor created.
    """
    configured = os.environ.get(LINK_SECRET_ENV, "").strip()
    if configured:
        if len(configured) < 32:
            logger.warning("%s is shorter than 32 characters; use a long random value",
                           LINK_SECRET_ENV)
        return configured.encode("utf-8")
    target = data_dir / LINK_SECRET_FILE
    for _attempt in range(3):
        try:
            text = target.read_text(encoding="ascii").strip()
            if text:
                return text.encode("ascii")
        except FileNotFoundError:
            pass
        data_dir.mkdir(parents=True, exist_ok=True)
        temp = data_dir / f".link-secret.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, target)
                logger.info("created the signing key for download links: %s", target)
            except FileExistsError:
                pass  # another process created it first: read theirs
        finally:
            temp.unlink(missing_ok=True)
    return target.read_text(encoding="ascii").strip().encode("ascii")


def _signature(key: bytes, product_id: str, fmt: str, values: Mapping[str, str]) -> str:
    """HMAC-SHA256 (hex) over the product, the format and the signed query values."""
    payload = json.dumps([LINK_VERSION, product_id, fmt,
                          *(values.get(name, "") for name in SIGNED_PARAMS)],
                         ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def _request_values(request: ExtractRequest) -> dict[str, str]:
    """The request as query values (absent ones left out)."""
    values: dict[str, str] = {}
    if request.columns:
        values["columns"] = json.dumps(list(request.columns), ensure_ascii=False,
                                       separators=(",", ":"))
    if request.filters:
        values["filters"] = json.dumps(
            [[f.column, str(FilterOp(f.op)), None if f.value is None else str(f.value)]
             for f in request.filters], ensure_ascii=False, separators=(",", ":"))
    if request.limit is not None:
        values["limit"] = str(int(request.limit))
    return values


def _request_from(query: Mapping[str, str]) -> ExtractRequest:
    """The extract request a (verified) link describes.

    Raises:
        Unauthenticated: the values do not parse (a link this portal did not sign).
    """
    try:
        columns = tuple(str(c) for c in json.loads(query["columns"])) if query.get(
            "columns") else ()
        filters = tuple(RowFilter(str(c), FilterOp(op), v) for c, op, v in
                        json.loads(query["filters"])) if query.get("filters") else ()
        limit = int(query["limit"]) if query.get("limit") else None
    except (ValueError, TypeError) as err:
        raise Unauthenticated(f"This download link is damaged ({type(err).__name__}). "
                              + _NEW_LINK) from None
    return ExtractRequest(columns=columns, filters=filters, limit=limit)


EXTRACT_DUCKDB_SETTINGS = {"disabled_optimizers": "late_materialization"}
"""DuckDB settings of the extract engine. Late materialization turns ``LIMIT n`` (up to about a
million rows) into a scan of the row positions, a sort and a join, which holds the limited
rows in memory: an unfiltered 600,000-row CSV extract of TPC-H lineitem peaked at 254 MB with it
and 99 MB without, and ran faster without (1.9 s against 2.4 s). An extract reads every
selected row once, in order, which is what the plain plan does."""


PARQUET_THREADS = max(1, min(4, os.cpu_count() or 1))
"""DuckDB threads of the engine that writes whole-port Parquet extracts (one per core, up to 4)."""
PARQUET_DUCKDB_SETTINGS = {**EXTRACT_DUCKDB_SETTINGS, "preserve_insertion_order": "false"}
"""DuckDB settings of that engine. A Parquet extract without a row limit is a table file, whose
rows a reader takes as a set (as Spark, DuckDB and pandas do without an ``ORDER BY``), so its
threads write row groups as they finish instead of holding finished ones back to keep the
data's order, which took 600-700 MB on TPC-H lineitem SF1; one thread kept it flat but ran at
0.68x DuckDB's own two-thread ``COPY`` (bench/api.py). With a row limit, which rows come out
depends on the order, so those extracts stay on the one-thread, ordered engine, as CSV does."""


def parquet_engine(data_dir: Path) -> Engine:
    """The engine whole-port Parquet extracts of DuckDB-read data are written with: the
    sandbox's limits, :data:`PARQUET_THREADS` threads and :data:`PARQUET_DUCKDB_SETTINGS`."""
    return Engine(data_dir, limits=Limits.from_env(threads=PARQUET_THREADS),
                  duckdb_settings=PARQUET_DUCKDB_SETTINGS)


def extract_engine(data_dir: Path) -> Engine:
    """The engine extracts are written with: the sandbox's limits (``MESH_QUERY_*``),
    :data:`EXTRACT_THREADS` threads and :data:`EXTRACT_DUCKDB_SETTINGS`, so memory stays flat
    whatever the extract's size."""
    return Engine(data_dir, limits=Limits.from_env(threads=EXTRACT_THREADS),
                  duckdb_settings=EXTRACT_DUCKDB_SETTINGS)


class ExtractFileUseCases:
    """Extract files and signed download links, as façade methods."""

    settings: Settings
    store: StateStore
    _lock: threading.Lock
    _link_key_cache: bytes | None
    _extract_engine: Engine | None = None
    _parquet_engine: Engine | None = None

    if TYPE_CHECKING:  # implemented by the façade
        def product(self, principal: Principal, product_id: str) -> DataProduct:
            """The product with ``product_id`` (the façade implements it)."""

        def masked_columns(self, principal: Principal, product_id: str,
                           port: str | None = None) -> list[str]:
            """Sensitive columns ``principal`` sees masked (the façade implements it)."""

        def _port(self, principal: Principal, product_id: str, port: str | None
                  ) -> OutputPortView:
            """The readable output port (the façade implements it)."""

    def extract_file(self, principal: Principal, product_id: str, port: str | None,
                     request: ExtractRequest | None, fmt: ExtractFormat,
                     max_rows: int | None = None) -> ExtractFile:
        """Write an extract of a port to a temporary file with DuckDB, in flat memory.

        Same masking, formula guard (CSV) and audit record (``data.extracted``: who, product,
        port, columns, masked columns, filters, rows, bytes, format) as
        :meth:`Catalog.extract_csv <catalog.catalog.Catalog.extract_csv>`.

        Args:
            principal: who asks; needs read access to the port.
            product_id: the product.
            port: the output port; the first when None.
            request: columns, filters and limit; everything when None.
            fmt: ``csv`` (UTF-8, header row) or ``parquet``.
            max_rows: at most this many rows (on top of ``request.limit``); ``None`` for no cap.

        Returns:
            The file (under ``<data dir>/.extracts/``, which the caller deletes after sending),
            its offered name, media type, rows and size in bytes.

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown format, column or port, a bad filter value, a filter on a
                masked column, or ``max_rows`` below 1.
            DataUnavailable: the data cannot be read.
            catalog.sandbox.LimitExceeded: a time, memory or spill limit stopped it.
        """
        written = self._write_planned(self._plan_extract(principal, product_id, port, request,
                                                         fmt, max_rows))
        return _joined(written)

    def start_extract_file(self, principal: Principal, product_id: str, port: str | None,
                           request: ExtractRequest | None, fmt: ExtractFormat,
                           max_rows: int | None = None) -> ExtractJob:
        """Start writing an extract to a temporary file on a thread of its own, so that the
        file can be sent while DuckDB is still writing it (:class:`ExtractJob`).

        The rights, the port, the format and the filters (columns and values) are checked
        before this returns (the file's name is made then: the data's period, one query; and
        the pieces are planned: :data:`EXTRACT_PIECES`); the data itself is read by the
        writers, whose error :meth:`ExtractJob.result` raises. Masking, formula guard and
        audit record are those of :meth:`extract_file`.

        Args:
            principal: who asks; needs read access to the port.
            product_id: the product.
            port: the output port; the first when None.
            request: columns, filters and limit; everything when None.
            fmt: ``csv`` or ``parquet``.
            max_rows: at most this many rows (on top of ``request.limit``); ``None`` for no cap.

        Returns:
            The running job; the caller reads :attr:`ExtractJob.files` in order as they grow
            and calls :meth:`ExtractJob.discard` once done with it (the files are then
            deleted, at once or when the writers end).

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown format, port or filter column, a bad filter value, a
                filter on a masked column, or ``max_rows`` below 1.
            DataUnavailable: the data cannot be read.
        """
        plan = self._plan_extract(principal, product_id, port, request, fmt, max_rows)
        job = ExtractJob(plan.path, plan.file_name, MEDIA_TYPES[plan.kind], plan.pieces)
        job.start(lambda: self._write_planned(plan, job.mark_piece_done))
        return job

    def _plan_extract(self, principal: Principal, product_id: str, port: str | None,
                      request: ExtractRequest | None, fmt: ExtractFormat,
                      max_rows: int | None) -> _Plan:
        """Everything decided before writing: rights, port, masking, the file's path and name
        (:func:`catalog.slices.file_period`).

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown format, port or filter column, a filter on a masked
                column, or ``max_rows`` below 1.
            DataUnavailable: the data cannot be read.
        """
        kind = _format(fmt)
        if max_rows is not None and (isinstance(max_rows, bool) or int(max_rows) < 1):
            raise InvalidRequest(f"max_rows must be 1 or more; {max_rows!r} is not.")
        view = self._port(principal, product_id, port)
        product = self.product(principal, product_id)
        masked = self.masked_columns(principal, product_id, view.name)
        folder = self.settings.data_dir / EXTRACTS_DIR
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        request = request or ExtractRequest()
        engine = self.extract_engine
        if kind == "parquet" and not request.limit and max_rows is None and isinstance(
                engine.locate(view).adapter, DuckDBAdapter):
            engine = self.parquet_engine  # a whole table file: rows as a set, all cores
        writers = tuple(engine.extract_writers(view, request, masked, kind, max_rows,
                                               EXTRACT_PIECES))
        stem = f"extract-{uuid.uuid4().hex}"
        return _Plan(principal=principal, product_id=product_id, view=view, request=request,
                     masked=masked, kind=kind, max_rows=max_rows,
                     path=folder / f"{stem}.{kind}",
                     file_name=extract_filename(product.id, product.version, file_period(
                         self.extract_engine, view, request, masked), kind),
                     writers=writers,
                     pieces=tuple(folder / f"{stem}.piece{n}.{kind}"
                                  for n in range(1, len(writers))))

    def _write_planned(self, plan: _Plan,
                       piece_done: Callable[[int], None] | None = None) -> ExtractFile:
        """Write a planned extract to its file(s), the pieces side by side, and record the
        audit; the files are removed if the writing fails.

        Args:
            plan: what to write.
            piece_done: called with a file's index (0 for ``plan.path``) once it is whole.

        Raises:
            InvalidRequest: a bad filter value.
            DataUnavailable: the data cannot be read.
            catalog.sandbox.LimitExceeded: a time, memory or spill limit stopped it.
        """
        request, files = plan.request, (plan.path, *plan.pieces)
        try:
            rows = sum(_write_side_by_side(plan.writers, files, piece_done))
            size = sum(file.stat().st_size for file in files)
        except BaseException:
            for file in files:
                file.unlink(missing_ok=True)
            raise
        self.store.record_audit(
            dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), plan.principal.username,
            "data.extracted", plan.product_id,
            {"port": plan.view.name, "columns": list(request.columns) or "all",
             "masked": plan.masked,
             "filters": [[f.column, str(f.op), None if f.value is None else str(f.value)]
                         for f in request.filters], "rows": rows, "bytes": size,
             "format": plan.kind, "max_rows": plan.max_rows})
        return ExtractFile(plan.path, plan.file_name, MEDIA_TYPES[plan.kind], rows, size,
                           plan.pieces)

    @property
    def parquet_engine(self) -> Engine:
        """The engine whole-port Parquet extracts are written with (:func:`parquet_engine`),
        made on first use."""
        with self._lock:
            if self._parquet_engine is None:
                self._parquet_engine = parquet_engine(self.settings.data_dir)
            return self._parquet_engine

    @property
    def extract_engine(self) -> Engine:
        """The engine extracts are written with (:func:`extract_engine`), made on first use."""
        with self._lock:
            if self._extract_engine is None:
                self._extract_engine = extract_engine(self.settings.data_dir)
            return self._extract_engine

    def extract_csv(self, principal: Principal, product_id: str, port: str | None = None,
                    request: ExtractRequest | None = None) -> bytes:
        """A CSV extract as bytes, held in memory: for small extracts (the MCP tool's 10,000
        rows); anything larger is :meth:`extract_file`'s. Same rights, masking, formula guard
        and audit record.

        Raises:
            PermissionDenied: the port is restricted and the principal has no grant.
            InvalidRequest: unknown column, bad filter value, or a filter on a masked column.
            DataUnavailable: the data cannot be read.
        """
        written = self.extract_file(principal, product_id, port, request, "csv")
        try:
            return written.path.read_bytes()
        finally:
            written.path.unlink(missing_ok=True)

    def _link_key(self) -> bytes:
        """The signing key (read once per façade)."""
        key: bytes | None = getattr(self, "_link_key_cache", None)
        if key is None:
            key = link_key(self.settings.data_dir)
            self._link_key_cache = key
        return key

    def sign_extract_link(self, principal: Principal, product_id: str, port: str | None,
                          request: ExtractRequest | None, fmt: ExtractFormat,
                          ttl_s: int = DEFAULT_LINK_TTL_S) -> str:
        """A download link for an extract that works without a token for ``ttl_s`` seconds.

        The principal must be able to read the port now; rights are checked again when the
        link is used.

        Args:
            principal: who asks; the link downloads as them.
            product_id: the product.
            port: the output port; the first when None (the link names it).
            request: columns, filters and limit; everything when None.
            fmt: ``csv`` or ``parquet``.
            ttl_s: how long the link works, 1 to 86,400 seconds (default 300).

        Returns:
            The URL path and query, e.g.
            ``/api/v1/products/sales.orders/data.csv?port=orders&user=…&who=…&exp=…&sig=…``.

        Raises:
            PermissionDenied: not signed in, or no read access to the port.
            InvalidRequest: unknown format or port, or ``ttl_s`` out of range.
        """
        kind = _format(fmt)
        if isinstance(ttl_s, bool) or not isinstance(ttl_s, int) or not (
                1 <= ttl_s <= MAX_LINK_TTL_S):
            raise InvalidRequest(f"A download link works for 1 to {MAX_LINK_TTL_S:,} seconds; "
                                 f"{ttl_s!r} is not.")
        view = self._port(principal, product_id, port)
        snapshot = [principal.display_name, principal.email, sorted(principal.groups),
                    is_local_user(principal)]
        values = {"port": view.name, **_request_values(request or ExtractRequest()),
                  "user": principal.username,
                  "who": _b64(json.dumps(snapshot, ensure_ascii=False,
                                         separators=(",", ":")).encode("utf-8")),
                  "exp": str(int(time.time()) + ttl_s)}
        values["sig"] = _signature(self._link_key(), product_id, kind, values)
        path = LINK_PATH.format(product=quote(product_id, safe=""), fmt=kind)
        return f"{path}?{urlencode(values)}"

    def principal_for_link(self, product_id: str, fmt: ExtractFormat, query: Mapping[str, str]
                           ) -> tuple[Principal, str | None, ExtractRequest]:
        """Who a signed link downloads as, and what.

        Args:
            product_id: the product id of the link's path.
            fmt: the format of the link's path (``csv`` or ``parquet``).
            query: the link's query parameters (one value each); others than the signed ones
                are ignored.

        Returns:
            The principal (rebuilt from the signed snapshot, admin status from today's
            configuration), the port (``None`` for the first) and the extract request.

        Raises:
            Unauthenticated: no or a wrong signature (the link was changed or is not from this
                portal), or the link expired; the message says to ask for a new one.
        """
        kind = str(fmt)
        sig = str(query.get("sig", ""))
        if not sig or not query.get("exp") or not query.get("user"):
            raise Unauthenticated("This download link is incomplete: it has no signature, "
                                  "expiry or user. " + _NEW_LINK)
        values = {name: str(query[name]) for name in SIGNED_PARAMS if query.get(name)}
        expected = _signature(self._link_key(), product_id, kind, values)
        if kind not in EXTRACT_FORMATS or not hmac.compare_digest(expected, sig.lower()):
            raise Unauthenticated("This download link was changed after it was made, or was "
                                  "not made by this portal. " + _NEW_LINK)
        try:
            expires = int(values["exp"])
        except ValueError:
            raise Unauthenticated("This download link is damaged. " + _NEW_LINK) from None
        if time.time() >= expires:
            when = dt.datetime.fromtimestamp(expires, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            raise Unauthenticated(f"This download link expired at {when}; links work for a "
                                  "few minutes only. " + _NEW_LINK)
        try:
            name, email, groups, local = json.loads(_unb64(values.get("who", "")))
        except (ValueError, TypeError, binascii.Error):
            raise Unauthenticated("This download link is damaged. " + _NEW_LINK) from None
        principal = rebuild_principal(values["user"], str(name), str(email),
                                      [str(g) for g in groups], bool(local))
        return principal, values.get("port") or None, _request_from(values)
