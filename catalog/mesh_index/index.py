"""The mesh index: parsed manifests kept current incrementally, persisted between processes.

A :class:`MeshIndex` holds, for one manifest root:

* a record per manifest file: its identity (size, modification time, inode), a hash of its
  content and what the loader made of it (the model, or the problems with file, line and
  field);
* a unit per domain folder and per product folder: the domain or product assembled by the
  loader (:mod:`catalog.manifests.loader`) from those records, and its problems;
* the lineage (who serves which contract, upstream, downstream, input ports nobody serves);
* the published :class:`Snapshot`: a :class:`~catalog.mesh.Mesh` and its
  :class:`~catalog.search.SearchIndex`, never changed once published.

:meth:`MeshIndex.refresh` polls the files (:class:`~catalog.mesh_index.tree.FileTree`, stat
only), re-reads what changed (a file whose content hash is unchanged is not parsed again, nor
a renamed one), re-assembles only the affected products, updates lineage and search index for
them, and publishes a new snapshot by swapping one reference. Readers call
:meth:`MeshIndex.snapshot`, which never waits for any of this.

A product whose files get an error (a broken edit) keeps its last version without errors in
the snapshot (``keep_last_good``), next to the new errors and a warning saying so; the
loader's plain semantics (the product is skipped) apply with ``keep_last_good=False``, as
``validate`` wants.

The state is saved to disk (:mod:`catalog.mesh_index.persist`), so a new process starts from
the saved state and only re-reads the files that changed meanwhile.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import marshal
import os
import pickle
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.confine import PathRefused, read_regular_file
from catalog.gc_pause import gc_paused
from catalog.manifests.documents import LazyContract, LoadedDocument, parse_document
from catalog.manifests.loader import (
    DOMAIN_FILE,
    PRODUCT_FILE,
    input_port_warnings,
    load_domain,
    load_product,
    subfolders,
    unserved_inputs,
)
from catalog.manifests.yaml_source import MAX_MANIFEST_BYTES
from catalog.mesh import DataProduct, Domain, ManifestProblem, Mesh
from catalog.mesh_index import persist
from catalog.mesh_index.tree import RACY_NS, Changes, FileId, FileTree, file_id
from catalog.search import SearchIndex

logger = logging.getLogger(__name__)

_EMPTY_SEARCH = SearchIndex(())
"""The search index of snapshots of an index that keeps none (``search=False``)."""

PARALLEL_FROM = 1000
"""A refresh with at least this many files to read parses half of them in a forked child."""

BULK_FILES = 500
"""A refresh that parses at least this many files is a bulk load: the garbage collector
freezes what it built (see :mod:`catalog.gc_pause`), and the state is saved at once."""


@dataclass(frozen=True)
class Snapshot:
    """What readers see: a mesh and its search index, consistent with each other.

    Attributes:
        mesh: the loaded mesh (never changed once published).
        search: its search index (never changed once published).
        generation: 1 for the first snapshot of the process, +1 for each published change.
        published_at: when it was published, seconds since the epoch.
    """

    mesh: Mesh
    search: SearchIndex
    generation: int
    published_at: float


@dataclass(frozen=True)
class Refresh:
    """What one :meth:`MeshIndex.refresh` did.

    Attributes:
        changed: a new snapshot was published.
        scan_seconds: time spent finding changes (stat calls, listing changed folders).
        apply_seconds: time spent re-reading, re-assembling, re-indexing and publishing.
        parsed: files parsed (YAML, JSON Schema, models) during this refresh.
        read: files read (parsed or only hashed) during this refresh.
        products: ids of the products added, changed or removed.
        source: ``cache`` (first refresh, from a saved index), ``files`` (first refresh,
            nothing saved) or ``poll``.
        folders_changed: folders were added, removed or changed their entries.
    """

    changed: bool
    scan_seconds: float
    apply_seconds: float
    parsed: int
    read: int
    products: tuple[str, ...] = ()
    source: str = "poll"
    folders_changed: bool = False


@dataclass(frozen=True)
class _Record:
    """One manifest file as last read: identity before the read, content hash, result."""

    identity: FileId
    digest: bytes
    verified_ns: int
    version: int
    doc: LoadedDocument


@dataclass(frozen=True)
class _ProductUnit:
    """One product folder: the records it was assembled from, its product and problems."""

    key: tuple[tuple[str, int], ...]
    product: DataProduct | None
    problems: tuple[ManifestProblem, ...]
    good: DataProduct | None

    @property
    def broken(self) -> bool:
        """Whether its own files have an error."""
        return any(p.severity == "error" for p in self.problems)


@dataclass(frozen=True)
class _DomainUnit:
    """One domain folder: its domain, its ``domain.yaml`` problems, its product folders."""

    key: tuple[tuple[str, int], ...]
    domain: Domain
    problems: tuple[ManifestProblem, ...]
    listing_problems: tuple[ManifestProblem, ...]
    folders: tuple[str, ...]


@dataclass
class _Lineage:
    """Lineage tables, replaced (never changed in place) by each update."""

    producers: dict[str, str] = field(default_factory=dict)
    servers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    consumers: dict[str, frozenset[str]] = field(default_factory=dict)
    upstream: dict[str, list[str]] = field(default_factory=dict)
    downstream: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, tuple[tuple[int, ...], tuple[ManifestProblem, ...]]] = field(
        default_factory=dict)


@dataclass
class _State:
    """Everything the index keeps and saves (see the module docstring)."""

    root: str
    tree: FileTree
    records: dict[str, _Record] = field(default_factory=dict)
    domains: dict[str, _DomainUnit] = field(default_factory=dict)
    products: dict[str, _ProductUnit] = field(default_factory=dict)
    root_problems: tuple[ManifestProblem, ...] = ()
    domain_problems: dict[str, tuple[ManifestProblem, ...]] = field(default_factory=dict)
    lineage: _Lineage = field(default_factory=_Lineage)
    mesh: Mesh | None = None
    search: SearchIndex | None = None
    next_version: int = 1


class MeshIndex:
    """Parsed manifests of one root, kept current by :meth:`refresh` (see the module).

    Thread-safe: any number of readers call :meth:`snapshot`; refreshes and saves are
    serialised by a lock of their own, which readers never take.

    Args:
        root: the manifest root.
        cache_path: where the index is saved and read back (see
            :func:`catalog.mesh_index.persist.cache_file`); None keeps it in memory only.
        keep_last_good: a product whose files get an error keeps its last version without
            errors in the snapshot (the errors are reported next to it).
        search: keep a search index (False: snapshots hold an empty one, for ``validate``).
        read_only: read the saved index but never write it.
        autosave: save at once after a first load that parsed many files (False: only when
            :meth:`save` or :meth:`save_detached` is called).
    """

    def __init__(self, root: Path, cache_path: Path | None = None, *,
                 keep_last_good: bool = True, search: bool = True,
                 read_only: bool = False, autosave: bool = True) -> None:
        self.root = Path(os.path.abspath(root))
        self.cache_path = cache_path
        self.keep_last_good = keep_last_good
        self.with_search = search
        self.read_only = read_only
        self.autosave = autosave
        self._lock = threading.RLock()
        self._state = _State(str(self.root), FileTree(str(self.root)))
        self._snapshot: Snapshot | None = None
        self._started = False
        self._dirty_since: float | None = None
        self._changed_at = 0.0
        self.parsed_files = 0
        """Files parsed by this index since it was created (a test and benchmark figure)."""
        self.read_files = 0
        """Files read (parsed or only hashed) since it was created."""
        self.saves = 0
        """Times the index was saved to disk."""
        self.last_refresh: Refresh | None = None
        # per-refresh scratch (under the lock)
        self._moved: dict[tuple[bytes, str], _Record] = {}
        self._used: list[tuple[str, int]] = []
        self._touched: dict[str, _ProductUnit | None] = {}
        self._pending = Changes()
        self._touched_domains: set[str] = set()

    # -- reading ---------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current snapshot; the first call loads it (saved index + changed files).

        Never waits for a refresh once a snapshot exists.
        """
        current = self._snapshot
        if current is not None:
            return current
        with self._lock:
            if self._snapshot is None:
                self.refresh()
            assert self._snapshot is not None
            return self._snapshot

    def current(self) -> Snapshot | None:
        """The current snapshot, or None before the first load (never blocks)."""
        return self._snapshot

    def folders(self) -> list[str]:
        """Every folder of the tree (relative paths, ``""`` is the root), as last polled."""
        with self._lock:
            return list(self._state.tree.dirs)

    @property
    def dirty(self) -> bool:
        """Whether the state changed since it was last saved."""
        return self._dirty_since is not None

    # -- updating --------------------------------------------------------------------------
    def refresh(self, files: set[str] | None = None, dirs: set[str] | None = None, *,
                share: tuple[int, int] = (0, 1)) -> Refresh:
        """Apply every change on disk since the last refresh; publish a new snapshot if any.

        The first call starts from the saved index when there is a usable one (see
        :mod:`catalog.mesh_index.persist`), else from nothing; a first load that parsed many
        files is saved before returning, so the next process starts warm.

        Args:
            files: look only at these files (relative to the root) and ``dirs``, as file
                events name them, instead of stat-ing everything (None: everything).
            dirs: folders to list again (with ``files``).
            share: without ``files`` and ``dirs``, ``(part, parts)``: stat only that share
                of the files (and every folder), as :meth:`FileTree.poll` does; ``(0, 1)``:
                every file. The first refresh always looks at everything.

        Returns:
            What was done (see :class:`Refresh`).
        """
        with self._lock:
            source = "poll"
            if not self._started:
                self._started = True
                source = "files"
                loaded = self._load_saved()
                if loaded is not None:
                    self._state = loaded
                    source = "cache"
            parsed, read = self.parsed_files, self.read_files
            started = time.perf_counter()
            if self._snapshot is None:
                changes = self._state.tree.poll()
            elif files is None and dirs is None:
                changes = self._state.tree.poll(*share)
            else:
                changes = self._state.tree.poll_paths(files or set(), dirs or set())
            changes.merge(self._pending)
            scanned = time.perf_counter()
            first = self._snapshot is None
            changed: tuple[str, ...] = ()
            published = False
            if changes or first or self._state.mesh is None:
                bulk = len(changes.files) >= BULK_FILES
                try:
                    with gc_paused(freeze=bulk):
                        changed, published = self._apply(changes, first)
                except BaseException:
                    self._pending = changes  # the tree has moved on: apply them next time
                    raise
                self._pending = Changes()
            done = time.perf_counter()
            report = Refresh(published, scanned - started, done - scanned,
                             self.parsed_files - parsed, self.read_files - read, changed,
                             source, bool(changes.dirs))
            self.last_refresh = report
            if published and (changed or report.read):
                self._changed_at = time.monotonic()
                if self._dirty_since is None:
                    self._dirty_since = self._changed_at
            if first and self.autosave and not self.read_only and (
                    source == "files" or report.parsed >= BULK_FILES):
                self.save()
            return report

    def _apply(self, changes: Changes, first: bool) -> tuple[tuple[str, ...], bool]:
        """Re-load what ``changes`` touch, update lineage and search, publish."""
        state = self._state
        if first and not changes and state.mesh is not None and state.search is not None:
            self._snapshot = Snapshot(state.mesh, state.search, 1, time.time())
            return (), True
        self._moved, self._touched, self._touched_domains = {}, {}, set()
        for rel in changes.removed_files:
            record = state.records.pop(rel, None)
            if record is not None:
                self._moved[(record.digest, record.doc.kind)] = record
        root_dirty, domains, products, extra = _dirty(changes)
        rebuild = state.mesh is None
        stale = [rel for rel in sorted(changes.files - changes.removed_files)
                 if _kind_at(rel) is not None and self._needs_reading(rel)]
        if len(stale) >= PARALLEL_FROM and _can_fork():
            self._prefetch(stale)
        if state.mesh is None or root_dirty or not self.root.is_dir():
            self._reload_root(domains)
        for name in sorted(domains):
            if name in state.domains or (self.root / name).is_dir():
                self._reload_domain(name, products)
        for folder in sorted(products):
            unit_domain = state.domains.get(folder.split("/", 1)[0])
            if unit_domain is not None and folder in unit_domain.folders:
                self._reload_product(folder)
        self._moved = {}
        before: dict[str, DataProduct | None] = {}
        after: dict[str, DataProduct | None] = {}
        for folder, old_unit in self._touched.items():
            old_product = _shown_of(old_unit) if old_unit is not None else None
            unit = state.products.get(folder)
            new_product = _shown_of(unit) if unit is not None else None
            if old_product is not new_product:
                shown = new_product if new_product is not None else old_product
                assert shown is not None
                before[shown.id], after[shown.id] = old_product, new_product
        if not before and not first and not extra and not self._touched_domains and (
                state.mesh is not None and not root_dirty):
            return (), False
        self._publish(before, after, rebuild)
        return tuple(sorted(before)), True

    # -- loading units ---------------------------------------------------------------------
    def _load(self, path: Path, display_name: str, kind: str) -> LoadedDocument:
        """The loader's document source: a file's record when its content is unchanged."""
        state = self._state
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        try:
            info: os.stat_result | None = os.stat(path)
        except OSError:
            info = None
        regular = info is not None and stat.S_ISREG(info.st_mode)
        record = state.records.get(rel)
        if (info is not None and regular and record is not None and record.doc.kind == kind
                and record.identity == file_id(info)
                and record.verified_ns - record.identity[1] >= RACY_NS):
            self._used.append((rel, record.version))
            return record.doc
        try:
            raw = read_regular_file(path, self.root, MAX_MANIFEST_BYTES)
        except PathRefused as err:
            state.records.pop(rel, None)
            self._used.append((rel, -1))
            return LoadedDocument(kind, None, [ManifestProblem(display_name, 1, "",
                                                               f"file {err.reason}")])
        self.read_files += 1
        now = time.time_ns()
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        identity = file_id(info) if info is not None else (len(raw), 0, 0)
        if record is not None and record.digest == digest and record.doc.kind == kind:
            record = dataclasses.replace(record, identity=identity, verified_ns=now)
        else:
            moved = self._moved.pop((digest, kind), None)
            if moved is not None:
                doc = _renamed(moved.doc, display_name, path)
            else:
                doc = parse_document(raw, display_name, kind)
                doc.path = path
                doc.raw = None  # a contract keeps its own; nothing else reads it later
                self.parsed_files += 1
            record = _Record(identity, digest, now, state.next_version, doc)
            state.next_version += 1
        state.records[rel] = record
        self._used.append((rel, record.version))
        return record.doc

    def _needs_reading(self, rel: str) -> bool:
        """Whether a file has no settled record matching its identity on disk."""
        record = self._state.records.get(rel)
        if record is None or record.verified_ns - record.identity[1] < RACY_NS:
            return True
        try:
            return file_id(os.stat(self.root / rel)) != record.identity
        except OSError:
            return True

    def _prefetch(self, rels: list[str]) -> None:
        """Read and parse many files in two processes: this one and a forked child, each
        half of them (the child sends its results back through a pipe); records are made
        for both halves, so loading the units afterwards parses nothing.

        Used for bulk loads (a cold start) in a process with no other thread (fork is not
        safe with threads running): on 2 cores a cold start of 10,000 products takes about
        half the time. Files that cannot be read are left for :meth:`_load` to report.
        """
        mine, theirs = rels[0::2], rels[1::2]
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: parse its half, send it, leave without any cleanup
            os.close(read_end)
            try:
                payload = pickle.dumps([_shippable(r) for r in map(self._parse_file, theirs)
                                        if r is not None], protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - the parent parses these files itself
                payload = b""
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            os._exit(0)
        os.close(write_end)
        try:
            for result in map(self._parse_file, mine):
                if result is not None:
                    self._install(*result)
            with os.fdopen(read_end, "rb") as pipe:
                payload = pipe.read()
        finally:
            os.waitpid(pid, 0)
        if payload:
            for shipped in pickle.loads(payload):  # noqa: S301 - our own child's output
                self._install(*_unshipped(shipped))

    def _parse_file(self, rel: str) -> tuple[str, FileId, bytes, int, LoadedDocument] | None:
        """Stat, read, hash and parse one manifest (no record is touched); None when it
        cannot be read."""
        kind = _kind_at(rel)
        path = self.root / rel
        try:
            identity = file_id(os.stat(path))
            raw = read_regular_file(path, self.root, MAX_MANIFEST_BYTES)
        except (OSError, PathRefused):
            return None
        verified = time.time_ns()
        digest = hashlib.blake2b(raw, digest_size=16).digest()
        assert kind is not None
        doc = parse_document(raw, str(path.relative_to(self.root.parent)), kind)
        doc.path = path
        doc.raw = None
        return rel, identity, digest, verified, doc

    def _install(self, rel: str, identity: FileId, digest: bytes, verified: int,
                 doc: LoadedDocument) -> None:
        """Make a record of a file parsed by :meth:`_prefetch`."""
        state = self._state
        old = state.records.get(rel)
        if old is not None and old.digest == digest and old.doc.kind == doc.kind:
            state.records[rel] = dataclasses.replace(old, identity=identity,
                                                     verified_ns=verified)
        else:
            state.records[rel] = _Record(identity, digest, verified, state.next_version, doc)
            state.next_version += 1
        self.parsed_files += 1
        self.read_files += 1

    def _reload_root(self, domains: set[str]) -> None:
        """List the domain folders again: new ones are loaded, gone ones dropped."""
        state = self._state
        problems: list[ManifestProblem] = []
        names: list[str] = []
        if self.root.is_dir():
            try:
                names = [p.name for p in subfolders(self.root, self.root, problems)]
            except OSError as err:
                problems.append(ManifestProblem(str(self.root), None, "",
                                                f"mesh folder cannot be listed: {err}"))
        else:
            problems.append(ManifestProblem(str(self.root), None, "",
                                            "mesh folder does not exist"))
        state.root_problems = tuple(problems)
        for name in list(state.domains):
            if name not in names:
                self._drop_domain(name)
        for name in names:
            if name not in state.domains:
                domains.add(name)

    def _drop_domain(self, name: str) -> None:
        state = self._state
        unit = state.domains.pop(name, None)
        if unit is not None:
            self._touched_domains.add(name)
            for folder in unit.folders:
                self._drop_product(folder)

    def _drop_product(self, folder: str) -> None:
        unit = self._state.products.pop(folder, None)
        self._touched.setdefault(folder, unit)

    def _reload_domain(self, name: str, products: set[str]) -> None:
        """Load a domain folder's ``domain.yaml`` and list its product folders again."""
        state = self._state
        domain_dir = self.root / name
        old = state.domains.get(name)
        if not domain_dir.is_dir():
            self._drop_domain(name)
            return
        self._used = []
        problems: list[ManifestProblem] = []
        domain = load_domain(self.root, domain_dir, self._load, problems)
        key = tuple(self._used)
        listing: list[ManifestProblem] = []
        try:
            folders = tuple(f"{name}/{p.name}" for p in subfolders(self.root, domain_dir,
                                                                   listing))
        except OSError:
            folders = ()
        if old is not None and old.key == key and old.folders == folders and tuple(
                listing) == old.listing_problems and tuple(problems) == old.problems:
            return
        for folder in old.folders if old is not None else ():
            if folder not in folders:
                self._drop_product(folder)
        for folder in folders:
            if folder not in state.products:
                products.add(folder)
        self._touched_domains.add(name)
        if old is None or old.key != key or tuple(problems) != old.problems:
            keep = domain  # a new domain.yaml: the new domain object
        else:
            keep = old.domain
        state.domains[name] = _DomainUnit(key, keep, tuple(problems), tuple(listing),
                                          folders)

    def _reload_product(self, folder: str) -> None:
        """Load one product folder again (only files whose content changed are parsed)."""
        state = self._state
        old = state.products.get(folder)
        self._used = []
        problems: list[ManifestProblem] = []
        domain, _ = folder.split("/", 1)
        product = load_product(self.root, domain, self.root / folder, self._load, problems)
        key = tuple(self._used)
        if old is not None and old.key == key:
            return
        unit = _ProductUnit(key, product, tuple(problems), None)
        if not self.keep_last_good:
            good = None
        elif product is not None and not unit.broken:
            good = product
        else:
            good = old.good if old is not None else None
        self._touched.setdefault(folder, old)
        unit = dataclasses.replace(unit, good=good)
        state.products[folder] = unit
        if old is None or old.problems != unit.problems or _listing(old) != _listing(unit):
            self._touched_domains.add(domain)  # its product list or problems change

    # -- publishing ------------------------------------------------------------------------
    def _publish(self, before: dict[str, DataProduct | None],
                 after: dict[str, DataProduct | None], rebuild: bool) -> None:
        """Build the new mesh from the units, update lineage and search, swap the snapshot.

        Only the domains in which something changed are assembled again; the others keep
        their objects and problem lists from the previous snapshot.
        """
        state = self._state
        old_mesh = state.mesh
        mesh = Mesh(root=self.root)
        dirty = set(state.domains) if rebuild or old_mesh is None else self._touched_domains
        products_moved = rebuild or old_mesh is None or any(
            before.get(pid) is None or after.get(pid) is None for pid in before)
        for name in sorted(state.domains):
            unit = state.domains[name]
            if name not in dirty and old_mesh is not None and name in old_mesh.domains:
                mesh.domains[name] = old_mesh.domains[name]
                continue
            domain = dataclasses.replace(unit.domain, product_ids=[])
            problems: list[ManifestProblem] = [*unit.problems, *unit.listing_problems]
            for folder in unit.folders:
                product_unit = state.products.get(folder)
                if product_unit is None:
                    continue
                problems.extend(product_unit.problems)
                shown = _shown_of(product_unit)
                if shown is not None:
                    if shown is not product_unit.product:
                        problems.append(_kept_warning(self.root, shown))
                    domain.product_ids.append(shown.id)
            mesh.domains[name] = domain
            state.domain_problems[name] = tuple(problems)
        for name in list(state.domain_problems):
            if name not in state.domains:
                del state.domain_problems[name]
        if products_moved or old_mesh is None:
            for domain in mesh.domains.values():
                for pid in domain.product_ids:
                    mesh.products[pid] = _shown_of_id(state, domain.name, pid)
        else:
            mesh.products = dict(old_mesh.products)
            for pid, product in after.items():
                if product is not None:
                    mesh.products[pid] = product
        mesh.problems.extend(state.root_problems)
        for name in mesh.domains:
            mesh.problems.extend(state.domain_problems.get(name, ()))
        if rebuild or old_mesh is None:
            mesh.index_lineage()
            state.lineage = _full_lineage(mesh)
        else:
            state.lineage = _updated_lineage(state.lineage, mesh, before, set(before))
        lineage = state.lineage
        mesh._producers = lineage.producers
        mesh._upstream = lineage.upstream
        mesh._downstream = lineage.downstream
        for pid in sorted(lineage.warnings, key=_order_key(mesh)):
            mesh.problems.extend(lineage.warnings[pid][1])
        if not self.with_search:
            state.mesh, state.search = mesh, None  # built when saved (see _payload)
            self._publish_snapshot(mesh, _EMPTY_SEARCH)
            return
        if rebuild or state.search is None:
            search = SearchIndex(mesh.products.values())
        else:
            search = state.search.updated(
                [pid for pid, product in before.items() if product is not None],
                [product for pid, product in sorted(after.items()) if product is not None])
        state.mesh, state.search = mesh, search
        self._publish_snapshot(mesh, search)

    def _publish_snapshot(self, mesh: Mesh, search: SearchIndex) -> None:
        generation = self._snapshot.generation + 1 if self._snapshot is not None else 1
        self._snapshot = Snapshot(mesh, search, generation, time.time())

    # -- saving ----------------------------------------------------------------------------
    def _load_saved(self) -> _State | None:
        """The saved state of this root, or None (missing, stale, damaged, other root)."""
        if self.cache_path is None:
            return None
        payload = persist.load(self.cache_path, str(self.root))
        if not isinstance(payload, _State) or payload.root != str(self.root) or (
                payload.mesh is None or payload.search is None):
            return None
        if not self.keep_last_good:
            kept = {folder: unit for folder, unit in payload.products.items()
                    if unit.good is not None}
            if any(_shown_of(unit) is not unit.product for unit in kept.values()):
                payload.mesh = None  # a last good version is shown: assemble the mesh again
            for folder, unit in kept.items():
                payload.products[folder] = dataclasses.replace(unit, good=None)
        return payload

    def _payload(self) -> _State | None:
        """What :meth:`save` writes: the state, with tables later refreshes would change
        copied (the objects in them are never changed), and the search index built when this
        index keeps none (``search=False``), so any process can start from the file."""
        with self._lock:
            state = self._state
            if state.mesh is None:
                return None
            payload = dataclasses.replace(state, tree=state.tree.copy(),
                                          records=dict(state.records),
                                          domains=dict(state.domains),
                                          products=dict(state.products))
            self._dirty_since = None
        if payload.search is None and payload.mesh is not None:
            payload.search = SearchIndex(payload.mesh.products.values())
        return payload

    def save(self) -> int | None:
        """Save the state now (atomically; see :mod:`catalog.mesh_index.persist`).

        Returns:
            The bytes written, or None when there is no cache path or nothing loaded yet, or
            the save failed (logged: a cache that cannot be written is not an error).
        """
        if self.cache_path is None or self.read_only:
            return None
        payload = self._payload()
        if payload is None:
            return None
        try:
            size = persist.save(self.cache_path, str(self.root), payload)
        except Exception as err:  # noqa: BLE001 - the index works without its cache
            logger.warning("mesh index not saved to %s: %s", self.cache_path, err)
            with self._lock:
                if self._dirty_since is None:
                    self._dirty_since = time.monotonic()
            return None
        self.saves += 1
        return size

    def save_detached(self) -> bool:
        """Save from a forked grandchild at the lowest CPU priority, and return at once.

        For short command-line runs (``validate``): the caller goes on with its work and may
        exit; the grandchild (its output sent to ``/dev/null``, so a caller reading this
        process's output is not held up) writes the file and leaves.

        Returns:
            True when the saving process was started; False without a cache path, without
            a loaded mesh, or where fork is not safe (another thread running) or missing.
        """
        if self.cache_path is None or self._state.mesh is None or not _can_fork():
            return False
        sys.stdout.flush()
        sys.stderr.flush()
        child = os.fork()
        if child == 0:
            try:
                if os.fork() == 0:  # the grandchild, adopted by init: no zombie is left
                    null = os.open(os.devnull, os.O_RDWR)
                    for fd in (0, 1, 2):
                        os.dup2(null, fd)
                    os.nice(19)
                    payload = self._payload()
                    if payload is not None and self.cache_path is not None:
                        persist.save(self.cache_path, str(self.root), payload)
            finally:
                os._exit(0)
        os.waitpid(child, 0)
        self._dirty_since = None
        return True

    def save_if_idle(self, quiet_seconds: float, at_most_seconds: float = float("inf")
                     ) -> int | None:
        """Save when there are unsaved changes and none came for ``quiet_seconds`` (or the
        first unsaved one is ``at_most_seconds`` old).

        Returns:
            The bytes written, or None when nothing was saved.
        """
        since, last = self._dirty_since, self._changed_at
        if since is None or self.read_only:
            return None
        now = time.monotonic()
        if now - last < quiet_seconds and now - since < at_most_seconds:
            return None
        return self.save()


# -- helpers ---------------------------------------------------------------------------------
def _kind_at(rel: str) -> str | None:
    """The kind of manifest the loader reads at ``rel`` (None for any other file)."""
    parts = rel.split("/")
    if len(parts) == 2 and parts[1] == DOMAIN_FILE:
        return "domain"
    if len(parts) == 3 and parts[2] == PRODUCT_FILE:
        return "odps"
    if len(parts) == 3 and parts[2].endswith(".odcs.yaml"):
        return "odcs"
    return None


def _can_fork() -> bool:
    """Whether :meth:`MeshIndex._prefetch` may fork: a POSIX system and no other thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


Shipped = tuple[str, FileId, bytes, int, str, Any, list[ManifestProblem], bytes | None, str]


def _shippable(result: tuple[str, FileId, bytes, int, LoadedDocument]) -> Shipped:
    """A parse result as the prefetch child sends it: a contract's document as ``marshal``
    bytes (several times cheaper to send than pickled dicts), the rest as is."""
    rel, identity, digest, verified, doc = result
    blob = None
    model = doc.model
    if isinstance(model, LazyContract):
        try:
            blob, model = marshal.dumps(model.raw), None
        except ValueError:  # a type marshal cannot write: pickled with the rest
            blob = None
    return (rel, identity, digest, verified, doc.kind, model, doc.problems, blob,
            str(doc.path))


def _unshipped(shipped: Shipped) -> tuple[str, FileId, bytes, int, LoadedDocument]:
    """The parse result :func:`_shippable` sent."""
    rel, identity, digest, verified, kind, model, problems, blob, path = shipped
    if blob is not None:
        model = LazyContract(marshal.loads(blob))  # noqa: S302 - our own child's output
    return rel, identity, digest, verified, LoadedDocument(kind, model, problems, None,
                                                           Path(path))


def _dirty(changes: Changes) -> tuple[bool, set[str], set[str], bool]:
    """Map changed paths to what must be loaded again: (root listing, domain names, product
    folders, whether anything else under the root changed, e.g. a ``policies.yaml``)."""
    root = "" in changes.dirs
    domains: set[str] = set()
    products: set[str] = set()
    extra = False
    for rel in changes.dirs:
        parts = rel.split("/") if rel else []
        if len(parts) == 1:
            domains.add(parts[0])
        elif len(parts) == 2:
            products.add(rel)
        elif len(parts) > 2:
            extra = True
    for rel in changes.files:
        parts = rel.split("/")
        if len(parts) == 2 and parts[1] == DOMAIN_FILE:
            domains.add(parts[0])
        elif len(parts) == 3 and (parts[2] == PRODUCT_FILE or parts[2].endswith(".odcs.yaml")):
            products.add(f"{parts[0]}/{parts[1]}")
        else:
            extra = True
    return root, domains, products, extra


def _shown_of(unit: _ProductUnit) -> DataProduct | None:
    """The product the mesh shows for a unit: the last good one while the files are broken."""
    if unit.good is not None and (unit.product is None or unit.broken):
        return unit.good
    return unit.product


def _listing(unit: _ProductUnit) -> tuple[str | None, bool]:
    """What a unit adds to its domain: the id it shows, and whether that is a last good
    version (with its warning)."""
    shown = _shown_of(unit)
    return (shown.id if shown is not None else None), shown is not unit.product


def _shown_of_id(state: _State, domain: str, product_id: str) -> DataProduct:
    """The product shown under ``product_id`` (its folder is the id without the domain)."""
    unit = state.products[f"{domain}/{product_id[len(domain) + 1:]}"]
    product = _shown_of(unit)
    assert product is not None
    return product


def _order_key(mesh: Mesh) -> Any:
    """Sort key putting product ids in the mesh's load order (domain folder, then product
    folder)."""
    def key(pid: str) -> tuple[str, str]:
        """(domain folder, product folder) of a product of ``mesh``."""
        product = mesh.products.get(pid)
        return (product.domain, product.directory.name) if product is not None else ("", pid)
    return key


def _kept_warning(root: Path, product: DataProduct) -> ManifestProblem:
    """The warning next to a product shown in its last version without errors."""
    try:
        name = str(product.odps_file.relative_to(root.parent))
    except ValueError:
        name = str(product.odps_file)
    return ManifestProblem(name, None, "", f"the catalog keeps showing the last version of "
                           f"{product.id} without errors until the errors in its files are "
                           "fixed", severity="warning")


def _renamed(doc: LoadedDocument, display_name: str, path: Path) -> LoadedDocument:
    """A parse result reused for the same content under another name (a renamed file)."""
    old_name = doc.problems[0].file if doc.problems else None
    problems = [dataclasses.replace(p, file=display_name) if p.file == old_name else p
                for p in doc.problems]
    return LoadedDocument(doc.kind, doc.model, problems, None, path)


def _contract_ids(product: DataProduct) -> list[str]:
    return [port.contract_id for port in product.output_ports if port.contract_id]


def _input_keys(product: DataProduct) -> set[str]:
    """What a product's input ports refer to: contract ids and port names (a port named
    after a product id links to it when no contract matches)."""
    keys = {port.contractId for port in product.input_ports if port.contractId}
    keys.update(port.name for port in product.input_ports)
    return keys


def _full_lineage(mesh: Mesh) -> _Lineage:
    """Lineage tables of a mesh whose lineage was just indexed (``index_lineage``)."""
    servers: dict[str, list[str]] = {}
    consumers: dict[str, set[str]] = {}
    warnings: dict[str, tuple[tuple[int, ...], tuple[ManifestProblem, ...]]] = {}
    for pid, product in mesh.products.items():
        for cid in _contract_ids(product):
            servers.setdefault(cid, []).append(pid)
        for key in _input_keys(product):
            consumers.setdefault(key, set()).add(pid)
        unserved = unserved_inputs(mesh, product)
        if unserved:
            warnings[pid] = (unserved, tuple(input_port_warnings(mesh, product, unserved)))
    return _Lineage(dict(mesh._producers), {k: tuple(v) for k, v in servers.items()},
                    {k: frozenset(v) for k, v in consumers.items()},
                    dict(mesh._upstream), dict(mesh._downstream), warnings)


def _updated_lineage(old: _Lineage, mesh: Mesh, before: dict[str, DataProduct | None],
                     changed: set[str]) -> _Lineage:
    """The lineage tables after the products ``changed`` were added, changed or removed
    (``before``: their previous versions; the new ones are in ``mesh``).

    Gives what ``Mesh.index_lineage`` would compute on the whole mesh, touching only the
    changed products and the products that consume what they serve.
    """
    position = _order_key(mesh)
    new_shown = mesh.products
    old_shown = before
    producers, servers = _Cow(old.producers), _Cow(old.servers)
    consumers, upstream = _Cow(old.consumers), _Cow(old.upstream)
    downstream, warnings = _Cow(old.downstream), _Cow(old.warnings)
    touched: set[str] = set()
    appeared: set[str] = set()  # products added or removed (not just changed)
    for pid in changed:
        was, now = old_shown.get(pid), new_shown.get(pid)
        if (was is None) != (now is None):
            appeared.add(pid)
        old_cids = set(_contract_ids(was)) if was is not None else set()
        new_cids = set(_contract_ids(now)) if now is not None else set()
        for cid in old_cids - new_cids:
            rest = tuple(s for s in servers.get(cid, ()) if s != pid)
            if rest:
                servers[cid] = rest
            else:
                servers.pop(cid, None)
            touched.add(cid)
        for cid in new_cids - old_cids:
            servers[cid] = tuple(sorted({*servers.get(cid, ()), pid}, key=position))
            touched.add(cid)
        old_keys = _input_keys(was) if was is not None else set()
        new_keys = _input_keys(now) if now is not None else set()
        for key in old_keys - new_keys:
            left = consumers.get(key, frozenset()) - {pid}
            if left:
                consumers[key] = left
            else:
                consumers.pop(key, None)
        for key in new_keys - old_keys:
            consumers[key] = consumers.get(key, frozenset()) | {pid}
    for cid in touched:
        if servers.get(cid):
            producers[cid] = servers[cid][-1]
        else:
            producers.pop(cid, None)
    affected = set(changed)
    for key in touched | appeared:  # a product found by its id (an input port's name) too
        affected |= consumers.get(key, frozenset())
    for pid in sorted(affected, key=position):
        product = new_shown.get(pid)
        before_up = upstream.get(pid, [])
        if product is None:
            upstream.pop(pid, None)
            downstream.pop(pid, None)
            warnings.pop(pid, None)
            after_up: list[str] = []
        else:
            after_up = _resolve_upstream(product, producers.table, mesh.products)
            upstream[pid] = after_up
            downstream.setdefault(pid, [])
        if after_up != before_up:
            for up in before_up:
                if up in downstream and up not in after_up:
                    downstream[up] = [d for d in downstream[up] if d != pid]
            for up in after_up:
                if up not in before_up or pid not in downstream.get(up, []):
                    downstream[up] = sorted({*downstream.get(up, []), pid}, key=position)
        if product is not None:
            unserved = tuple(index for index, port in enumerate(product.input_ports)
                             if (port.contractId or "") not in producers)
            known = warnings.get(pid)
            if not unserved:
                warnings.pop(pid, None)
            elif known is None or known[0] != unserved or pid in changed:
                warnings[pid] = (unserved, tuple(input_port_warnings(mesh, product, unserved)))
    return _Lineage(producers.table, servers.table, consumers.table, upstream.table,
                    downstream.table, warnings.table)


class _Cow:
    """A dict copied on its first real change (a write of an equal value is no change), so an
    update that leaves a lineage table alone does not copy it (100,000 entries: a few ms)."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.table = base
        self._own = False

    def get(self, key: str, default: Any = None) -> Any:
        """``dict.get``."""
        return self.table.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self.table[key]

    def __contains__(self, key: str) -> bool:
        return key in self.table

    def _mine(self) -> dict[str, Any]:
        if not self._own:
            self.table = dict(self.table)
            self._own = True
        return self.table

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self.table and self.table[key] == value:
            return
        self._mine()[key] = value

    def pop(self, key: str, default: Any = None) -> Any:
        """``dict.pop`` (no copy when the key is absent)."""
        if key not in self.table:
            return default
        return self._mine().pop(key, default)

    def setdefault(self, key: str, default: Any) -> Any:
        """``dict.setdefault`` (no copy when the key is present)."""
        if key in self.table:
            return self.table[key]
        self._mine()[key] = default
        return default


def _resolve_upstream(product: DataProduct, producers: dict[str, str],
                      products: dict[str, Any]) -> list[str]:
    """``Mesh._resolve_upstream`` on given tables."""
    ids: list[str] = []
    for port in product.input_ports:
        producer = producers.get(port.contractId or "")
        if producer is None and port.name in products:
            producer = port.name
        if producer is not None and producer not in ids:
            ids.append(producer)
    return ids
