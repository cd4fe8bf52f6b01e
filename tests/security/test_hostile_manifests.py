"""Hostile manifests cannot crash, hang or leak: each attack becomes a problem naming file, line
and field, and the rest of the mesh still loads.

Attacks that could kill or block the test process (deep nesting, named pipes, huge files) run
``load_mesh`` in a child process with a timeout: a crash shows as a negative exit code, a hang
as the timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from catalog.config import REPO_ROOT, Settings
from catalog.manifests.documents import parse_document
from catalog.manifests.loader import load_mesh
from catalog.mesh import ManifestProblem

PRODUCT = "sales/orders/product.odps.yaml"
CONTRACT = "sales/orders/orders.odcs.yaml"
DOMAIN = "sales/domain.yaml"
MARKER = "MARKER-7c1e9b-outside-the-mesh"
CHILD_TIMEOUT_S = 120

_LOAD = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from catalog.manifests.loader import load_mesh
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mesh = load_mesh(Path(sys.argv[2]))
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    print(json.dumps({
        "products": sorted(mesh.products),
        "problems": [[p.file, p.line, p.field, p.message, p.severity] for p in mesh.problems],
        "rss_growth_kb": grew,
    }))
""")


def _load_in_child(root: Path) -> dict[str, Any]:
    """``load_mesh(root)`` in a fresh process; fails the test on a crash or a hang."""
    try:
        proc = subprocess.run([sys.executable, "-c", _LOAD, str(REPO_ROOT), str(root)],
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"load_mesh did not finish within {CHILD_TIMEOUT_S} s (it hangs)")
    assert proc.returncode == 0, (
        f"load_mesh died with exit code {proc.returncode} (negative: killed by a signal, "
        f"e.g. -11 = segmentation fault): {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["problems"] = [ManifestProblem(*row) for row in result["problems"]]
    return result


def _the_error(problems: list[ManifestProblem], rel: str) -> ManifestProblem:
    """The one error about ``domains/<rel>``, checked to name file, line and field."""
    errors = [p for p in problems if p.severity == "error" and p.file == f"domains/{rel}"]
    assert len(errors) == 1, [str(p) for p in problems]
    problem = errors[0]
    assert isinstance(problem.line, int) and problem.line >= 1, str(problem)
    assert isinstance(problem.field, str), str(problem)
    return problem


def _replace(file: Path, content: bytes) -> None:
    file.unlink()
    file.write_bytes(content)


# --- 1. Deep nesting: refused before any parser runs, never a crash --------------------------

DEEP = {  # content, line where the nesting passes 64 levels
    "flow-sequences": (b"apiVersion: v3.1.0\nschema: " + b"[" * 30_000, 2),
    "flow-mappings": (b"apiVersion: v3.1.0\nschema: " + b"{a: " * 20_000, 2),
    "compact-sequences": (b"apiVersion: v3.1.0\nschema:\n" + b"- " * 30_000 + b"x\n", 3),
    "explicit-keys": (b"apiVersion: v3.1.0\nschema:\n" + b"? " * 30_000 + b"x\n", 3),
    "sequence-of-flows": (b"apiVersion: v3.1.0\nschema:\n" + b"- [" * 15_000 + b"\n", 3),
    "mixed-flows": (b"apiVersion: v3.1.0\nschema: " + b"[{a: " * 10_000, 2),
}


@pytest.mark.parametrize(("content", "line"), DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_without_crashing(fixture_mesh: Settings, content: bytes,
                                                  line: int) -> None:
    root = fixture_mesh.mesh_root
    _replace(root / CONTRACT, content)
    result = _load_in_child(root)
    problem = _the_error(result["problems"], CONTRACT)
    assert "nested more than 64 levels" in problem.message
    assert problem.line == line
    assert result["products"] == ["sales.customers", "sales.orders"]


def test_deep_block_nesting_names_its_line(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    deep = "".join(" " * (level + 1) + f"k{level}:\n" for level in range(2_000))
    (root / PRODUCT).write_text("apiVersion: v1.1.0\nnested:\n" + deep)
    mesh = load_mesh(root)
    problem = _the_error(mesh.problems, PRODUCT)
    assert "nested more than 64 levels" in problem.message
    assert problem.line == 2 + 64  # k63, on line 66, is the 65th level (with the top mapping)
    assert "sales.customers" in mesh.products


# --- 2. Dangling symbolic links: an error, so validate fails --------------------------------


@pytest.mark.parametrize("rel", [PRODUCT, CONTRACT, DOMAIN])
def test_dangling_symlink_is_an_error(fixture_mesh: Settings, rel: str) -> None:
    root = fixture_mesh.mesh_root
    (root / rel).unlink()
    (root / rel).symlink_to(root / "sales" / "missing.yaml")
    mesh = load_mesh(root)
    problem = _the_error(mesh.problems, rel)
    assert "does not exist (dangling symbolic link)" in problem.message
    assert "sales.customers" in mesh.products


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "catalog", "validate", str(path)],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=CHILD_TIMEOUT_S, check=False)


@pytest.mark.parametrize("scope", ["mesh", "product folder"])
def test_validate_fails_on_a_dangling_symlink(fixture_mesh: Settings, scope: str) -> None:
    root = fixture_mesh.mesh_root
    (root / PRODUCT).unlink()
    (root / PRODUCT).symlink_to(root / "sales" / "orders" / "gone.odps.yaml")
    proc = _validate(root if scope == "mesh" else root / "sales" / "orders")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert any("product.odps.yaml:1: error:" in line and "dangling symbolic link" in line
               for line in proc.stdout.splitlines()), proc.stdout


@pytest.mark.parametrize("rel", [PRODUCT, CONTRACT, DOMAIN, "sales/loop"])
def test_symlink_loop_is_an_error_not_a_crash(fixture_mesh: Settings, rel: str) -> None:
    root = fixture_mesh.mesh_root
    if os.path.lexists(root / rel):
        (root / rel).unlink()
    (root / rel).symlink_to((root / rel).name)  # a link to itself
    mesh = load_mesh(root)
    if rel != "sales/loop":  # a loop named like a folder is no folder: nothing to load
        problem = _the_error(mesh.problems, rel)
        assert "symbolic link that loops" in problem.message
    assert "sales.customers" in mesh.products


# --- 3. Named pipes: refused without blocking ------------------------------------------------


@pytest.mark.parametrize("rel", [PRODUCT, CONTRACT, DOMAIN])
def test_fifo_in_place_of_a_manifest_does_not_hang(fixture_mesh: Settings, rel: str) -> None:
    root = fixture_mesh.mesh_root
    (root / rel).unlink()
    os.mkfifo(root / rel)
    result = _load_in_child(root)
    problem = _the_error(result["problems"], rel)
    assert "is a FIFO/named pipe, not a regular file" in problem.message
    assert "sales.customers" in result["products"]


# --- 4. Links out of the mesh: refused, their content never shown ----------------------------

OUTSIDE_MANIFEST = f"""apiVersion: {MARKER}
kind: DataProduct
id: {MARKER}
name: {MARKER}
status: {MARKER}
{MARKER}: {MARKER}
""".encode()


@pytest.mark.parametrize("rel", [PRODUCT, CONTRACT, DOMAIN])
def test_symlink_to_a_file_outside_is_refused_and_not_echoed(fixture_mesh: Settings,
                                                             rel: str) -> None:
    root = fixture_mesh.mesh_root
    secret = root.parent / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_bytes(OUTSIDE_MANIFEST)
    (root / rel).unlink()
    (root / rel).symlink_to(secret)
    mesh = load_mesh(root)
    problem = _the_error(mesh.problems, rel)
    assert "is a symbolic link to a place outside the mesh folder" in problem.message
    assert not any(MARKER in str(p) for p in mesh.problems), [str(p) for p in mesh.problems]
    assert "sales.customers" in mesh.products


def _outside_product(folder: Path, domain: str, name: str) -> None:
    """A valid product folder ``<domain>.<name>`` (from the fixture's orders) at ``folder``."""
    fixture = REPO_ROOT / "tests" / "fixtures" / "mesh" / "sales" / "orders"
    folder.mkdir(parents=True)
    for file in fixture.iterdir():
        text = file.read_text().replace("sales.orders", f"{domain}.{name}")
        text = text.replace("domain: sales", f"domain: {domain}")
        (folder / file.name).write_text(text)


def test_symlinked_product_folder_outside_is_not_loaded(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    outside = root.parent / "outside" / "stolen"
    _outside_product(outside, "sales", "stolen")
    (root / "sales" / "stolen").symlink_to(outside, target_is_directory=True)
    mesh = load_mesh(root)
    assert "sales.stolen" not in mesh.products
    problem = _the_error(mesh.problems, "sales/stolen")
    assert "folder is a symbolic link to a place outside" in problem.message
    assert sorted(mesh.products) == ["sales.customers", "sales.orders"]


def test_symlinked_domain_folder_outside_is_not_loaded(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    outside = root.parent / "outside" / "evil"
    _outside_product(outside / "orders", "evil", "orders")
    (outside / "domain.yaml").write_text("name: evil\ntitle: Evil\n")
    (root / "evil").symlink_to(outside, target_is_directory=True)
    mesh = load_mesh(root)
    assert "evil" not in mesh.domains and "evil.orders" not in mesh.products
    _the_error(mesh.problems, "evil")


def test_symlinks_inside_the_mesh_still_work(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    shared = root / "_shared"  # folders starting with "_" are not loaded themselves
    shared.mkdir()
    (root / PRODUCT).rename(shared / "orders.odps.yaml")
    (root / PRODUCT).symlink_to(Path("..") / ".." / "_shared" / "orders.odps.yaml")
    mesh = load_mesh(root)
    assert mesh.problems == []
    assert sorted(mesh.products) == ["sales.customers", "sales.orders"]


# --- 5. Sizes checked before reading ---------------------------------------------------------


def test_size_is_checked_before_reading(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    big = 300 * 1024 * 1024
    with open(root / PRODUCT, "r+b") as handle:  # sparse: no disk used, 300 MB to a reader
        handle.truncate(big)
    result = _load_in_child(root)
    problem = _the_error(result["problems"], PRODUCT)
    assert f"is {big:,} bytes; the limit is 2,097,152 bytes" in problem.message
    assert result["rss_growth_kb"] < 64 * 1024, "the file was read into memory"
    assert "sales.customers" in result["products"]


def test_huge_scalars_and_keys_are_quick_and_not_echoed_in_full(fixture_mesh: Settings) -> None:
    root = fixture_mesh.mesh_root
    text = (root / CONTRACT).read_text()
    long_value = "x" * 1_900_000
    (root / CONTRACT).write_text(text.replace("apiVersion: v3.1.0", f"apiVersion: {long_value}"))
    customers = "sales/customers/product.odps.yaml"
    for rel, key in ((customers, "k" * 1_000_000), (DOMAIN, "k" * 1_000)):
        (root / rel).write_text((root / rel).read_text() + f"{key}: 1\n")
    started = time.process_time()  # CPU time: the machine may be busy with other work
    mesh = load_mesh(root)
    assert time.process_time() - started < 5
    for rel in (CONTRACT, customers, DOMAIN):
        problem = _the_error(mesh.problems, rel)
        assert len(problem.message) <= 1_000 and len(problem.field) <= 1_000, rel
    assert "sales.orders" in mesh.products


@pytest.mark.parametrize(("text", "expected"), [
    ("a: [" + "[a,[b]]," * 250_000 + "]", "more than 100,000 values"),
    ("a: &a [1]\n" + "".join(f"b{i}: *a\n" for i in range(150_000)), "more than 100,000 values"),
    ("tags:\n" + "  - x\n" * 300_000 + "tags: 1\n", "duplicate"),
])
def test_large_documents_take_well_under_two_seconds(text: str, expected: str) -> None:
    started = time.process_time()
    doc = parse_document(text.encode(), "big.odcs.yaml", "odcs")
    assert time.process_time() - started < 2.0
    [problem] = doc.problems
    assert expected in problem.message and problem.line >= 1


def test_a_fifo_in_place_of_policies_yaml_is_an_error_not_a_hang(tmp_path: Path) -> None:
    """A domain's policies.yaml is a manifest too: a pipe there is refused without opening."""
    script = (
        "import os, shutil, sys\n"
        "from pathlib import Path\n"
        "from catalog.governance.overrides import load_domain_policies\n"
        f"root = Path({str(tmp_path)!r}) / 'domains'\n"
        "shutil.copytree(Path('tests/fixtures/mesh'), root)\n"
        "os.mkfifo(root / 'sales' / 'policies.yaml')\n"
        "result = load_domain_policies(root / 'sales', 'domains/sales/policies.yaml')\n"
        "print([f.message for f in result.problems])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, cwd=REPO_ROOT)
    assert out.returncode == 0, out.stderr
    assert "FIFO" in out.stdout or "pipe" in out.stdout, out.stdout
