"""``python -m catalog diff | import | export``: output formats and exit codes, in-process
through ``catalog.cli.main`` and once as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import ryaml

from catalog.cli import main
from catalog.config import REPO_ROOT
from tests.catalog.meshes import empty_mesh
from tests.conftest import SHARED_STANDARDS

FLIGHTS = REPO_ROOT / "domains/operations/flights/flights.odcs.yaml"


@pytest.fixture()
def mesh_root(tmp_path: Path) -> Path:
    """An empty mesh with one domain, ``sales``."""
    return empty_mesh(tmp_path)


def _edited(tmp_path: Path, old: str, new: str, name: str = "new.odcs.yaml") -> Path:
    text = FLIGHTS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


DATE_LINE = FLIGHTS.read_text(encoding="utf-8").splitlines().index(
    "        logicalType: date") + 1
"""Line of the first property's logicalType, which the invalid copies break."""

REMOVE_CANCELLED = ("      - name: is_cancelled\n", "      - name: was_cancelled\n")
"""A rename: the property is_cancelled disappears and was_cancelled (required) appears."""


def test_diff_of_identical_contracts_exits_0_with_no_bump(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    assert main(["diff", str(FLIGHTS), str(FLIGHTS)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["bump: none (1.2.0 -> 1.2.0)"]


def test_diff_with_a_breaking_change_exits_1_and_lists_it_first(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _edited(tmp_path, *REMOVE_CANCELLED)
    text = new.read_text().replace("tags: [flights, punctuality, operations]",
                                   "tags: [flights, punctuality]")
    new.write_text(text)
    assert main(["diff", str(FLIGHTS), str(new)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("breaking: major: ")
    assert any("property-removed: schema.flights.is_cancelled:" in line for line in lines)
    assert any(line.startswith("non-breaking: patch: documentation-changed: tags") for line in
               lines)
    assert [i for i, line in enumerate(lines) if line.startswith("non-breaking")][0] > max(
        i for i, line in enumerate(lines) if line.startswith("breaking"))
    assert lines[-2] == "bump: major (1.2.0 -> 2.0.0)"
    assert lines[-1] == ("warning: the new contract declares version 1.2.0; these changes "
                         "need 2.0.0 or later")


def test_diff_with_only_additions_exits_0_and_asks_for_a_minor_version(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = _edited(tmp_path, "version: 1.2.0\n", "version: 1.3.0\n")
    text = new.read_text().replace(
        "        examples: [false, true]\n",
        "        examples: [false, true]\n"
        "      - {name: remark, logicalType: string, description: Free text}\n")
    new.write_text(text)
    assert main(["diff", str(FLIGHTS), str(new), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["bump"] == "minor" and report["breaking"] is False
    assert report["suggested_version"] == "1.3.0" and report["version_ok"] is True
    (added,) = report["changes"]
    assert added["kind"] == "property-added" and added["path"] == "schema.flights.remark"
    assert set(added) == {"kind", "path", "old", "new", "breaking", "message", "bump"}


def test_diff_json_of_a_breaking_change(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    new = _edited(tmp_path, "mustBeGreaterThan: 300000", "mustBeGreaterThan: 400000")
    assert main(["diff", str(FLIGHTS), str(new), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["breaking"] is True and report["version_ok"] is False
    assert [c["kind"] for c in report["changes"]] == ["quality-rule-tightened"]


def test_diff_of_an_invalid_file_exits_2_with_file_line_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _edited(tmp_path, "        logicalType: date\n", "        logicalType: 12\n",
                  "bad.odcs.yaml")
    assert main(["diff", str(FLIGHTS), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{bad}:{DATE_LINE}: error: schema[0].properties[0].logicalType:" in captured.err


def test_diff_refuses_a_product_file(capsys: pytest.CaptureFixture[str]) -> None:
    odps = FLIGHTS.parent / "product.odps.yaml"
    assert main(["diff", str(odps), str(FLIGHTS)]) == 2
    assert "a data contract (ODCS, kind DataContract) is expected" in capsys.readouterr().err


def test_import_prints_the_product_id_and_export_writes_the_pair(
        tmp_path: Path, mesh_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = _edited(tmp_path, "id: operations.flights.flights", "id: sales.flights.flights",
                       "flights.odcs.yaml")
    assert main(["import", str(contract), "--domain", "sales", "--root", str(mesh_root)]) == 0
    assert capsys.readouterr().out == "sales.flights\n"
    out = tmp_path / "out"
    assert main(["export", "sales.flights", "--out", str(out), "--markdown",
                 "--root", str(mesh_root)]) == 0
    written = capsys.readouterr().out.splitlines()
    assert written == [str(out / n) for n in ("product.odps.yaml", "flights.odcs.yaml",
                                              "sales.flights.md")]
    assert (out / "flights.odcs.yaml").read_bytes() == contract.read_bytes()
    assert ryaml.loads((out / "product.odps.yaml").read_text())["id"] == "sales.flights"
    assert "# flights" in (out / "sales.flights.md").read_text()


def test_import_refusals_exit_2_and_write_nothing(tmp_path: Path, mesh_root: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    contract = _edited(tmp_path, "id: operations.flights.flights", "id: x", "f.odcs.yaml")
    args = ["import", str(contract), "--domain", "sales", "--root", str(mesh_root)]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args[:-2], "--root", str(mesh_root)]) == 2
    assert "already exists" in capsys.readouterr().err
    bad = _edited(tmp_path, "        logicalType: date\n", "        logicalType: 12\n",
                  "bad.odcs.yaml")
    assert main(["import", str(bad), "--domain", "sales", "--root", str(mesh_root)]) == 2
    assert f"{bad}:{DATE_LINE}: error: schema[0].properties[0].logicalType:" in \
        capsys.readouterr().err
    assert main(["import", str(contract), "--domain", "..", "--root", str(mesh_root)]) == 2
    assert "naming convention" in capsys.readouterr().err
    assert sorted(p.name for p in (mesh_root / "sales").iterdir()) == ["domain.yaml", "flights"]


def test_export_of_an_unknown_product_exits_2(tmp_path: Path, mesh_root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "sales.nothing", "--out", str(tmp_path / "o"),
                 "--root", str(mesh_root)]) == 2
    assert "no data product with id 'sales.nothing'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_diff_as_a_real_command(tmp_path: Path) -> None:
    new = _edited(tmp_path, *REMOVE_CANCELLED)
    done = subprocess.run([sys.executable, "-m", "catalog", "diff", str(FLIGHTS), str(new)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "breaking: major: property-removed: schema.flights.is_cancelled:" in done.stdout
    assert "bump: major (1.2.0 -> 2.0.0)" in done.stdout


@pytest.mark.skipif(not SHARED_STANDARDS.is_dir(), reason="shared/ is absent")
def test_import_tells_what_the_new_product_still_lacks(mesh_root: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A product that breaks the domain's error policies is not imported (the same governance
    gate as the wizard); the dry run and the refusal list what to fix; nothing is written."""
    odps = SHARED_STANDARDS / "odps-examples/simple-data-product.odps.yaml"
    args = ["import", str(odps), "--domain", "sales", "--root", str(mesh_root)]
    assert main([*args, "--dry-run"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "sales.simple_data_product\n"
    assert "error: required-metadata: output port 'processed-data' has no data contract" \
        in captured.err
    assert main(args) == 2
    assert "cannot be imported yet" in capsys.readouterr().err
    assert sorted(p.name for p in (mesh_root / "sales").iterdir()) == ["domain.yaml"]


def test_an_import_is_owned_by_who_imports_it_and_audited(
        tmp_path: Path, mesh_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = _edited(tmp_path, "id: operations.flights.flights", "id: sales.flights.flights",
                       "flights.odcs.yaml")
    assert main(["import", str(contract), "--domain", "sales", "--root", str(mesh_root)]) == 0
    assert "who imports it, is its owner now" in capsys.readouterr().err
    odps = ryaml.loads((mesh_root / "sales" / "flights" / "product.odps.yaml").read_text())
    assert {"username": "local", "name": "Local user", "role": "owner"} in \
        odps["team"]["members"]
