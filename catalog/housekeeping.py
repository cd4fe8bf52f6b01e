"""Leftovers of killed processes in the data folder, removed at the start of the next build.

A process killed with SIGKILL (or by a power cut) runs no ``finally`` block, so it leaves:

* ``.<db name>.building-<pid>`` and its ``.wal``: a database being built by
  :func:`catalog.build.build_mesh`, renamed over the target only when complete;
* ``.<file name>.<random>.tmp``: a file being written by :mod:`catalog.files`, moved over the
  target only when complete;
* ``.sandbox/<pid>-<anything>``: a DuckDB spill folder of a process with that pid;
* ``.extracts/<anything>``: an extract file written for a download
  (:mod:`catalog.extract_files`), which the sending process deletes once sent.

None of them is ever read as data, but they fill the disk. A file or folder carrying a pid is
removed only when no process with that pid is running; a ``.tmp`` file or an extract file only
when it has not been written to for an hour (an atomic write takes well under a second, a
download of an extract minutes at most).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path

logger = logging.getLogger(__name__)

SANDBOX_DIR = ".sandbox"
"""Folder under the data folder holding per-process DuckDB spill folders ``<pid>-<name>``."""

TMP_MAX_AGE_S = 3600.0
"""Age in seconds (since last modification) after which an atomic writer's ``.tmp`` file is
considered abandoned."""

EXTRACTS_DIR = ".extracts"
"""Folder under the data folder holding extract files being sent (:mod:`catalog.extract_files`)."""

_BUILDING = re.compile(r"\..+\.building-(\d+)(\.wal)?")
_TMP = re.compile(r"\..+\.tmp")
_SANDBOX = re.compile(r"(\d+)-.*")


def pid_is_running(pid: int) -> bool:
    """Whether a process with id ``pid`` exists (of any user).

    Args:
        pid: a process id.

    Returns:
        False only when the system says there is no such process; True otherwise (also when
        the process belongs to another user), so a live process's files are never removed.
    """
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # e.g. a pid beyond the system's range: no such process
        return False
    return True


def _remove(path: Path) -> bool:
    """Delete a file, a symlink or a whole folder (without following links); False on error."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:  # removed meanwhile (e.g. by the process finishing)
        return False
    except OSError as err:
        logger.warning("could not remove leftover %s: %s", path, err)
        return False
    return True


def _old(path: Path, clock: float, max_age_s: float) -> bool:
    """Whether ``path`` was last modified more than ``max_age_s`` seconds before ``clock``."""
    try:
        return clock - path.lstat().st_mtime > max_age_s
    except FileNotFoundError:
        return False


def stale_build_files(data_dir: Path, tmp_max_age_s: float = TMP_MAX_AGE_S,
                      now: float | None = None) -> list[Path]:
    """The leftovers of killed processes under ``data_dir``, without removing them.

    Args:
        data_dir: the data folder (searched recursively, symlinks not followed).
        tmp_max_age_s: seconds since its last modification after which a ``.tmp`` file of the
            atomic writer counts as abandoned.
        now: the current time as a POSIX timestamp in seconds; the clock when None.

    Returns:
        ``.*.building-<pid>`` files (and their ``.wal``) of processes not running, ``.*.tmp``
        files older than ``tmp_max_age_s``, and ``.sandbox/<pid>-*`` entries of processes not
        running, and entries of ``.extracts/`` older than ``tmp_max_age_s``, sorted.
    """
    if not data_dir.is_dir():
        return []
    clock = time.time() if now is None else now
    found: list[Path] = []
    for folder, dirs, files in os.walk(data_dir):
        here = Path(folder)
        if here == data_dir:
            dirs[:] = [d for d in dirs if d not in (SANDBOX_DIR, EXTRACTS_DIR)]  # see below
        for name in files:
            path = here / name
            building = _BUILDING.fullmatch(name)
            if building is not None:
                if not pid_is_running(int(building.group(1))):
                    found.append(path)
            elif _TMP.fullmatch(name) and _old(path, clock, tmp_max_age_s):
                found.append(path)
    sandbox = data_dir / SANDBOX_DIR
    if sandbox.is_dir() and not sandbox.is_symlink():
        for entry in sandbox.iterdir():
            owner = _SANDBOX.fullmatch(entry.name)
            if owner is not None and not pid_is_running(int(owner.group(1))):
                found.append(entry)
    extracts = data_dir / EXTRACTS_DIR
    if extracts.is_dir() and not extracts.is_symlink():
        found.extend(entry for entry in extracts.iterdir() if _old(entry, clock, tmp_max_age_s))
    return sorted(found)


def clean_stale_build_files(data_dir: Path, tmp_max_age_s: float = TMP_MAX_AGE_S) -> list[Path]:
    """Remove the leftovers of killed processes under ``data_dir`` (see :func:`stale_build_files`).

    Files of running processes, fresh ``.tmp`` files and everything else are kept. A leftover
    that cannot be removed is logged as a warning and skipped.

    Args:
        data_dir: the data folder.
        tmp_max_age_s: seconds since its last modification after which a ``.tmp`` file of the
            atomic writer is removed (default one hour).

    Returns:
        The paths removed, sorted.
    """
    removed = [path for path in stale_build_files(data_dir, tmp_max_age_s) if _remove(path)]
    for path in removed:
        logger.info("removed leftover of a killed process: %s", path)
    return removed
