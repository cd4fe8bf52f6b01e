"""Publish a registered product: its data as Parquet and its two manifests, all or nothing.

Layout (documented in :mod:`catalog.registration`)::

    <mesh root>/<domain>/<name>/product.odps.yaml
    <mesh root>/<domain>/<name>/<port>.odcs.yaml
    <mesh root>/<domain>/<name>/build.sql             (derived products: the query)
    <data dir>/products/<domain>/<name>/<version>.parquet

Order of a publish (each step undone if a later one fails):

1. **Claim** the id, twice: in the operational store (table ``publish_claims``, seen by every
   replica sharing the store's database) and as a file, :func:`catalog.files.create_new` of
   ``<domain>/.<name>.registering``. Of two publishers racing for one id exactly one gets
   both; the other is refused with a message naming the id. A claim older than
   :data:`STALE_CLAIM_S` (a crashed publisher) is taken over.
2. Re-check that the id is free (mesh and folder), under the claim.
3. **Data**: DuckDB writes the staged data, columns renamed as the schema step says, to a
   temporary Parquet file beside the target, fsync-ed, then linked to
   ``<version>.parquet`` (refused if it exists).
4. **Manifests**: written into a hidden folder ``<domain>/.<name>.publishing-<random>`` (the
   loader skips hidden folders), then the folder is renamed to ``<domain>/<name>`` in one
   ``rename``: readers see no product, then the whole product.
5. Release the claim, reload the catalog (the product is searchable at once) and store the
   first quality run (``trigger="registration"``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.access.actions import Action
from catalog.files import create_new, write_atomic
from catalog.models.principal import Principal
from catalog.registration import documents, naming
from catalog.registration.errors import PublishConflict, PublishFailed, RegistrationError
from catalog.registration.forms import PropertyForm, RegistrationForm
from catalog.registration.review import review
from catalog.registration.sources import DataSource, copy_to_parquet, projected, run
from catalog.sql import quote_literal
from catalog.store import StoreError, new_holder

if TYPE_CHECKING:
    from catalog.catalog import Catalog
    from catalog.quality.model import QualityRun
    from catalog.store import StateStore

logger = logging.getLogger(__name__)

STALE_CLAIM_S = 15 * 60
"""A claim older than this (seconds) is from a publisher that died; it may be taken over."""


@dataclass
class PublishResult:
    """What a publish wrote and measured.

    Attributes:
        product_id: the new product's id.
        version: the version published.
        files: the manifest files written.
        data_file: the Parquet file written (None for an import of manifests only).
        rows: rows written.
        quality: the first quality run (None if it could not run; see ``quality_error``).
        quality_error: why the first run is missing, else ``""``.
        seconds: wall time per phase: ``data``, ``manifests``, ``reload``, ``quality``.
    """

    product_id: str
    version: str
    files: list[Path]
    data_file: Path | None
    rows: int
    quality: QualityRun | None = None
    quality_error: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def claim_path(mesh_root: Path, domain: str, name: str) -> Path:
    """The claim file of ``<domain>.<name>``: ``<mesh root>/<domain>/.<name>.registering``."""
    return mesh_root / domain / f".{name}.registering"


@contextmanager
def claimed(mesh_root: Path, domain: str, name: str, store: StateStore | None = None
            ) -> Iterator[Path]:
    """Hold the exclusive claim on ``<domain>.<name>`` inside the ``with`` block.

    Args:
        mesh_root: the mesh folder (the claim file goes into the domain's folder).
        domain: the owning domain; name: the product folder name.
        store: the operational store, to claim the id there first (every replica sharing
            the store's database sees that claim); the file claim alone when None.

    Yields:
        The claim file.

    Raises:
        PublishConflict: someone else holds a fresh claim on the id (in the store or as a
            file).
        catalog.store.StoreError: the store cannot be written (nothing is claimed).
    """
    if store is None:
        with _file_claim(mesh_root, domain, name) as path:
            yield path
        return
    key, holder = f"{domain}.{name}", new_holder()
    store.claim(key, holder, STALE_CLAIM_S)
    try:
        with _file_claim(mesh_root, domain, name) as path:
            yield path
    finally:
        try:
            store.release(key, holder)
        except StoreError:  # it goes stale after STALE_CLAIM_S; do not hide the outcome
            logger.warning("could not release the publish claim on %s; it lapses after %d s",
                           key, STALE_CLAIM_S, exc_info=True)


@contextmanager
def _file_claim(mesh_root: Path, domain: str, name: str) -> Iterator[Path]:
    """The claim file ``<domain>/.<name>.registering``, created exclusively for the block."""
    path = claim_path(mesh_root, domain, name)
    note = json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                       "at": time.time()}).encode()
    for attempt in (1, 2):
        try:
            create_new(path, note)
            break
        except FileExistsError:
            try:
                age = time.time() - path.stat().st_mtime
            except FileNotFoundError:
                age = STALE_CLAIM_S + 1  # released meanwhile: try again
            if attempt == 2 or age <= STALE_CLAIM_S:
                raise PublishConflict(
                    f"Someone else is publishing {domain}.{name} right now. Wait a minute and "
                    f"search for it: if it is there, choose another name."
                ) from None
            path.unlink(missing_ok=True)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def renames(properties: list[PropertyForm]) -> list[tuple[str, str]]:
    """``(source column, product column)`` of every property, in schema order."""
    return [(p.source_name, p.name) for p in properties]


def write_data(catalog: Catalog, source: DataSource, properties: list[PropertyForm],
               target: Path) -> int:
    """Write the staged data as Parquet to ``target``, which must not exist yet.

    Args:
        catalog: for its engine.
        source: the staged source.
        properties: the schema (source column → product column, in order).
        target: the final file.

    Returns:
        Rows written.

    Raises:
        PublishConflict: ``target`` exists already.
        RegistrationError: DuckDB could not read or write the data.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        copy_to_parquet(catalog.engine, source,
                        f"SELECT * FROM {projected(source, renames(properties))}", tmp,
                        standalone=True)  # the staged data is a Parquet file
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise PublishConflict(f"{target.name} already exists under {target.parent}; "
                                  "this version was published before.") from None
    finally:
        tmp.unlink(missing_ok=True)
    cur = run(catalog.engine, source, f"SELECT count(*) FROM read_parquet("
                                      f"{quote_literal(str(target))})")
    try:
        row = cur.fetchone()
    finally:
        cur.close()
    return int(row[0]) if row else 0


def manifest_files(catalog: Catalog, form: RegistrationForm, source: DataSource
                   ) -> dict[str, bytes]:
    """File name → bytes of the product folder: ODPS, ODCS and (derived) ``build.sql``.

    Raises:
        RegistrationError: the documents do not validate or break a governance error policy
            (the message lists what to fix).
    """
    checked = review(catalog, form, source)
    if checked.blocking:
        raise RegistrationError("The product cannot be published yet: "
                                + "; ".join(checked.blocking[:5]))
    files = {documents.PRODUCT_FILE: checked.odps_yaml.encode(),
             documents.contract_file(form): checked.odcs_yaml.encode()}
    if source.query:
        files[documents.BUILD_FILE] = (source.query.rstrip() + "\n").encode()
    return files


def _remove_empty_parents(path: Path, stop: Path) -> None:
    for parent in path.parents:
        if parent == stop or not parent.is_relative_to(stop):
            break
        try:
            parent.rmdir()
        except OSError:
            break


def publish(catalog: Catalog, principal: Principal, form: RegistrationForm,
            source: DataSource) -> PublishResult:
    """Publish a new product (see the module docstring for the steps and guarantees).

    Args:
        catalog: the catalog (settings, engine, mesh, quality runs).
        principal: who publishes (recorded in the audit log).
        form: the completed form (``form.version`` is the first version, ``1.0.0``).
        source: the staged data.

    Returns:
        What was written, with the first quality run.

    Raises:
        RegistrationError: the name breaks the naming standard or the documents do not
            validate (nothing written).
        PublishConflict: the id is taken, or another publisher holds it (nothing written).
        PublishFailed: writing failed part-way; everything written was removed.
        PermissionDenied: the principal is not in the domain's team nor a governance admin.
    """
    b = form.basics
    catalog.require(principal, Action.REGISTER, domain=b.domain)
    problems = naming.check_new_product(catalog.mesh(), b.domain, b.name)
    if problems:
        raise PublishConflict(" ".join(problems))
    files = manifest_files(catalog, form, source)
    data_file = catalog.settings.data_dir / documents.data_path(b.domain, b.name, form.version)
    return publish_folder(catalog, principal, domain=b.domain, name=b.name,
                          version=form.version, files=files,
                          data=DataWrite(source, form.properties, data_file),
                          action="product.registered")


@dataclass(frozen=True)
class DataWrite:
    """The data a publish writes: the staged source, its schema (renames) and the target."""

    source: DataSource
    properties: list[PropertyForm]
    target: Path


def publish_folder(catalog: Catalog, principal: Principal, *, domain: str, name: str,
                   version: str, files: dict[str, bytes], data: DataWrite | None,
                   action: str) -> PublishResult:
    """The one publish path of a new product folder, for the wizard, the command line, the
    HTTP API and imports: claim the id, re-check it is free, write the data (if any) and the
    manifests all or nothing, release, then audit, reload and (with data) the first run.

    The caller has already checked the principal's right, the name, validation and the
    governance gate on ``files``.

    Args:
        catalog: the catalog.
        principal: who publishes (audit).
        domain: the owning domain; name: the product folder name.
        version: the version published (audit).
        files: file name in the product folder → content.
        data: the data to write first, or None (an import of manifests only).
        action: the audit action, e.g. ``product.registered`` or ``product.imported``.

    Returns:
        What was written (``rows`` is 0 without data).

    Raises:
        PublishConflict: the id is taken, or another publisher holds it (nothing written).
        PublishFailed: writing failed part-way; everything written was removed.
    """
    settings = catalog.settings
    domain_dir = settings.mesh_root / domain
    product_dir = domain_dir / name
    seconds: dict[str, float] = {}
    rows = 0
    with claimed(settings.mesh_root, domain, name, catalog.store):
        problems = naming.check_new_product(catalog.reload(), domain, name)
        if problems:
            raise PublishConflict(" ".join(problems))
        staging = domain_dir / f".{name}.publishing-{uuid.uuid4().hex[:8]}"
        wrote_data = False
        try:
            started = time.perf_counter()
            if data is not None:
                rows = write_data(catalog, data.source, data.properties, data.target)
                wrote_data = True
            seconds["data"] = time.perf_counter() - started
            started = time.perf_counter()
            for file_name, content in files.items():
                write_atomic(staging / file_name, content)
            os.rename(staging, product_dir)
            seconds["manifests"] = time.perf_counter() - started
        except PublishConflict:
            raise
        except (OSError, RegistrationError) as err:
            logger.exception("publishing %s.%s failed", domain, name)
            raise PublishFailed(f"Publishing {domain}.{name} failed and was undone: {err}. "
                                "Nothing was published; try again.") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            if not product_dir.exists() and data is not None:
                if wrote_data:
                    data.target.unlink(missing_ok=True)
                _remove_empty_parents(data.target, settings.data_dir)
    result = PublishResult(f"{domain}.{name}", version, [product_dir / n for n in files],
                           data.target if data is not None else None, rows, seconds=seconds)
    after_publish(catalog, principal, result, action, run_checks=data is not None)
    return result


def after_publish(catalog: Catalog, principal: Principal, result: PublishResult,
                  action: str, *, run_checks: bool = True,
                  details: dict[str, object] | None = None) -> None:
    """Reload the catalog, record ``action`` in the audit log (``version``, ``rows`` and
    ``details``) and (``run_checks``) store the first quality run in ``result`` (a failing
    run is logged and reported, never undoes the publish)."""
    started = time.perf_counter()
    catalog.reload()
    result.seconds["reload"] = time.perf_counter() - started
    started = time.perf_counter()
    try:
        catalog.store.record_audit(
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), principal.username, action,
            result.product_id, {"version": result.version, "rows": result.rows,
                                **(details or {})})
        if run_checks:
            result.quality = catalog.run_quality(principal, result.product_id,
                                                 trigger="registration")
    except Exception as err:  # noqa: BLE001 - the product is published; report, do not undo
        logger.exception("first quality run of %s failed", result.product_id)
        result.quality_error = str(err).split("\n")[0]
    result.seconds["quality"] = time.perf_counter() - started
