"""What changed under the manifest root since the last look, found with ``stat`` calls only.

:class:`FileTree` remembers every ``*.yaml`` file and every folder under the root (names
starting with ``.`` or ``_`` are skipped, as the loader skips them) with its identity: size,
modification time in nanoseconds and inode for files, modification time and inode for
folders. :meth:`FileTree.poll` stats each remembered file and folder once; only a folder whose
modification time moved (an entry was added, removed or renamed in it) is listed again. At
10,000 products (20,040 files, 10,041 folders) a poll takes about 80 ms of CPU, of which about
70 ms are the ``stat`` calls; nothing is read.

File systems stamp modification times with a coarse clock, so a file written twice within
one tick can keep its time and size. An entry whose modification time was less than
:data:`RACY_NS` old when it was looked at is "racy": it is reported again on every poll until it
is older than that, and the caller compares content (a hash) instead of trusting its stat.

A folder that is a symbolic link is followed only when it leads to a place inside the root and
not back into one of its own parents; the loader reports the others.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field

RACY_NS = 2_000_000_000
"""An entry modified less than this long (ns) before it was looked at is checked again."""

FileId = tuple[int, int, int]
"""A file's identity: ``(size in bytes, modification time in ns, inode)``."""
DirId = tuple[int, int]
"""A folder's identity: ``(modification time in ns, inode)``."""


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def file_id(info: os.stat_result) -> FileId:
    """The identity of a file from its ``stat``."""
    return info.st_size, info.st_mtime_ns, info.st_ino


@dataclass
class Changes:
    """What a poll found (paths relative to the root, ``/``-separated; ``""`` is the root).

    Attributes:
        files: ``*.yaml`` files added, removed, changed, or racy (compare their content).
        removed_files: the subset of ``files`` that no longer exist.
        dirs: folders added or removed, or whose list of entries changed.
    """

    files: set[str] = field(default_factory=set)
    removed_files: set[str] = field(default_factory=set)
    dirs: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.files or self.dirs)

    def merge(self, other: Changes) -> None:
        """Add ``other``'s paths to these (a file removed in one and back in the other is
        simply changed)."""
        self.removed_files = (self.removed_files | other.removed_files) - (
            self.files - self.removed_files
        )
        self.files |= other.files
        self.dirs |= other.dirs


