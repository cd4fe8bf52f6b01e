"""The persisted mesh index: same mesh as a fresh parse, incremental updates file by file, last
good version of a broken product, damaged caches, concurrent writers, the background watcher.

Every test works on real files in a temporary folder (a copy of the demo mesh, whose products
consume each other, so lineage is exercised); after each change the index's mesh and search
results are compared with a fresh ``load_mesh`` and a freshly built search index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from catalog.catalog import Catalog
from catalog.config import REPO_ROOT, Settings
from catalog.manifests.loader import load_mesh
from catalog.mesh import Mesh
from catalog.mesh_index import persist
from catalog.mesh_index.filesystems import events_reliable, filesystem_type
from catalog.mesh_index.index import MeshIndex
from catalog.mesh_index.watcher import MeshWatcher
from catalog.models.principal import LOCAL_USER
from catalog.search import SearchIndex, SearchQuery
from catalog.validation import _mesh_index as _validation_index
from catalog.validation import validate_paths

FLIGHTS = "operations/flights"
CONSUMERS = ("operations.daily_carrier_performance", "operations.delay_vs_weather",
             "operations.route_performance")
QUERIES = [SearchQuery(), SearchQuery("flights"), SearchQuery("weather delay"),
           SearchQuery("tailnum"), SearchQuery("zebracorn"), SearchQuery(domain=("operations",)),
           SearchQuery("delay", status=("active",)), SearchQuery(tag=("flights",))]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    """A private copy of the demo mesh, its files older than the racy window."""
    target = tmp_path / "domains"
    shutil.copytree(REPO_ROOT / "domains", target)
    _age(target)
    return target


def _age(root: Path, seconds: float = 60.0) -> None:
    """Set every file's and folder's times ``seconds`` back (as files long at rest are)."""
    past = time.time() - seconds
    for folder, _dirs, files in os.walk(root):
        for name in [*files, "."]:
            os.utime(os.path.join(folder, name), (past, past))


def _cache(tmp_path: Path, root: Path) -> Path:
    return persist.cache_file(tmp_path / "data", root)


def _write(path: Path, text: str) -> None:
    """Write a manifest and age it (and its folder) past the racy window."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    past = time.time() - 30
    os.utime(path, (past, past))


def _same_mesh(got: Mesh, fresh: Mesh) -> None:
    """``got`` holds what a fresh parse of the same files holds, in the same order."""
    assert list(got.domains) == list(fresh.domains)
    for name, domain in fresh.domains.items():
        assert got.domains[name] == domain
    assert list(got.products) == list(fresh.products)
    for pid, product in fresh.products.items():
        mine = got.products[pid]
        assert mine.document == product.document, pid
        assert (mine.title, mine.status, mine.directory, mine.odps_file) == (
            product.title, product.status, product.directory, product.odps_file)
        assert [(p.name, p.contract_id, p.contract_file, p.raw_contract)
                for p in mine.output_ports] == [(p.name, p.contract_id, p.contract_file,
                                                 p.raw_contract) for p in product.output_ports]
        assert got.upstream(pid) == fresh.upstream(pid), pid
        assert got.downstream(pid) == fresh.downstream(pid), pid
    assert got.problems == fresh.problems


def _same_search(got: SearchIndex, mesh: Mesh) -> None:
    fresh = SearchIndex(mesh.products.values())
    for query in QUERIES:
        mine, theirs = got.search(query), fresh.search(query)
        assert (mine.hits, mine.facets, mine.partial) == (theirs.hits, theirs.facets,
                                                          theirs.partial), query


def _check(index: MeshIndex, root: Path) -> None:
    snapshot = index.snapshot()
    fresh = load_mesh(root)
    _same_mesh(snapshot.mesh, fresh)
    _same_search(snapshot.search, snapshot.mesh)


