"""Where a new product's data comes from: an uploaded file or a file/table in the data folder.

Every source is read once by DuckDB (``read_csv``, ``read_parquet``, an attached table, or a
derived product's query, see :mod:`catalog.registration.query`) and *staged*: written as a
Parquet file under ``<data dir>/.staging/``. Later steps (preview, profile, dry run) and the
publish read that file, which is columnar and fast, instead of parsing a CSV again each time.
Nothing is ever read into pandas whole; DuckDB streams the data.

Uploads are checked before DuckDB sees them: size (limit from :class:`Settings`, default
200 MB), that the bytes are what the name claims (Parquet magic ``PAR1`` at both ends; CSV
decodable as UTF-8 text, no NUL bytes, no line longer than :data:`MAX_LINE_BYTES`).
Local sources are only ever files under ``Settings.data_dir``: a path is resolved and must
stay inside it.
"""

from __future__ import annotations

import codecs
import dataclasses
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from catalog.config import Settings
from catalog.engine import Engine
from catalog.files import write_atomic
from catalog.mesh import Mesh
from catalog.registration.errors import RegistrationError, UploadRejected
from catalog.registration.forms import SourceKind
from catalog.sandbox import LimitExceeded, Sandbox
from catalog.sandbox import explain as explain_limit
from catalog.sql import quote_identifier, quote_literal

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 1024 * 1024
"""Longest CSV line accepted (1 MiB); longer lines are refused as hostile or broken."""
SNIFF_BYTES = 2 * MAX_LINE_BYTES
"""How much of an upload is inspected before DuckDB reads it."""
STAGING = ".staging"
"""Folder under the data folder holding uploads between the wizard's steps."""
STAGED_MAX_AGE_S = 24 * 3600
"""Staged uploads older than this (seconds) are removed when a new one arrives."""
COPY_MEMORY_MB = 256
"""DuckDB memory limit (MB) of the separate sandbox that converts files to Parquet."""
PRODUCTS_FOLDER = "products"
"""Folder under the data folder holding registered products' Parquet files."""
UPLOAD_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet",
                   ".pq": "parquet"}
"""File name endings accepted for uploads, and the format each claims."""
_LOCAL_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".duckdb": "duckdb"}
_PARQUET_MAGIC = b"PAR1"
_OTHER_FORMATS = {b"PK\x03\x04": "a zip archive or an Excel workbook (.xlsx)",
                  b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
                  b"%PDF": "a PDF document", b"\x1f\x8b": "a gzip archive",
                  b"SQLite format 3": "a SQLite database"}


@dataclass(frozen=True)
class InputRef:
    """An upstream product a derived product reads (becomes an ODPS input port)."""

    product_id: str
    version: str
    contract_id: str


@dataclass(frozen=True)
class DataSource:
    """The data a product is registered from, staged as Parquet.

    Attributes:
        kind: upload, local file/table, or query.
        label: how the wizard names it ("flights.csv (12.3 MB)").
        relation: SQL relation of the staged data, to put after ``FROM``.
        format: what it was read from: ``csv``, ``parquet``, ``duckdb`` or ``query``.
        path: the staged Parquet file.
        rows: number of rows.
        query: a derived product's SQL as the person wrote it.
        inputs: upstream products of a derived product.
    """

    kind: SourceKind
    label: str
    relation: str
    format: str
    path: Path
    rows: int
    query: str | None = None
    inputs: tuple[InputRef, ...] = ()


