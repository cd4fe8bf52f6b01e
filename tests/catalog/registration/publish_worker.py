"""A separate process that publishes ``sales.returns`` (for the concurrency test).

Usage: ``python -m tests.catalog.registration.publish_worker MESH DATA WORKDIR NAME``. The
worker prepares everything (stage, profile, form), writes ``WORKDIR/NAME.ready``, waits for
``WORKDIR/go``, publishes, and writes the outcome to ``WORKDIR/NAME.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from catalog.catalog import Catalog
from catalog.config import Settings
from catalog.models.principal import LOCAL_USER
from catalog.registration import publish, sources
from tests.catalog.registration.conftest import complete_form, orders_csv


def main(mesh: str, data: str, workdir: str, name: str) -> None:
    """Prepare, wait for the start signal, publish, report."""
    catalog = Catalog(Settings(Path(mesh), Path(data)), recheck_seconds=0)
    staged = sources.stage_upload(catalog.settings, catalog.engine, "returns.csv", orders_csv())
    form = complete_form(catalog, staged)
    work = Path(workdir)
    (work / f"{name}.ready").touch()
    deadline = time.monotonic() + 60
    while not (work / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    outcome: dict[str, str] = {"name": name}
    try:
        result = publish.publish(catalog, LOCAL_USER, form, staged)
        outcome.update(status="published", product=result.product_id)
    except Exception as err:  # noqa: BLE001 - reported to the test
        outcome.update(status="refused", error=type(err).__name__, message=str(err))
    (work / f"{name}.json").write_text(json.dumps(outcome))


if __name__ == "__main__":
    main(*sys.argv[1:5])