def test_start_from_cache_gives_the_same_mesh_as_a_fresh_parse(tmp_path: Path, root: Path
                                                                ) -> None:
    cache = _cache(tmp_path, root)
    cold = MeshIndex(root, cache)
    _check(cold, root)
    assert cold.last_refresh is not None and cold.last_refresh.source == "files"
    files = sum(1 for _ in root.rglob("*.odps.yaml")) + sum(1 for _ in root.rglob("*.odcs.yaml"))
    assert cold.parsed_files == files + sum(1 for _ in root.glob("*/domain.yaml"))
    assert cache.is_file() and cold.saves == 1

    warm = MeshIndex(root, cache)
    # Contracts come back compact and are decoded on first use.
    flights = warm.snapshot().mesh.products["operations.flights"].output_ports[0].source
    assert flights is not None and flights._raw is None
    assert flights.raw["id"] == flights.id and flights.model().id == flights.id
    _check(warm, root)
    assert warm.last_refresh is not None and warm.last_refresh.source == "cache"
    assert warm.parsed_files == 0 and warm.read_files == 0


def test_a_changed_manifest_is_reparsed_alone(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    first = index.snapshot()
    contract = root / FLIGHTS / "flights.odcs.yaml"
    _write(contract, contract.read_text().replace("tailnum", "zebracorn_tail"))
    before = index.parsed_files
    report = index.refresh()
    assert report.changed and report.parsed == 1 and index.parsed_files == before + 1
    assert report.products == ("operations.flights",)
    assert report.apply_seconds < 1.0
    hits = index.snapshot().search.search(SearchQuery("zebracorn")).hits
    assert [h.product_id for h in hits] == ["operations.flights"]
    assert index.snapshot().generation == first.generation + 1
    # The old snapshot is untouched: readers holding it see the mesh as it was.
    assert first.search.search(SearchQuery("zebracorn")).hits == []
    assert "zebracorn_tail" not in str(first.mesh.products["operations.flights"]
                                       .output_ports[0].raw_contract)
    # Unchanged products are the very same objects.
    assert index.snapshot().mesh.products["fleet.aircraft"] is first.mesh.products[
        "fleet.aircraft"]
    _check(index, root)
    # A touch (new time, same content) re-reads the file but parses nothing.
    os.utime(contract, None)
    report = index.refresh()
    assert report.parsed == 0 and not report.changed


def test_an_edit_that_renames_a_served_contract_updates_its_consumers(tmp_path: Path,
                                                                     root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    index.snapshot()
    odps, odcs = root / FLIGHTS / "product.odps.yaml", root / FLIGHTS / "flights.odcs.yaml"
    texts = odps.read_text(), odcs.read_text()
    for path, text in zip((odps, odcs), texts, strict=True):
        _write(path, text.replace("operations.flights.flights", "operations.flights.v2"))
    report = index.refresh()
    assert report.parsed == 2 and report.products == ("operations.flights",)
    mesh = index.snapshot().mesh
    assert mesh.producer_of_contract("operations.flights.v2") is not None
    assert mesh.producer_of_contract("operations.flights.flights") is None
    assert any("operations.flights.flights" in p.message for p in mesh.problems)
    _check(index, root)  # consumers still linked by their ports' names, and warned
    for path, text in zip((odps, odcs), texts, strict=True):
        _write(path, text)
    index.refresh()
    assert not any("no product in the mesh serves" in p.message
                   for p in index.snapshot().mesh.problems)
    _check(index, root)


def test_adding_a_product_parses_its_files_only(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    index.snapshot()
    source = root / "reference" / "airlines"
    target = root / "reference" / "carriers"
    target.mkdir()
    odps = (source / "product.odps.yaml").read_text().replace("reference.airlines",
                                                             "reference.carriers")
    odps = odps.replace("name: airlines", "name: carriers")
    _write(target / "product.odps.yaml", odps.replace("airlines.odcs", "carriers.odcs"))
    odcs = (source / "airlines.odcs.yaml").read_text().replace("reference.airlines",
                                                              "reference.carriers")
    _write(target / "airlines.odcs.yaml", odcs)
    report = index.refresh()
    assert report.parsed == 2 and report.products == ("reference.carriers",)
    assert "reference.carriers" in index.snapshot().mesh.domains["reference"].product_ids
    _check(index, root)


def test_deleting_a_product_updates_lineage_and_search(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    mesh = index.snapshot().mesh
    assert set(CONSUMERS) <= set(mesh.downstream("operations.flights"))
    shutil.rmtree(root / FLIGHTS)
    report = index.refresh()
    assert report.parsed == 0 and report.products == ("operations.flights",)
    mesh = index.snapshot().mesh
    assert "operations.flights" not in mesh.products
    warned = {p.file for p in mesh.problems if "no product in the mesh serves" in p.message}
    assert {f"domains/operations/{c.split('.')[1]}/product.odps.yaml" for c in CONSUMERS
            } <= warned
    assert "operations.flights" not in [h.product_id for h in
                                        index.snapshot().search.search(SearchQuery()).hits]
    _check(index, root)
    # Putting it back restores lineage, without the warnings.
    shutil.copytree(REPO_ROOT / "domains" / FLIGHTS, root / FLIGHTS)
    _age(root / FLIGHTS)
    index.refresh()
    assert set(CONSUMERS) <= set(index.snapshot().mesh.downstream("operations.flights"))
    _check(index, root)


def test_renames_reuse_parsed_content(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    index.snapshot()
    # A contract file renamed in its folder: same content, nothing parsed.
    folder = root / "weather" / "daily_conditions"
    os.rename(folder / "daily_conditions.odcs.yaml", folder / "daily.odcs.yaml")
    report = index.refresh()
    assert report.parsed == 0 and report.products == ("weather.daily_conditions",)
    port = index.snapshot().mesh.products["weather.daily_conditions"].output_ports[0]
    assert port.contract_file == folder / "daily.odcs.yaml" and port.source is not None
    _check(index, root)
    # A product folder renamed, with the id in its ODPS file: only that file is parsed.
    new = root / "weather" / "conditions"
    os.rename(folder, new)
    odps = new / "product.odps.yaml"
    _write(odps, odps.read_text().replace("weather.daily_conditions", "weather.conditions"))
    report = index.refresh()
    assert report.parsed == 1
    assert set(report.products) == {"weather.daily_conditions", "weather.conditions"}
    _check(index, root)


def test_a_broken_edit_keeps_the_last_good_version(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, _cache(tmp_path, root))
    good = index.snapshot().mesh.products["operations.flights"]
    odps = root / FLIGHTS / "product.odps.yaml"
    text = odps.read_text()
    _write(odps, text.replace("status: active", "status: [active"))
    report = index.refresh()
    assert report.parsed == 1
    mesh = index.snapshot().mesh
    assert mesh.products["operations.flights"] is good
    [error] = [p for p in mesh.problems if p.severity == "error"]
    assert error.file == "domains/operations/flights/product.odps.yaml" and error.line
    assert any("keeps showing the last version of operations.flights" in p.message
               for p in mesh.problems)
    # A schema error names its field and line too.
    _write(odps, text.replace("status: active", "status: 12"))
    index.refresh()
    [error] = [p for p in index.snapshot().mesh.problems if p.severity == "error"]
    assert error.field == "status" and error.line == _line_of(text, "status:")
    assert index.snapshot().mesh.products["operations.flights"] is good
    # The last good version survives a restart (it is saved with the index).
    index.save()
    again = MeshIndex(root, _cache(tmp_path, root))
    assert again.snapshot().mesh.products["operations.flights"].document == good.document
    # Fixed: the new version replaces it, and the problems go.
    _write(odps, text.replace("status: active", "status: deprecated"))
    index.refresh()
    assert index.snapshot().mesh.products["operations.flights"].status == "deprecated"
    _check(index, root)
    # Without keep_last_good the broken product is left out, as load_mesh does.
    _write(odps, text.replace("status: active", "status: [active"))
    plain = MeshIndex(root, None, keep_last_good=False)
    assert "operations.flights" not in plain.snapshot().mesh.products
    _check(plain, root)


def _line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "stale stamp", "empty",
                                    "shared with others"])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, root: Path, damage: str
                                                ) -> None:
    cache = _cache(tmp_path, root)
    MeshIndex(root, cache).snapshot()
    data = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(b"\x00not a pickle" * 100)
    elif damage == "truncated":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "stale stamp":
        cache.write_bytes(data.replace(persist.format_stamp().encode(), b"0" * 32, 1))
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        os.chmod(cache, 0o666)
    index = MeshIndex(root, cache)
    _check(index, root)
    assert index.last_refresh is not None and index.last_refresh.source == "files"
    assert index.parsed_files > 0 and index.saves == 1
    assert MeshIndex(root, cache).snapshot().mesh.products  # the rebuilt file loads


def test_a_racy_rewrite_with_the_same_size_and_time_is_caught(tmp_path: Path, root: Path
                                                              ) -> None:
    contract = root / FLIGHTS / "flights.odcs.yaml"
    contract.write_text(contract.read_text())  # just written: inside the racy window
    info = contract.stat()
    index = MeshIndex(root, None)
    index.snapshot()
    text = contract.read_text()
    contract.write_text(text.replace("tailnum", "tailnix"))  # same size
    os.utime(contract, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same time
    assert contract.stat().st_mtime_ns == info.st_mtime_ns
    report = index.refresh()
    assert report.parsed == 1 and report.products == ("operations.flights",)
    assert index.snapshot().search.search(SearchQuery("tailnix")).hits


def test_a_search_during_an_update_answers_from_the_current_index(tmp_path: Path, root: Path
                                                                  ) -> None:
    catalog = Catalog(Settings(root, tmp_path / "data"), recheck_seconds=3600)
    assert catalog.search(LOCAL_USER, SearchQuery("flights")).hits
    assert catalog._watcher is not None
    catalog._watcher.stop()  # this test applies the change itself, after the "update"
    contract = root / FLIGHTS / "flights.odcs.yaml"
    _write(contract, contract.read_text().replace("tailnum", "zebracorn_tail"))
    updating = threading.Event()
    release = threading.Event()

    def hold_the_update() -> None:
        """An update in progress: it holds the index's update lock for a while."""
        with catalog.mesh_index._lock:
            updating.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_update)
    holder.start()
    try:
        assert updating.wait(5)
        started = time.perf_counter()
        result = catalog.search(LOCAL_USER, SearchQuery("zebracorn"))
        catalog.product(LOCAL_USER, "operations.flights")
        assert time.perf_counter() - started < 0.5
        assert result.hits == []  # the current snapshot, not the one being built
    finally:
        release.set()
        holder.join()
    catalog.reload()  # applies the change synchronously for its caller
    hits = catalog.search(LOCAL_USER, SearchQuery("zebracorn")).hits
    assert [h.product_id for h in hits] == ["operations.flights"]


def test_the_watcher_applies_changes_in_the_background(tmp_path: Path, root: Path) -> None:
    catalog = Catalog(Settings(root, tmp_path / "data"), recheck_seconds=0.1)
    first = catalog.mesh()
    watcher = catalog._watcher
    assert watcher is not None and watcher.alive and watcher._thread.daemon
    odps = root / FLIGHTS / "product.odps.yaml"
    parsed = catalog.mesh_index.parsed_files
    _write(odps, odps.read_text().replace("status: active", "status: deprecated"))
    deadline = time.monotonic() + 10
    while catalog.mesh() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert catalog.mesh().products["operations.flights"].status == "deprecated"
    assert catalog.mesh_index.parsed_files == parsed + 1
    # Unsaved changes are saved once they settle.
    catalog.mesh_index.save_if_idle(0)
    assert not catalog.mesh_index.dirty
    watcher.stop()
    assert not watcher.alive


def _wait_for(index: MeshIndex, generation: int, timeout: float = 10.0) -> None:
    """Wait until the index published a snapshot after ``generation``."""
    deadline = time.monotonic() + timeout
    while index.snapshot().generation <= generation and time.monotonic() < deadline:
        time.sleep(0.02)
    assert index.snapshot().generation > generation, "the watcher did not pick the change up"


@pytest.mark.parametrize("events", [True, False], ids=["events", "polling"])
def test_the_watcher_follows_edits_adds_deletes_and_renames(tmp_path: Path, root: Path,
                                                            events: bool) -> None:
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=0.05, events=events).start()
    try:
        assert watcher.wait_ready()
        assert watcher.mode == ("events" if events else "polling")
        steps = []

        def edit() -> None:
            odps = root / FLIGHTS / "product.odps.yaml"
            odps.write_text(odps.read_text().replace("status: active", "status: deprecated"))

        def add_domain() -> None:
            target = root / "cargo" / "parcels"
            shutil.copytree(root / "reference" / "airlines", target)
            (root / "cargo" / "domain.yaml").write_text(
                "name: cargo\ntitle: Cargo\ndescription: Parcels.\n")
            odps = target / "product.odps.yaml"
            odps.write_text(odps.read_text().replace("reference.airlines", "cargo.parcels")
                            .replace("domain: reference", "domain: cargo"))

        def rename_folder() -> None:
            os.rename(root / "weather" / "daily_conditions", root / "weather" / "daily")
            odps = root / "weather" / "daily" / "product.odps.yaml"
            odps.write_text(odps.read_text().replace("weather.daily_conditions",
                                                     "weather.daily"))

        def delete() -> None:
            shutil.rmtree(root / "fleet" / "aircraft_utilisation")

        steps = [edit, add_domain, rename_folder, delete]
        for step in steps:
            generation = index.snapshot().generation
            step()
            _wait_for(index, generation)
            time.sleep(0.5)  # a step may take more than one batch of events
            _check(index, root)
        mesh = index.snapshot().mesh
        assert mesh.products["operations.flights"].status == "deprecated"
        assert "cargo.parcels" in mesh.products and "weather.daily" in mesh.products
        assert "fleet.aircraft_utilisation" not in mesh.products
    finally:
        watcher.stop()


def test_the_watcher_stops_with_its_index(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=0.05).start()
    assert watcher.alive
    del index
    deadline = time.monotonic() + 5
    while watcher.alive and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not watcher.alive


def test_policies_files_make_a_new_snapshot(tmp_path: Path, root: Path) -> None:
    index = MeshIndex(root, None)
    first = index.snapshot()
    _write(root / "operations" / "policies.yaml", "policies: []\n")
    report = index.refresh()
    assert report.changed and report.parsed == 0 and report.products == ()
    assert index.snapshot().mesh is not first.mesh


WRITER = """
import sys
from pathlib import Path
from catalog.mesh_index.index import MeshIndex
from catalog.mesh_index.filesystems import events_reliable, filesystem_type
index = MeshIndex(Path(sys.argv[1]), Path(sys.argv[2]))
index.snapshot()
for _ in range(int(sys.argv[3])):
    assert index.save()
"""


def test_two_processes_writing_the_cache_never_leave_a_torn_file(tmp_path: Path, root: Path
                                                                 ) -> None:
    cache = _cache(tmp_path, root)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(cache), "15"],
                                env=env) for _ in range(2)]
    loads = 0
    while any(w.poll() is None for w in writers):
        if cache.exists():
            state = persist.load(cache, str(root))
            assert state is not None, "a reader saw a torn or damaged cache file"
            loads += 1
        time.sleep(0.01)
    assert [w.wait() for w in writers] == [0, 0]
    assert loads > 0
    index = MeshIndex(root, cache)
    _check(index, root)
    assert index.last_refresh is not None and index.last_refresh.source == "cache"
    assert not [p for p in cache.parent.iterdir() if p.name.endswith(".tmp")]


