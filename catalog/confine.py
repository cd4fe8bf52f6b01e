"""Confined paths: read files only from inside one folder, and never block on them.

Manifests come from domain teams' repositories, so a "file" in the mesh folder may be a
symbolic link to a secret elsewhere on the server, a named pipe (reading it waits for a writer
forever), a device, or a file too large to hold. :func:`read_regular_file` refuses each of these
with a :class:`PathRefused` whose message names the path and never quotes the file.

How: the path is opened one folder at a time from the root, each step with ``O_NOFOLLOW``, so
no symbolic link is followed unchecked, not even one swapped in while the path is walked. Only
when a step meets a link is the path resolved (:func:`confined`) and checked to stay inside the
root; the resolved path is then walked the same way. The file's type and size are checked
before it is opened (an ``lstat``), it is opened non-blocking, and checked again on the open
descriptor (an ``fstat``), so a file swapped for a pipe in between is still refused. POSIX
only (``O_NOFOLLOW``, ``O_NONBLOCK``, ``dir_fd``), like the rest of the portal's deployment.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from catalog.errors import CatalogError

_READ_FLAGS = (os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_NOFOLLOW
               | getattr(os, "O_CLOEXEC", 0))
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_ROOT_FLAGS = os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a FIFO/named pipe"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class PathRefused(CatalogError):
    """A path was not read: it leaves the root folder, is not a regular file, or is too large.

    ``str(err)`` is ``"<path> <reason>"``: what the path is and what to do about it, never the
    file's content. Messages call the root "the mesh folder", what it is for manifests and
    build code.

    Attributes:
        path: the path as the message shows it (relative to the root where possible).
        reason: the message without the path, e.g. ``"is a FIFO/named pipe, not a regular
            file; ..."``.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path} {reason}")


def confined(path: Path | str, root: Path, *, what: str = "file") -> Path:
    """Resolve ``path`` and check that it stays inside ``root``.

    Symbolic links are followed, then the result is checked against ``root`` (itself resolved).
    The path need not exist.

    Args:
        path: an absolute path, or one relative to ``root``.
        root: the folder the path must stay in.
        what: what the path is, for the message (``"file"``, ``"folder"``).

    Returns:
        The resolved, absolute path (no symbolic links, no ``..``).

    Raises:
        PathRefused: the resolved path is outside ``root``.
    """
    given = Path(path)
    candidate = given if given.is_absolute() else Path(root) / given
    base = Path(os.path.realpath(root))
    resolved = Path(os.path.realpath(candidate))
    if resolved == base or base in resolved.parents:
        return resolved
    shown = _shown(candidate, root)
    if _lexically_inside(candidate, root):
        link = "is a symbolic link" if os.path.islink(candidate) else (
            "is inside a folder that is a symbolic link")
        raise PathRefused(shown, f"{link} to a place outside the mesh folder; links may only "
                          f"point inside it, so replace the link with the {what} itself")
    raise PathRefused(shown, "is outside the mesh folder; only what is inside it is used")


def read_regular_file(path: Path, root: Path, max_bytes: int) -> bytes:
    """Read a regular file inside ``root`` without following links out of it or blocking.

    Args:
        path: the file, absolute or relative to ``root``.
        root: the folder the file must be inside (after following symbolic links).
        max_bytes: largest size accepted, in bytes.

    Returns:
        The file's content (at most ``max_bytes`` bytes).

    Raises:
        PathRefused: the path leaves ``root`` (through a symbolic link or ``..``), does not
            exist (a dangling symbolic link, say), is a FIFO/named pipe, folder, device or
            socket, is larger than ``max_bytes`` (or grew past it while being read), or cannot
            be read (permissions, I/O error).
    """
    given = Path(path)
    candidate = given if given.is_absolute() else Path(root) / given
    shown = _shown(candidate, root)
    parts = _parts_below(candidate, Path(root))
    if parts is not None:
        try:
            return _read_below(str(root), parts, max_bytes, shown)
        except _LinkMet:
            pass  # a symbolic link on the way: resolve it and check where it points
    resolved = confined(candidate, Path(root))
    base = Path(os.path.realpath(root))
    if resolved == base:
        raise PathRefused(shown, "is the folder itself, not a file inside it")
    try:
        return _read_below(str(base), resolved.relative_to(base).parts, max_bytes, shown,
                           linked=os.path.islink(candidate))
    except _LinkMet:
        raise PathRefused(shown, "is a symbolic link that loops, or changed while being "
                          "read; replace it with the file itself") from None


