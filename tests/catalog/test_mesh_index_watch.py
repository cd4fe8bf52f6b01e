"""The mesh index's watcher on watchdog: events turned into paths, manifests added, changed,
deleted and renamed seen through file events (looking only at what the events name) and by
polling, the pause between polls derived from their cost, and the fall-backs to polling."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from watchdog.events import (
    DirCreatedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from catalog.config import REPO_ROOT
from catalog.manifests.loader import load_mesh
from catalog.mesh_index import watcher as watcher_module
from catalog.mesh_index.index import MeshIndex, Refresh
from catalog.mesh_index.tree import FileTree
from catalog.mesh_index.watcher import Collector, MeshWatcher

FLIGHTS = "operations/flights"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the demo mesh, its files older than the racy window."""
    target = tmp_path / "domains"
    shutil.copytree(REPO_ROOT / "domains", target)
    past = time.time() - 60
    for folder, _dirs, files in os.walk(target):
        for name in [*files, "."]:
            os.utime(os.path.join(folder, name), (past, past))
    return target


def _drained(root: Path, *events: Any) -> tuple[set[str], set[str]]:
    collector = Collector(str(root), threading.Event())
    for event in events:
        collector.on_any_event(event)
    return collector.drain()


def test_events_name_the_files_and_folders_to_look_at(tmp_path: Path) -> None:
    r = str(tmp_path)
    assert _drained(tmp_path, FileModifiedEvent(f"{r}/ops/flights/product.odps.yaml")) == (
        {"ops/flights/product.odps.yaml"},
        set(),
    )
    assert _drained(tmp_path, FileCreatedEvent(f"{r}/ops/flights/new.odcs.yaml")) == (
        {"ops/flights/new.odcs.yaml"},
        {"ops/flights"},
    )
    assert _drained(tmp_path, FileDeletedEvent(f"{r}/ops/domain.yaml")) == (
        {"ops/domain.yaml"},
        {"ops"},
    )
    # An editor's save: a hidden temporary file renamed onto the manifest.
    assert _drained(
        tmp_path,
        FileMovedEvent(
            f"{r}/ops/flights/.product.odps.yaml.tmp", f"{r}/ops/flights/product.odps.yaml"
        ),
    ) == ({"ops/flights/product.odps.yaml"}, {"ops/flights"})
    assert _drained(tmp_path, DirMovedEvent(f"{r}/ops/flights", f"{r}/ops/departures")) == (
        set(),
        {"ops", "ops/flights", "ops/departures"},
    )
    assert _drained(tmp_path, DirCreatedEvent(f"{r}/cargo")) == (set(), {"", "cargo"})
    assert _drained(tmp_path, DirModifiedEvent(r)) == (set(), {""})


def test_reads_hidden_entries_other_files_and_paths_outside_are_ignored(tmp_path: Path) -> None:
    r = str(tmp_path)
    assert _drained(
        tmp_path,
        FileOpenedEvent(f"{r}/ops/flights/product.odps.yaml"),
        FileClosedNoWriteEvent(f"{r}/ops/flights/product.odps.yaml"),
        FileModifiedEvent(f"{r}/ops/flights/.product.odps.yaml.swp"),
        FileModifiedEvent(f"{r}/ops/_drafts/flights/product.odps.yaml"),
        FileModifiedEvent(f"{r}/ops/flights/build.sql"),
        FileModifiedEvent(f"{tmp_path.parent}/elsewhere.yaml"),
    ) == (set(), set())


def _spy(index: MeshIndex) -> list[tuple[Any, ...]]:
    """Record the arguments of every refresh of ``index`` (a share of a poll as its
    ``(part, parts)``)."""
    calls: list[tuple[Any, ...]] = []
    refresh = index.refresh

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args or tuple(kwargs.values()))
        return refresh(*args, **kwargs)

    index.refresh = recorded  # type: ignore[method-assign]
    return calls