def upload_limit_bytes(settings: Settings) -> int:
    """The largest upload accepted, in bytes (``Settings.upload_limit_mb`` MB, default 200)."""
    return int(getattr(settings, "upload_limit_mb", 200)) * 1024 * 1024


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def sniff_upload(file_name: str, head: bytes, tail: bytes, size: int, limit: int) -> str:
    """Check that an upload is what its name claims, before anything reads it.

    Args:
        file_name: the name the browser sent (only its ending is used).
        head: the first bytes of the file (up to :data:`SNIFF_BYTES`).
        tail: the last 4 bytes of the file.
        size: the file's size in bytes.
        limit: the largest size accepted, in bytes.

    Returns:
        The format: ``csv`` or ``parquet``.

    Raises:
        UploadRejected: too large, empty, an unsupported ending, the wrong kind of file, not
            UTF-8, NUL bytes, or a line longer than :data:`MAX_LINE_BYTES`; the message says
            what to fix.
    """
    suffix = Path(file_name).suffix.lower()
    claimed = UPLOAD_SUFFIXES.get(suffix)
    if claimed is None:
        raise UploadRejected(f"{file_name}: only CSV and Parquet files can be registered "
                             "(names ending in .csv or .parquet).")
    if size > limit:
        raise UploadRejected(f"{file_name} is {_size(size)}; the limit is {_size(limit)}. "
                             "Upload a smaller extract, or ask the platform team to place the "
                             "file in the data folder and choose it as an existing file.")
    if size == 0:
        raise UploadRejected(f"{file_name} is empty.")
    if head.startswith(_PARQUET_MAGIC) and claimed != "parquet":
        raise UploadRejected(f"{file_name} is a Parquet file named like a CSV file; rename it "
                             "to end in .parquet and upload it again.")
    if claimed == "parquet":
        if not (head.startswith(_PARQUET_MAGIC) and tail.endswith(_PARQUET_MAGIC)):
            raise UploadRejected(f"{file_name} is not a complete Parquet file (it lacks the "
                                 "'PAR1' markers at its start and end). Export it again, or "
                                 "upload it as CSV.")
        return "parquet"
    for magic, what in _OTHER_FORMATS.items():
        if head.startswith(magic):
            raise UploadRejected(f"{file_name} is {what}, not CSV text. Save it as "
                                 "'CSV UTF-8 (comma delimited)' and upload that file.")
    _check_csv_text(file_name, head, complete=size <= len(head))
    return "csv"


def _check_csv_text(file_name: str, head: bytes, complete: bool) -> None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UploadRejected(f"{file_name} is UTF-16 text; save it as UTF-8 "
                             "('CSV UTF-8' in Excel) and upload it again.")
    if b"\x00" in head:
        line = head[: head.index(b"\x00")].count(b"\n") + 1
        raise UploadRejected(f"{file_name} line {line} contains NUL bytes: this is a binary "
                             "file, not CSV text.")
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=complete)
    except UnicodeDecodeError as err:
        line = head[: err.start].count(b"\n") + 1
        byte = head[err.start]
        guess = ""
        if 0x80 <= byte <= 0xFF:
            guess = f" (it looks like Windows-1252/Latin-1: byte 0x{byte:02X} would be " \
                    f"'{bytes([byte]).decode('cp1252', 'replace')}')"
        raise UploadRejected(f"{file_name} line {line} is not UTF-8 text{guess}. Save the file "
                             "as UTF-8 ('CSV UTF-8' in Excel, or 'Save with encoding: UTF-8' in "
                             "a text editor) and upload it again.") from None
    longest = max((len(line) for line in head.split(b"\n")[: -1 if not complete else None]),
                  default=0)
    if longest > MAX_LINE_BYTES or (not complete and b"\n" not in head):
        raise UploadRejected(f"{file_name} has a line longer than {_size(MAX_LINE_BYTES)}; "
                             "a CSV row that long is almost always a broken file (wrong line "
                             "endings, or an unclosed quote). Check the file and upload again.")


def csv_relation(path: Path) -> str:
    """``read_csv(…)`` of a CSV file: header row, types detected, lines capped."""
    return (f"read_csv({quote_literal(str(path))}, header = true, "
            f"max_line_size = {MAX_LINE_BYTES})")


def parquet_relation(path: Path) -> str:
    """``read_parquet(…)`` of a Parquet file."""
    return f"read_parquet({quote_literal(str(path))})"


def file_relation(path: Path, fmt: str) -> str:
    """The relation reading ``path`` as ``fmt`` (``csv`` or ``parquet``)."""
    return csv_relation(path) if fmt == "csv" else parquet_relation(path)


def _clean_staging(folder: Path) -> None:
    cutoff = time.time() - STAGED_MAX_AGE_S
    for old in folder.glob("*"):
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:  # another session removed it first
            continue


def staging_dir(settings: Settings) -> Path:
    """``<data dir>/.staging`` (created), after removing files older than a day."""
    folder = settings.data_dir / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    _clean_staging(folder)
    return folder


