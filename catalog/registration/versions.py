"""A new version of an existing product: pre-filled form, schema diff, semver, publish.

The wizard starts from the published contract (:func:`prefill`), the person brings new data,
and :func:`plan` compares the new contract with the published one
(:func:`catalog.contracts.diff.diff_contracts`): breaking changes (a removed property, a
changed type, a newly required property, a tightened rule…) need a new **major** version and
the wizard lists the products downstream that consume it; anything else a **minor** one
(Semantic Versioning 2.0.0 §7-§8: new data is at least a backward-compatible addition).

The layout of versions is described in :mod:`catalog.registration`: a new version's data goes
to ``<version>.parquet`` beside the old ones, the replaced manifests are kept under
``_versions/<old version>/`` and the manifests are then rewritten in place. Because every
version's file stays where the old contract points, moving the server ``path`` from one
``products/<domain>/<name>/<version>.parquet`` to the next is not a breaking move for the diff.
"""

from __future__ import annotations

import copy
import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.access.actions import Action
from catalog.contracts.diff import Bump, ContractDiff, diff_contracts, next_version
from catalog.files import create_new, write_atomic
from catalog.mesh import DataProduct
from catalog.models.principal import Principal
from catalog.registration import documents, sla
from catalog.registration.errors import PublishConflict, PublishFailed, RegistrationError
from catalog.registration.forms import Basics, PropertyForm, RegistrationForm, RuleForm, SlaForm
from catalog.registration.publish import (
    DataWrite,
    PublishResult,
    after_publish,
    claimed,
    manifest_files,
    write_data,
)
from catalog.registration.rules import from_odcs
from catalog.registration.sources import PRODUCTS_FOLDER, DataSource

if TYPE_CHECKING:
    from catalog.catalog import Catalog

logger = logging.getLogger(__name__)

VERSIONS_FOLDER = "_versions"
"""Folder of a product holding the manifests of replaced versions (skipped by the loader)."""
_FORM_PROPERTY_KEYS = {"name", "logicalType", "physicalType", "description", "required",
                       "unique", "primaryKey", "primaryKeyPosition", "classification",
                       "examples", "customProperties", "quality"}
_FORM_ODCS_KEYS = {"apiVersion", "kind", "name", "version", "status", "domain", "dataProduct",
                   "description", "tags", "servers", "schema", "slaProperties", "support",
                   "customProperties"}
_FORM_ODPS_KEYS = {"apiVersion", "kind", "id", "name", "version", "status", "domain", "type",
                   "tags", "description", "team", "support", "inputPorts", "outputPorts",
                   "customProperties"}


def _basics(product: DataProduct) -> Basics:
    members = product.team.members if product.team else []
    owner = next((m for m in members if "owner" in (m.role or "").lower()), None)
    support = product.support[0] if product.support else None
    return Basics(
        domain=product.domain, name=product.name, title=product.title,
        product_type=product.type or "sourceAligned", purpose=product.purpose,
        usage=product.usage, limitations=product.limitations, tags=list(product.tags),
        owner=owner.username if owner else "", owner_name=(owner.name or "") if owner else "",
        team_name=product.team_name,
        members=[m.username for m in members if m is not owner],
        support_channel=support.channel if support else "",
        support_url=support.url if support else "",
    )


def _carried(raw: dict[str, Any], handled: set[str], keep_custom: set[str]) -> dict[str, Any]:
    out = {k: copy.deepcopy(v) for k, v in raw.items() if k not in handled}
    custom = [c for c in raw.get("customProperties") or []
              if isinstance(c, dict) and c.get("property") not in keep_custom]
    if custom:
        out["customProperties"] = copy.deepcopy(custom)
    return out


