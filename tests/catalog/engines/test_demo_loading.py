"""The demo's copy into PostgreSQL opens its own DuckDB (not the sandbox), so it attaches only
database files of the data folder: a contract pointing elsewhere is refused by name."""

from __future__ import annotations

from pathlib import Path

from catalog.config import Settings
from catalog.engines.demo import serve_from_postgres
from tests.portal.pagetest import copy_manifests


def test_a_database_outside_the_data_folder_is_not_attached(tmp_path: Path) -> None:
    root = copy_manifests(tmp_path / "domains")
    pointed = 0
    for contract in root.glob("operations/*/*.odcs.yaml"):
        text = contract.read_text(encoding="utf-8")
        if "database: mesh.duckdb" in text:
            contract.write_text(text.replace("database: mesh.duckdb",
                                             "database: ../../outside.duckdb"), encoding="utf-8")
            pointed += 1
    assert pointed
    data = tmp_path / "data"
    data.mkdir()
    said: list[str] = []
    env = serve_from_postgres(Settings(mesh_root=root, data_dir=data),
                              "postgresql://nobody@127.0.0.1:9/none", said.append)
    assert env == {}
    refused = [line for line in said if "outside" in line and "not copied" in line]
    assert len(refused) == pointed, said
    assert all(line.startswith("operations.") for line in refused)
