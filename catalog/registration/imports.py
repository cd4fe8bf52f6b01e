"""Import of ODCS contracts (and an ODPS product file) through the one publish path.

:func:`catalog.interchange.importer.plan_import` turns the files into the product folder's
files without writing anything; this module checks them as a registration is checked — the
principal's right to register in the domain, the naming standard, validation and the
governance gate — and hands them to :func:`catalog.registration.publish.publish_folder`
(claim, write all or nothing, audit ``product.imported``, reload).
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from ruamel.yaml import YAML

from catalog.access.actions import Action
from catalog.errors import ManifestError
from catalog.governance.evaluate import evaluate_product
from catalog.interchange.importer import plan_import
from catalog.interchange.reader import DocumentRejected
from catalog.manifests.loader import product_from_documents
from catalog.mesh import ManifestProblem
from catalog.models.principal import Principal
from catalog.registration import naming
from catalog.registration.errors import PublishConflict, RegistrationError
from catalog.registration.publish import publish_folder

if TYPE_CHECKING:
    from catalog.catalog import Catalog

PRODUCT_FILE = "product.odps.yaml"
CONTRACT_SUFFIX = ".odcs.yaml"


@dataclass
class ImportOutcome:
    """What an import found and did.

    Attributes:
        product_id: ``<domain>.<name>`` of the imported product.
        files: the product folder's file names.
        warnings: the input's warnings and the governance warnings (file, line, field).
        problems: what stops the import (validation and governance errors), in words.
        published: True when the files were written into the mesh.
    """

    product_id: str
    files: list[str]
    warnings: list[ManifestProblem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    published: bool = False


def _without_folder(err: ManifestError, folder: str) -> ManifestError:
    """``err`` with the temporary folder removed from every file name it gives."""
    prefix = folder.rstrip("/") + "/"

    def bare(text: str) -> str:
        """``text`` without the folder."""
        return text.replace(prefix, "")

    if isinstance(err, DocumentRejected):
        return DocumentRejected([dataclasses.replace(p, file=bare(p.file), message=bare(p.message))
                                 for p in err.problems])
    return ManifestError(bare(err.file), err.line, err.field, bare(err.message))


def with_owner(odps: bytes, principal: Principal) -> bytes | None:
    """The ODPS document with ``principal`` added to its team as owner, or None when it names
    an owner already. Comments and layout are kept (a round-trip YAML edit)."""
    yaml_rt = YAML()
    yaml_rt.preserve_quotes = True
    document = yaml_rt.load(odps)
    if not isinstance(document, dict):
        return None
    team = document.get("team")
    members = team.get("members") if isinstance(team, dict) else None
    if isinstance(members, list) and any(isinstance(m, dict) and m.get("role") == "owner"
                                         for m in members):
        return None
    owner = {"username": principal.username, "name": principal.display_name, "role": "owner"}
    if not isinstance(team, dict):
        document["team"] = {"name": f"{principal.display_name}'s team", "members": [owner]}
    elif not isinstance(members, list):
        team["members"] = [owner]
    else:
        members.append(owner)
    out = io.BytesIO()
    yaml_rt.dump(document, out)
    return out.getvalue()


def gate(catalog: Catalog, domain: str, name: str, files: dict[str, bytes]
         ) -> tuple[list[str], list[ManifestProblem]]:
    """Validate the product folder's files and evaluate the domain's policies on them.

    Returns:
        ``(blocking problems, warnings)``: errors of validation or of ``error`` policies
        block; everything else is a warning.
    """
    odps = yaml.safe_load(files[PRODUCT_FILE]) if PRODUCT_FILE in files else None
    contracts = {n[: -len(CONTRACT_SUFFIX)]: yaml.safe_load(data)
                 for n, data in files.items() if n.endswith(CONTRACT_SUFFIX)}
    if not isinstance(odps, dict):
        return [f"{PRODUCT_FILE}: the product document is missing or empty."], []
    directory = catalog.settings.mesh_root / domain / name
    product, problems = product_from_documents(odps, contracts, directory)
    blocking = [str(p) for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if product is not None and not blocking:
        for finding in evaluate_product(product, catalog.mesh()):
            text = f"{finding.policy_id}: {finding.message}"
            if finding.severity == "error":
                blocking.append(text + (f" How to fix: {finding.fix}" if finding.fix else ""))
            else:
                warnings.append(ManifestProblem(f"{domain}/{name}/{PRODUCT_FILE}", None,
                                                f"policy {finding.policy_id}",
                                                finding.message, "warning"))
    return blocking, warnings


def import_contracts(catalog: Catalog, principal: Principal,
                     files: dict[str, bytes] | list[Path], domain: str | None = None,
                     name: str | None = None, *, dry_run: bool = False) -> ImportOutcome:
    """Import ODCS contracts and at most one ODPS file as a new product of the mesh.

    Args:
        catalog: the catalog.
        principal: who imports (needs the right to register in the domain).
        files: file name → bytes (uploads), or paths to read.
        domain: owning domain (default: the one the files name).
        name: product folder name (default: from the files).
        dry_run: check everything, write nothing.

    Returns:
        The outcome; ``published`` is True when written.

    Raises:
        DocumentRejected: a file is invalid (problems with file, line and field).
        PermissionDenied: the principal may not register in the domain.
        PublishConflict: the id is taken or being published by someone else.
        RegistrationError: validation or governance errors (when not a dry run).
    """
    if isinstance(files, dict):
        with tempfile.TemporaryDirectory(prefix="mesh-import-") as folder:
            paths = []
            for file_name, content in files.items():
                path = Path(folder) / Path(file_name).name  # never a path from the sender
                path.write_bytes(content)
                paths.append(path)
            try:
                plan = plan_import(paths, catalog.settings.mesh_root, domain, name)
            except ManifestError as err:  # name the sent file, never the server's folder
                raise _without_folder(err, folder) from None
    else:
        plan = plan_import(list(files), catalog.settings.mesh_root, domain, name)
    planned = dict(plan.files)
    catalog.require(principal, Action.REGISTER, domain=plan.domain)
    outcome = ImportOutcome(plan.product_id, list(planned), list(plan.warnings))
    owned = with_owner(planned[PRODUCT_FILE], principal)
    if owned is not None:
        planned[PRODUCT_FILE] = owned
        outcome.warnings.append(ManifestProblem(
            f"{plan.domain}/{plan.name}/{PRODUCT_FILE}", None, "team",
            f"no team member had the role 'owner'; {principal.username}, who imports it, is "
            "its owner now", "warning"))
    taken = naming.check_new_product(catalog.mesh(), plan.domain, plan.name)
    if taken:
        if dry_run:
            outcome.problems += taken
            return outcome
        raise PublishConflict(" ".join(taken))
    blocking, warnings = gate(catalog, plan.domain, plan.name, planned)
    outcome.problems += blocking
    outcome.warnings += warnings
    if dry_run:
        return outcome
    if blocking:
        raise RegistrationError(f"{plan.product_id} cannot be imported yet: "
                                + "; ".join(blocking[:5]))
    version = str((yaml.safe_load(planned[PRODUCT_FILE]) or {}).get("version") or "")
    publish_folder(catalog, principal, domain=plan.domain, name=plan.name, version=version,
                   files=planned, data=None, action="product.imported")
    outcome.published = True
    return outcome