def prefill(product: DataProduct) -> RegistrationForm:
    """The wizard's form for a new version of ``product``, from its published documents.

    Basics, service levels and quality rules come from the product and its first output port's
    contract (rules are carried over unchanged and can be switched off); the schema is filled
    in when the new data is profiled (:func:`merge_properties`). The version starts as the
    next minor one.

    Raises:
        RegistrationError: the product has no output port with a valid contract.
    """
    port = next((p for p in product.output_ports if p.source is not None), None)
    if port is None:
        raise RegistrationError(f"{product.id} has no output port with a valid contract to "
                                "start a new version from; fix it on the mesh-health page.")
    raw = port.raw_contract
    objects = raw.get("schema") or [{}]
    choices, others = sla.choices_from_properties(list(raw.get("slaProperties") or []))
    element = next((str(e.get("element")) for e in raw.get("slaProperties") or []
                    if e.get("element")), None)
    rules = [from_odcs(q, None) for q in objects[0].get("quality") or []]
    rules += [from_odcs(q, str(p.get("name"))) for p in objects[0].get("properties") or []
              for q in p.get("quality") or []]
    odps = product.document.model_dump(mode="json", exclude_none=True, by_alias=True)
    return RegistrationForm(
        basics=_basics(product),
        sla=SlaForm(choices=choices, carried=others,
                    freshness_column=element.split(".", 1)[-1] if element else None),
        rules=rules, version=next_version(product.version, "minor"), status=product.status,
        based_on=product.version, port_name=port.name,
        carried_odps=_carried(odps, _FORM_ODPS_KEYS, {"title"}),
        carried_odcs={**_carried(raw, _FORM_ODCS_KEYS, {"owner"}), "id": raw.get("id")},
    )


def published_properties(product: DataProduct, port_name: str) -> dict[str, dict[str, Any]]:
    """The published contract's properties of the port's first object, by name."""
    raw = product.port(port_name).raw_contract
    objects = raw.get("schema") or [{}]
    return {str(p.get("name")): p for p in objects[0].get("properties") or []}


def merge_properties(inferred: list[PropertyForm], published: dict[str, dict[str, Any]]
                     ) -> list[PropertyForm]:
    """The new data's properties, with what the published contract said about same-named ones.

    Description, flags, classification, PII and fields the form does not edit carry over;
    types are the new data's (a changed type shows up in the diff).
    """
    out = []
    for prop in inferred:
        old = published.get(prop.name)
        if old is None:
            out.append(prop)
            continue
        pii = any(isinstance(c, dict) and c.get("property") == "pii"
                  and str(c.get("value")).lower() == "true"
                  for c in old.get("customProperties") or [])
        out.append(prop.model_copy(update={
            "description": str(old.get("description") or ""),
            "required": bool(old.get("required")), "unique": bool(old.get("unique")),
            "primary_key": bool(old.get("primaryKey")),
            "classification": str(old.get("classification") or prop.classification),
            "pii": pii or prop.pii,
            "carried": {k: copy.deepcopy(v) for k, v in old.items()
                        if k not in _FORM_PROPERTY_KEYS},
        }))
    return out


@dataclass
class VersionPlan:
    """What a new version changes and which version it needs.

    Attributes:
        current: the published version.
        diff: every change from the published contract to the new one.
        required_bump: ``major`` when a change is breaking, else ``minor``.
        suggested: the next version with that bump.
        downstream: products consuming this one (shown when the change is breaking).
    """

    current: str
    diff: ContractDiff
    required_bump: Bump
    suggested: str
    downstream: list[DataProduct]


def _versioned_path(server: dict[str, Any], domain: str, name: str) -> bool:
    pattern = rf"^{PRODUCTS_FOLDER}/{re.escape(domain)}/{re.escape(name)}/[^/]+\.parquet$"
    return server.get("type") == "local" and bool(re.match(pattern, str(server.get("path"))))


def comparable(old: dict[str, Any], new: dict[str, Any], domain: str, name: str
               ) -> dict[str, Any]:
    """``new`` with the old servers back when both only differ by the versioned data path
    (every version's file is kept, so the move breaks no consumer)."""
    olds, news = old.get("servers") or [], new.get("servers") or []
    if len(olds) == len(news) == 1 and _versioned_path(olds[0], domain, name) \
            and _versioned_path(news[0], domain, name):
        return {**new, "servers": copy.deepcopy(olds)}
    return new