def copy_to_parquet(engine: Engine, source: DataSource, select: str, target: Path, *,
                    standalone: bool) -> None:
    """``COPY (<select>) TO <target>`` as zstd Parquet, with read errors explained.

    Args:
        engine: the catalog's engine (used unless ``standalone``).
        source: the data being read (names it in error messages).
        select: the SELECT to write.
        target: the Parquet file to write.
        standalone: run in a separate, short-lived sandbox limited to
            :data:`COPY_MEMORY_MB`, for selects that only read files (a CSV, a staged
            Parquet): converting a 100 MB CSV then peaks near 200 MB instead of 330 MB under
            the engine's 1 GB limit (bench/register.py). Selects over attached tables or
            products' relations need the engine's connection.

    Raises:
        RegistrationError: DuckDB could not read or write (see :func:`explain`).
        LimitExceeded: the time, memory or spill limit stopped it.
    """
    sql = f"COPY ({select}) TO {quote_literal(str(target))} (FORMAT parquet, COMPRESSION zstd)"
    if not standalone:
        run(engine, source, sql).close()
        return
    limits = dataclasses.replace(engine.limits, memory_mb=COPY_MEMORY_MB)
    with Sandbox(engine.data_dir, limits) as box:
        _execute(box, box.cursor(), source, sql).close()


def stage(settings: Settings, engine: Engine, relation: str, *, kind: SourceKind, label: str,
          fmt: str, query: str | None = None, inputs: tuple[InputRef, ...] = ()) -> DataSource:
    """Read ``relation`` once with DuckDB and keep it as a Parquet file under ``.staging``.

    Args:
        settings: the data folder.
        engine: the catalog's engine.
        relation: what to read (a table function, a quoted table or a parenthesised query).
        kind, label, fmt, query, inputs: see :class:`DataSource`.

    Returns:
        The staged source.

    Raises:
        RegistrationError: DuckDB cannot read it (the message says what to fix), or it has no
            columns. Nothing is left in ``.staging`` then.
    """
    path = staging_dir(settings) / f"{uuid.uuid4().hex}.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    probe = DataSource(kind, label, relation, fmt, path, 0, query, inputs)
    try:
        copy_to_parquet(engine, probe, f"SELECT * FROM {relation}", tmp,
                        standalone=fmt in {"csv", "parquet"})
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    staged = DataSource(kind, label, parquet_relation(path), fmt, path, 0, query, inputs)
    try:
        columns(engine, staged)
        staged = dataclasses.replace(staged, rows=row_count(engine, staged))
    except RegistrationError:
        path.unlink(missing_ok=True)
        raise
    return staged


def stage_upload(settings: Settings, engine: Engine, file_name: str, data: bytes) -> DataSource:
    """Check an upload (see :func:`sniff_upload`) and stage it as Parquet.

    Args:
        settings: where the data folder is and the upload limit.
        engine: the catalog's engine.
        file_name: the name the browser sent (only its ending is used; staged files get
            random names).
        data: the file's bytes.

    Returns:
        The staged source.

    Raises:
        UploadRejected: the file is refused, or DuckDB cannot parse it; nothing is kept.
    """
    limit = upload_limit_bytes(settings)
    fmt = sniff_upload(file_name, data[:SNIFF_BYTES], data[-4:], len(data), limit)
    raw = staging_dir(settings) / f"{uuid.uuid4().hex}.{fmt}"
    write_atomic(raw, data)
    try:
        return stage(settings, engine, file_relation(raw, fmt), kind=SourceKind.UPLOAD,
                     label=f"{Path(file_name).name} ({_size(len(data))})", fmt=fmt)
    finally:
        raw.unlink(missing_ok=True)


def projected(source: DataSource, renames: list[tuple[str, str]]) -> str:
    """A relation of the staged data with its columns renamed, in the given order.

    Args:
        source: the staged source.
        renames: ``(source column, product column)`` pairs (the schema step's choice).

    Returns:
        ``(SELECT "a" AS "b", … FROM <staged>)``.
    """
    columns = ", ".join(f"{quote_identifier(old)} AS {quote_identifier(new)}"
                        for old, new in renames)
    return f"(SELECT {columns} FROM {source.relation})"


def discard(source: DataSource | None) -> None:
    """Remove a source's staged Parquet file (no-op for None)."""
    if source is not None:
        source.path.unlink(missing_ok=True)


# -- reading ---------------------------------------------------------------------------------

_LINE = re.compile(r"CSV Error on Line: (\d+)")


