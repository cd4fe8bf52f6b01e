"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The bytes go to a temporary file in the same folder, are flushed and ``fsync``-ed, then moved
over the target with ``os.replace`` (atomic on POSIX within one file system). ``create_new``
refuses to replace an existing file, using ``os.link`` so that of two writers racing for the same
name exactly one wins.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp_copy(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, replacing any existing file.

    Args:
        path: target file; its folder is created if missing.
        data: the complete new content.

    Raises:
        OSError: the folder is not writable or the disk is full (the target is untouched).
    """
    tmp = _temp_copy(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, only if ``path`` does not exist yet.

    Raises:
        FileExistsError: ``path`` exists (another writer got there first); nothing is changed.
        OSError: the folder is not writable or the disk is full.
    """
    tmp = _temp_copy(path, data)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)