def plan(catalog: Catalog, principal: Principal, form: RegistrationForm) -> VersionPlan:
    """Diff the form's contract against the published one and say which version it needs.

    Raises:
        ProductNotFound: the product is gone.
    """
    product = catalog.product(principal, form.product_id)
    old = product.port(form.port).raw_contract
    new = comparable(old, documents.build_odcs(form), form.basics.domain, form.basics.name)
    diff = diff_contracts(old, new)
    bump: Bump = "major" if diff.breaking else "minor"
    return VersionPlan(product.version, diff, bump, next_version(product.version, bump),
                       catalog.downstream(principal, product.id) if diff.breaking else [])


def _triple(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"^v?(\d+)\.(\d+)\.(\d+)$", version.strip())
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def version_problems(version_plan: VersionPlan, chosen: str) -> list[str]:
    """Problems with the version the person chose (empty when it is allowed).

    A breaking change needs a higher MAJOR number; otherwise the version must be at least the
    next minor one (semver.org §7-§8).
    """
    new, old = _triple(chosen), _triple(version_plan.current)
    if new is None:
        return [f"Write the version as MAJOR.MINOR.PATCH, e.g. {version_plan.suggested}."]
    if old is None:
        return []
    if version_plan.required_bump == "major" and new[0] <= old[0]:
        return [f"The changes break consumers, so the version needs a new major number: "
                f"{version_plan.suggested} or later."]
    if new < _triple(version_plan.suggested):  # type: ignore[operator]
        return [f"A new version must be at least {version_plan.suggested}."]
    return []


def _current_files(product: DataProduct) -> dict[Path, bytes]:
    files = [product.odps_file] + [p.contract_file for p in product.output_ports
                                   if p.contract_file is not None]
    build = product.directory / documents.BUILD_FILE
    if build.exists():
        files.append(build)
    return {f: f.read_bytes() for f in files}


def publish_version(catalog: Catalog, principal: Principal, form: RegistrationForm,
                    source: DataSource) -> PublishResult:
    """Publish ``form.version`` of an existing product (all or nothing).

    Steps, under the product's claim (:func:`publish.claimed`): check the product is still at
    ``form.based_on`` and the chosen version is allowed; write ``<version>.parquet``; copy the
    current manifests to ``_versions/<current>/``; rewrite the contract, then the product
    document. A failure restores the old manifests and removes what was written.

    Raises:
        PublishConflict: the product changed since the form was filled in, or another
            publisher holds it, or the version exists.
        RegistrationError: the version is not allowed, or the documents do not validate or
            break a governance error policy.
        PublishFailed: writing failed; the product is as it was.
        PermissionDenied: the principal is not in the product's or its domain's team, nor a
            governance admin.
    """
    b = form.basics
    catalog.require(principal, Action.PUBLISH_VERSION, form.product_id)
    problems = version_problems(plan(catalog, principal, form), form.version)
    if problems:
        raise RegistrationError(" ".join(problems))
    files = manifest_files(catalog, form, source)
    data_file = catalog.settings.data_dir / documents.data_path(b.domain, b.name, form.version)
    return write_version(catalog, principal, form.product_id, based_on=form.based_on,
                         version=form.version, files=files,
                         data=DataWrite(source, form.properties, data_file),
                         action="product.version_published")