def is_regular_inside(path: Path, root: Path) -> bool:
    """Cheap check for folder walks: is ``path`` a regular file inside ``root``?

    Follows symbolic links, then checks that the target is inside ``root``; never opens the
    file, so a named pipe cannot block it.

    Args:
        path: the path, absolute or relative to ``root``.
        root: the folder it must be inside.

    Returns:
        ``True`` for a regular file inside ``root``; ``False`` for anything else (outside,
        missing, dangling link, pipe, folder, device, unreadable).
    """
    try:
        return stat.S_ISREG(os.lstat(confined(path, root)).st_mode)
    except (PathRefused, OSError, ValueError):
        return False


class _LinkMet(Exception):
    """A step of the walk is a symbolic link (or vanished into one)."""


def _shown(candidate: Path, root: Path) -> str:
    """The path as messages show it: relative to ``root`` when it is (lexically) inside."""
    try:
        return str(candidate.relative_to(root))
    except ValueError:
        return str(candidate)


def _lexically_inside(candidate: Path, root: Path) -> bool:
    normal = os.path.normpath(os.path.abspath(candidate))
    top = os.path.normpath(os.path.abspath(root))
    return normal == top or normal.startswith(top.rstrip(os.sep) + os.sep)


def _parts_below(candidate: Path, root: Path) -> tuple[str, ...] | None:
    """The steps from ``root`` down to ``candidate`` when it is plainly below it (no ``..``)."""
    try:
        parts = candidate.relative_to(root).parts
    except ValueError:
        return None
    if not parts or ".." in parts:
        return None
    return parts


def _read_below(top: str, parts: tuple[str, ...], max_bytes: int, shown: str,
                linked: bool = False) -> bytes:
    """Open ``top/parts…`` one step at a time without following links, check, and read.

    Raises:
        _LinkMet: a step is a symbolic link.
        PathRefused: missing, not a regular file, too large, unreadable.
    """
    try:
        folder = os.open(top, _ROOT_FLAGS)
    except OSError as err:
        raise PathRefused(shown, _os_reason(err, linked)) from None
    try:
        for part in parts[:-1]:
            step = _open_step(part, folder, shown, linked)
            os.close(folder)
            folder = step
        return _read_entry(parts[-1], folder, max_bytes, shown, linked)
    finally:
        os.close(folder)


def _open_step(name: str, folder: int, shown: str, linked: bool) -> int:
    try:
        return os.open(name, _FOLDER_FLAGS, dir_fd=folder)
    except OSError as err:
        if err.errno == errno.ELOOP or (err.errno == errno.ENOTDIR and _is_link(name, folder)):
            raise _LinkMet from None
        raise PathRefused(shown, _os_reason(err, linked)) from None


def _read_entry(name: str, folder: int, max_bytes: int, shown: str, linked: bool) -> bytes:
    """Check the entry ``name`` of ``folder`` (lstat), open it non-blocking, check again on
    the descriptor (fstat) and read at most ``max_bytes + 1`` bytes."""
    try:
        before = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError as err:
        raise PathRefused(shown, _os_reason(err, linked)) from None
    if stat.S_ISLNK(before.st_mode):
        raise _LinkMet
    _check(before, max_bytes, shown)
    try:
        handle = os.open(name, _READ_FLAGS, dir_fd=folder)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _LinkMet from None
        raise PathRefused(shown, _os_reason(err, linked)) from None
    try:
        _check(os.fstat(handle), max_bytes, shown)
        data = _read_at_most(handle, max_bytes + 1, shown)
    finally:
        os.close(handle)
    if len(data) > max_bytes:
        raise PathRefused(shown, f"grew past the limit of {max_bytes:,} bytes while being "
                          "read; make it smaller")
    return data


def _check(info: os.stat_result, max_bytes: int, shown: str) -> None:
    """Refuse anything but a regular file of at most ``max_bytes`` bytes."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise PathRefused(shown, f"is {kind}, not a regular file; replace it with a regular file")
    if info.st_size > max_bytes:
        raise PathRefused(shown, f"is {info.st_size:,} bytes; the limit is {max_bytes:,} bytes "
                          "(files here are limited to that size; make it smaller)")


def _read_at_most(handle: int, limit: int, shown: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        try:
            chunk = os.read(handle, min(_CHUNK, limit - total))
        except OSError as err:
            raise PathRefused(shown, _os_reason(err, False)) from None
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _is_link(name: str, folder: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _os_reason(err: OSError, linked: bool) -> str:
    """Words for a failed open or read (the path is added by :class:`PathRefused`)."""
    if err.errno in (errno.ENOENT, errno.ENOTDIR):
        return ("does not exist (dangling symbolic link); restore its target or remove the "
                "link") if linked else "does not exist"
    if err.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read (permission denied)"
    return f"cannot be read ({os.strerror(err.errno) if err.errno else err})"
