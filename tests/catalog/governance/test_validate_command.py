"""python -m catalog validate: formats, scopes and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.cli import main
from catalog.config import REPO_ROOT
from tests.catalog.governance.mesh_builder import mesh_of, odcs, odps, props


@pytest.fixture()
def mesh_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A mesh with one compliant product, one breaking policies, one broken file; cwd = its
    parent, so findings are named ``domains/…``."""
    root = tmp_path / "domains"
    bad = odcs(name="refunds", slaProperties=[{"property": "frequency", "value": 1}])
    props(bad).append({"name": "email", "logicalType": "string", "description": "x",
                       "classification": "restricted"})
    mesh_of(root, (odps(), odcs()), (odps(name="refunds"), bad))
    broken = root / "sales" / "returns"
    broken.mkdir()
    (broken / "product.odps.yaml").write_text("apiVersion: v1.1.0\nkind: DataProduct\n"
                                              "id: sales.returns\nstatus: [active\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MESH_ROOT", str(root))
    monkeypatch.setenv("MESH_DATA_DIR", str(tmp_path / "data"))
    return root


def test_text_lists_every_finding_and_exits_1(mesh_root: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines == sorted(lines, key=lambda x: (x.split(":")[0], int(x.split(":")[1])))
    assert any(line.startswith("domains/sales/returns/product.odps.yaml:")
               and ": error: manifest-schema: invalid YAML" in line for line in lines)
    freshness = next(x for x in lines if "sla-freshness" in x)
    assert freshness.startswith("domains/sales/refunds/refunds.odcs.yaml:")
    assert ": error: sla-freshness: " in freshness
    assert any(": warning: pii-marked: property 'email'" in x for x in lines)
    assert not any("sales/orders/" in x for x in lines)  # the compliant product
    assert "checked 2 products in 1 domains" in err


def test_json_format(mesh_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["products"] == 2
    assert doc["summary"]["errors"] == sum(f["severity"] == "error" for f in doc["findings"])
    finding = next(f for f in doc["findings"] if f["policy_id"] == "sla-freshness")
    assert finding["product_id"] == "sales.refunds" and finding["line"] > 0
    assert finding["fix"] and finding["origin"] == "global"


def test_github_format(mesh_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    freshness = next(x for x in lines if "title=sla-freshness" in x)
    assert freshness.startswith("::error file=domains/sales/refunds/refunds.odcs.yaml,line=")
    assert "::sourceAligned product" in freshness and "Fix%3A" not in freshness
    assert any(x.startswith("::warning file=") and "title=pii-marked" in x for x in lines)


def test_a_clean_product_folder_or_file_exits_0(mesh_root: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(mesh_root / "sales" / "orders")]) == 0
    assert main(["validate", str(mesh_root / "sales" / "orders" / "orders.odcs.yaml")]) == 0
    assert capsys.readouterr().out == ""
    assert main(["validate", str(mesh_root / "sales" / "refunds" / "product.odps.yaml")]) == 1
    assert "refunds" in capsys.readouterr().out


def test_warnings_alone_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    contract = odcs()
    props(contract).append({"name": "phone", "logicalType": "string", "description": "x",
                            "classification": "restricted"})
    mesh_of(tmp_path / "domains", (odps(), contract))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "domains/sales"]) == 0
    assert ": warning: pii-marked: " in capsys.readouterr().out


def test_a_loose_contract_is_checked_against_the_standard(
        capsys: pytest.CaptureFixture[str]) -> None:
    negative = REPO_ROOT.parent / "shared" / "standards" / "odcs-examples" / "negative"
    if not negative.is_dir():
        pytest.skip("shared standards not present")
    assert main(["validate", str(negative / "invalid-quality-type.odcs.yaml")]) == 1
    out = capsys.readouterr().out
    assert ":17: error: manifest-schema: schema[0].properties[0].quality[0].type:" in out


def test_a_missing_path_is_a_refusal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no/such/folder"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_subprocess_on_the_demo_mesh_reports_its_real_gaps(tmp_path: Path) -> None:
    env = {**os.environ, "MESH_DATA_DIR": str(tmp_path / "no-data-here")}
    env.pop("MESH_ROOT", None)
    proc = subprocess.run([sys.executable, "-m", "catalog", "validate"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert "domains/reference/airlines/airlines.odcs.yaml:60: error: sla-freshness: " \
           "sourceAligned product: the contract of port 'airlines' promises no freshness " \
           "(no slaProperties entry 'freshness')" in lines
    assert any(x.startswith("domains/reference/airport_connections/product.odps.yaml:") and
               ": warning: reference-data-tagged: " in x for x in lines)
    assert re.search(r"checked \d+ products in \d+ domains: [1-9]\d* errors", proc.stderr)
