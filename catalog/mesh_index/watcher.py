"""The background watcher: a daemon thread that keeps a :class:`MeshIndex` current.

Two ways to notice changes:

* **events** (Linux): every folder of the tree is watched with inotify
  (:mod:`catalog.mesh_index.inotify`); an event makes the thread look at the files and folders
  it names only (:meth:`MeshIndex.refresh` with paths), about 20 ms after the write. Every
  ``full_poll_seconds`` (and whenever events were lost) everything is polled once anyway;
* **polling** (other systems; network and shared file systems such as NFS or SMB, where
  writes made on another machine raise no event here; ``MESH_WATCH=poll``; or when the
  system's inotify limits are reached): every ``interval`` seconds a stat-only poll of every
  file and folder (about 75 ms at 10,000 products, 0.75 s at 100,000).

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

from catalog.mesh_index.index import MeshIndex, Refresh
from catalog.mesh_index.inotify import Events, Inotify, events_reliable

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 0.02
"""After a first event, more are collected for this long (an editor's save is several)."""
TICK_SECONDS = 0.25
"""In events mode the thread wakes at least this often (to stop, or to poll on request)."""


class MeshWatcher:
    """Keeps a mesh index current from a daemon thread (see the module docstring).

    Args:
        index: the index to keep current.
        interval: seconds between the starts of two polls when polling.
        save_after: seconds without a change before unsaved changes are saved.
        save_at_most: seconds after which unsaved changes are saved even if changes go on.
        events: use file events where the system has them (False: always poll).
        full_poll_seconds: with events, seconds between two full polls (a safety net).
    """

    def __init__(self, index: MeshIndex, interval: float = 2.0, save_after: float = 10.0,
                 save_at_most: float = 300.0, events: bool = True,
                 full_poll_seconds: float = 300.0) -> None:
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
        self._index = weakref.ref(index)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._ready = threading.Event()
        self._fallback = False
        self._thread = threading.Thread(target=self._run, name="mesh-index-watcher",
                                        daemon=True)
        weakref.finalize(index, self._stop.set)

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
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def poll_now(self) -> None:
        """Make the thread poll everything soon instead of at its next tick."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread.is_alive()

    # -- the thread ------------------------------------------------------------------------
    def _run(self) -> None:
        notify = self._open_events() if self.use_events else None
        self.mode = "events" if notify is not None else "polling"
        try:
            if notify is not None:
                self._refresh(None)  # what changed before the watches were in place
            self._ready.set()
            if notify is not None:
                self._run_events(notify)
            else:
                self._run_polling()
        finally:
            self._ready.set()
            if notify is not None:
                notify.close()

    def _open_events(self) -> Inotify | None:
        """An inotify instance watching every folder of the tree, or None (then: poll).

        ``MESH_WATCH=poll`` in the environment always polls; ``events`` uses events even on a
        network file system (where other machines' writes raise none); the default, ``auto``,
        polls on network and shared file systems.
        """
        index = self._index()
        if index is None:
            return None
        choice = os.environ.get("MESH_WATCH", "auto").strip().lower()
        if choice == "poll" or (choice != "events" and not events_reliable(str(index.root))):
            return None
        notify = Inotify.open(str(index.root))
        if notify is None:
            return None
        if not all(notify.watch(rel) for rel in index.folders()):
            logger.info("file events unavailable for %s (inotify limits); polling every "
                        "%.1f s", index.root, self.interval)
            notify.close()
            return None
        return notify

    def _run_polling(self) -> None:
        next_at = time.monotonic() + self.interval
        while not self._stop.is_set():
            self._wake.wait(max(0.0, next_at - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                return
            next_at = time.monotonic() + self.interval
            if not self._refresh(None):
                return

    def _run_events(self, notify: Inotify) -> None:
        next_full = time.monotonic() + self.full_poll_seconds
        while not self._stop.is_set():
            if self._fallback:
                notify.close()
                self.mode = "polling"
                self._run_polling()
                return
            events = notify.read(min(TICK_SECONDS, max(0.0, next_full - time.monotonic())))
            if events and not events.overflow:
                time.sleep(SETTLE_SECONDS)
                _merge(events, notify.read(0))
            if self._stop.is_set():
                return
            full = events.overflow or self._wake.is_set() or time.monotonic() >= next_full
            if full:
                self._wake.clear()
                next_full = time.monotonic() + self.full_poll_seconds
                alive = self._refresh(None, notify)
            elif events:
                alive = self._refresh(events, notify)
            else:
                alive = self._index() is not None
            if not alive:
                return

    def _refresh(self, events: Events | None, notify: Inotify | None = None) -> bool:
        """One refresh (everything, or what ``events`` name), then watch new folders and
        save when idle. Returns False once the index is gone."""
        index = self._index()
        if index is None:
            return False
        try:
            report = (index.refresh() if events is None
                      else index.refresh(events.files, events.dirs))
            self.polls += 1
            self.last = report
            if notify is not None and report.folders_changed:
                new = set(index.folders()) - notify.watched
                if new:
                    if not all(notify.watch(rel) for rel in new):
                        logger.warning("inotify limits reached while watching %s; polling "
                                       "every %.1f s from now on", index.root, self.interval)
                        self._fallback = True
                    index.refresh(set(), new)  # entries created before their watch
            if not index.read_only:
                index.save_if_idle(self.save_after, self.save_at_most)
        except Exception:  # noqa: BLE001 - keep watching; the next tick tries again
            logger.exception("mesh index refresh failed")
        finally:
            del index
        return True


def _merge(events: Events, more: Events) -> None:
    """Add ``more`` to ``events``."""
    events.files |= more.files
    events.dirs |= more.dirs
    events.overflow = events.overflow or more.overflow