def _until(index: MeshIndex, check: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check(index.snapshot().mesh) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert check(index.snapshot().mesh), "the watcher did not pick the change up"


def _add_change_rename_delete(index: MeshIndex, root: Path) -> None:
    """Add a product, change a manifest in place, save one the way editors do (a temporary
    file renamed onto it), rename a product folder, delete one; each is waited for."""
    target = root / "cargo" / "parcels"
    shutil.copytree(root / "reference" / "airlines", target)
    (root / "cargo" / "domain.yaml").write_text(
        "name: cargo\ntitle: Cargo\ndescription: Parcels.\n"
    )
    odps = target / "product.odps.yaml"
    odps.write_text(
        odps.read_text()
        .replace("reference.airlines", "cargo.parcels")
        .replace("domain: reference", "domain: cargo")
    )
    _until(index, lambda mesh: "cargo.parcels" in mesh.products)

    flights = root / FLIGHTS / "product.odps.yaml"
    flights.write_text(flights.read_text().replace("status: active", "status: deprecated"))
    _until(index, lambda m: m.products["operations.flights"].status == "deprecated")

    temporary = flights.with_name(".product.odps.yaml.tmp")
    temporary.write_text(flights.read_text().replace("status: deprecated", "status: retired"))
    os.replace(temporary, flights)
    _until(index, lambda m: m.products["operations.flights"].status == "retired")

    os.rename(root / "weather" / "daily_conditions", root / "weather" / "daily")
    moved = root / "weather" / "daily" / "product.odps.yaml"
    moved.write_text(moved.read_text().replace("weather.daily_conditions", "weather.daily"))
    _until(
        index,
        lambda m: "weather.daily" in m.products and "weather.daily_conditions" not in m.products,
    )

    shutil.rmtree(root / "fleet" / "aircraft_utilisation")
    _until(index, lambda m: "fleet.aircraft_utilisation" not in m.products)
    time.sleep(0.3)  # the last batch of events
    fresh = load_mesh(root)
    assert list(index.snapshot().mesh.products) == list(fresh.products)


def test_watchdog_events_apply_adds_changes_renames_and_deletes(root: Path) -> None:
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=60, full_poll_seconds=600).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "events"
        calls = _spy(index)
        _add_change_rename_delete(index, root)
        assert calls and all(args for args in calls), "a full poll ran instead of events"
        named = set().union(*(files for files, _dirs in calls))
        assert f"{FLIGHTS}/product.odps.yaml" in named
    finally:
        watcher.stop()
    assert not watcher.alive


def test_polling_applies_adds_changes_renames_and_deletes(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MESH_WATCH", "poll")
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=0.3).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "polling"
        _add_change_rename_delete(index, root)
        assert watcher.last is not None
        # the pause follows the cost of a poll: under `interval`, at least 3 polls' CPU
        assert 3 * watcher.poll_cpu <= watcher.period + 1e-9
        assert watcher.period <= max(0.75 * 0.3 / watcher.shares, 3 * watcher.poll_cpu) + 1e-9
    finally:
        watcher.stop()


def test_the_pause_between_polls_keeps_a_change_within_the_interval(root: Path) -> None:
    index = MeshIndex(root, None)
    watcher = MeshWatcher(index, interval=2.0, events=False)  # not started: arithmetic only
    watcher.last = Refresh(False, scan_seconds=0.1, apply_seconds=0.0, parsed=0, read=0)
    watcher.poll_cpu = 0.08
    # a change written just after its file was looked at waits until its share of the files
    # is polled again (`shares` pauses), then that poll and the apply: a quarter of the
    # interval is left for those beyond the last poll's 0.1 s
    shares = watcher_module.POLL_SHARES
    assert watcher._pause() == pytest.approx(1.4 / shares) and watcher.shares == shares
    assert shares * watcher.period + 0.1 + watcher_module.POLL_MARGIN * 2.0 == pytest.approx(2.0)
    watcher.poll_cpu = 0.16  # three polls at a third of a core would need 1.44 s: whole
    assert watcher._pause() == pytest.approx(1.4) and watcher.shares == 1
    watcher.poll_cpu = 0.6  # an expensive poll: at most a third of a core
    assert watcher._pause() == pytest.approx(1.8) and watcher.shares == 1
    watcher.interval, watcher.poll_cpu = 0.01, 0.0
    assert watcher._pause() == watcher_module.MIN_PAUSE_SECONDS


def test_an_observer_that_cannot_watch_leaves_the_watcher_polling(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing:
        """An observer refused by the system's watch limits."""

        def schedule(self, *_args: Any, **_kwargs: Any) -> None:
            raise OSError(28, "inotify watch limit reached")

        def stop(self) -> None:
            """Nothing to stop."""

        def is_alive(self) -> bool:
            return False

    monkeypatch.setattr(watcher_module, "native_observer", lambda: Refusing)
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=0.1).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "polling"
        flights = root / FLIGHTS / "product.odps.yaml"
        flights.write_text(flights.read_text().replace("status: active", "status: deprecated"))
        _until(index, lambda m: m.products["operations.flights"].status == "deprecated")
    finally:
        watcher.stop()