def test_validate_reads_the_saved_index_and_sees_broken_files(tmp_path: Path, root: Path
                                                              ) -> None:
    settings = Settings(root, tmp_path / "data")
    cold = validate_paths([root], settings)
    MeshIndex(root, _cache(tmp_path, root)).snapshot()  # what the portal saves
    index = _validation_index(root, settings)
    index.snapshot()
    assert index.last_refresh is not None and index.last_refresh.source == "cache"
    assert index.parsed_files == 0
    warm = validate_paths([root], settings)
    assert warm.findings == cold.findings and warm.products == cold.products
    # A file broken since the index was saved: validate reports it and leaves the product out
    # (no last good version for CI), though the portal's index keeps one.
    portal = MeshIndex(root, _cache(tmp_path, root))
    portal.snapshot()
    odps = root / FLIGHTS / "product.odps.yaml"
    _write(odps, odps.read_text().replace("status: active", "status: [active"))
    portal.refresh()
    portal.save()
    broken = validate_paths([root], settings)
    assert broken.products == cold.products - 1
    assert any(f.file.endswith("operations/flights/product.odps.yaml") and f.severity == "error"
               for f in broken.findings)


def test_saving_deletes_the_files_of_roots_that_are_gone(tmp_path: Path, root: Path) -> None:
    gone = tmp_path / "gone"
    shutil.copytree(root / "reference", gone / "reference")
    data = tmp_path / "data"
    MeshIndex(gone, persist.cache_file(data, gone)).snapshot()
    assert persist.cache_file(data, gone).exists()
    shutil.rmtree(gone)
    MeshIndex(root, persist.cache_file(data, root)).snapshot()
    assert [p.name for p in (data / persist.CACHE_FOLDER).iterdir()] == [
        persist.cache_file(data, root).name]
    assert persist.clear(data) == [persist.cache_file(data, root)]


