"""Validation of manifests and policies over folders and files, as domain CI runs it.

A path is a mesh folder, a domain folder, a product folder or a single ODPS/ODCS file. Folders
and files inside a mesh are checked with the whole mesh loaded (lineage and the domain's
``policies.yaml`` need it), and only findings in the path are reported; a file outside any
product folder is checked against its standard alone. Manifest problems carry the policy id
``manifest-schema``. Meshes are read through the persisted mesh index when it is warm (only
changed manifests are parsed again; a cold run saves it from a detached process at the end).
The minimum-quality-score policy uses the operational store's latest runs when the path is the
configured mesh and the store exists; elsewhere it is "not yet measured".

This use case reads only the files its caller names (a checkout on the caller's machine), so it
takes no principal; the command line (``python -m catalog validate``) is its door.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.config import Settings
from catalog.errors import InvalidRequest
from catalog.gc_pause import gc_paused
from catalog.governance.evaluate import evaluate_mesh
from catalog.governance.model import ComplianceReport, Finding, Severity
from catalog.manifests.documents import kind_of, parse_document
from catalog.manifests.loader import DOMAIN_FILE, PRODUCT_FILE, check_contract_models
from catalog.mesh import ManifestProblem, Mesh
from catalog.mesh_index.index import MeshIndex
from catalog.mesh_index.persist import cache_file
from catalog.quality import history as quality_history
from catalog.store import open_store

SCHEMA_POLICY = "manifest-schema"
"""Policy id of manifest problems (YAML, JSON Schema, pydantic, layout)."""


@dataclass(frozen=True)
class Target:
    """What one PATH means: the mesh to load and the part of it to report on.

    Attributes:
        path: the PATH as resolved.
        root: mesh root to load, ``None`` for a standalone file.
        scope: report only findings in files under this path (``None``: everything).
    """

    path: Path
    root: Path | None
    scope: Path | None


def resolve(path: Path) -> list[Target]:
    """Classify a PATH (mesh, domain, product folder, file, or a folder of loose files).

    Raises:
        InvalidRequest: the path does not exist, or is a file that is not a manifest.
    """
    path = path.resolve()
    if path.is_file():
        if kind_of(path) not in ("odps", "odcs"):
            raise InvalidRequest(f"{path} is not an ODPS (*.odps.yaml) or ODCS (*.odcs.yaml) "
                                 "file, nor a folder.")
        if _present(path.parent / PRODUCT_FILE):
            return [Target(path, path.parent.parent.parent, path.parent)]
        return [Target(path, None, path)]
    if not path.is_dir():
        raise InvalidRequest(f"{path} does not exist; give a mesh folder, a domain folder or "
                             "an ODPS/ODCS file.")
    if _present(path / PRODUCT_FILE):
        return [Target(path, path.parent.parent, path)]
    if _present(path / DOMAIN_FILE) or any(_present(p / PRODUCT_FILE)
                                           for p in path.iterdir() if p.is_dir()):
        return [Target(path, path.parent, path)]
    loose = sorted(p for p in path.iterdir() if p.is_file() and kind_of(p) in ("odps", "odcs"))
    if loose:
        return [Target(p, None, p) for p in loose]
    return [Target(path, path, None)]


def _present(path: Path) -> bool:
    """Whether a manifest name is taken, even by a dangling link or a pipe (the loader then
    reports what is wrong with it)."""
    return os.path.lexists(path)


def _from_problem(problem: ManifestProblem) -> Finding:
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    severity: Severity = "error" if problem.severity == "error" else "warning"
    return Finding(SCHEMA_POLICY, severity, message, "Fix the manifest so that it follows the "
                   "standard (ODPS v1.1 / ODCS v3).", "", problem.file, problem.line,
                   problem.field)


def _scores(root: Path, settings: Settings) -> dict[str, float | None] | None:
    if root != settings.mesh_root or (settings.state_url is None
                                      and not settings.state_path.is_file()):
        return None
    runs = quality_history.latest_runs(open_store(settings), with_results=False)
    return {pid: run.score.value for pid, run in runs.items()}


@dataclass
class Outcome:
    """Findings of all PATHs, and what was checked."""

    findings: list[Finding]
    products: int = 0
    domains: int = 0
    not_measured: int = 0


PARALLEL_FROM = 1000
"""Meshes with at least this many products are checked in two processes (see
:func:`check_mesh`)."""

CHILD_SHARE = 3
"""The forked child evaluates the policies of every ``CHILD_SHARE``-th product, besides
building every ODCS model (which costs about as much as a sixth of the policies)."""

Shared = tuple[list[ManifestProblem], dict[str, ComplianceReport]]


def _elsewhere(mesh: Mesh, scores: dict[str, float | None] | None, ids: set[str]
               ) -> Callable[[], Shared]:
    """Start the second layer (:func:`check_contract_models`) and the policies of products
    ``ids`` in a forked child; returns a function that waits for them.

    The child shares the loaded mesh (copy-on-write) and sends back only problems and
    reports, so the parent evaluates the other products meanwhile (2 cores). Runs in-process
    instead where fork is unavailable, with other threads running, or for a small mesh.
    """
    def work() -> Shared:
        """The child's share, wherever it runs."""
        return check_contract_models(mesh), evaluate_mesh(mesh, scores, ids).reports

    if not ids or not hasattr(os, "fork") or threading.active_count() > 1:
        result = work()
        return lambda: result
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: do its share, send it, leave without cleanup
        os.close(read_end)
        try:
            payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent redoes the work itself
            payload = b""
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)

    def wait() -> Shared:
        """The child's share (or the same work done here if the child failed)."""
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
        shared: Shared = pickle.loads(payload) if payload else work()  # noqa: S301
        return shared

    return wait


