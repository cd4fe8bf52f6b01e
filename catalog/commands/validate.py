"""``python -m catalog validate [PATH ...]``: check manifests and policies, for domain CI.

A PATH is a mesh folder, a domain folder, a product folder or a single ODPS/ODCS file (default:
the mesh root, ``domains/``). Folders and files inside a mesh are checked with the whole mesh
loaded (lineage and the domain's ``policies.yaml`` need it), and only findings in the PATH are
reported; a file outside any product folder is checked against its standard alone.

Prints one line per finding, ``file:line: severity: policy-id: message`` (manifest problems use
the policy id ``manifest-schema``), sorted by file and line; ``--format json`` prints one JSON
document, ``--format github`` GitHub Actions annotations (``::error file=…,line=…,title=…::``).
The minimum-quality-score policy uses the operational store's latest runs when the PATH is the
configured mesh (``MESH_ROOT``) and the store exists; elsewhere it is "not yet measured".
Exit code 0 when no error was found (warnings allowed), 1 on any error, 2 on a bad PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from catalog.config import Settings
from catalog.errors import InvalidRequest
from catalog.gc_pause import gc_paused
from catalog.governance.evaluate import evaluate_mesh
from catalog.governance.model import Finding, Severity
from catalog.manifests.documents import kind_of, parse_document
from catalog.manifests.loader import DOMAIN_FILE, PRODUCT_FILE, check_contract_models, load_mesh
from catalog.mesh import ManifestProblem, Mesh
from catalog.quality import history as quality_history
from catalog.store import StateStore

NAME = "validate"
HELP = "check manifests and governance policies (for domain CI)"
SCHEMA_POLICY = "manifest-schema"
"""Policy id of manifest problems (YAML, JSON Schema, pydantic, layout)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser``."""
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="mesh folder, domain folder, product folder or ODPS/ODCS file "
                             "(default: the mesh root)")
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="text (file:line: severity: policy-id: message), json, or github "
                             "(GitHub Actions annotations)")


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
    if root != settings.mesh_root or not settings.state_path.is_file():
        return None
    runs = quality_history.latest_runs(StateStore(settings.state_path), with_results=False)
    return {pid: run.score.value for pid, run in runs.items()}


@dataclass
class Outcome:
    """Findings of all PATHs, and what was checked."""

    findings: list[Finding]
    products: int = 0
    domains: int = 0
    not_measured: int = 0


PARALLEL_FROM = 1000
"""Meshes with at least this many products build the ODCS models in a forked worker."""


def _models_elsewhere(mesh: Mesh) -> Callable[[], list[ManifestProblem]]:
    """Start :func:`check_contract_models` in a forked child; returns a function that waits.

    The child shares the loaded mesh (copy-on-write) and sends back only the problems, so the
    parent evaluates policies meanwhile (about 4 s each at 10,000 products, on 2 cores). Runs
    in-process instead where fork is unavailable, with other threads running, or for a small
    mesh.
    """
    if len(mesh.products) < PARALLEL_FROM or not hasattr(os, "fork") or (
            threading.active_count() > 1):
        problems = check_contract_models(mesh)
        return lambda: problems
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: build the models, send the problems, leave without cleanup
        os.close(read_end)
        try:
            payload = pickle.dumps(check_contract_models(mesh))
        except BaseException:  # noqa: BLE001 - the parent redoes the work itself
            payload = b""
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(write_end)

    def wait() -> list[ManifestProblem]:
        """The child's problems (or the same work done here if the child failed)."""
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        os.waitpid(pid, 0)
        return pickle.loads(payload) if payload else check_contract_models(mesh)  # noqa: S301

    return wait


def check_mesh(mesh: Mesh, scores: dict[str, float | None] | None) -> Outcome:
    """Every manifest problem (both validation layers) and policy finding of a loaded mesh."""
    with gc_paused():
        models = _models_elsewhere(mesh)
        compliance = evaluate_mesh(mesh, scores)
        problems = [*mesh.problems, *models()]
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


def collect(targets: list[Target], settings: Settings) -> Outcome:
    """Check every target, loading each mesh root once."""
    meshes: dict[Path, Outcome] = {}
    total = Outcome([])
    seen: set[tuple[str, int | None, str, str]] = set()
    for target in targets:
        if target.root is None:
            part, base = _standalone(target), Path()
        else:
            if target.root not in meshes:
                mesh = load_mesh(target.root)
                meshes[target.root] = check_mesh(mesh, _scores(target.root, settings))
                total.products += meshes[target.root].products
                total.domains += meshes[target.root].domains
                total.not_measured += meshes[target.root].not_measured
            part, base = meshes[target.root], target.root.parent
        for finding in part.findings:
            key = (finding.file, finding.line, finding.policy_id, finding.message)
            if key not in seen and _in_scope(finding, base, target.scope):
                seen.add(key)
                total.findings.append(_relative(finding, base))
    total.findings.sort(key=lambda f: (f.file, f.line or 0, f.severity != "error", f.policy_id))
    return total


def _relative(finding: Finding, base: Path) -> Finding:
    """Name the file relative to the working directory when it is under it (for CI)."""
    path = Path(finding.file) if Path(finding.file).is_absolute() else base / finding.file
    try:
        name = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return finding
    return Finding(**{**asdict(finding), "file": name})


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub workflow-command escaping (``%``, CR, LF; also ``:`` and ``,`` in properties)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def render(outcome: Outcome, fmt: str) -> str:
    """The findings in ``text``, ``json`` or ``github`` format (no trailing newline)."""
    if fmt == "json":
        errors = sum(f.severity == "error" for f in outcome.findings)
        return json.dumps({
            "findings": [asdict(f) for f in outcome.findings],
            "summary": {"products": outcome.products, "domains": outcome.domains,
                        "errors": errors, "warnings": len(outcome.findings) - errors,
                        "not_measured": outcome.not_measured},
        }, indent=2, ensure_ascii=False)
    if fmt == "github":
        lines = []
        for f in outcome.findings:
            props = [f"file={_escape(f.file, True)}"]
            if f.line:
                props.append(f"line={f.line}")
            props.append(f"title={_escape(f.policy_id, True)}")
            text = f"{f.message}. Fix: {f.fix}" if f.fix else f.message
            lines.append(f"::{f.severity} {','.join(props)}::{_escape(text)}")
        return "\n".join(lines)
    return "\n".join(str(f) for f in outcome.findings)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Validate each PATH; returns 1 when any error was found, else 0.

    Raises:
        InvalidRequest: a PATH does not exist or is not a manifest (exit code 2).
    """
    targets = [t for p in args.paths for t in resolve(Path(p))] or [
        Target(settings.mesh_root, settings.mesh_root, None)]
    outcome = collect(targets, settings)
    text = render(outcome, args.format)
    if text:
        print(text)
    errors = sum(f.severity == "error" for f in outcome.findings)
    warnings = len(outcome.findings) - errors
    measured = f"; {outcome.not_measured} policy results not yet measured" if (
        outcome.not_measured) else ""
    print(f"checked {outcome.products} products in {outcome.domains} domains: {errors} errors, "
          f"{warnings} warnings{measured}", file=sys.stderr)
    code = 1 if errors else 0
    if _is_process_main():
        # Nothing is left to write: skip freeing the loaded mesh object by object at exit
        # (7 s for 10,000 products, a third of the command's time).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _is_process_main() -> bool:
    """True when this process is ``python -m catalog`` (not a test calling the CLI)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return spec is not None and spec.name == "catalog.__main__"
