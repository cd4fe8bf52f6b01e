"""Database adapters of the operational store, chosen by the URL's scheme.

An adapter owns everything that differs between databases: the driver and its connection
settings, how a write transaction starts and how it serialises against other processes, how
schema migrations are kept to one process at a time, and how driver errors become
:class:`~catalog.store.errors.StoreError`. Everything else (the tables, every statement) is
SQLAlchemy Core shared by all adapters. Nothing outside this package imports a database driver
or writes SQL text (``tests/catalog/test_architecture.py`` keeps it so).

Adapters, by URL scheme:

* ``sqlite`` (:mod:`.sqlite`): one file, the embedded default.
* ``postgresql`` (:mod:`.postgresql`): a PostgreSQL server through psycopg 3; ``postgres`` and
  ``postgresql+psycopg`` are accepted too.

A new adapter subclasses :class:`~catalog.store.adapters.base.Adapter` and is added to
:data:`ADAPTERS`.
"""

from __future__ import annotations

import importlib

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from catalog.store.adapters.base import Adapter
from catalog.store.errors import StoreError

ADAPTERS: dict[str, str] = {
    "sqlite": "catalog.store.adapters.sqlite:SQLiteAdapter",
    "postgresql": "catalog.store.adapters.postgresql:PostgreSQLAdapter",
}
"""URL scheme (SQLAlchemy backend name) → ``module:class`` of its adapter, imported on use so a
deployment never loads a driver it does not use."""

_ALIASES = {"postgres": "postgresql"}


def parse_url(url: str | URL) -> URL:
    """``url`` as a SQLAlchemy URL, ``postgres://`` read as ``postgresql://``.

    Raises:
        StoreError: the text is not a database URL (the message does not repeat it, since it
            may hold a password).
    """
    if isinstance(url, URL):
        return url
    text = str(url).strip()
    scheme, sep, rest = text.partition("://")
    if sep and scheme in _ALIASES:
        text = f"{_ALIASES[scheme]}://{rest}"
    try:
        return make_url(text)
    except ArgumentError:
        raise StoreError("MESH_STATE_URL is not a database URL; write it as "
                         "postgresql://user:password@host:5432/database or "
                         "sqlite:////absolute/path/state.sqlite.") from None


def adapter_for(url: str | URL) -> Adapter:
    """The adapter of ``url``'s scheme, not yet connected.

    Args:
        url: a database URL, e.g. ``sqlite:////srv/mesh/state.sqlite`` or
            ``postgresql://mesh:secret@db:5432/mesh``.

    Returns:
        A new adapter for that database (connections are opened on first use).

    Raises:
        StoreError: no adapter for the scheme, or the URL is malformed.
    """
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    target = ADAPTERS.get(backend)
    if target is None:
        raise StoreError(f"The operational store cannot use '{backend}' databases; "
                         f"MESH_STATE_URL must start with one of "
                         f"{', '.join(s + '://' for s in sorted(ADAPTERS))}.")
    module_name, _, class_name = target.partition(":")
    adapter_class: type[Adapter] = getattr(importlib.import_module(module_name), class_name)
    return adapter_class(parsed)


__all__ = ["ADAPTERS", "Adapter", "adapter_for", "parse_url"]