class FileTree:
    """The ``*.yaml`` files and folders under a root, with their identities (see the module).

    Not thread-safe: one caller polls at a time (the mesh index holds its update lock).

    Args:
        root: the manifest root (an absolute path is best; it need not exist yet).
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.files: dict[str, FileId] = {}
        self.dirs: dict[str, DirId] = {}
        self.children: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.racy: set[str] = set()

    def _abs(self, rel: str) -> str:
        return os.path.join(self.root, rel) if rel else self.root

    def copy(self) -> FileTree:
        """A copy whose tables later polls of this tree do not change (for saving)."""
        other = FileTree(self.root)
        other.files = dict(self.files)
        other.dirs = dict(self.dirs)
        other.children = dict(self.children)
        other.racy = set(self.racy)
        return other

    def poll(self, part: int = 0, parts: int = 1) -> Changes:
        """Stat every known entry, list again the folders that changed; returns the changes.

        The first poll of a new tree lists everything (every file is "added"). Never raises
        for the file system: an entry that cannot be stat-ed or listed counts as gone.

        Args:
            part: with ``parts`` above 1, stat only the files of this share (0 to
                ``parts - 1``): those whose inode modulo ``parts`` is ``part``, plus the
                racy ones. Every folder is still stat-ed, so files added, removed or renamed
                are seen by any share; ``parts`` polls, one of each share, look at every file.
            parts: how many shares the files are split into (1: every file).

        Returns:
            The changes found.
        """
        changes = Changes()
        now = time.time_ns()
        racy, self.racy = self.racy, set()
        if "" not in self.dirs:
            self._list("", changes, now)
        with _Root(self.root) as root:
            if root.fd is None and root.prefix is None:  # missing, or not a folder
                if self.dirs.get("") != (0, 0):
                    self._drop_dir("", changes)
                    self.dirs[""] = (0, 0)  # the root: looked at again next time
                    self.children[""] = (frozenset(), frozenset())
                return changes
            self._poll_dirs(root, racy, changes, now)
            self._poll_files(root, racy, changes, now, part, parts)
        return changes

    def _poll_dirs(self, root: _Root, racy: set[str], changes: Changes, now: int) -> None:
        """Stat every known folder; list again (parents first) those whose time or inode
        moved, that are gone or no longer folders, or that were racy."""
        stale = [rel for rel in racy if rel in self.dirs]
        look, fd, prefix, is_dir = os.stat, root.fd, root.prefix or "", stat.S_ISDIR
        for rel, (mtime, ino) in self.dirs.items():
            try:
                info = look(prefix + (rel or "."), dir_fd=fd)
            except OSError:
                stale.append(rel)
                continue
            if info.st_mtime_ns != mtime or info.st_ino != ino or not is_dir(info.st_mode):
                stale.append(rel)
        for rel in sorted(set(stale), key=len):
            if rel in self.dirs:  # not dropped with a removed parent meanwhile
                self._list(rel, changes, now)

    def _poll_files(
        self, root: _Root, racy: set[str], changes: Changes, now: int, part: int, parts: int
    ) -> None:
        """Stat every known file of share ``part`` of ``parts`` and every racy one; note the
        changed, gone and racy ones. The hot loop of a poll: one ``stat`` per file relative
        to an open handle of the root, its identity compared field by field, nothing else
        per unchanged file. A file's share follows its inode, so it moves only when a poll
        saw its new inode: each file is looked at at least once in any ``parts`` polls."""
        files = self.files
        recent = now - RACY_NS
        changed: list[tuple[str, FileId]] = []
        failed: list[str] = []
        now_racy: list[str] = []
        look, fd, prefix = os.stat, root.fd, root.prefix or ""
        for rel, (size, mtime, ino) in files.items():
            if ino % parts != part and rel not in racy:
                continue
            try:
                info = look(prefix + rel, dir_fd=fd)
            except OSError:
                failed.append(rel)
                continue
            new_mtime = info.st_mtime_ns
            if new_mtime != mtime or info.st_size != size or info.st_ino != ino:
                changed.append((rel, (info.st_size, new_mtime, info.st_ino)))
            if new_mtime > recent:
                now_racy.append(rel)
        for rel in failed:  # a dangling link is still an entry; else the file is gone
            entry = _lstat(self._abs(rel))
            if entry is None:
                del files[rel]
                changes.files.add(rel)
                changes.removed_files.add(rel)
                continue
            changed.append((rel, file_id(entry)))
            if entry.st_mtime_ns > recent:
                now_racy.append(rel)
        for rel, current in changed:
            if files[rel] != current:
                files[rel] = current
                changes.files.add(rel)
        changes.files.update(rel for rel in racy if rel in files)
        self.racy.update(now_racy)

    def poll_paths(self, files: set[str], dirs: set[str]) -> Changes:
        """Look only at the given entries (what file events named), plus racy ones.

        Args:
            files: ``*.yaml`` files that may have changed (relative paths).
            dirs: folders whose entries may have changed; they are listed again (a folder
                not known yet is listed when its parent is known).

        Returns:
            The changes, as :meth:`poll` reports them.
        """
        if "" not in self.dirs:
            return self.poll()
        changes = Changes()
        now = time.time_ns()
        racy, self.racy = self.racy, set()
        for rel in sorted(dirs | {r for r in racy if r in self.dirs}, key=len):
            parent = rel.rpartition("/")[0] if "/" in rel else ""
            if rel in self.dirs or (rel and parent in self.dirs):
                self._list(rel, changes, now)
        for rel in files | {r for r in racy if r in self.files}:
            known = self.files.get(rel)
            if known is None:
                continue  # a new file is found by listing its folder
            path = self._abs(rel)
            try:
                info: os.stat_result | None = os.stat(path)
            except OSError:
                info = _lstat(path)
            if info is None:
                del self.files[rel]
                changes.files.add(rel)
                changes.removed_files.add(rel)
                continue
            if file_id(info) != known:
                self.files[rel] = file_id(info)
            changes.files.add(rel)  # named by an event: compare its content
            if now - info.st_mtime_ns < RACY_NS:
                self.racy.add(rel)
        return changes

    def _list(self, rel: str, changes: Changes, now: int) -> None:
        """List folder ``rel`` again: new sub-folders are walked, gone ones dropped."""
        path = self._abs(rel)
        try:
            info = os.stat(path)
            with os.scandir(path) as entries:
                listed = list(entries)
        except OSError:
            if rel in self.dirs:
                self._drop_dir(rel, changes)
            if rel == "":
                self.dirs[""] = (0, 0)
                self.children[""] = (frozenset(), frozenset())
            return
        subdirs, files = set(), set()
        for entry in listed:
            if _skipped(entry.name):
                continue
            if entry.name.endswith(".yaml"):
                files.add(entry.name)
            elif _is_dir(entry) and self._followed(entry, path):
                subdirs.add(entry.name)
        old_dirs, old_files = self.children.get(rel, (frozenset(), frozenset()))
        if rel not in self.dirs or subdirs != old_dirs or files != old_files:
            changes.dirs.add(rel)
        self.dirs[rel] = (info.st_mtime_ns, info.st_ino)
        self.children[rel] = (frozenset(subdirs), frozenset(files))
        if now - info.st_mtime_ns < RACY_NS:
            self.racy.add(rel)
        prefix = f"{rel}/" if rel else ""
        for name in old_dirs - subdirs:
            self._drop_dir(prefix + name, changes)
        for name in old_files - files:
            if self.files.pop(prefix + name, None) is not None:
                changes.files.add(prefix + name)
                changes.removed_files.add(prefix + name)
        for name in files - old_files:
            child = prefix + name
            entry_path = os.path.join(path, name)
            try:
                file_info: os.stat_result | None = os.stat(entry_path)
            except OSError:
                file_info = _lstat(entry_path)
            if file_info is not None:
                self.files[child] = file_id(file_info)
                changes.files.add(child)
                if now - file_info.st_mtime_ns < RACY_NS:
                    self.racy.add(child)
        for name in sorted(subdirs - old_dirs):
            self._list(prefix + name, changes, now)

    def _followed(self, entry: os.DirEntry[str], parent: str) -> bool:
        """Whether a folder entry is walked: always, unless it is a link leading out of the
        root or back into one of its own parents."""
        try:
            if not entry.is_symlink():
                return True
            target = os.path.realpath(entry.path)
            real_root = os.path.realpath(self.root)
            real_parent = os.path.realpath(parent)
        except OSError:
            return False
        inside = target == real_root or target.startswith(real_root + os.sep)
        loops = real_parent == target or real_parent.startswith(target + os.sep)
        return inside and not loops

    def _drop_dir(self, rel: str, changes: Changes) -> None:
        """Forget a folder and everything below it (all reported as changed)."""
        if self.dirs.pop(rel, None) is None and rel not in self.children:
            return
        changes.dirs.add(rel)
        subdirs, files = self.children.pop(rel, (frozenset(), frozenset()))
        prefix = f"{rel}/" if rel else ""
        for name in files:
            if self.files.pop(prefix + name, None) is not None:
                changes.files.add(prefix + name)
                changes.removed_files.add(prefix + name)
        for name in subdirs:
            self._drop_dir(prefix + name, changes)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder, following a link; False for loops and unreadable ones."""
    try:
        return entry.is_dir()
    except OSError:
        return False


class _Root:
    """The root opened for one poll: entries are stat-ed relative to its handle (``fd``), so
    the kernel does not walk the root's own path again for each of them; where ``stat``
    takes no folder handle, ``prefix`` (the root and a separator) is put before each
    relative path instead. Both None: the root is missing or not a folder."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None
        self.prefix: str | None = None

    def __enter__(self) -> _Root:
        if os.stat in os.supports_dir_fd:
            try:
                self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                if not stat.S_ISDIR(os.fstat(self.fd).st_mode):
                    self.__exit__()
            except OSError:
                self.__exit__()
        elif os.path.isdir(self.path):
            self.prefix = os.path.join(self.path, "")
        return self

    def __exit__(self, *_exc: object) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            os.close(fd)


def _lstat(path: str) -> os.stat_result | None:
    """The entry itself (a dangling link, say) when it cannot be followed; None if gone."""
    try:
        return os.lstat(path)
    except OSError:
        return None