def check_mesh(mesh: Mesh, scores: dict[str, float | None] | None) -> Outcome:
    """Every manifest problem (both validation layers) and policy finding of a loaded mesh.

    From :data:`PARALLEL_FROM` products on, a forked child builds the ODCS models and
    evaluates a third of the products while this process evaluates the rest.
    """
    with gc_paused(freeze=True):  # a command's last work: no sweep of the loaded mesh after
        ids: set[str] = set()
        if len(mesh.products) >= PARALLEL_FROM:
            ids = set(list(mesh.products)[::CHILD_SHARE])
        shared = _elsewhere(mesh, scores, ids)
        mine = {pid for pid in mesh.products if pid not in ids} if ids else None
        compliance = evaluate_mesh(mesh, scores, mine)
        models, reports = shared()
        if ids:
            reports.update(compliance.reports)
            compliance.reports = {pid: reports[pid] for pid in mesh.products if pid in reports}
        problems = [*mesh.problems, *models]
    findings = [_from_problem(p) for p in problems]
    findings += compliance.problems + compliance.findings()
    unknown = sum(r.status == "unknown" for rep in compliance.reports.values()
                  for r in rep.results)
    return Outcome(findings, len(mesh.products), len(mesh.domains), unknown)


def _standalone(target: Target) -> Outcome:
    kind = kind_of(target.path) or "odcs"
    loaded = parse_document(target.path.read_bytes(), str(target.path), kind, strict=True)
    return Outcome([_from_problem(p) for p in loaded.problems])


def _in_scope(finding: Finding, base: Path, scope: Path | None) -> bool:
    if scope is None:
        return True
    file = base / finding.file
    return file == scope or scope in file.parents


def _mesh_index(root: Path, settings: Settings) -> MeshIndex:
    """The mesh under ``root`` as :func:`~catalog.manifests.loader.load_mesh` gives it, read
    from the persisted mesh index (:mod:`catalog.mesh_index`, under the data folder) when it
    is there: only manifests changed since it was saved are parsed. No search index, no last
    good version of a broken product (CI must see exactly what the files say)."""
    return MeshIndex(root, cache_file(settings.data_dir, root), keep_last_good=False,
                     search=False, autosave=False)


def collect(targets: list[Target], settings: Settings) -> Outcome:
    """Check every target, loading each mesh root once.

    Returns:
        The findings, sorted by file and line, and counts of what was checked.
    """
    meshes: dict[Path, Outcome] = {}
    total = Outcome([])
    seen: set[tuple[str, int | None, str, str]] = set()
    names: dict[tuple[Path, str], str | None] = {}
    for target in targets:
        if target.root is None:
            part, base = _standalone(target), Path()
        else:
            if target.root not in meshes:
                index = _mesh_index(target.root, settings)
                mesh = index.snapshot().mesh
                meshes[target.root] = check_mesh(mesh, _scores(target.root, settings))
                report = index.last_refresh
                if report is not None and (report.source != "cache" or report.read):
                    index.save_detached()  # the next run starts warm
                total.products += meshes[target.root].products
                total.domains += meshes[target.root].domains
                total.not_measured += meshes[target.root].not_measured
            part, base = meshes[target.root], target.root.parent
        for finding in part.findings:
            key = (finding.file, finding.line, finding.policy_id, finding.message)
            if key not in seen and _in_scope(finding, base, target.scope):
                seen.add(key)
                total.findings.append(_relative(finding, base, names))
    total.findings.sort(key=lambda f: (f.file, f.line or 0, f.severity != "error", f.policy_id))
    return total


def _relative(finding: Finding, base: Path, names: dict[tuple[Path, str], str | None]
              ) -> Finding:
    """Name the file relative to the working directory when it is under it (for CI).

    Args:
        finding: the finding, its file named relative to ``base`` (or absolute).
        base: the folder its file name is relative to.
        names: the names found so far, by (base, file) (one path resolution per file, not
            per finding: 10,000 findings name about 6,000 files).
    """
    key = (base, finding.file)
    if key not in names:
        path = Path(finding.file) if Path(finding.file).is_absolute() else base / finding.file
        try:
            names[key] = str(path.resolve().relative_to(Path.cwd()))
        except ValueError:
            names[key] = None
    name = names[key]
    return finding if name is None else dataclasses.replace(finding, file=name)




def validate_paths(paths: list[Path], settings: Settings) -> Outcome:
    """Validate each path (the configured mesh root when ``paths`` is empty).

    Args:
        paths: mesh, domain or product folders, or ODPS/ODCS files.
        settings: the configured mesh (for the default path and the stored quality scores).

    Returns:
        Every finding in the paths, sorted by file and line.

    Raises:
        InvalidRequest: a path does not exist or is not a manifest.
    """
    targets = [t for p in paths for t in resolve(p)] or [
        Target(settings.mesh_root, settings.mesh_root, None)]
    return collect(targets, settings)


ValidationOutcome = Outcome
"""The public name of :class:`Outcome`."""
