"""Spark adapter (PySpark): products served from a Spark catalog table or from files Spark reads.

Server entries (ODCS v3.1 §servers), following datacontract-cli's use of Spark, which tests a
``databricks`` server through a given Spark session (``catalog.schema.table``) and a
``dataframe`` server as tables the session already knows::

    # a table of a Databricks/Unity (or Hive) catalog
    - {server: lakehouse, type: databricks, host: dbc-1234.cloud.databricks.com,
       catalog: main, schema: tpch}
    # files Spark reads itself (a path inside the data folder, or a cluster URL)
    - {server: spark-files, type: custom, format: parquet, path: tpch/lineitem.parquet,
       customProperties: [{property: engine, value: spark}]}

A ``custom`` entry is served by Spark unless its ``engine`` custom property names another
engine. The session is one per process: ``MESH_SPARK_REMOTE`` (a Spark Connect URL such as
``sc://spark.internal:15002``; ``MESH_SPARK_TOKEN`` is added as its ``token``, never logged;
needs PySpark's Spark Connect extras) or else a classic session on ``MESH_SPARK_MASTER``
(default ``local[2]``, Java 17 on the machine: ``JAVA_HOME``, or Debian's
``/usr/lib/jvm/java-17-openjdk-*``, or ``java`` on the ``PATH``). ``MESH_SPARK_DRIVER_MEMORY``
(default ``1g``) and ``MESH_SPARK_SHUFFLE_PARTITIONS`` (default 8) size it;
``MESH_SPARK_WAREHOUSE`` is its warehouse folder (default ``<temp>/mesh-spark-warehouse``).
The session runs in UTC.

Limits: every action is tagged and cancelled (``interruptTag``) when it passes the sandbox's
time limit; results are capped (``LIMIT``) before they leave Spark; queries are single,
read-only SELECTs (checked by :func:`catalog.sandbox.check_select` when untrusted, and the
adapter only ever runs queries). Extracts stream: on a local master Spark writes the one file
itself (one partition, so the rows keep their order), elsewhere the rows come through
``toLocalIterator`` one partition at a time and are written in Arrow batches.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Hashable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from catalog.confine import PathRefused, confined
from catalog.engines.base import (
    AdapterContext,
    Column,
    EngineAdapter,
    EngineUnavailable,
    chunked,
    duckdb_type_of_spark,
    scrub,
    write_batches,
)
from catalog.errors import CatalogError, DataUnavailable
from catalog.sandbox import SETTINGS, LimitExceeded, QueryFailed
from catalog.sql import quote_identifier

if TYPE_CHECKING:
    import pandas as pd
    from open_data_contract_standard.model import Server
    from pyspark.sql import DataFrame, SparkSession

logger = logging.getLogger(__name__)

DEFAULT_MASTER = "local[2]"
"""Spark master when neither ``MESH_SPARK_REMOTE`` nor ``MESH_SPARK_MASTER`` is set."""
FILE_FORMATS = ("parquet", "csv", "json", "orc")
"""File formats a ``custom`` server may name (Spark's built-in readers)."""
BATCH_ROWS = 50_000
"""Rows per Arrow batch when an extract comes through ``toLocalIterator``."""

_SESSION_LOCK = threading.Lock()
_SESSIONS: dict[str, SparkSession] = {}


def java_home(env: Mapping[str, str]) -> str | None:
    """The Java installation Spark starts: ``JAVA_HOME``, else Debian's Java 17, else the
    folder of ``java`` on the ``PATH``; None when there is no Java."""
    given = env.get("JAVA_HOME", "").strip()
    if given and Path(given, "bin", "java").exists():
        return given
    for found in sorted(glob.glob("/usr/lib/jvm/java-17-openjdk-*")):
        if Path(found, "bin", "java").exists():
            return found
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


def spark_target(env: Mapping[str, str]) -> str:
    """``remote:<url>`` (Spark Connect) or ``master:<master>``: which session serves."""
    remote = env.get("MESH_SPARK_REMOTE", "").strip()
    return f"remote:{remote}" if remote else \
        f"master:{env.get('MESH_SPARK_MASTER', '').strip() or DEFAULT_MASTER}"


def spark_session(env: Mapping[str, str]) -> SparkSession:
    """The process's Spark session for ``env``'s settings, started on first use.

    Raises:
        EngineUnavailable: PySpark or Java is missing, or the session does not start.
    """
    target = spark_target(env)
    with _SESSION_LOCK:
        session = _SESSIONS.get(target)
        if session is not None:
            return session
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise EngineUnavailable("PySpark is not installed, so Spark-served products cannot "
                                    "be read here.") from None
        token = env.get("MESH_SPARK_TOKEN", "").strip()
        try:
            if target.startswith("remote:"):
                url = target[len("remote:"):]
                if token:
                    url += f";token={token}"
                # The Connect client's own builder: PySpark's generic one would switch the
                # whole process to Connect mode (SPARK_CONNECT_MODE_ENABLED), breaking a
                # classic session that runs beside it.
                from pyspark.sql.connect.session import SparkSession as RemoteSparkSession

                remote = RemoteSparkSession.builder.remote(url).getOrCreate()
                session = cast("SparkSession", remote)  # the same API, over gRPC
            else:
                home = java_home(env)
                if home is None:
                    raise EngineUnavailable("Java 17 is not installed (Debian's "
                                            "openjdk-17-jre-headless), so Spark cannot start.")
                os.environ.setdefault("JAVA_HOME", home)
                builder = (SparkSession.builder.master(target[len("master:"):])
                           .appName("mesh-portal")
                           .config("spark.ui.enabled", "false")
                           .config("spark.ui.showConsoleProgress", "false")
                           .config("spark.sql.session.timeZone", "UTC")
                           .config("spark.driver.memory",
                                   env.get("MESH_SPARK_DRIVER_MEMORY", "1g"))
                           .config("spark.sql.shuffle.partitions",
                                   env.get("MESH_SPARK_SHUFFLE_PARTITIONS", "8"))
                           .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                           .config("spark.sql.warehouse.dir", env.get(
                               "MESH_SPARK_WAREHOUSE",
                               str(Path(tempfile.gettempdir()) / "mesh-spark-warehouse")))
                           .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC"))
                session = builder.getOrCreate()
                session.sparkContext.setLogLevel("ERROR")
        except EngineUnavailable:
            raise
        except Exception as err:  # noqa: BLE001 - py4j/JVM start-up failures of every kind
            reason = scrub(str(err).strip().splitlines()[0] if str(err).strip() else
                           type(err).__name__, [token])
            raise EngineUnavailable(f"Spark could not start: {reason}") from None
        _SESSIONS[target] = session
        return session


def stop_session(env: Mapping[str, str]) -> None:
    """Stop the session of ``env``'s target if this process started it (a Spark Connect
    session releases its server-side state)."""
    with _SESSION_LOCK:
        session = _SESSIONS.pop(spark_target(env), None)
    if session is not None:
        with contextlib.suppress(Exception):
            session.stop()


def stop_sessions() -> None:
    """Stop every Spark session this process started (tests and the benchmark)."""
    with _SESSION_LOCK:
        for session in _SESSIONS.values():
            with contextlib.suppress(Exception):
                session.stop()
        _SESSIONS.clear()


class SparkAdapter(EngineAdapter):
    """Runs queries on the process's Spark session (see the module docstring).

    Args:
        context: data folder, limits and environment (the Spark settings).
    """

    engine = "Spark"
    dialect = "spark"
    server_types = ("databricks", "custom")
    shared_scan = True

    def __init__(self, context: AdapterContext) -> None:
        super().__init__(context)
        self.env = context.env
        self.target = spark_target(context.env)
        self._views: dict[tuple[str, str, int], str] = {}
        self._lock = threading.Lock()

    @classmethod
    def serves(cls, server: Server) -> bool:
        """``databricks`` entries, and ``custom`` ones whose ``engine`` property is unset or
        ``spark``."""
        kind = str(server.type or "").lower()
        if kind == "databricks":
            return True
        if kind != "custom":
            return False
        engine = next((str(p.value).lower() for p in server.customProperties or []
                       if p.property == "engine"), "spark")
        return engine == "spark"

    @classmethod
    def unavailable(cls, server: Server, context: AdapterContext) -> str | None:
        """Why Spark cannot serve here: PySpark missing, or Java missing for a classic
        session."""
        try:
            import pyspark  # noqa: F401
        except ImportError:
            return "PySpark is not installed"
        if spark_target(context.env).startswith("master:") and java_home(context.env) is None:
            return ("Java 17 is not installed (Debian's openjdk-17-jre-headless), so Spark "
                    "cannot start")
        return None

    @classmethod
    def cache_key(cls, server: Server, context: AdapterContext) -> Hashable:
        """One adapter per Spark session target."""
        return ("spark", spark_target(context.env))

    def label(self, server: Server) -> str:
        """``Spark table main.tpch (catalog main, schema tpch)`` or ``Parquet files … read by
        Spark``."""
        where = self.target.split(":", 1)[1]
        if server.path or server.location:
            return (f"{(server.format or 'data').capitalize()} files "
                    f"{server.path or server.location} read by Spark ({where})")
        return f"Spark catalog {server.catalog or 'spark_catalog'}.{server.schema_ or 'default'}" \
               f" ({where})"

    @property
    def session(self) -> SparkSession:
        """The process's session (started on first use)."""
        return spark_session(self.env)

    # -- locating ------------------------------------------------------------------------
    def relation(self, server: Server, table: str) -> str:
        """A catalog table ``"catalog"."schema"."table"``, or a temporary view over the
        entry's files (registered once per file and modification time).

        Raises:
            DataUnavailable: the files are missing, outside the data folder, or of a format
                Spark does not read here.
        """
        raw = server.path or server.location
        if not raw:
            parts = [p for p in (server.catalog, server.schema_, table) if p]
            return ".".join(quote_identifier(p) for p in parts)
        fmt = (server.format or Path(raw).suffix.lstrip(".")).lower()
        if fmt not in FILE_FORMATS:
            raise DataUnavailable(f"Spark reads {', '.join(FILE_FORMATS)} files here, not "
                                  f"'{fmt}'.")
        mtime = 0
        if "://" in raw and not raw.startswith("file:"):
            where = raw  # storage the cluster reads (s3a://, abfss://, dbfs:/…)
        else:
            try:
                path = confined(raw.removeprefix("file:"), self.context.data_dir, what="data")
            except PathRefused:
                raise DataUnavailable(f"The contract points at '{raw}', outside the data "
                                      "folder; data is only read from there.") from None
            if not path.exists():
                raise DataUnavailable(f"The data files {raw} do not exist (yet) in the data "
                                      "folder.")
            where, mtime = str(path), path.stat().st_mtime_ns
        key = (fmt, where, mtime)
        with self._lock:
            view = self._views.get(key)
            if view is None:
                view = "mesh_" + hashlib.sha1(repr(key).encode()).hexdigest()[:16]
                reader = self.session.read.format(fmt)
                if fmt == "csv":
                    reader = reader.option("header", "true").option("inferSchema", "true")
                try:
                    reader.load(where).createOrReplaceTempView(view)
                except Exception as err:  # noqa: BLE001 - Spark's analysis errors
                    raise DataUnavailable(f"Spark cannot read {raw}: "
                                          f"{self._first_line(err)}") from None
                self._views[key] = view
        return quote_identifier(view)

    # -- running -------------------------------------------------------------------------
    @staticmethod
    def _first_line(err: BaseException) -> str:
        text = str(err).strip()
        line = text.splitlines()[0] if text else type(err).__name__
        return line[:500]

    def _explain(self, err: BaseException) -> Exception:
        if isinstance(err, CatalogError):
            return err
        text = self._first_line(err)
        if "TABLE_OR_VIEW_NOT_FOUND" in text or "SCHEMA_NOT_FOUND" in text:
            return DataUnavailable(f"The product's table is missing from Spark: {text}")
        if "PATH_NOT_FOUND" in text or "FileNotFoundException" in text:
            return DataUnavailable(f"The product's data files cannot be read by Spark: {text}")
        if "Connection refused" in text or "UNAVAILABLE" in text:
            return EngineUnavailable(f"Spark cannot be reached: {text}")
        return QueryFailed(scrub(text, [self.env.get("MESH_SPARK_TOKEN")]))

    def _df(self, sql: str, params: list[Any] | None) -> DataFrame:
        try:
            return self.session.sql(self.sql(sql), args=list(params) if params else None)
        except Exception as err:  # noqa: BLE001 - Spark's parse/analysis errors
            raise self._explain(err) from None

    def _timed(self, action: Any) -> Any:
        """Run ``action()`` (a Spark action) under the time limit: its jobs carry a tag that
        is interrupted when the limit passes."""
        session = self.session
        tag = f"mesh-{uuid.uuid4().hex[:12]}"
        fired, done = threading.Event(), threading.Event()
        context = None if self.target.startswith("remote:") else session.sparkContext

        def _stop() -> None:
            # A query may start further jobs after one is cancelled (adaptive execution
            # plans stage by stage): cancel the tag's jobs until the action gives up.
            fired.set()
            while not done.is_set():
                with contextlib.suppress(Exception):
                    if context is not None:
                        context.cancelJobsWithTag(tag)
                    else:
                        session.interruptTag(tag)
                done.wait(0.5)

        timer = threading.Timer(self.limits.timeout_s, _stop)
        timer.daemon = True
        if context is not None:
            context.setInterruptOnCancel(True)
            context.addJobTag(tag)
        else:
            session.addTag(tag)
        timer.start()
        try:
            return action()
        except Exception as err:  # noqa: BLE001 - py4j and Spark errors
            if fired.is_set():
                raise LimitExceeded("time", SETTINGS["time"],
                                    f"The query was stopped after {self.limits.timeout_s:g} s, "
                                    f"the time limit (set {SETTINGS['time']} to change it)."
                                    ) from None
            raise self._explain(err) from None
        finally:
            done.set()
            timer.cancel()
            with contextlib.suppress(Exception):
                if context is not None:
                    context.removeJobTag(tag)
                else:
                    session.removeTag(tag)

    def describe(self, relation: str) -> list[Column]:
        """Columns of ``relation`` from its analysed schema (no job runs)."""
        df = self._df(f"SELECT * FROM {relation} LIMIT 0", None)
        return [Column(f.name, duckdb_type_of_spark(f.dataType.simpleString()))
                for f in df.schema.fields]

    def fetch(self, sql: str, params: list[Any] | None = None, *,
              max_rows: int | None = None) -> list[tuple[Any, ...]]:
        """At most ``max_rows`` rows, through Arrow (timestamps as UTC instants)."""
        df = self._df(sql, params).limit(max_rows or self.limits.max_rows)
        table = self._timed(df.toArrow)
        # By position: result columns may share a name (two checks with the same expression).
        return list(zip(*(column.to_pylist() for column in table.columns), strict=True))

    def frame(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        """At most 1,000 rows as a DataFrame."""
        df = self._df(sql, params).limit(1000)
        return self._timed(lambda: df.toArrow().to_pandas())

    def write_file(self, sql: str, params: list[Any] | None, target: Path, fmt: str) -> int:
        """Stream the result to ``target`` (see the module docstring)."""
        df = self._df(sql, params)
        if self.target.startswith("master:local"):
            return self._timed(lambda: self._write_native(df, target, fmt))
        return self._timed(lambda: self._write_batches(df, target, fmt))

    def _write_native(self, df: DataFrame, target: Path, fmt: str) -> int:
        """Spark writes one file (one partition keeps the order) into a folder next to
        ``target``, which is then moved into place; rows counted by an observation."""
        from pyspark.sql import Observation
        from pyspark.sql import functions as F  # noqa: N812 - PySpark's own convention

        folder = target.with_name(f".{target.name}.spark-{uuid.uuid4().hex[:8]}")
        observed = Observation("rows")
        writer = df.observe(observed, F.count(F.lit(1)).alias("n")).coalesce(1).write
        writer = writer.mode("overwrite")
        try:
            if fmt == "csv":
                (writer.option("header", "true").option("escape", '"')
                 .option("nullValue", "").option("emptyValue", '""')
                 .option("timestampFormat", "yyyy-MM-dd HH:mm:ss[.SSSSSS]")
                 .option("timestampNTZFormat", "yyyy-MM-dd HH:mm:ss[.SSSSSS]")
                 .option("dateFormat", "yyyy-MM-dd").csv(str(folder)))
            else:
                writer.option("compression", "zstd").parquet(str(folder))
            parts = sorted(folder.glob(f"part-*.{'csv' if fmt == 'csv' else '*parquet'}"))
            if len(parts) != 1:
                raise QueryFailed(f"Spark wrote {len(parts)} files instead of one.")
            os.replace(parts[0], target)
            return int(observed.get.get("n", 0))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _write_batches(self, df: DataFrame, target: Path, fmt: str) -> int:
        """Rows through ``toLocalIterator`` (one partition at a time), Arrow batches of
        :data:`BATCH_ROWS` written as they come."""
        import pyarrow as pa

        schema = df.limit(0).toArrow().schema

        def batches() -> Iterator[pa.RecordBatch]:
            """The rows as Arrow record batches of at most BATCH_ROWS, in order."""
            for chunk in chunked((tuple(r) for r in df.toLocalIterator(prefetchPartitions=True)),
                                 BATCH_ROWS):
                columns = list(zip(*chunk, strict=True))
                yield pa.record_batch([pa.array(c, type=f.type)
                                       for c, f in zip(columns, schema, strict=True)],
                                      schema=schema)

        return write_batches(batches(), target, fmt, schema)
