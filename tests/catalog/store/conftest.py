"""The store conformance suite: every test runs once on a fresh SQLite store and once on a fresh
PostgreSQL database (the ``fresh_postgres_url`` fixture of ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.store import StateStore

ADAPTERS = ("sqlite", "postgresql")


@pytest.fixture(params=ADAPTERS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of an empty store: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture()
def store(store_url: str) -> Iterator[StateStore]:
    """A store on :func:`store_url` (migrated on first use), its connections closed after."""
    opened = StateStore.from_url(store_url)
    yield opened
    opened.dispose()
