"""A tiny mesh for import tests: one domain and nothing else."""

from __future__ import annotations

from pathlib import Path


def empty_mesh(parent: Path, domain: str = "sales") -> Path:
    """Create ``<parent>/domains/<domain>/domain.yaml`` and return the mesh root."""
    root = parent / "domains"
    (root / domain).mkdir(parents=True)
    (root / domain / "domain.yaml").write_text(
        f"name: {domain}\ntitle: {domain.title()}\ndescription: Orders and customers.\n",
        encoding="utf-8")
    return root