def explain(err: duckdb.Error, source: DataSource) -> RegistrationError:
    """A DuckDB read error in words that say what to fix in the file.

    Args:
        err: what DuckDB raised while reading the source.
        source: the source being read.

    Returns:
        An :class:`UploadRejected` (files) or :class:`RegistrationError` to raise.
    """
    text = str(err)
    match = _LINE.search(text)
    where = f"{source.label} line {match.group(1)}" if match else source.label
    if "not utf-8 encoded" in text or "Invalid unicode" in text:
        return UploadRejected(f"{where} is not UTF-8 text. Save the file as UTF-8 ('CSV UTF-8' "
                              "in Excel) and upload it again.")
    if "Maximum line size" in text or "max_line_size" in text:
        return UploadRejected(f"{where} is longer than {_size(MAX_LINE_BYTES)}; check the file "
                              "for an unclosed quote or wrong line endings.")
    if isinstance(err, duckdb.ConversionException) or "Could not convert" in text:
        first = text.splitlines()[0] if text else ""
        return UploadRejected(f"{where}: a value does not fit its column's type ({first}). "
                              "Make the column consistent (e.g. no text in a number column).")
    if "No files found" in text and source.path.name in text:
        return RegistrationError("The staged data is gone (staged data is removed after a "
                                 "day); go back to the Data step and bring the data again.")
    if source.kind == SourceKind.QUERY:
        return RegistrationError(f"The query cannot run: {text.splitlines()[0]}")
    first = text.splitlines()[0] if text else type(err).__name__
    return UploadRejected(f"{where} cannot be read as {source.format.upper()}: {first}. "
                          "Check that the file opens in a spreadsheet, then upload it again.")


def run(engine: Engine, source: DataSource, sql: str, params: list[object] | None = None
        ) -> duckdb.DuckDBPyConnection:
    """Run ``sql`` (which reads ``source``) on a fresh engine cursor; the caller closes it.

    Raises:
        RegistrationError: DuckDB could not read the source (see :func:`explain`).
        LimitExceeded: the sandbox's time, memory or spill limit stopped it.
    """
    return _execute(engine.sandbox, engine.cursor(), source, sql, params)


def _execute(box: Sandbox, cur: duckdb.DuckDBPyConnection, source: DataSource, sql: str,
             params: list[object] | None = None) -> duckdb.DuckDBPyConnection:
    try:
        with box.deadline(cur):
            return cur.execute(sql, params or [])
    except LimitExceeded:
        cur.close()
        raise
    except duckdb.Error as err:
        cur.close()
        limit = explain_limit(err, box.limits)
        if isinstance(limit, LimitExceeded) or isinstance(err, duckdb.PermissionException):
            raise limit from None
        raise explain(err, source) from None


def columns(engine: Engine, source: DataSource) -> list[tuple[str, str]]:
    """``(name, DuckDB type)`` of the source's columns, in order.

    Raises:
        RegistrationError: the source cannot be read, or has no columns.
    """
    cur = run(engine, source, f"DESCRIBE SELECT * FROM {source.relation}")
    try:
        out = [(str(r[0]), str(r[1])) for r in cur.fetchall()]
    finally:
        cur.close()
    if not out:
        raise UploadRejected(f"{source.label} has no columns.")
    return out


def preview(engine: Engine, source: DataSource, limit: int = 20) -> pd.DataFrame:
    """The first ``limit`` (≤ 1,000) rows, for display only."""
    cur = run(engine, source, f"SELECT * FROM {source.relation} LIMIT ?",
              [max(1, min(int(limit), 1000))])
    try:
        return cur.df()
    finally:
        cur.close()


def row_count(engine: Engine, source: DataSource) -> int:
    """Rows in the source (reads the whole file once)."""
    cur = run(engine, source, f"SELECT count(*) FROM {source.relation}")
    try:
        row = cur.fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else 0


# -- files and tables already in the data folder ----------------------------------------------

@dataclass(frozen=True)
class LocalCandidate:
    """A file or DuckDB table under the data folder that a product can be registered from.

    Attributes:
        path: path relative to the data folder (POSIX form).
        table: ``schema.table`` inside a DuckDB file, else None.
        label: how the wizard lists it.
    """

    path: str
    table: str | None
    label: str


def inside_data_dir(settings: Settings, relative: str) -> Path:
    """Resolve ``relative`` against the data folder and refuse anything outside it.

    Args:
        settings: the data folder.
        relative: a path as listed by :func:`local_candidates`.

    Returns:
        The resolved absolute path (symbolic links followed).

    Raises:
        RegistrationError: absolute, outside the data folder, hidden, under ``products/``,
            missing, or an unsupported kind of file.
    """
    root = settings.data_dir.resolve()
    candidate = Path(relative)
    path = (root / candidate).resolve()
    parts = candidate.parts
    if candidate.is_absolute() or not path.is_relative_to(root) or path == root:
        raise RegistrationError(f"'{relative}' is not inside the data folder; choose one of the "
                                "files listed.")
    if any(p.startswith(".") for p in parts) or (parts and parts[0] == PRODUCTS_FOLDER):
        raise RegistrationError(f"'{relative}' is not offered for registration; choose one of "
                                "the files listed.")
    if path.suffix.lower() not in _LOCAL_SUFFIXES or not path.is_file():
        raise RegistrationError(f"'{relative}' is not a CSV, Parquet or DuckDB file of the "
                                "data folder.")
    return path


