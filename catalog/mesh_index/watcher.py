"""The background watcher: a daemon thread that keeps a :class:`MeshIndex` current.

Every ``interval`` seconds it calls :meth:`MeshIndex.refresh` (a stat-only poll; changed files
are re-read and the new snapshot swapped in), and saves the index once changes have settled
(``save_after`` seconds without a change, or ``save_at_most`` seconds after the first unsaved
one). Readers never wait for it: they keep reading the snapshot they have.

The thread is a daemon and holds the index only weakly, so it never keeps a process alive
(a command-line run exits as soon as its work is done) and stops by itself once its index is
garbage-collected. A failing refresh is logged and retried at the next tick.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

from catalog.mesh_index.index import MeshIndex

logger = logging.getLogger(__name__)


class MeshWatcher:
    """Polls a mesh index from a daemon thread (see the module docstring).

    Args:
        index: the index to keep current.
        interval: seconds between the starts of two polls.
        save_after: seconds without a change before unsaved changes are saved.
        save_at_most: seconds after which unsaved changes are saved even if changes go on.
    """

    def __init__(self, index: MeshIndex, interval: float = 2.0, save_after: float = 10.0,
                 save_at_most: float = 300.0) -> None:
        self.interval = interval
        self.save_after = save_after
        self.save_at_most = save_at_most
        self._index = weakref.ref(index)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mesh-index-watcher",
                                        daemon=True)
        self.polls = 0
        """Polls done so far."""
        weakref.finalize(index, self._stop.set)

    def start(self) -> MeshWatcher:
        """Start the thread (once); returns the watcher."""
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread and wait up to ``timeout`` seconds for it to finish its poll."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def poll_now(self) -> None:
        """Make the thread poll at once instead of at its next tick (returns immediately)."""
        self._wake.set()

    @property
    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread.is_alive()

    def _run(self) -> None:
        next_at = time.monotonic() + self.interval
        while not self._stop.is_set():
            self._wake.wait(max(0.0, next_at - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                return
            next_at = time.monotonic() + self.interval
            index = self._index()
            if index is None:
                return
            try:
                index.refresh()
                self.polls += 1
                if not index.read_only:
                    index.save_if_idle(self.save_after, self.save_at_most)
            except Exception:  # noqa: BLE001 - keep watching; the next poll tries again
                logger.exception("mesh index refresh failed")
            finally:
                del index
