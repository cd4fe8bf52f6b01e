"""Which file systems raise file events for every change: local ones do, shared ones do not.

On a network or shared file system (NFS, SMB, CephFS, a virtual machine's shared folder, FUSE
mounts), a write made on another machine raises no event on this one, so the mesh index's
watcher (:mod:`catalog.mesh_index.watcher`) polls such a root instead of waiting for events.
"""

from __future__ import annotations

import os

SHARED_FILESYSTEMS = frozenset(
    (
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "afs",
        "ocfs2",
        "gfs2",
        "beegfs",
        "9p",
        "virtiofs",
        "vboxsf",
        "vmhgfs",
        "prl_fs",
        "davfs",
        "sshfs",
    )
)
"""File system types whose changes made elsewhere (another machine, the host of a virtual
machine) raise no event here: the watcher polls them. ``fuse.*`` types too."""


def filesystem_type(path: str) -> str | None:
    """The type of the file system holding ``path`` (from ``/proc/self/mountinfo``).

    Args:
        path: any path (followed to its real location).

    Returns:
        The type as the kernel names it (``ext4``, ``nfs4``, ``fuse.sshfs``), or None when
        unknown (not Linux, unreadable).
    """
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
    """Whether file events see every change under ``path``.

    Returns:
        False on network and shared file systems (see :data:`SHARED_FILESYSTEMS`), where
        other machines' writes raise no event; True otherwise (also when unknown).
    """
    kind = filesystem_type(path)
    return kind is None or not (kind in SHARED_FILESYSTEMS or kind.startswith("fuse"))
