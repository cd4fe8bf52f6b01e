"""Where the mesh lives: manifest root and data directory, from the environment.

Environment variables:
    MESH_ROOT: folder of domain manifests (default ``<repo>/domains``).
    MESH_DATA_DIR: folder holding the built DuckDB file and uploaded data (default
        ``<repo>/data``, git-ignored). Relative ``servers[].database`` / ``path`` entries of
        contracts resolve against it.
    MESH_STATE_DB: the operational store (quality runs, audit log, compliance history, access
        grants, API tokens), a SQLite file (default ``<data dir>/state.sqlite``).
    MESH_STATE_URL: the operational store as a database URL instead, e.g.
        ``postgresql://user:password@host:5432/mesh`` for several replicas sharing one store
        (default: the SQLite file above); see ``docs/state-store.md``.
    MESH_UPLOAD_LIMIT_MB: largest file the registration form accepts, in MB (default 200).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Paths of one mesh deployment.

    Attributes:
        mesh_root: folder with ``<domain>/domain.yaml`` and ``<domain>/<product>/`` manifests.
        data_dir: folder that relative server paths in contracts resolve against.
        state_db: the operational store's file; ``<data_dir>/state.sqlite`` when None.
        upload_limit_mb: largest upload the registration form accepts, in MB.
        state_url: the operational store's database URL (``postgresql://…``); the SQLite file
            ``state_path`` when None.
    """

    mesh_root: Path
    data_dir: Path
    state_db: Path | None = None
    upload_limit_mb: int = 200
    state_url: str | None = field(default=None, repr=False)  # may hold a password

    @property
    def state_path(self) -> Path:
        """The operational store's SQLite file (``<data_dir>/state.sqlite`` unless set)."""
        return self.state_db or self.data_dir / "state.sqlite"

    @property
    def store_url(self) -> str:
        """The operational store's database URL: ``state_url`` when set, else
        ``sqlite:///<state_path>``. May hold a password: never print it."""
        return self.state_url or f"sqlite:///{self.state_path}"

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``MESH_ROOT``, ``MESH_DATA_DIR``, ``MESH_STATE_DB``, ``MESH_STATE_URL`` and
        ``MESH_UPLOAD_LIMIT_MB``, falling back to the repository defaults."""
        root = Path(os.environ.get("MESH_ROOT", REPO_ROOT / "domains")).resolve()
        data = Path(os.environ.get("MESH_DATA_DIR", REPO_ROOT / "data")).resolve()
        state = os.environ.get("MESH_STATE_DB")
        return cls(mesh_root=root, data_dir=data,
                   state_db=Path(state).resolve() if state else None,
                   upload_limit_mb=int(os.environ.get("MESH_UPLOAD_LIMIT_MB", "200")),
                   state_url=(os.environ.get("MESH_STATE_URL") or "").strip() or None)
