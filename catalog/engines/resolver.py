"""The one place that decides where a product's data lives and which engine reads it.

From a port's contract (its ``servers`` entries, in the order written) and a schema object, the
:class:`Resolver` chooses the first entry whose engine is available here (see each adapter's
``unavailable``: DuckDB always is; PostgreSQL when credentials are configured for the entry;
Spark when PySpark and Java, or a Spark Connect URL, are there) and gives back a
:class:`~catalog.engines.base.Located`: the adapter, the object's relation and the server
entry. A contract can so list a production server first and the local DuckDB copy after it: a
deployment that configures the production server reads there, a laptop reads the copy.

Adapters are registered by ODCS server type in :data:`ADAPTERS` (:func:`register_adapter`
adds one) and opened once per :meth:`EngineAdapter.cache_key` (a connection pool, a Spark
session), closed with the resolver. An entry whose engine *is* chosen but does not answer is an
error on that product only (:class:`~catalog.engines.base.EngineUnavailable`), never a silent
switch to another copy.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.engines.base import (
    AdapterContext,
    EngineAdapter,
    EngineUnavailable,
    Located,
    ServerRef,
)
from catalog.engines.duckdb_engine import DuckDBAdapter
from catalog.engines.postgres import PostgresAdapter
from catalog.engines.spark import SparkAdapter
from catalog.errors import DataUnavailable
from catalog.sandbox import Limits

if TYPE_CHECKING:
    from open_data_contract_standard.model import Server

    from catalog.mesh import OutputPortView
    from catalog.sandbox import Sandbox

logger = logging.getLogger(__name__)

ADAPTERS: list[type[EngineAdapter]] = [DuckDBAdapter, PostgresAdapter, SparkAdapter]
"""Adapter classes, asked in order which serves a server entry (:meth:`EngineAdapter.serves`)."""


def register_adapter(adapter: type[EngineAdapter]) -> None:
    """Add an adapter class (first asked, so it may take over a server type).

    Args:
        adapter: a subclass of :class:`EngineAdapter` with ``engine``, ``dialect`` and
            ``server_types`` set.
    """
    if adapter not in ADAPTERS:
        ADAPTERS.insert(0, adapter)


def adapter_class(server: Server) -> type[EngineAdapter] | None:
    """The adapter class serving ``server``, or None when no engine here reads its type."""
    return next((cls for cls in ADAPTERS if cls.serves(server)), None)


def first_server(servers: list[Server] | None, types: tuple[str, ...]) -> Server | None:
    """The first of ``servers`` whose ODCS type is one of ``types`` (e.g. the ``duckdb`` entry
    a build writes), or None."""
    return next((s for s in servers or [] if str(s.type or "").lower() in types), None)


class Resolver:
    """Chooses the server entry and engine of each schema object, and keeps the adapters.

    Args:
        data_dir: the data folder (relative paths resolve against it; files are only read
            from there).
        sandbox: the DuckDB sandbox of the engine (the DuckDB adapter runs on it).
        limits: the limits every statement runs under, on every engine.
        env: where credentials and engine settings are read (default ``os.environ``).
    """

    def __init__(self, data_dir: Path, sandbox: Sandbox, limits: Limits,
                 env: Mapping[str, str] | None = None) -> None:
        self.context = AdapterContext(Path(data_dir).resolve(), limits,
                                      os.environ if env is None else env, sandbox)
        self._adapters: dict[Hashable, EngineAdapter] = {}
        self._lock = threading.Lock()
        self.duckdb = DuckDBAdapter(self.context)
        self._adapters["duckdb"] = self.duckdb

    def adapter(self, server: Server, cls: type[EngineAdapter]) -> EngineAdapter:
        """The open adapter for ``server`` (opened on first use)."""
        key = cls.cache_key(server, self.context)
        with self._lock:
            found = self._adapters.get(key)
            if found is None:
                found = cls.open(server, self.context)
                self._adapters[key] = found
            return found

    def choose(self, servers: list[Server], what: str) -> tuple[Server, type[EngineAdapter]]:
        """The first entry of ``servers`` an engine here can read.

        Args:
            servers: the contract's server entries, in order.
            what: how messages name the data ("port 'flights'").

        Raises:
            DataUnavailable: no entries; or none readable here (the message says, per entry,
                why not: unsupported type, engine not installed, credentials not set).
        """
        reasons: list[str] = []
        for server in servers:
            cls = adapter_class(server)
            name = server.server or server.type
            if cls is None:
                reasons.append(f"{name}: no engine here reads '{server.type}' servers")
                continue
            why = cls.unavailable(server, self.context)
            if why is None:
                return server, cls
            reasons.append(f"{name}: {why}")
        if not servers:
            raise DataUnavailable(f"The contract of {what} names no server to read data from.")
        raise EngineUnavailable(f"The data of {what} cannot be read here: "
                                + "; ".join(reasons) + ".")

    def locate(self, port: OutputPortView, object_name: str | None = None) -> Located:
        """Where a port's schema object is read from.

        Args:
            port: the output port (its contract's ``servers`` and ``schema``).
            object_name: the schema object; the first when None or unknown.

        Returns:
            The adapter, the relation and the server entry.

        Raises:
            DataUnavailable: no contract, no schema object, no readable server, missing data
                (:class:`EngineUnavailable` when the engine is missing or unconfigured).
        """
        contract = port.contract
        if contract is None:
            raise DataUnavailable(f"Output port '{port.name}' has no valid contract to read.")
        objects = port.schema_objects()
        obj = next((o for o in objects if o.name == object_name), objects[0] if objects else None)
        if obj is None:
            raise DataUnavailable(f"The contract of port '{port.name}' declares no schema object.")
        table = obj.physicalName or obj.name or ""
        server, _cls = self.choose(list(contract.servers or []), f"port '{port.name}'")
        return self.locate_server(server, table)

    def locate_server(self, server: Server, table: str) -> Located:
        """Where ``table`` is read from on one server entry (no choice between entries).

        Raises:
            DataUnavailable: no engine reads the entry, or the data is missing
                (:class:`EngineUnavailable` when its engine is missing or unconfigured).
        """
        cls = adapter_class(server)
        if cls is None:
            raise EngineUnavailable(f"No engine here reads '{server.type}' servers.")
        why = cls.unavailable(server, self.context)
        if why is not None:
            raise EngineUnavailable(f"Server '{server.server or server.type}': {why}.")
        adapter = self.adapter(server, cls)
        ref = ServerRef(str(server.server or server.type), str(server.type), adapter.engine,
                        adapter.label(server))
        return Located(adapter, adapter.relation(server, table), ref)

    def server_ref(self, port: OutputPortView) -> ServerRef | None:
        """The server entry a port would be read from, without touching its data; None when
        no entry is readable here."""
        contract = port.contract
        if contract is None:
            return None
        try:
            server, cls = self.choose(list(contract.servers or []), f"port '{port.name}'")
            adapter = self.adapter(server, cls)
        except DataUnavailable:
            return None
        return ServerRef(str(server.server or server.type), str(server.type), adapter.engine,
                         adapter.label(server))

    def close(self) -> None:
        """Close every adapter but DuckDB's (its sandbox belongs to the engine)."""
        with self._lock:
            adapters, self._adapters = list(self._adapters.values()), {"duckdb": self.duckdb}
        for adapter in adapters:
            if adapter is not self.duckdb:
                adapter.close()
