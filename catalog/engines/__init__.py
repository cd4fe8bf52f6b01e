"""Where products' data lives and the engines that read it where it lives.

:class:`Resolver` turns a contract's ``servers`` entry into an :class:`EngineAdapter` and a
table reference (:class:`Located`); adapters exist for DuckDB (database files and Parquet/CSV
files of the data folder), PostgreSQL and Spark. Queries are written once in DuckDB's dialect
and translated for the engine (:func:`transpile`), so previews, counts, extracts, profiles and
quality checks all run on the product's own engine. See ``docs/engines.md``.
"""

from catalog.engines.base import (
    AdapterContext,
    Column,
    EngineAdapter,
    EngineUnavailable,
    Located,
    ServerRef,
    describe_type,
)
from catalog.engines.dialect import Untranslatable, transpile
from catalog.engines.resolver import ADAPTERS, Resolver, adapter_class, register_adapter

__all__ = ["ADAPTERS", "AdapterContext", "Column", "EngineAdapter", "EngineUnavailable",
           "Located", "Resolver", "ServerRef", "Untranslatable", "adapter_class",
           "describe_type", "register_adapter", "transpile"]
