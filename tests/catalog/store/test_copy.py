"""Copying the operational store into another, empty database: every row with its id, ids
continuing after the copy, a target that holds rows refused, admins only, and the command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from catalog import LOCAL_USER, Catalog, Settings
from catalog.access import grants, tokens
from catalog.cli import main
from catalog.errors import PermissionDenied
from catalog.quality.history import save_run
from catalog.store import StateStore, StoreError
from catalog.store.copy import copy_rows
from catalog.store.tables import metadata
from tests.catalog.store.helpers import T0, person, quality_run

ANA, OLGA = person("ana@x.example"), person("olga@x.example")
PRODUCT = "operations.flights"


def _fill(store: StateStore) -> None:
    """One of each kind of state, a few times over (ids with gaps: a withdrawn request)."""
    for minute in range(3):
        save_run(store, quality_run(PRODUCT, minute=minute, checks=3, failed=minute % 2))
    store.save_compliance("2024-03-01T09:00:00+00:00", [(PRODUCT, "operations", "owner", True),
                                                         (PRODUCT, "operations", "sla", False)])
    first = grants.request_access(store, ANA, PRODUCT, ["flights"], "Board report", 30, now=T0)
    grants.decide_request(store, OLGA, first.id, True, now=T0)
    second = grants.request_access(store, OLGA, PRODUCT, ["flights"], "Audit sample", 7, now=T0)
    grants.withdraw(store, OLGA, second.id)
    tokens.create(store, ANA, "nightly", now=T0)
    store.claim("publish:operations.new_thing", "replica-a", 60.0)
    store.record_audit(T0, "ana@x.example", "test.event", PRODUCT, {"n": 1})


def _rows(store: StateStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order."""
    out = {}
    with store.read() as conn:
        for table in metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


@pytest.fixture(params=("sqlite", "postgresql"))
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty target: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.sqlite'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


def test_every_row_is_copied_with_its_id_and_ids_continue(tmp_path: Path,
                                                          target_url: str) -> None:
    source = StateStore(tmp_path / "source.sqlite")
    _fill(source)
    target = StateStore.from_url(target_url)
    done: list[tuple[str, int]] = []
    copied = copy_rows(source, target, batch_rows=2, progress=lambda t, n: done.append((t, n)))
    before = _rows(source)
    assert _rows(target) == before, "every row, every column, the same ids"
    assert copied == {name: len(rows) for name, rows in before.items()} == dict(done)
    assert copied["check_results"] == 9 and copied["access_requests"] == 2
    assert list(copied).index("quality_runs") < list(copied).index("check_results")
    # new rows on the target get the next ids, not ones the copy already used
    seq = target.record_audit(T0, "ana@x.example", "test.after", PRODUCT)
    assert seq == max(r[0] for r in before["audit_log"]) + 1
    again = grants.request_access(target, person("bo@x.example"), PRODUCT, ["flights"],
                                  "Later analysis of delays", 1, now=T0)
    assert again.id == max(r[0] for r in before["access_requests"]) + 1
    assert [t.name for t in tokens.tokens_of(target, ANA, now=T0)] == ["nightly"]
    target.dispose()


def test_a_target_with_rows_or_the_store_itself_is_refused(tmp_path: Path,
                                                           target_url: str) -> None:
    source = StateStore(tmp_path / "source.sqlite")
    _fill(source)
    target = StateStore.from_url(target_url)
    target.record_audit(T0, "someone", "test.event", PRODUCT)
    with pytest.raises(StoreError, match=r"not empty: its table audit_log holds 1 rows"):
        copy_rows(source, target)
    assert sum(len(rows) for rows in _rows(target).values()) == 1, "nothing was copied"
    with pytest.raises(StoreError, match="same store"):
        copy_rows(source, StateStore(tmp_path / "source.sqlite"))
    target.dispose()


def _settings(demo_settings: Settings, tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    return Settings(mesh_root=demo_settings.mesh_root, data_dir=data)


def test_only_a_governance_admin_copies_and_both_stores_record_it(
        demo_settings: Settings, tmp_path: Path) -> None:
    catalog = Catalog(_settings(demo_settings, tmp_path))
    _fill(catalog.store)
    target_url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    with pytest.raises(PermissionDenied, match="governance admin"):
        catalog.copy_store(ANA, target_url)
    assert not (tmp_path / "target.sqlite").exists() or not any(
        _rows(StateStore.from_url(target_url)).values())
    copied = catalog.copy_store(LOCAL_USER, target_url)
    target = StateStore.from_url(target_url)
    for store in (catalog.store, target):
        event = store.audit_events(action_prefix="store.copied", limit=1)[0]
        assert event["actor"] == LOCAL_USER.username
        assert event["detail"]["rows"] == copied
    target.dispose()


def test_the_command_copies_into_an_empty_database(demo_settings: Settings, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    settings = _settings(demo_settings, tmp_path)
    _fill(Catalog(settings).store)
    monkeypatch.setenv("MESH_ROOT", str(settings.mesh_root))
    monkeypatch.setenv("MESH_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("MESH_STATE_URL", raising=False)
    monkeypatch.delenv("MESH_STATE_DB", raising=False)
    monkeypatch.delenv("MESH_API_TOKEN", raising=False)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    assert main(["copy-store", "--to", target]) == 0
    out = capsys.readouterr()
    assert "quality_runs: 3 rows" in out.out and "check_results: 9 rows" in out.out
    assert "point MESH_STATE_URL at the target" in out.err
    assert main(["copy-store", "--to", target]) == 2  # not empty any more
    assert "is not empty" in capsys.readouterr().err