def write_version(catalog: Catalog, principal: Principal, product_id: str, *,
                  based_on: str | None, version: str, files: dict[str, bytes],
                  data: DataWrite | None, action: str,
                  unchanged_since: Callable[[DataProduct], bool] | None = None,
                  details: dict[str, Any] | None = None) -> PublishResult:
    """The one publish path of a new version of an existing product, for the wizard (with
    data) and edits in the portal (manifests only, ``data`` None: the output port keeps
    serving the data it serves).

    Under the product's claim (:func:`publish.claimed`): check the product is still at
    ``based_on`` (and ``unchanged_since``, e.g. a content hash); write the data (if any); copy
    the current manifests to ``_versions/<current>/``; write ``files`` (the product document
    last). A failure restores the old manifests and removes what was written. Then
    :func:`publish.after_publish`: reload, audit ``action``, and a quality run.

    The caller has already checked the principal's right, the version, validation and the
    governance gate on ``files``.

    Args:
        catalog: the catalog.
        principal: who publishes (audit).
        product_id: the product.
        based_on: the version the new one replaces.
        version: the version published.
        files: file name in the product folder → new content.
        data: the data to write first, or None (manifests only).
        action: the audit action, e.g. ``product.version_published``.
        unchanged_since: a further check of the product as it is now, under the claim;
            False refuses the publish as stale.
        details: more audit details (beside ``version`` and ``rows``).

    Returns:
        What was written (``rows`` and ``data_file`` empty without data).

    Raises:
        PublishConflict: the product changed since ``based_on``, another publisher holds it,
            or the version exists.
        PublishFailed: writing failed; the product is as it was.
    """
    domain, name = product_id.split(".", 1)
    with claimed(catalog.settings.mesh_root, domain, name, catalog.store):
        catalog.reload()
        product = catalog.product(principal, product_id)
        if product.version != based_on or (unchanged_since is not None
                                           and not unchanged_since(product)):
            raise PublishConflict(
                f"{product.id} is now at version {product.version} (you started from "
                f"{based_on}); someone published it meanwhile. Start again from the current "
                "version: nothing you entered was published.")
        old = _current_files(product)
        archive = product.directory / VERSIONS_FOLDER / product.version
        written: list[Path] = []
        seconds: dict[str, float] = {}
        rows = 0
        try:
            started = time.perf_counter()
            if data is not None:
                rows = write_data(catalog, data.source, data.properties, data.target)
                written.append(data.target)
            seconds["data"] = time.perf_counter() - started
            started = time.perf_counter()
            for path, content in old.items():
                create_new(archive / path.name, content)
            order = sorted(files, key=lambda n: n == documents.PRODUCT_FILE)  # ODPS last
            for file_name in order:
                write_atomic(product.directory / file_name, files[file_name])
            seconds["manifests"] = time.perf_counter() - started
        except PublishConflict:
            _undo(old, product.directory, files, archive, written)
            raise
        except (OSError, RegistrationError) as err:
            logger.exception("publishing %s %s failed", product.id, version)
            _undo(old, product.directory, files, archive, written)
            raise PublishFailed(f"Publishing {product.id} {version} failed and was undone: "
                                f"{err}. The product is unchanged; try again.") from None
    result = PublishResult(product.id, version, [product.directory / n for n in files],
                           data.target if data is not None else None, rows, seconds=seconds)
    after_publish(catalog, principal, result, action, details=details)
    return result


def _undo(old: dict[Path, bytes], directory: Path, files: dict[str, bytes], archive: Path,
          written: list[Path]) -> None:
    """Put the previous manifests back and remove what the failed publish wrote."""
    for path, data in old.items():
        write_atomic(path, data)
    for name in files:
        target = directory / name
        if target not in old:
            target.unlink(missing_ok=True)
    shutil.rmtree(archive, ignore_errors=True)
    for path in written:
        path.unlink(missing_ok=True)


def merge_rules(kept: list[RuleForm], suggested: list[RuleForm]) -> list[RuleForm]:
    """Published rules first, then suggestions for what they do not cover yet: columns
    without any published rule, and a row-count floor when none is published."""
    covered = {r.property for r in kept}
    has_row_count = any(r.property is None and (r.raw or {}).get("metric") == "rowCount"
                        for r in kept)
    extra = [r for r in suggested if (r.property is not None and r.property not in covered)
             or (r.property is None and not has_row_count)]
    return [*kept, *extra]
