"""Draft and publish an owner's edit of a product's manifests (no new data).

:func:`draft_edit` reads the product's ``product.odps.yaml`` and the edited port's
``<port>.odcs.yaml`` from disk, applies the changes (:mod:`catalog.editing.apply`), words
every change (the contract diff of :mod:`catalog.contracts.diff` plus the product document's
fields), picks the version the changes need (:func:`catalog.contracts.semver.next_version`),
writes both documents with a ``ruamel.yaml`` round trip
(:func:`catalog.interchange.yaml_writer.edit_yaml`: comments, key order and flow style of
untouched nodes kept) and checks them as CI would: the loader's validation and the domain's
governance policies. A policy error the edit introduces blocks it; one the product already
had is only reported (the owner may be editing to fix it).

:func:`publish_edit` drafts the same changes again against the files as they are now and
refuses when they changed since the draft (an optimistic check on a hash of both files, and
on the version); then it hands the files to the one publish path of a new version
(:func:`catalog.registration.versions.write_version`: claim, re-check under the claim, archive
the old manifests to ``_versions/<old version>/``, write, audit ``product.edited``, reload,
quality run). The output port keeps serving the data it serves: no data is written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.contracts.diff import diff_contracts
from catalog.contracts.model import Change
from catalog.contracts.semver import Bump, is_semver, largest, next_version
from catalog.editing.apply import apply_to_odcs, apply_to_odps, current_changes, with_version
from catalog.editing.changes import FieldProblem, ProductChanges
from catalog.editing.rights import require_editor
from catalog.editing.words import product_changes, readable
from catalog.errors import InvalidRequest
from catalog.governance.evaluate import evaluate_product
from catalog.governance.model import Finding
from catalog.interchange.yaml_writer import edit_yaml
from catalog.manifests.documents import parse_document
from catalog.manifests.loader import product_from_documents
from catalog.manifests.yaml_source import YamlProblem, decode, parse_mapping
from catalog.mesh import DataProduct
from catalog.models.principal import Principal
from catalog.registration.errors import PublishConflict, RegistrationError
from catalog.registration.publish import PublishResult
from catalog.registration.versions import write_version

if TYPE_CHECKING:
    from catalog.catalog import Catalog

PRODUCT_FILE = "product.odps.yaml"
EDIT_ACTION = "product.edited"
"""Audit action of a published edit."""
_PROPERTY_PATH = re.compile(r"^schema\[(\d+)\]\.properties\[(\d+)\]\.(\w+)")


@dataclass
class EditDraft:
    """A previewed edit: what changes, in words, the version it becomes, and what stops it.

    Attributes:
        product_id: the product edited; port: its output port whose contract is edited.
        based_on: the version the edit starts from.
        base_hash: SHA-256 (hex) of both manifest files as read; publishing refuses when
            they changed since.
        version: the version the edit publishes (``based_on`` when nothing changed).
        bump: ``patch`` (documentation), ``minor`` (loosened or added promises) or
            ``major`` (breaking), or ``none``.
        changes: every change in words, breaking first.
        problems: what stops publishing, each naming the form's field.
        warnings: governance warnings, and policy errors the product already had.
        requested: the changes as asked for.
        files: file name → new content of the product folder's changed manifests.
    """

    product_id: str
    port: str
    based_on: str
    base_hash: str
    version: str
    bump: Bump
    changes: list[Change] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)
    warnings: list[FieldProblem] = field(default_factory=list)
    requested: ProductChanges = field(default_factory=ProductChanges)
    files: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def publishable(self) -> bool:
        """True when something changed and nothing stops publishing."""
        return bool(self.changes) and not self.problems

    @property
    def breaking(self) -> bool:
        """True when a change may break consumers (a new major version)."""
        return any(c.breaking for c in self.changes)


@dataclass(frozen=True)
class _Base:
    """The manifests as read from disk."""

    odps_raw: bytes
    odcs_raw: bytes
    odps: dict[str, Any]
    odcs: dict[str, Any]
    contract_file: str
    digest: str


def content_hash(product: DataProduct, port: str) -> str:
    """SHA-256 (hex) of the product document and the port's contract as on disk now."""
    view = product.port(port)
    parts = [product.odps_file.read_bytes()]
    if view.contract_file is not None:
        parts.append(view.contract_file.read_bytes())
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _read(product: DataProduct, port: str) -> _Base:
    view = product.port(port)
    if view.contract_file is None:
        raise InvalidRequest(
            f"Output port {port} of {product.id} has no contract file to "
            "edit; fix it on the mesh-health page first."
        )
    odps_raw, odcs_raw = product.odps_file.read_bytes(), view.contract_file.read_bytes()
    try:
        odps, odcs = parse_mapping(decode(odps_raw)), parse_mapping(decode(odcs_raw))
    except YamlProblem as err:
        raise InvalidRequest(
            f"The manifests of {product.id} cannot be read ({err.message}); "
            "fix them on the mesh-health page first."
        ) from None
    return _Base(
        odps_raw,
        odcs_raw,
        odps,
        odcs,
        view.contract_file.name,
        hashlib.sha256(odps_raw + b"\0" + odcs_raw).hexdigest(),
    )


