"""The mesh index on disk: one pickle per manifest root, replaced atomically.

Where: ``<data folder>/.mesh-index/<root folder name>-<hash of the root path>.pickle`` (see
:func:`cache_file`). The file starts with a header line holding the root's path and a stamp
of everything that shapes parsed results (:func:`format_stamp`): this module's format number,
the Python version, the versions of the parsing and model libraries, and a hash of the source
of the packages that parse, model and index manifests. A file with another stamp is ignored
(and replaced at the next save), so a code or library change never serves models parsed by
older code. Each save also deletes the files of roots that no longer exist.

**Pickle**: the file holds Python objects exactly as this package builds them (pydantic
models, dataclasses, the search index). Unpickling runs code named in the file, so only a file
this package wrote is read: it must be a regular file owned by the user running the process,
not writable by group or others (``mkstemp`` creates it ``0600``), inside the data folder,
which only the portal's own account should be able to write anyway. Anything else, or a file
that fails to load for any reason (truncated, damaged, written by other code), is ignored and
rebuilt from the manifests, never fatal.

Writes go to a temporary file in the same folder (named ``.<name>.<random>.tmp``, which
:mod:`catalog.housekeeping` removes when a killed writer leaves one behind) and are moved over
the target with ``os.replace``: a reader sees the old file or the new one, never half of
either, and of two processes saving at once the last one wins. No ``fsync``: after a power cut
the file may be empty or damaged, and is then ignored like any unreadable cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import re
import stat
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from catalog.gc_pause import gc_paused

logger = logging.getLogger(__name__)

FORMAT = 1
"""Layout of the cached state; bump when :mod:`catalog.mesh_index` changes what it stores."""

CACHE_FOLDER = ".mesh-index"
"""The folder under the data folder that holds the cache files."""

_MAGIC = b"mesh-index "
_MAX_HEADER = 8192
_PACKAGE = Path(__file__).resolve().parent.parent
_SOURCES = ("manifests", "models", "mesh.py", "search.py", "mesh_index")
"""Parts of the ``catalog`` package whose code shapes what is cached."""
_LIBRARIES = ("pydantic", "pydantic_core", "open-data-contract-standard", "jsonschema-rs",
              "ryaml", "PyYAML")


@lru_cache(maxsize=1)
def format_stamp() -> str:
    """A hash naming the code and libraries that produced a cache (see the module docstring).

    Computed once per process from the source files (about 2 ms).
    """
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{FORMAT}|{sys.implementation.name}|{sys.version}".encode())
    for name in _LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"|{name}={version}".encode())
    for part in _SOURCES:
        path = _PACKAGE / part
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (
            ".py", ".json", ".yaml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(_PACKAGE)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def cache_file(data_dir: Path, root: Path) -> Path:
    """The cache file of manifest root ``root`` under data folder ``data_dir``.

    Named after the root folder and a hash of its absolute path, so several meshes can share
    a data folder.
    """
    absolute = os.path.abspath(root)
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", os.path.basename(absolute))[:40] or "root"
    key = hashlib.blake2b(absolute.encode(), digest_size=8).hexdigest()
    return data_dir / CACHE_FOLDER / f"{name}-{key}.pickle"


def _trusted(handle: Any) -> bool:
    """Whether an open file is one this package may have written: a regular file owned by
    this user, not writable by group or others."""
    info = os.fstat(handle.fileno())
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return stat.S_ISREG(info.st_mode) and owner_ok and not info.st_mode & 0o022


def _header(root: str) -> bytes:
    """The first line of a cache file: magic, format stamp, the root it indexes (JSON)."""
    return _MAGIC + format_stamp().encode() + b" " + json.dumps(root).encode() + b"\n"


def _root_of(path: Path) -> str | None:
    """The root named in a cache file's first line, or None when it has no such line."""
    try:
        with open(path, "rb") as handle:
            line = handle.readline(_MAX_HEADER)
        if not line.startswith(_MAGIC) or not line.endswith(b"\n"):
            return None
        root = json.loads(line.split(b" ", 2)[2])
        return root if isinstance(root, str) else None
    except (OSError, ValueError, IndexError):
        return None


def load(path: Path, root: str) -> Any | None:
    """The object saved in ``path`` by :func:`save` for manifest root ``root``, or None.

    Returns:
        The object; None when the file is missing, has another format stamp, is not trusted
        (see the module docstring) or cannot be read back for any reason (logged, not
        raised).
    """
    try:
        with open(path, "rb") as handle:
            if not _trusted(handle):
                logger.warning("mesh index %s is not a private file of this user; ignored",
                               path)
                return None
            header = handle.readline(_MAX_HEADER)
            if header != _header(root):
                logger.info("mesh index %s was written by other code; rebuilding it", path)
                return None
            with gc_paused(freeze=True):
                return pickle.load(handle)  # noqa: S301 - a private file this package wrote
    except FileNotFoundError:
        return None
    except Exception as err:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
        logger.warning("mesh index %s is unreadable (%s: %s); rebuilding it", path,
                       type(err).__name__, err)
        return None


def save(path: Path, root: str, payload: Any) -> int:
    """Write ``payload`` (the index of manifest root ``root``) to ``path`` atomically
    (temporary file, then ``os.replace``), then delete the other cache files of the folder
    whose root no longer exists (temporary meshes of tests and scripts).

    Returns:
        The size of the file written, bytes.

    Raises:
        OSError: the folder cannot be created or written (the previous file is untouched).
        pickle.PicklingError: the payload holds something that cannot be pickled.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_header(root))
            pickle.dump(payload, handle, protocol=pickle.HIGHEST_PROTOCOL)
            size = handle.tell()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _prune(path.parent)
    return size


def _prune(folder: Path) -> None:
    """Delete cache files whose manifest root is gone (never fails)."""
    try:
        files = [p for p in folder.iterdir() if p.suffix == ".pickle" and p.is_file()]
    except OSError:
        return
    for file in files:
        root = _root_of(file)
        if root is not None and not os.path.isdir(root):
            with contextlib.suppress(OSError):
                file.unlink()


def clear(data_dir: Path) -> list[Path]:
    """Delete every cache file under ``data_dir`` (what ``rm -r <data>/.mesh-index`` does).

    Returns:
        The files deleted.
    """
    folder = data_dir / CACHE_FOLDER
    removed = []
    if folder.is_dir():
        for file in folder.iterdir():
            if file.is_file() and not file.is_symlink():
                file.unlink(missing_ok=True)
                removed.append(file)
    return removed
