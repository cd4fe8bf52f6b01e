"""Approval of proposed products: approve (status ``active``) or send back.

Who may decide is the catalog's authorization point (:mod:`catalog.access`): an owner or data
steward of the product's domain or a governance admin, never whoever submitted the product
(four eyes). The façade asks it before calling :func:`approve` or :func:`send_back`.

What happens: the ODPS ``status`` of ``product.odps.yaml`` is changed with a ``ruamel.yaml``
round trip (:func:`catalog.interchange.yaml_writer.edit_yaml`: every comment, blank line and
the layout kept), the new text is validated like any manifest, then written atomically
(:func:`catalog.files.write_atomic`); a file changed since the page was loaded is refused.
The decision is recorded in the audit log (``product.approved`` / ``product.sent_back``,
actor = the principal's user name); if that fails the file is put back. Approval is refused
while the product has ``error`` findings. Sending back sets the status to ``draft`` (ODPS v1.1
lifecycle) so the product leaves the queue until its team proposes it again; the reason is
kept in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap

from catalog.errors import CatalogError, InvalidRequest
from catalog.files import write_atomic
from catalog.governance.model import ComplianceReport, Finding
from catalog.interchange.yaml_writer import edit_yaml, insert_key
from catalog.manifests.documents import parse_document
from catalog.manifests.yaml_source import YamlProblem, decode, parse_mapping
from catalog.mesh import DataProduct, Mesh
from catalog.models.odps import DataProductDocument
from catalog.models.principal import Principal
from catalog.store import StateStore

APPROVED = "product.approved"
SENT_BACK = "product.sent_back"
PROPOSED_ACTIONS = ("product.proposed", "product.registered")
"""Audit actions that mark when a product was proposed (recorded by registration)."""
MAX_REASON = 2000
"""Longest reason accepted when sending a product back (characters)."""

_AFTER = ("version", "id")
"""A missing ``status`` is added after the first of these keys (else first)."""


class ApprovalRefused(CatalogError):
    """The product cannot be approved as it is; ``findings`` lists the errors to fix.

    Args:
        product_id: the product.
        findings: the ``error`` findings that block publishing.
    """

    def __init__(self, product_id: str, findings: list[Finding]) -> None:
        self.product_id = product_id
        self.findings = findings
        first = findings[0]
        more = f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""
        super().__init__(
            f"{product_id} cannot be approved: it breaks {len(findings)} error "
            f"polic{'y' if len(findings) == 1 else 'ies'}. First: {first.policy_id} — "
            f"{first.message}{more}. Fix them in the manifests, or send it back with a reason.")


@dataclass(frozen=True)
class Decision:
    """An approval decision as recorded.

    Attributes:
        product_id: the product.
        action: :data:`APPROVED` or :data:`SENT_BACK`.
        actor: the principal's user name.
        at: when (ISO 8601 UTC).
        old_status: status before.
        new_status: status written.
        audit_seq: the audit log's sequence number.
    """

    product_id: str
    action: str
    actor: str
    at: str
    old_status: str
    new_status: str
    audit_seq: int


def _require(principal: Principal, product: DataProduct, mesh: Mesh) -> None:
    """Refuse anything but a proposed product (who may decide is the façade's guard's call)."""
    if product.status != "proposed":
        raise InvalidRequest(f"{product.id} is {product.status}, not proposed: only proposed "
                             "products wait for approval.")


def _status_position(keys: list[Any]) -> int:
    """Where a missing top-level ``status`` goes: after ``version`` (or ``id``), else first."""
    anchor = next((k for k in _AFTER if k in keys), None)
    return keys.index(anchor) + 1 if anchor is not None else 0


def with_status(text: str, status: str) -> str:
    """``product.odps.yaml`` text with its top-level ``status`` set, all else unchanged.

    A ``ruamel.yaml`` round trip: the value of ``status`` is replaced (a trailing comment
    stays), or the key is added after ``version:`` (or ``id:``) when there is none; every
    other node, comment and blank line is kept.

    Args:
        text: the ODPS document (a YAML mapping).
        status: the new status, e.g. ``active``.

    Returns:
        The new text.

    Raises:
        InvalidRequest: the text is not a YAML mapping.
    """
    try:
        document = parse_mapping(text)
    except YamlProblem as err:
        raise InvalidRequest(f"product.odps.yaml is not a YAML mapping: {err.message}") from None
    keys = list(document)
    target = dict(document)
    if "status" not in target:
        at = _status_position(keys)
        target = dict([*document.items()][:at] + [("status", status)] + [*document.items()][at:])
    target["status"] = status

    def edit(node: CommentedMap) -> None:
        """Set ``status`` in the round-trip document, inserted where the standard puts it."""
        if "status" in node:
            node["status"] = status
        else:
            insert_key(node, _status_position(list(node)), "status", status)

    return decode(edit_yaml(text.encode("utf-8"), target, edit))


def _rewrite(product: DataProduct, old: str, new: str) -> bytes:
    """Write the product's ODPS file with status ``new``; returns the previous bytes.

    Raises:
        InvalidRequest: the file changed since it was loaded (status no longer ``old``), or the
            rewritten document would not validate.
    """
    before = product.odps_file.read_bytes()
    text = before.decode("utf-8-sig")
    current = parse_document(before, str(product.odps_file), "odps")
    if not isinstance(current.model, DataProductDocument) or current.model.status != old:
        raise InvalidRequest(f"{product.odps_file.name} of {product.id} changed since the "
                             "page was loaded; reload and decide again.")
    after = with_status(text, new).encode("utf-8")
    checked = parse_document(after, str(product.odps_file), "odps")
    if not isinstance(checked.model, DataProductDocument) or checked.model.status != new:
        raise InvalidRequest(f"Could not set the status of {product.id} to {new} without "
                             "breaking its manifest; edit product.odps.yaml by hand.")
    write_atomic(product.odps_file, after)
    return before


def proposed_since(product: DataProduct, store: StateStore) -> tuple[str, str]:
    """When the product was proposed, and how that is known.

    Returns:
        ``(ISO 8601 UTC time, source)``: the latest ``product.proposed``/``product.registered``
        audit event (source ``audit``), else the ODPS file's last change (``file-modified``).
    """
    for event in store.audit(product.id, limit=50):
        if event["action"] in PROPOSED_ACTIONS:
            return event["at"], "audit"
    mtime = product.odps_file.stat().st_mtime
    return dt.datetime.fromtimestamp(mtime, dt.UTC).isoformat(), "file-modified"


def _decide(product: DataProduct, store: StateStore, principal: Principal, action: str,
            new: str, detail: dict[str, object], now: dt.datetime | None) -> Decision:
    at = (now or dt.datetime.now(dt.UTC)).isoformat()
    before = _rewrite(product, product.status, new)
    try:
        seq = store.record_audit(at, principal.username, action, product.id,
                                 {"from": product.status, "to": new, **detail})
    except Exception:
        write_atomic(product.odps_file, before)  # no decision without its audit record
        raise
    return Decision(product.id, action, principal.username, at, product.status, new, seq)


def approve(product: DataProduct, mesh: Mesh, report: ComplianceReport, store: StateStore,
            principal: Principal, now: dt.datetime | None = None) -> Decision:
    """Approve a proposed product: status ``active`` in its file, an audit record.

    Args:
        product: the product (status ``proposed``).
        mesh: the mesh (for the domain's owners).
        report: its current compliance report.
        store: the operational store (audit log).
        principal: who approves.
        now: the decision time (UTC), now by default.

    Returns:
        The decision.

    Raises:
        PermissionDenied: ``principal`` may not decide for this product.
        InvalidRequest: the product is not proposed, or its file changed meanwhile.
        ApprovalRefused: the product has ``error`` findings.
        catalog.store.StoreError: the audit log cannot be written (the file is restored).
    """
    _require(principal, product, mesh)
    errors = [f for f in report.findings if f.severity == "error"]
    if errors:
        raise ApprovalRefused(product.id, errors)
    since, source = proposed_since(product, store)
    return _decide(product, store, principal, APPROVED, "active",
                   {"proposed_since": since, "proposed_since_source": source,
                    "warnings": report.warnings}, now)


def send_back(product: DataProduct, mesh: Mesh, store: StateStore, principal: Principal,
              reason: str, now: dt.datetime | None = None) -> Decision:
    """Send a proposed product back to its team with a reason (status ``draft``).

    Raises:
        PermissionDenied: ``principal`` may not decide for this product.
        InvalidRequest: no reason, a reason over :data:`MAX_REASON` characters, a product that
            is not proposed, or a file changed meanwhile.
        catalog.store.StoreError: the audit log cannot be written (the file is restored).
    """
    _require(principal, product, mesh)
    reason = reason.strip()
    if not reason:
        raise InvalidRequest("Say why the product is sent back, so its team knows what to fix.")
    if len(reason) > MAX_REASON:
        raise InvalidRequest(f"The reason is {len(reason):,} characters long; keep it under "
                             f"{MAX_REASON:,}.")
    return _decide(product, store, principal, SENT_BACK, "draft", {"reason": reason}, now)