def _port_name(product: DataProduct, changes: ProductChanges) -> str:
    try:
        return product.port(changes.port).name
    except KeyError:
        raise InvalidRequest(f"{product.id} has no output port '{changes.port}'.") from None


def editable_values(product: DataProduct, port: str | None = None) -> ProductChanges:
    """Every editable field of ``product`` as its files say now (the form's start).

    Raises:
        InvalidRequest: no such port, or its manifests cannot be read.
    """
    name = _port_name(product, ProductChanges(port=port))
    base = _read(product, name)
    return current_changes(base.odps, base.odcs, name)


def _form_field(finding: Finding, odcs: dict[str, Any]) -> str:
    """A finding's field in the form's words (``columns.<name>.<field>``) when it is about a
    column, else the file's path."""
    match = _PROPERTY_PATH.match(finding.field or "")
    if match:
        try:
            prop = odcs["schema"][int(match[1])]["properties"][int(match[2])]
            return f"columns.{prop['name']}.{match[3]}"
        except (KeyError, IndexError, TypeError):
            pass
    return finding.field or f"policy {finding.policy_id}"


def _gate(
    catalog: Catalog,
    product: DataProduct,
    port: str,
    base: _Base,
    new_odps: dict[str, Any],
    new_odcs: dict[str, Any],
    files: dict[str, bytes],
) -> tuple[list[FieldProblem], list[FieldProblem]]:
    """Validation and governance of the edited documents: ``(blocking, warnings)``."""
    folder = f"{product.domain}/{product.name}"
    blocking = [
        FieldProblem(p.field or name, f"{p.message} ({p.file})")
        for name, kind in ((PRODUCT_FILE, "odps"), (base.contract_file, "odcs"))
        for p in parse_document(
            files[name], f"{folder}/{name}", kind, strict=kind == "odcs"
        ).problems
        if p.severity == "error"
    ]
    if blocking:
        return blocking, []
    others = {
        p.name: p.raw_contract for p in product.output_ports if p.name != port and p.raw_contract
    }

    def findings(odps: dict[str, Any], odcs: dict[str, Any]) -> list[Finding]:
        """Governance findings of the product built from these documents."""
        built, _ = product_from_documents(odps, {**others, port: odcs}, product.directory)
        return evaluate_product(built, catalog.mesh()) if built is not None else []

    before = {
        (f.policy_id, f.message) for f in findings(base.odps, base.odcs) if f.severity == "error"
    }
    warnings = []
    for finding in findings(new_odps, new_odcs):
        text = finding.message + (f" How to fix: {finding.fix}" if finding.fix else "")
        problem = FieldProblem(_form_field(finding, new_odcs), f"{finding.policy_id}: {text}")
        if finding.severity == "error" and (finding.policy_id, finding.message) not in before:
            blocking.append(problem)
        else:
            warnings.append(problem)
    return blocking, warnings