def _served(mesh: Mesh, settings: Settings) -> set[tuple[str, str | None]]:
    """(resolved path, schema.table or None) of every file/table a product already serves."""
    root = settings.data_dir.resolve()
    out: set[tuple[str, str | None]] = set()
    for product in mesh.products.values():
        for port in product.output_ports:
            for server in port.raw_contract.get("servers") or []:
                where = server.get("database") or server.get("path")
                if not where:
                    continue
                resolved = str((root / where).resolve())
                if server.get("type") == "duckdb":
                    for obj in port.raw_contract.get("schema") or []:
                        table = obj.get("physicalName") or obj.get("name")
                        out.add((resolved, f"{server.get('schema') or 'main'}.{table}"))
                else:
                    out.add((resolved, None))
    return out


def attach_read_only(engine: Engine, database: Path) -> str:
    """Attach a DuckDB file read-only on the engine's instance; the alias to qualify tables.

    The engine's resolver attaches it (:meth:`catalog.engine.Engine.attach`, the one alias
    scheme products are read with): a changed file (new modification time) is attached afresh,
    so readers never see a half-written one.
    """
    return engine.attach(database)


def _tables(engine: Engine, database: Path) -> list[str]:
    alias = attach_read_only(engine, database)
    cur = engine.cursor()
    try:
        rows = cur.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                           "WHERE database_name = ? ORDER BY 1, 2", [alias]).fetchall()
    finally:
        cur.close()
    return [f"{s}.{t}" for s, t in rows]


def local_candidates(settings: Settings, engine: Engine, mesh: Mesh) -> list[LocalCandidate]:
    """CSV and Parquet files and DuckDB tables under the data folder that no product serves.

    Hidden folders (``.staging``) and ``products/`` (already products) are skipped.

    Returns:
        Candidates sorted by path, then table.
    """
    root = settings.data_dir.resolve()
    if not root.is_dir():
        return []
    served = _served(mesh, settings)
    out: list[LocalCandidate] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if (any(p.startswith(".") for p in rel.parts) or rel.parts[0] == PRODUCTS_FOLDER
                or path.suffix.lower() not in _LOCAL_SUFFIXES or not path.is_file()):
            continue
        if path.suffix.lower() == ".duckdb":
            try:
                tables = _tables(engine, path)
            except duckdb.Error as err:
                logger.warning("cannot list tables of %s: %s", path, err)
                continue
            out.extend(LocalCandidate(rel.as_posix(), t, f"{rel.as_posix()} → table {t}")
                       for t in tables if (str(path), t) not in served)
        elif (str(path), None) not in served:
            out.append(LocalCandidate(rel.as_posix(), None, rel.as_posix()))
    return out


def local_source(settings: Settings, engine: Engine, relative: str, table: str | None = None,
                 *, mesh: Mesh) -> DataSource:
    """Stage a file or DuckDB table of the data folder as a source.

    A file or table a product serves already is refused: its data is read through that
    product's port, under its access rules, never staged around them.

    Args:
        settings: the data folder.
        engine: the catalog's engine.
        relative: the file, relative to the data folder.
        table: ``schema.table`` when the file is a DuckDB database.
        mesh: the loaded mesh (what its products serve).

    Raises:
        RegistrationError: outside the data folder or unreadable (see
            :func:`inside_data_dir`), served by a product, or the table does not exist.
    """
    path = inside_data_dir(settings, relative)
    if (str(path), table) in _served(mesh, settings):
        raise RegistrationError(
            f"'{relative}'{f' table {table}' if table else ''} is served by a product already: "
            "read it through that product (request access if it is restricted).")
    fmt = _LOCAL_SUFFIXES[path.suffix.lower()]
    if fmt == "duckdb":
        if table is None or table not in _tables(engine, path):
            raise RegistrationError(f"Choose one of the tables of {relative}.")
        schema, name = table.split(".", 1)
        alias = attach_read_only(engine, path)
        relation = ".".join(quote_identifier(p) for p in (alias, schema, name))
        return stage(settings, engine, relation, kind=SourceKind.LOCAL,
                     label=f"{relative} → table {table}", fmt=fmt)
    return stage(settings, engine, file_relation(path, fmt), kind=SourceKind.LOCAL,
                 label=relative, fmt=fmt)
