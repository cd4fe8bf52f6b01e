"""``extract``: the command line downloads a port's data with the same rights, filters, formula
guard and audit record as the portal and the API; refusals exit 2 and leave no file behind."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from catalog import Catalog
from catalog.access.masking import MASK
from catalog.housekeeping import EXTRACTS_DIR
from tests.catalog.commands.conftest import CONSUMER, Cli


def _extracts_left(cli: Cli) -> list[Path]:
    folder = cli.settings.data_dir / EXTRACTS_DIR
    return list(folder.iterdir()) if folder.exists() else []


def test_the_local_user_extracts_filtered_columns_to_the_offered_name(
        cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    done = cli("extract", "sales.orders", "--column", "order_id", "--column", "note",
               "--filter", "customer_id:equals:10")
    assert done.code == 0, done.err
    written = Path(done.out.strip())
    assert written.parent == tmp_path and written.name.startswith("sales.orders-")
    assert written.suffix == ".csv"
    with written.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["order_id", "note"]
    assert rows[1:3] == [["1", "plain note"], ["2", "'=HYPERLINK(\"http://evil.example\")"]]
    assert f"{len(rows) - 1:,} rows of sales.orders" in done.err
    assert _extracts_left(cli) == []
    events = Catalog(cli.settings).store.audit_events(action_prefix="data.extracted")
    assert events and events[0]["target"] == "sales.orders"


def test_parquet_with_a_limit_to_a_named_file(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "orders.parquet"
    done = cli("extract", "sales.orders", "--format", "parquet", "--limit", "2",
               "--output", str(target))
    assert done.code == 0, done.err and done.out.strip() == str(target)
    with duckdb.connect() as conn:
        assert conn.execute(f"SELECT order_id FROM '{target}'").fetchall() == [(1,), (2,)]
    again = cli("extract", "sales.orders", "--output", str(target))
    assert again.code == 2 and "--force" in again.err and _extracts_left(cli) == []
    assert cli("extract", "sales.orders", "--output", str(target), "--force").code == 0


def test_refusals_exit_2_with_a_message_and_no_file(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    bad_operator = cli("extract", "sales.orders", "--filter", "amount:bigger:3",
                       "--output", str(target))
    assert bad_operator.code == 2 and "greater_or_equal" in bad_operator.err
    bad_value = cli("extract", "sales.orders", "--filter", "amount:greater:lots",
                    "--output", str(target))
    assert bad_value.code == 2 and bad_value.err.startswith("error: ")
    masked_filter = cli("extract", "sales.customers", "--filter", "email:contains:@",
                        "--output", str(target), token=cli.token(CONSUMER))
    assert masked_filter.code == 2 and "email" in masked_filter.err
    assert not target.exists() and _extracts_left(cli) == []


def test_a_consumer_gets_sensitive_columns_masked(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "customers.csv"
    done = cli("extract", "sales.customers", "--output", str(target),
               token=cli.token(CONSUMER))
    assert done.code == 0, done.err
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {row["email"] for row in rows} == {MASK}