def draft_edit(
    catalog: Catalog, principal: Principal, product_id: str, changes: ProductChanges
) -> EditDraft:
    """Preview ``changes`` to a product (see the module docstring); nothing is written.

    Args:
        catalog: the catalog.
        principal: who edits: an owner or data steward of the product or its domain, or a
            governance admin.
        product_id: the product.
        changes: the owner's changes.

    Returns:
        The draft: changes in words, the new version, blocking problems and warnings.

    Raises:
        ProductNotFound: no such product.
        PermissionDenied: the principal may not edit it (the message says who may).
        InvalidRequest: no such port, its manifests cannot be read, or its version is not a
            semantic version.
    """
    product = catalog.product(principal, product_id)
    require_editor(catalog, principal, product)
    port = _port_name(product, changes)
    base = _read(product, port)
    current = str(base.odps.get("version") or "")
    if not is_semver(current):
        raise InvalidRequest(
            f"{product.id} is at version '{current}', which is not MAJOR."
            "MINOR.PATCH; fix its product.odps.yaml by hand first."
        )
    problems: list[FieldProblem] = []
    new_odps = apply_to_odps(base.odps, changes, problems)
    new_odcs = apply_to_odcs(base.odcs, changes, problems)
    found = [readable(c) for c in diff_contracts(base.odcs, new_odcs).changes]
    found += product_changes(base.odps, new_odps)
    order = {"major": 0, "minor": 1, "patch": 2, "none": 3}
    found.sort(key=lambda c: order[c.bump])
    bump = largest([c.bump for c in found])
    draft = EditDraft(
        product.id,
        port,
        current,
        base.digest,
        next_version(current, bump),
        bump,
        found,
        problems,
        requested=changes,
    )
    if problems or not found:
        return draft
    odps, odcs = with_version(new_odps, new_odcs, port, draft.version)
    draft.files = {
        PRODUCT_FILE: edit_yaml(base.odps_raw, odps),
        base.contract_file: edit_yaml(base.odcs_raw, odcs or {}),
    }
    blocking, draft.warnings = _gate(catalog, product, port, base, odps, odcs or {}, draft.files)
    draft.problems += blocking
    return draft


def publish_edit(catalog: Catalog, principal: Principal, draft: EditDraft) -> PublishResult:
    """Publish a previewed edit as a new version through the one publish path.

    The changes are drafted again against the files as they are now; only those files are
    written (never bytes from the caller).

    Args:
        catalog: the catalog.
        principal: who publishes (audit).
        draft: the draft the person previewed.

    Returns:
        What was written (no data file, 0 rows) and the quality run of the new version.

    Raises:
        PermissionDenied: the principal may not edit the product.
        PublishConflict: the product changed since the draft (its version or its files);
            nothing is written, the changes can be previewed again.
        RegistrationError: the edit has problems (validation, governance, typed values).
        InvalidRequest: nothing changed.
        PublishFailed: writing failed; the product is as it was.
    """
    fresh = draft_edit(catalog, principal, draft.product_id, draft.requested)
    if fresh.base_hash != draft.base_hash or fresh.based_on != draft.based_on:
        raise PublishConflict(
            f"{draft.product_id} changed since you previewed your edit (it is now at version "
            f"{fresh.based_on}; you started from {draft.based_on}). Nothing was published and "
            "your changes are kept: preview them again against the current version."
        )
    if fresh.problems:
        raise RegistrationError(
            f"{draft.product_id} cannot be published yet: "
            + "; ".join(str(p) for p in fresh.problems[:5])
        )
    if not fresh.changes:
        raise InvalidRequest("Nothing changed: edit a field before publishing.")
    return write_version(
        catalog,
        principal,
        fresh.product_id,
        based_on=fresh.based_on,
        version=fresh.version,
        files=fresh.files,
        data=None,
        action=EDIT_ACTION,
        unchanged_since=lambda p: content_hash(p, fresh.port) == fresh.base_hash,
        details={"bump": fresh.bump, "changes": [c.message for c in fresh.changes][:50]},
    )
