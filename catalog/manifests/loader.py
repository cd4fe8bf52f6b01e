"""Load a whole mesh folder: every domain, product and contract, skipping what is broken.

Layout::

    <root>/<domain>/domain.yaml
    <root>/<domain>/<product>/product.odps.yaml
    <root>/<domain>/<product>/<port>.odcs.yaml

A broken file is reported as a :class:`~catalog.mesh.ManifestProblem` and skipped; the rest of
the mesh still loads. Unchanged files are not parsed again (see ``documents.load_document``).

Nothing outside ``<root>`` is read: a domain or product folder that is a symbolic link to a
place outside the mesh is reported and not loaded, and manifest files are read through
:func:`catalog.confine.read_regular_file` (a dangling link, a named pipe or a link out of the
mesh in place of a manifest is an error naming the file, so ``validate`` fails on it).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from catalog.confine import PathRefused, confined, read_regular_file
from catalog.gc_pause import gc_paused
from catalog.manifests.documents import (
    LazyContract,
    LoadedDocument,
    load_document,
    parse_document,
    pydantic_problems,
)
from catalog.manifests.yaml_source import MAX_MANIFEST_BYTES, YamlProblem, decode, locate
from catalog.mesh import DataProduct, Domain, ManifestProblem, Mesh, OutputPortView
from catalog.models.domain import DomainDocument
from catalog.models.odps import DataProductDocument

logger = logging.getLogger(__name__)

PRODUCT_FILE = "product.odps.yaml"
DOMAIN_FILE = "domain.yaml"


DocumentLoader = Callable[[Path, str, str], LoadedDocument]
"""How the loader gets one parsed file: ``load(path, display name, kind)``; the default is
:func:`~catalog.manifests.documents.load_document` (its in-process cache), the persisted mesh
index (:mod:`catalog.mesh_index`) passes its own."""


def subfolders(root: Path, path: Path, problems: list[ManifestProblem]) -> list[Path]:
    """Sub-folders of ``path`` to load, sorted; a linked folder leading out of the mesh is
    reported in ``problems`` (an error) and left out.

    Args:
        root: the mesh root.
        path: the mesh root itself (domain folders) or a domain folder (product folders).
        problems: where refused folders are reported.

    Raises:
        OSError: ``path`` cannot be listed.
    """
    with os.scandir(path) as entries:
        found = sorted((Path(e.path), e.is_symlink()) for e in entries
                       if _is_folder(e) and not e.name.startswith((".", "_")))
    folders = []
    for folder, linked in found:
        if linked:
            try:
                confined(folder, root, what="folder")
            except PathRefused as err:
                problems.append(ManifestProblem(_rel(root, folder), 1, "",
                                                f"folder {err.reason}; it is not loaded"))
                continue
        folders.append(folder)
    return folders


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder (following a link); a link loop or an unreadable entry is
    not (``DirEntry.is_dir`` raises for those)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _files(path: Path, suffix: str) -> list[Path]:
    """Entries of ``path`` named ``*suffix``, whatever they are (a link, a pipe or a folder
    under a manifest's name is reported when it is loaded, not skipped in silence)."""
    with os.scandir(path) as entries:
        return sorted(Path(e.path) for e in entries if e.name.endswith(suffix))


def _present(path: Path) -> bool:
    """Whether anything (even a dangling link or a pipe) has this name; never follows it."""
    return os.path.lexists(path)


def load_mesh(root: Path) -> Mesh:
    """Load every domain and product under ``root``.

    Args:
        root: the manifest root (``domains/``).

    Returns:
        The mesh; ``mesh.problems`` lists every error (file skipped) and warning, each naming
        file (relative to ``root``), line and field.
    """
    mesh = Mesh(root=root)
    if not root.is_dir():
        mesh.problems.append(ManifestProblem(str(root), None, "", "mesh folder does not exist"))
        return mesh

    def load(path: Path, display_name: str, kind: str) -> LoadedDocument:
        """One file through the in-process cache of :func:`load_document`."""
        return load_document(path, display_name, kind, root)

    with gc_paused(freeze=True):
        for domain_dir in subfolders(root, root, mesh.problems):
            domain = load_domain(root, domain_dir, load, mesh.problems)
            mesh.domains[domain.name] = domain
            for product_dir in subfolders(root, domain_dir, mesh.problems):
                product = load_product(root, domain.name, product_dir, load, mesh.problems)
                if product is not None:
                    mesh.products[product.id] = product
                    domain.product_ids.append(product.id)
        mesh.index_lineage()
        for product in mesh.products.values():
            mesh.problems.extend(input_port_warnings(mesh, product))
    return mesh


def _rel(root: Path, path: Path) -> str:
    """``path`` as problems name it: relative to the mesh root's parent."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_domain(root: Path, domain_dir: Path, load: DocumentLoader,
                problems: list[ManifestProblem]) -> Domain:
    """The domain of one domain folder (from its ``domain.yaml``, or a default one).

    Args:
        root: the mesh root.
        domain_dir: ``<root>/<domain>``.
        load: how a file is read and parsed (see :data:`DocumentLoader`).
        problems: where the file's problems go (a missing ``domain.yaml`` is a warning).

    Returns:
        The domain, with no product ids yet.
    """
    name = domain_dir.name
    file = domain_dir / DOMAIN_FILE
    domain = Domain(name, name.replace("_", " ").capitalize(), "", None, [], None)
    if _present(file):
        loaded = load(file, _rel(root, file), "domain")
        problems.extend(loaded.problems)
        doc = loaded.model
        if isinstance(doc, DomainDocument):
            if doc.name != name:
                problems.append(
                    ManifestProblem(_rel(root, file), 1, "name",
                                    f"domain name '{doc.name}' differs from its folder '{name}'; "
                                    "rename one of them")
                )
            else:
                domain = Domain.from_document(doc, file)
    else:
        problems.append(
            ManifestProblem(_rel(root, domain_dir), None, "",
                            f"domain folder has no {DOMAIN_FILE}; add one with name, title, "
                            "description and team", severity="warning")
        )
    return domain


def load_product(root: Path, domain: str, product_dir: Path, load: DocumentLoader,
                 problems: list[ManifestProblem]) -> DataProduct | None:
    """The product of one product folder: its ODPS file and the folder's ODCS contracts.

    Args:
        root: the mesh root.
        domain: the name of the domain folder the product folder is in.
        product_dir: ``<root>/<domain>/<product>``.
        load: how a file is read and parsed (see :data:`DocumentLoader`).
        problems: where every problem of the folder's files goes.

    Returns:
        The product, or None when its ODPS file is missing (a warning) or has errors.
    """
    file = product_dir / PRODUCT_FILE
    rel = _rel(root, file)
    if not _present(file):
        problems.append(
            ManifestProblem(_rel(root, product_dir), None, "",
                            f"product folder has no {PRODUCT_FILE}; it is not part of the mesh",
                            severity="warning")
        )
        return None
    loaded = load(file, rel, "odps")
    problems.extend(loaded.problems)
    doc = loaded.model
    if not isinstance(doc, DataProductDocument):
        return None
    expected = f"{domain}.{product_dir.name}"
    if doc.id != expected:
        problems.append(
            ManifestProblem(rel, _line(root, loaded, "id"), "id",
                            f"product id '{doc.id}' must be '{expected}' (<domain>.<folder name>)")
        )
        return None
    if doc.domain and doc.domain != domain:
        problems.append(
            ManifestProblem(rel, _line(root, loaded, "domain"), "domain",
                            f"domain '{doc.domain}' differs from the folder's domain "
                            f"'{domain}'")
        )
        return None
    contracts, broken_contracts = _load_contracts(root, product_dir, load, problems)
    ports = []
    for index, port in enumerate(doc.outputPorts):
        contract, contract_file = contracts.pop(port.contractId or "", (None, None))
        if contract is None and not broken_contracts:
            problems.append(
                ManifestProblem(rel, _line(root, loaded, "outputPorts", index, "contractId"),
                                f"outputPorts[{index}].contractId",
                                f"no contract with id '{port.contractId}' in "
                                f"{_rel(root, product_dir)}/; add <port>.odcs.yaml with that id",
                                severity="warning")
            )
        ports.append(OutputPortView(port.name, port.description, port.type, port.version,
                                    port.contractId, contract, contract_file))
    for contract_id, (_, contract_file) in contracts.items():
        problems.append(
            ManifestProblem(_rel(root, contract_file), 1, "id",
                            f"contract '{contract_id}' is not referenced by any output port of "
                            f"{doc.id}", severity="warning")
        )
    return _assemble(doc, domain, product_dir, file, ports)


def _assemble(doc: DataProductDocument, domain: str, product_dir: Path, file: Path,
              ports: list[OutputPortView]) -> DataProduct:
    description = doc.description
    return DataProduct(
        id=doc.id,
        domain=domain,
        name=doc.name or product_dir.name,
        title=str(doc.custom("title") or doc.name or product_dir.name),
        status=doc.status or "draft",
        version=doc.version or "0.0.0",
        type=doc.type,
        purpose=(description.purpose or "") if description else "",
        usage=(description.usage or "") if description else "",
        limitations=(description.limitations or "") if description else "",
        tags=list(doc.tags),
        team=doc.team,
        support=list(doc.support),
        input_ports=list(doc.inputPorts),
        output_ports=ports,
        directory=product_dir,
        odps_file=file,
        document=doc,
    )


def product_from_documents(
    odps: dict[str, Any], contracts: dict[str, dict[str, Any]], directory: Path,
    display_root: Path | None = None,
) -> tuple[DataProduct | None, list[ManifestProblem]]:
    """Build a :class:`DataProduct` from documents in memory (the registration wizard).

    The documents go through the same layers as files do (JSON Schema, then pydantic; ODCS
    models strictly), but nothing is read from or written to disk.

    Args:
        odps: the ODPS product document as parsed (``product.odps.yaml`` to be).
        contracts: output port name → its ODCS contract document; the port's ``contractId``
            must equal the contract's ``id``.
        directory: the folder the product will be written to, ``<mesh root>/<domain>/<name>``;
            files are named ``product.odps.yaml`` and ``<port>.odcs.yaml`` inside it.
        display_root: problems name files relative to this folder (default: ``directory``'s
            grandparent's parent, i.e. ``domains/<domain>/<name>/…``).

    Returns:
        ``(product, problems)``; the product is ``None`` when the ODPS document is invalid.
        Problems have no line numbers (there is no text); a broken contract leaves its port
        without a contract.
    """
    base = display_root or directory.parent.parent.parent

    def name(path: Path) -> str:
        """``path`` as problems name it."""
        try:
            return str(path.relative_to(base))
        except ValueError:
            return str(path)

    odps_file = directory / PRODUCT_FILE
    problems: list[ManifestProblem] = []
    loaded = _document_from_raw(odps, name(odps_file), "odps")
    problems.extend(loaded.problems)
    if not isinstance(loaded.model, DataProductDocument):
        return None, problems
    doc = loaded.model
    ports = []
    for port in doc.outputPorts:
        file = directory / f"{port.name}.odcs.yaml"
        raw = contracts.get(port.name)
        contract = None
        if raw is not None:
            result = _document_from_raw(raw, name(file), "odcs")
            problems.extend(result.problems)
            if isinstance(result.model, LazyContract):
                contract = result.model
                if contract.id != port.contractId:
                    problems.append(ManifestProblem(
                        name(file), None, "id", f"contract id '{contract.id}' differs from the "
                        f"port's contractId '{port.contractId}'"))
        ports.append(OutputPortView(port.name, port.description, port.type, port.version,
                                    port.contractId, contract, file))
    domain = doc.domain or directory.parent.name
    return _assemble(doc, domain, directory, odps_file, ports), problems


def _document_from_raw(raw: dict[str, Any], display_name: str, kind: str) -> LoadedDocument:
    """Validate an in-memory document as :func:`parse_document` validates file bytes."""
    text = json.dumps(raw, default=str)  # JSON is YAML; its one line tells no position
    loaded = parse_document(text.encode("utf-8"), display_name, kind, strict=True)
    loaded.problems = [dataclasses.replace(p, line=None) for p in loaded.problems]
    return loaded


def _load_contracts(
    root: Path, product_dir: Path, load: DocumentLoader, problems: list[ManifestProblem]
) -> tuple[dict[str, tuple[LazyContract, Path]], bool]:
    """The product folder's valid contracts by id, and whether any contract file was broken
    (then a port without its contract is already explained by that file's errors)."""
    out: dict[str, tuple[LazyContract, Path]] = {}
    broken = False
    for file in _files(product_dir, ".odcs.yaml"):
        loaded = load(file, _rel(root, file), "odcs")
        problems.extend(loaded.problems)
        if isinstance(loaded.model, LazyContract):
            out[loaded.model.id] = (loaded.model, file)
        else:
            broken = True
    return out, broken


def unserved_inputs(mesh: Mesh, product: DataProduct) -> tuple[int, ...]:
    """Indexes of the product's input ports whose contract no product of ``mesh`` serves."""
    return tuple(index for index, port in enumerate(product.input_ports)
                 if mesh.producer_of_contract(port.contractId or "") is None)


def input_port_warnings(mesh: Mesh, product: DataProduct,
                        unserved: tuple[int, ...] | None = None) -> list[ManifestProblem]:
    """Warnings about input ports whose contract no product serves, each at its ``contractId``
    line (the file is read again only when there is a warning).

    Args:
        mesh: the mesh, lineage indexed.
        product: one of its products.
        unserved: :func:`unserved_inputs` when already known.
    """
    indexes = unserved_inputs(mesh, product) if unserved is None else unserved
    if not indexes:
        return []
    text = _text(mesh.root, product.odps_file) or ""
    out = []
    for index in indexes:
        port = product.input_ports[index]
        line = locate(text, ["inputPorts", index, "contractId"]) or 1
        out.append(
            ManifestProblem(_rel(mesh.root, product.odps_file), line,
                            f"inputPorts[{index}].contractId",
                            f"input port '{port.name}' consumes contract "
                            f"'{port.contractId}', which no product in the mesh serves",
                            severity="warning")
        )
    return out


def _line(root: Path, loaded: LoadedDocument, *path: str | int) -> int:
    """Line of ``path`` in a loaded file (re-reads the file, confined, only when asked); 1 when
    the file cannot be read again."""
    text = _text(root, loaded.path) if loaded.path is not None else None
    return (locate(text, list(path)) if text is not None else None) or 1


def _text(root: Path, file: Path) -> str | None:
    """A manifest's text read again through the same checks as the first read, or ``None``."""
    try:
        return decode(read_regular_file(file, root, MAX_MANIFEST_BYTES))
    except (PathRefused, YamlProblem):
        return None


def check_contract_models(mesh: Mesh) -> list[ManifestProblem]:
    """Build every contract's pydantic model now and report any that fail (second layer).

    The loader defers these models (see ``LazyContract``); ``python -m catalog validate`` calls
    this so CI sees every problem up front.
    """
    problems: list[ManifestProblem] = []
    for product in mesh.products.values():
        for port in product.output_ports:
            if port.source is None or port.contract_file is None:
                continue
            try:
                port.source.model()
            except ValidationError as err:
                text = _text(mesh.root, port.contract_file) or ""
                problems.extend(pydantic_problems(err, text, _rel(mesh.root, port.contract_file)))
    return problems
