"""File events on Linux (inotify, through ``ctypes``): which folders and files to look at.

The watcher (:mod:`catalog.mesh_index.watcher`) uses these events, when the system offers
them, so that a change is picked up within milliseconds without stat-ing every manifest (a
full poll stats 20,040 files at 10,000 products, 200,040 at 100,000). Each folder of the tree
gets a watch; an event names the folder and the entry. Nothing here reads a file.

Where inotify is missing (another system), or its limits are reached (``max_user_watches``,
``max_user_instances``), :meth:`Inotify.open` or :meth:`Inotify.watch` says so and the watcher
polls instead. A full event queue (``IN_Q_OVERFLOW``) is reported too: the watcher then polls
everything once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
import sys
from dataclasses import dataclass, field

IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ISDIR = 0x40000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = 0o2000000

WATCHED = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
           | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
"""What each folder's watch reports: entries written, created, deleted, moved; the folder
itself deleted or moved."""
_LISTING = IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
_EVENT = struct.Struct("iIII")


@dataclass
class Events:
    """What a batch of events names (paths relative to the root, ``""`` is the root).

    Attributes:
        files: ``*.yaml`` files written, created, deleted or moved.
        dirs: folders whose entries changed (or that were deleted or moved themselves).
        overflow: events were lost; everything must be polled.
    """

    files: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)
    overflow: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.dirs or self.overflow)


SHARED_FILESYSTEMS = frozenset((
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ceph", "glusterfs", "lustre",
    "gpfs", "afs", "ocfs2", "gfs2", "beegfs", "9p", "virtiofs", "vboxsf", "vmhgfs", "prl_fs",
    "davfs", "sshfs"))
"""File system types whose changes made elsewhere (another machine, the host of a virtual
machine) raise no inotify event here: the watcher polls them. ``fuse.*`` types too."""


def filesystem_type(path: str) -> str | None:
    """The type of the file system holding ``path`` (from ``/proc/self/mountinfo``), or None
    when unknown (not Linux, unreadable)."""
    try:
        real = os.path.realpath(path)
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    best, kind = "", None
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, after = left.split(), right.split()
        if len(fields) < 5 or not after:
            continue
        mount = fields[4].replace("\\040", " ")
        inside = real == mount or real.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, kind = mount, after[0]
    return kind


def events_reliable(path: str) -> bool:
    """Whether inotify sees every change under ``path``: False on network and shared file
    systems (see :data:`SHARED_FILESYSTEMS`), where other machines' writes raise no event."""
    kind = filesystem_type(path)
    return kind is None or not (kind in SHARED_FILESYSTEMS or kind.startswith("fuse"))


class Inotify:
    """One inotify instance: watches on folders, events read in batches.

    Use :meth:`open`; not thread-safe (the watcher thread is its only user).
    """

    def __init__(self, fd: int, libc: ctypes.CDLL, root: str) -> None:
        self._fd = fd
        self._libc = libc
        self.root = root
        self._folders: dict[int, str] = {}
        self._watched: dict[str, int] = {}

    @classmethod
    def open(cls, root: str) -> Inotify | None:
        """A new instance for the tree under ``root``, or None where inotify is unavailable
        (not Linux, no such call in the C library, or the per-user instance limit)."""
        if not sys.platform.startswith("linux"):
            return None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            init = libc.inotify_init1
        except (OSError, AttributeError):
            return None
        init.argtypes = [ctypes.c_int]
        init.restype = ctypes.c_int
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
        libc.inotify_add_watch.restype = ctypes.c_int
        fd = init(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            return None
        return cls(fd, libc, root)

    @property
    def watched(self) -> set[str]:
        """Folders (relative paths) with a watch."""
        return set(self._watched)

    def watch(self, rel: str) -> bool:
        """Watch folder ``rel`` (relative to the root).

        Returns:
            True when watched (or already); False when the system refused, for a limit
            (``ENOSPC``: ``max_user_watches``; the caller should fall back to polling); a
            folder that vanished meanwhile counts as watched (its parent's events say so).
        """
        if rel in self._watched:
            return True
        path = os.path.join(self.root, rel) if rel else self.root
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(path), WATCHED)
        if wd < 0:
            return ctypes.get_errno() in (errno.ENOENT, errno.ENOTDIR, errno.EACCES)
        self._folders[wd] = rel
        self._watched[rel] = wd
        return True

    def read(self, timeout: float) -> Events:
        """Wait up to ``timeout`` seconds for events; returns what they name (maybe nothing).

        Raises:
            OSError: the instance was closed.
        """
        events = Events()
        ready, _, _ = select.select([self._fd], [], [], max(0.0, timeout))
        if not ready:
            return events
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                return events
            if not data:
                return events
            self._parse(data, events)

    def _parse(self, data: bytes, events: Events) -> None:
        offset = 0
        while offset + _EVENT.size <= len(data):
            wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
            raw_name = data[offset + _EVENT.size: offset + _EVENT.size + length]
            offset += _EVENT.size + length
            if mask & IN_Q_OVERFLOW:
                events.overflow = True
                continue
            folder = self._folders.get(wd)
            if folder is None:
                continue
            if mask & IN_IGNORED:  # the folder is gone (or unwatched): forget the watch
                del self._folders[wd]
                if self._watched.get(folder) == wd:
                    del self._watched[folder]
                continue
            name = os.fsdecode(raw_name.rstrip(b"\0"))
            if not name:  # the folder itself was deleted or moved: its parent lists again
                if mask & (IN_DELETE_SELF | IN_MOVE_SELF):
                    events.dirs.add(folder)
                    events.dirs.add(folder.rpartition("/")[0] if "/" in folder else "")
                continue
            if name.startswith((".", "_")):
                continue
            child = f"{folder}/{name}" if folder else name
            if mask & IN_ISDIR:
                if mask & _LISTING:
                    events.dirs.add(folder)
                    events.dirs.add(child)
            elif name.endswith(".yaml"):
                events.files.add(child)
                if mask & _LISTING:
                    events.dirs.add(folder)

    def close(self) -> None:
        """Close the instance (all its watches go with it)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
            self._folders.clear()
            self._watched.clear()