def test_lost_events_make_the_watcher_poll_everything(root: Path) -> None:
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=60, full_poll_seconds=600).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "events"
        calls = _spy(index)
        logging.getLogger("watchdog.observers.inotify_c").warning(
            "Inotify queue overflowed; filesystem events were lost"
        )
        deadline = time.monotonic() + 5
        while () not in calls and time.monotonic() < deadline:
            time.sleep(0.02)
        assert () in calls, "no full poll after lost events"
    finally:
        watcher.stop()


def test_reading_manifests_raises_no_events(root: Path) -> None:
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=60, full_poll_seconds=600).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "events"
        calls = _spy(index)
        for path in root.rglob("*.yaml"):
            path.read_bytes()
        time.sleep(0.5)
        assert calls == []
    finally:
        watcher.stop()


def _aged(*paths: Path) -> None:
    """Set entries' times a minute back (older than the racy window)."""
    past = time.time() - 60
    for path in paths:
        os.utime(path, (past, past), follow_symlinks=False)


def test_a_full_poll_sees_adds_changes_saves_renames_deletes_and_links(tmp_path: Path) -> None:
    root = tmp_path / "mesh"
    (root / "ops" / "flights").mkdir(parents=True)
    product = root / "ops" / "flights" / "product.odps.yaml"
    product.write_text("a: 1\n")
    (root / "ops" / "domain.yaml").write_text("name: ops\n")
    (root / "ops" / "_drafts").mkdir()
    (root / "ops" / "_drafts" / "x.yaml").write_text("x\n")
    _aged(product, root / "ops" / "domain.yaml", root / "ops" / "flights", root / "ops", root)
    tree = FileTree(str(root))
    assert tree.poll().files == {"ops/domain.yaml", "ops/flights/product.odps.yaml"}
    assert not tree.poll() and not tree.racy

    product.write_text("a: 2\n")  # in place, same size: racy, reported until it settles
    assert tree.poll().files == {"ops/flights/product.odps.yaml"}
    assert tree.poll().files == {"ops/flights/product.odps.yaml"}
    _aged(product)
    assert tree.poll().files == {"ops/flights/product.odps.yaml"}  # its time moved back
    assert not tree.poll()

    product.write_text("a: 4\n")  # polled in three shares: found by the share of its inode
    _aged(product)
    rel, share = "ops/flights/product.odps.yaml", product.stat().st_ino % 3
    assert not tree.poll((share + 1) % 3, 3) and not tree.poll((share + 2) % 3, 3)
    assert tree.poll(share, 3).files == {rel}

    saved = product.with_name(".product.odps.yaml.tmp")  # an editor's save
    saved.write_text("a: 3\n")
    os.replace(saved, product)
    _aged(product, product.parent)
    assert tree.poll().files == {"ops/flights/product.odps.yaml"}

    (root / "ops" / "departures").symlink_to("flights", target_is_directory=True)
    (root / "ops" / "loop").symlink_to("..", target_is_directory=True)  # back into a parent
    (root / "ops" / "flights" / "gone.odcs.yaml").symlink_to("missing.yaml")  # dangling
    _aged(root / "ops", root / "ops" / "flights")
    changes = tree.poll()
    assert changes.files == {
        "ops/departures/gone.odcs.yaml",
        "ops/departures/product.odps.yaml",
        "ops/flights/gone.odcs.yaml",
    } and changes.dirs == {"ops", "ops/departures", "ops/flights"}
    assert "ops/loop" not in tree.dirs and "ops/flights/gone.odcs.yaml" in tree.files

    os.rename(root / "ops" / "flights", root / "ops" / "arrivals")
    _aged(root / "ops")
    changes = tree.poll()
    assert "ops/arrivals/product.odps.yaml" in changes.files
    assert changes.removed_files >= {
        "ops/flights/product.odps.yaml",
        "ops/departures/product.odps.yaml",
    }
    assert "ops/flights" not in tree.dirs and "ops/departures" not in tree.dirs

    (root / "ops" / "domain.yaml").unlink()
    assert tree.poll().removed_files == {"ops/domain.yaml"}


def test_a_full_poll_follows_a_root_that_goes_and_comes_back(tmp_path: Path) -> None:
    root = tmp_path / "mesh"
    tree = FileTree(str(root))
    assert not tree.poll() and tree.dirs == {"": (0, 0)}
    (root / "ops").mkdir(parents=True)
    (root / "ops" / "domain.yaml").write_text("name: ops\n")
    assert tree.poll().files == {"ops/domain.yaml"}
    shutil.rmtree(root)
    changes = tree.poll()
    assert changes.removed_files == {"ops/domain.yaml"} and not tree.files
    assert not tree.poll()
    root.write_text("not a folder\n")
    assert not tree.poll() and tree.dirs == {"": (0, 0)}
