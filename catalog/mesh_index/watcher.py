"""The background watcher: a daemon thread that keeps a :class:`MeshIndex` current.

Two ways to notice changes:

* **events** (local file systems): the ``watchdog`` package's native observer (inotify on
  Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows) watches the whole tree; an event
  makes the thread look at the files and folders it names only (:meth:`MeshIndex.refresh`
  with paths), about 20 ms after the write. Every ``full_poll_seconds`` everything is polled
  once anyway (a safety net for lost events: a full kernel queue, a watch that failed);
* **polling** (network and shared file systems such as NFS or SMB, where writes made on
  another machine raise no event here; ``MESH_WATCH=poll``; a system without native events;
  or when the system's watch limits are reached): stat-only polls
  (:class:`~catalog.mesh_index.tree.FileTree`), repeated so that a change is seen within
  ``interval`` seconds. Each poll stats every folder; the files are split in
  ``POLL_SHARES`` shares stat-ed by successive polls while polls are cheap (at 10,000
  products a poll of one share uses about 50 ms of CPU instead of 80 ms for all: each
  refresh holds the update lock and a core for less), else every poll stats every file.
  A change written just after a poll looked at its file is found by the next poll of its
  share: it waits at most ``shares`` pauses, plus that poll's duration, plus applying it.
  So ``shares`` pauses add up to three quarters of ``interval`` minus the last poll's
  duration (1.5 s minus about 0.06 s at 10,000 products with the default 2 s: a poll every
  0.48 s), which leaves a quarter of ``interval`` for a next poll slower than the last one
  (a busy machine) and for applying the change; but a pause is never shorter than three
  times the CPU time the last poll used (polling uses at most a third of a core). watchdog's
  own ``PollingObserver`` is not used: it snapshots and compares every entry and costs about
  six times the CPU per poll (measured in ``docs/mesh-index.md``).

Either way a changed manifest is re-read, its product re-assembled and re-indexed, and a new
snapshot swapped in; readers never wait for any of it. Changes are saved once they settle
(``save_after`` seconds without a change, or ``save_at_most`` after the first unsaved one).

The thread is a daemon and holds the index only weakly, so it never keeps a process alive (a
command-line run exits as soon as its work is done) and stops by itself once its index is
garbage-collected. A failing refresh is logged and retried at the next tick.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import Any

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from catalog.mesh_index.filesystems import events_reliable
from catalog.mesh_index.index import MeshIndex, Refresh

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 0.02
"""After a first event, more are collected for this long (an editor's save is several)."""
TICK_SECONDS = 0.25
"""In events mode the thread wakes at least this often (to stop, or to poll on request)."""
POLL_MARGIN = 0.25
"""When polling, the share of ``interval`` kept for a poll slower than the last one and for
applying what it found (see :meth:`MeshWatcher._pause`)."""
POLL_CPU_SHARE = 1 / 3
"""When polling, the largest share of one core the polls may use."""
MIN_PAUSE_SECONDS = 0.05
"""When polling, the shortest pause between the starts of two polls."""
POLL_SHARES = 3
"""When polling a tree whose poll is cheap (see :meth:`MeshWatcher._pause`), the files are
stat-ed in this many polls, one share each (every folder in each): each poll holds the
index's update lock and a core for less time, at the cost of stat-ing the folders more
often."""
LISTING_EVENTS = frozenset(("created", "deleted", "moved"))
"""Event types that change a folder's list of entries."""
IGNORED_EVENTS = frozenset(("opened", "closed_no_write"))
"""Event types of reads: nothing changed."""
_WRITES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirModifiedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
"""The events asked of the system: writes only. Without this filter every open and read of a
manifest raises events too (a process loading 10,000 products raises 60,000, more than the
kernel's default queue of 16,384), and a full queue loses events."""


class Collector(FileSystemEventHandler):
    """Turns watchdog events into what the index should look at (paths relative to the root,
    ``""`` for the root itself), collected until the watcher thread drains them.

    Entries whose name starts with ``.`` or ``_`` (and everything below them) are ignored, as
    the loader ignores them; so are files other than ``*.yaml``, whose folder's own event
    names the folder when an entry is added or removed.

    Args:
        root: the watched root (absolute).
        signal: set whenever something was collected.
    """

    def __init__(self, root: str, signal: threading.Event) -> None:
        self.root = os.path.abspath(root)
        self._signal = signal
        self._lock = threading.Lock()
        self._files: set[str] = set()
        self._dirs: set[str] = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Note what ``event`` names (called on watchdog's observer thread)."""
        if event.event_type in IGNORED_EVENTS:
            return
        listing = event.event_type in LISTING_EVENTS
        paths = [event.src_path, event.dest_path] if event.dest_path else [event.src_path]
        with self._lock:
            noted = [self._note(os.fsdecode(p), event.is_directory, listing) for p in paths]
        if any(noted):
            self._signal.set()

    def _note(self, path: str, is_dir: bool, listing: bool) -> bool:
        rel = os.path.relpath(path, self.root).replace(os.sep, "/")
        if rel == ".":
            self._dirs.add("")
            return True
        parts = rel.split("/")
        if parts[0] == ".." or any(part.startswith((".", "_")) for part in parts):
            return False
        parent = "/".join(parts[:-1])
        if is_dir:
            self._dirs.add(rel)
            if listing:
                self._dirs.add(parent)
            return True
        if not rel.endswith(".yaml"):
            return False
        self._files.add(rel)
        if listing:
            self._dirs.add(parent)
        return True

    def drain(self) -> tuple[set[str], set[str]]:
        """The files and folders collected since the last call (and forget them)."""
        with self._lock:
            files, dirs = self._files, self._dirs
            self._files, self._dirs = set(), set()
        return files, dirs


_WATCHERS: weakref.WeakSet[MeshWatcher] = weakref.WeakSet()
"""Every watcher of the process (weakly), for :class:`_LostEvents`."""


class _LostEvents(logging.Filter):
    """Makes every watcher poll everything when watchdog says file events were lost: its
    inotify observer logs a warning on a full kernel queue, rebuilds its watches and carries
    on without telling the event handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Note the record (never drops it)."""
        if "overflow" in str(record.msg).lower():
            for watcher in list(_WATCHERS):
                watcher.poll_now()
        return True


for _name in ("watchdog.observers.inotify_c", "watchdog.observers.inotify"):
    logging.getLogger(_name).addFilter(_LostEvents())


def native_observer() -> Any:
    """watchdog's native observer class for this system, or None where it has none (watchdog
    would fall back to its polling observer; the watcher polls with its own instead)."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    native: Any = Observer
    return None if issubclass(native, PollingObserver) else native


class MeshWatcher:
    """Keeps a mesh index current from a daemon thread (see the module docstring).

    Args:
        index: the index to keep current.
        interval: seconds within which a change should be seen when polling (the pause
            between polls is derived from it and from the measured poll duration).
        save_after: seconds without a change before unsaved changes are saved.
        save_at_most: seconds after which unsaved changes are saved even if changes go on.
        events: use file events where the system has them (False: always poll).
        full_poll_seconds: with events, seconds between two full polls (a safety net).
    """

    def __init__(
        self,
        index: MeshIndex,
        interval: float = 2.0,
        save_after: float = 10.0,
        save_at_most: float = 300.0,
        events: bool = True,
        full_poll_seconds: float = 300.0,
    ) -> None:
        self.interval = interval
        self.save_after = save_after
        self.save_at_most = save_at_most
        self.use_events = events
        self.full_poll_seconds = full_poll_seconds
        self.mode = "starting"
        """``events`` or ``polling`` once the thread runs."""
        self.polls = 0
        """Refreshes done so far (full or targeted)."""
        self.last: Refresh | None = None
        """The last refresh the thread did."""
        self.period = interval
        """When polling: seconds between the starts of the last two polls."""
        self.shares = 1
        """When polling: in how many polls the files are stat-ed (see ``POLL_SHARES``)."""
        self.poll_cpu = 0.0
        """CPU seconds (of this thread) of the last full poll and what it applied."""
        self._index = weakref.ref(index)
        self._stop = threading.Event()
        self._signal = threading.Event()
        self._collector = Collector(str(index.root), self._signal)
        self._poll_requested = False
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mesh-index-watcher", daemon=True)
        weakref.finalize(index, self._stop.set)
        weakref.finalize(index, self._signal.set)
        _WATCHERS.add(self)

    def start(self) -> MeshWatcher:
        """Start the thread (once); returns the watcher."""
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        return self

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Wait until the thread watches (events set up, or polling); True when it does."""
        return self._ready.wait(timeout)

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread and wait up to ``timeout`` seconds for it to finish its refresh."""
        self._stop.set()
        self._signal.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def poll_now(self) -> None:
        """Make the thread poll everything soon instead of at its next tick."""
        self._poll_requested = True
        self._signal.set()

    @property
    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread.is_alive()

    # -- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        observer = self._open_events() if self.use_events else None
        self.mode = "events" if observer is not None else "polling"
        try:
            if observer is not None:
                self._refresh(None)  # what changed before the watches were in place
            self._ready.set()
            if observer is not None:
                self._run_events(observer)
            else:
                self._run_polling()
        finally:
            self._ready.set()
            if observer is not None:
                _close(observer)

    def _open_events(self) -> Any:
        """A started watchdog observer watching the whole tree, or None (then: poll).

        ``MESH_WATCH=poll`` in the environment always polls; ``events`` uses events even on a
        network file system (where other machines' writes raise none); the default, ``auto``,
        polls on network and shared file systems.
        """
        index = self._index()
        if index is None:
            return None
        root = str(index.root)
        choice = os.environ.get("MESH_WATCH", "auto").strip().lower()
        observer_class = native_observer()
        if (
            observer_class is None
            or choice == "poll"
            or (choice != "events" and not events_reliable(root))
        ):
            return None
        observer = None
        try:
            observer = observer_class()
            observer.schedule(self._collector, root, recursive=True, event_filter=_WRITES)
            observer.start()
        except OSError as err:  # no such folder yet, or the system's watch limits
            logger.info("file events unavailable for %s (%s); polling", root, err)
            if observer is not None:
                _close(observer)
            return None
        return observer

    def _run_polling(self) -> None:
        next_at = time.monotonic() + self._pause()
        part = 0
        while not self._stop.is_set():
            self._signal.wait(max(0.0, next_at - time.monotonic()))
            self._signal.clear()
            requested, self._poll_requested = self._poll_requested, False
            if self._stop.is_set():
                return
            started = time.monotonic()
            part = 0 if requested else (part + 1) % self.shares
            if not self._refresh(None, (0, 1) if requested else (part, self.shares)):
                return
            next_at = started + self._pause()

    def _pause(self) -> float:
        """Seconds from the start of a poll to the start of the next (see the module).

        A change is seen within ``shares`` pauses (until its share is polled again) plus
        that poll's wall time plus its apply, so ``shares`` pauses make a round of
        ``(1 - POLL_MARGIN) * interval`` minus the last poll's wall time: the next poll may
        take up to ``POLL_MARGIN * interval`` longer than the last (with the apply) before a
        change takes longer than ``interval``. A pause is never less than the last poll's CPU
        time divided by ``POLL_CPU_SHARE`` (on a busy machine a poll takes longer than the
        CPU it uses), nor than ``MIN_PAUSE_SECONDS``. The files are split in
        ``POLL_SHARES`` while that CPU bound leaves a round of ``POLL_SHARES`` polls within
        its time (the last poll, share or whole, costing as much as each of them; a share
        costs less than a whole poll, so this does not switch back and forth); else a
        single share (every file) keeps rounds shortest, as at 100,000 products.

        Returns:
            The pause in seconds (also kept in :attr:`period`).
        """
        walk = self.last.scan_seconds if self.last is not None else 0.0
        round_seconds = (1 - POLL_MARGIN) * self.interval - walk
        least = max(self.poll_cpu / POLL_CPU_SHARE, MIN_PAUSE_SECONDS)
        self.shares = POLL_SHARES if POLL_SHARES * least <= round_seconds else 1
        self.period = max(round_seconds / self.shares, least)
        return self.period

    def _run_events(self, observer: Any) -> None:
        next_full = time.monotonic() + self.full_poll_seconds
        while not self._stop.is_set():
            if not all(emitter.is_alive() for emitter in observer.emitters):
                logger.warning(
                    "file events stopped for %s (watch limits?); polling from now on",
                    self._collector.root,
                )
                _close(observer)
                self.mode = "polling"
                self._run_polling()
                return
            if self._signal.wait(min(TICK_SECONDS, max(0.0, next_full - time.monotonic()))):
                time.sleep(SETTLE_SECONDS)
                self._signal.clear()
            if self._stop.is_set():
                return
            files, dirs = self._collector.drain()
            full = self._poll_requested or time.monotonic() >= next_full
            if full:
                self._poll_requested = False
                next_full = time.monotonic() + self.full_poll_seconds
                alive = self._refresh(None)
            elif files or dirs:
                alive = self._refresh((files, dirs))
            else:
                alive = self._index() is not None
            if not alive:
                return

    def _refresh(
        self, paths: tuple[set[str], set[str]] | None, share: tuple[int, int] = (0, 1)
    ) -> bool:
        """One refresh (everything or the ``share`` of it, or the files and folders in
        ``paths``), then save when idle. Returns False once the index is gone."""
        index = self._index()
        if index is None:
            return False
        try:
            cpu = time.thread_time()
            if paths is not None:
                report = index.refresh(*paths)
            else:
                report = index.refresh() if share == (0, 1) else index.refresh(share=share)
            if paths is None:
                self.poll_cpu = time.thread_time() - cpu
            self.polls += 1
            self.last = report
            if not index.read_only:
                index.save_if_idle(self.save_after, self.save_at_most)
        except Exception:  # noqa: BLE001 - keep watching; the next tick tries again
            logger.exception("mesh index refresh failed")
        finally:
            del index
        return True


def _close(observer: Any) -> None:
    """Stop a watchdog observer and its watches (waits at most a second)."""
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(1.0)
    except (OSError, RuntimeError):
        logger.debug("closing the file observer failed", exc_info=True)