FORKED = """
import sys
from pathlib import Path
from catalog import validation
from catalog.manifests.loader import load_mesh
from catalog.mesh_index import index as mesh_index
root = Path(sys.argv[1])
mesh_index.PARALLEL_FROM = 1  # parse half the files in a forked child
forked = mesh_index.MeshIndex(root, None, keep_last_good=False)
mesh = forked.snapshot().mesh
fresh = load_mesh(root)
assert forked.parsed_files > 0 and list(mesh.products) == list(fresh.products)
assert mesh.problems == fresh.problems
for pid in fresh.products:
    assert mesh.products[pid].document == fresh.products[pid].document
    assert [p.raw_contract for p in mesh.products[pid].output_ports] == [
        p.raw_contract for p in fresh.products[pid].output_ports]
validation.PARALLEL_FROM = 1  # a forked child builds the models and checks a third
split = validation.check_mesh(mesh, None)
validation.PARALLEL_FROM = 10**9
whole = validation.check_mesh(fresh, None)
assert split.findings == whole.findings and split.not_measured == whole.not_measured
print("ok", len(split.findings))
"""


def test_forked_parsing_and_checking_give_what_one_process_gives(root: Path) -> None:
    """Cold loads and ``validate`` split work with a forked child when no other thread runs
    (so not inside this test process): a fresh interpreter checks both against one process."""
    odps = root / FLIGHTS / "product.odps.yaml"
    _write(odps, odps.read_text().replace("status: active", "status: 12"))  # some findings
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", FORKED, str(root)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok ")


def test_network_file_systems_and_mesh_watch_poll_make_the_watcher_poll(
        tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert filesystem_type(str(root)) not in (None, "")
    assert events_reliable(str(root))  # a local temporary folder
    monkeypatch.setenv("MESH_WATCH", "poll")
    index = MeshIndex(root, None)
    index.snapshot()
    watcher = MeshWatcher(index, interval=0.05).start()
    try:
        assert watcher.wait_ready() and watcher.mode == "polling"
        generation = index.snapshot().generation
        _write(root / "operations" / "policies.yaml", "policies: []\n")
        _wait_for(index, generation)
    finally:
        watcher.stop()
