"""Quality history rebuilt from the data as it stood at past cut-off dates.

The demo mesh's data spans 2013. Instead of inventing a history, each product's checks are run
on its data restricted to the rows whose freshness element (e.g. ``flights.time_hour``) is at or
before each month end, with freshness and retention measured at that moment; the trends shown
are what the real data did. Products without a time element (reference data such as airlines)
have no past states to restore: they are checked as they are, at each cut-off.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import duckdb

from catalog.engine import Engine
from catalog.errors import CatalogError
from catalog.mesh import Mesh
from catalog.quality.derive import time_element
from catalog.quality.history import replace_runs, save_run
from catalog.quality.model import QualityRun
from catalog.quality.runner import run_product
from catalog.sql import quote_identifier
from catalog.store import StateStore

logger = logging.getLogger(__name__)

TRIGGER = "history"
"""Trigger recorded on runs made by the rebuild (and replaced when it runs again)."""

CURRENT_TRIGGER = "build"
"""Trigger recorded on the current run the build makes after the history."""


def month_ends(first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The last second of every month from ``first``'s month to ``last``'s month, inclusive.

    Args:
        first: any moment of the first month.
        last: any moment of the last month.

    Returns:
        The month ends, e.g. ``2013-01-31 23:59:59``, oldest first.
    """
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        nxt = dt.datetime(year + month // 12, month % 12 + 1, 1)
        out.append(nxt - dt.timedelta(seconds=1))
        year, month = nxt.year, nxt.month
    return out


def data_span(engine: Engine, mesh: Mesh) -> tuple[dt.datetime, dt.datetime] | None:
    """Earliest and latest value of any product's freshness element (naive), or None.

    Args:
        engine: the engine over the products' data (each read where it lives).
        mesh: the loaded mesh; products whose data cannot be read are skipped (logged).

    Returns:
        ``(earliest, latest)`` over all products, or None when no product has a time element
        with data.
    """
    lows, highs = [], []
    for product in mesh.products.values():
        for port in product.output_ports:
            element = time_element(port.raw_contract)
            if element is None:
                continue
            try:
                located = engine.locate(port, element[0])
                col = quote_identifier(element[1])
                low, high = located.adapter.fetch_one(
                    f"SELECT CAST(min({col}) AS TIMESTAMP), CAST(max({col}) AS TIMESTAMP) "
                    f"FROM {located.relation}") or (None, None)
            except (CatalogError, duckdb.Error) as err:  # a product without data is skipped
                logger.warning("no time span for %s: %s", product.id, err)
                continue
            if low is not None:
                lows.append(_naive(low))
                highs.append(_naive(high))
    return (min(lows), max(highs)) if lows else None


def _naive(value: dt.datetime) -> dt.datetime:
    """A time as naive UTC (engines that read instants return them with a time zone)."""
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def rebuild_history(engine: Engine, mesh: Mesh, store: StateStore,
                    cutoffs: list[dt.datetime] | None = None,
                    report: Callable[[str], None] | None = None) -> int:
    """Replace the stored ``history`` runs with runs at each cut-off (default: month ends).

    Every run is computed first (held in memory: a few hundred runs of a few dozen results
    each, a few MB), then the old ``history`` runs are swapped for the new ones in one transaction
    (:func:`catalog.quality.history.replace_runs`). A process killed before that commit leaves
    the previous history whole; a failing check run leaves it too.

    Args:
        engine: the DuckDB engine over the built data.
        mesh: the loaded mesh.
        store: the operational store.
        cutoffs: data cut-offs (naive UTC); month ends over the data's span when None.
        report: called with one line per cut-off.

    Returns:
        The number of runs stored.

    Raises:
        catalog.store.StoreError: the store cannot be written; the previous history is kept.
    """
    if cutoffs is None:
        span = data_span(engine, mesh)
        # Month ends the data reaches (within a day): later ones would only show it ageing.
        cutoffs = [c for c in month_ends(*span) if c <= span[1] + dt.timedelta(days=1)
                   ] if span else []
    runs: list[QualityRun] = []
    for cutoff in cutoffs:
        for product in mesh.products.values():
            runs.append(run_product(engine, product, trigger=TRIGGER, as_of=cutoff, now=cutoff))
        if report is not None:
            report(f"quality history as of {cutoff:%Y-%m-%d}: {len(mesh.products)} products")
    replaced = replace_runs(store, TRIGGER, runs)
    logger.info("quality history: %d runs replaced by %d", replaced, len(runs))
    return len(runs)


def current_runs(engine: Engine, mesh: Mesh, store: StateStore,
                 report: Callable[[str], None] | None = None) -> int:
    """Check every product on its data as it is now and store each run (trigger ``build``).

    The build ends with these, so the latest run of every product (the one every page's verdict
    comes from) measures the data as it is, not as it stood at the last month end of the
    history. Each run is stored as soon as it is made.

    Args:
        engine: the DuckDB engine over the built data.
        mesh: the loaded mesh.
        store: the operational store.
        report: called with one line per product.

    Returns:
        The number of runs stored.

    Raises:
        catalog.store.StoreError: the store cannot be written.
    """
    for product in mesh.products.values():
        run = run_product(engine, product, trigger=CURRENT_TRIGGER)
        save_run(store, run)
        if report is not None:
            report(f"current quality run of {product.id}: grade {run.score.grade}")
    return len(mesh.products)
