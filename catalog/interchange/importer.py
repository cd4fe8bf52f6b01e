"""Import ODCS contracts (and an ODPS product, when there is one) into the mesh.

The result is an ordinary product folder, ``<root>/<domain>/<product>/product.odps.yaml`` plus
one ``<port>.odcs.yaml`` per contract, which the loader reads with no error. Steps:

1. read and validate every file (:mod:`catalog.interchange.reader`; all problems of all files
   are reported together, each with file, line and field; each contract against the JSON
   Schema of its own ``apiVersion``);
2. decide the domain (``--domain``, else the ODPS or ODCS ``domain``), the product's folder
   name (``--name``, else the ODPS id or name, else the contract's ``dataProduct``, ``name``
   or first schema object, else the file name) and each port's file name. Free-text names
   (``Orders quality rules (duckdb)``) become snake_case with ``python-slugify``; every name is
   checked against the naming convention (:mod:`catalog.interchange.names`) first;
3. refuse an existing product folder, an unknown domain, or a contract id another product of
   the mesh already serves; warn about input ports whose contract no product serves (at the
   line of their ``contractId``);
4. :func:`plan_import` returns all of that as an :class:`ImportPlan` (file name -> bytes)
   without writing anything; :func:`write_import` writes a plan into a hidden folder of the
   domain and renames it into place, so the mesh never shows half a product and an existing
   product is never overwritten. :func:`import_files` does both.

Contracts are stored byte for byte as given (comments, layout and their own ``name``
included); the ODPS file too, unless its id or team shape has to change: then it is edited
with a ``ruamel.yaml`` round trip (:func:`catalog.interchange.yaml_writer.edit_yaml`), which
keeps its comments and layout. Export restores the original id, so a round trip gives back
the documents that came in, key for key.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog.errors import CatalogError, ManifestError
from catalog.files import create_new
from catalog.interchange.names import checked_name, folder_name, is_valid_name, min_length
from catalog.interchange.product import product_around, with_mesh_id
from catalog.interchange.reader import DocumentRejected, SourceFile, read_document, read_source
from catalog.interchange.yaml_writer import dump_yaml, edit_yaml
from catalog.manifests.documents import parse_document
from catalog.manifests.loader import PRODUCT_FILE, load_mesh
from catalog.manifests.yaml_source import format_path, locate
from catalog.mesh import ManifestProblem, Mesh


@dataclass(frozen=True)
class ImportPlan:
    """What an import will write, decided and validated before anything is written.

    Attributes:
        domain: the owning domain (a folder of the mesh root).
        name: the product's folder name.
        product_id: ``<domain>.<name>``.
        files: file name in the product folder -> its bytes; ``product.odps.yaml`` first,
            then one ``<port>.odcs.yaml`` per contract.
        warnings: non-blocking problems of the input files (each with file, line, field).
    """

    domain: str
    name: str
    product_id: str
    files: dict[str, bytes]
    warnings: list[ManifestProblem] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    """An imported product: its id, folder, the files written and the input's warnings."""

    product_id: str
    directory: Path
    files: tuple[Path, ...]
    warnings: tuple[ManifestProblem, ...]


def _line(source: SourceFile, *path: str | int) -> int | None:
    return locate(source.raw.decode("utf-8-sig"), list(path))


def _refuse(source: SourceFile, field_path: list[str | int], label: str, message: str
            ) -> ManifestError:
    return ManifestError(source.name, _line(source, *field_path), label, message)


def _read_all(files: list[Path] | Mapping[str, bytes]) -> list[SourceFile]:
    sources, problems = [], []
    items = ([(name, data, None) for name, data in files.items()] if isinstance(files, Mapping)
             else [(str(path), None, Path(path)) for path in files])
    for name, data, path in items:
        try:
            sources.append(read_document(path) if path is not None
                           else read_source(name, data or b""))
        except DocumentRejected as err:
            problems.extend(err.problems)
    if problems:
        raise DocumentRejected(problems)
    products = [s for s in sources if s.kind == "odps"]
    if len(products) > 1:
        raise CatalogError("Import one product at a time: got several ODPS files ("
                           + ", ".join(s.name for s in products) + ").")
    seen: dict[str, str] = {}
    for source in sources:
        if source.kind == "odcs":
            cid = str(source.document.get("id"))
            if cid in seen:
                raise _refuse(source, ["id"], "id", f"contract id '{cid}' is also the id of "
                              f"{seen[cid]}; a contract id names one contract")
            seen[cid] = source.name
    return sources


def _known_domains(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")))


def _inferred_domain(odps: SourceFile | None, contracts: list[SourceFile], known: list[str]
                     ) -> str:
    """The domain the documents imply: an ODPS id written ``<domain>.<product>`` (the mesh
    convention), else the one ``domain`` all contracts name; ``""`` when neither."""
    prefix = str(odps.document.get("id")).split(".")[0] if odps else ""
    if prefix in known:
        return prefix
    named = {folder_name(c.document.get("domain"), "domain") for c in contracts
             if c.document.get("domain")}
    return str(named.pop()) if len(named) == 1 and None not in named else ""


def _domain(option: str | None, odps: SourceFile | None, contracts: list[SourceFile],
            root: Path) -> str:
    known = _known_domains(root)
    declared = odps.document.get("domain") if odps else None
    if option is not None:
        domain = checked_name(option, file="--domain", line=None, field="", what="domain")
        if odps is not None and declared is not None and declared != domain:
            raise _refuse(odps, ["domain"], "domain",
                          f"the product says domain '{declared}' but --domain is '{domain}'; "
                          "they must agree")
    elif odps is not None and declared is not None:
        domain = checked_name(str(declared), file=odps.name, line=_line(odps, "domain"),
                              field="domain", what="domain")
    else:
        domain = _inferred_domain(odps, contracts, known)
    if not domain:
        raise CatalogError("Which domain owns this product? Pass --domain DOMAIN (one of: "
                           f"{', '.join(known) or 'none yet'}).")
    if domain not in known:
        raise CatalogError(f"There is no domain '{domain}' in the mesh at {root} (domains: "
                           f"{', '.join(known) or 'none'}). Create {domain}/domain.yaml first, "
                           "or pass --domain with an existing one.")
    return domain


def _at(document: Any, path: list[str | int]) -> Any:
    value = document
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _derived(source: SourceFile, candidates: list[list[str | int]], what: str
             ) -> tuple[str, str] | None:
    """The mesh name made from the first present field among ``candidates`` (a path each),
    and that field's text as written.

    Raises:
        ManifestError: that field cannot be made a mesh name (never skipped for the next).
    """
    for path in candidates:
        value = _at(source.document, path)
        if value is None:
            continue
        name = folder_name(value, what)
        if name is None:
            raise _refuse(source, path, format_path(path),
                          f"cannot make a {what} folder name from {value!r}: it must hold "
                          "letters (no dots, slashes or control characters, not a reserved "
                          "word, not starting with a digit), or pass --name")
        return name, str(value)
    return None


def _from_file_name(source: SourceFile, what: str) -> str | None:
    """The mesh name made from the file's name (``azure-server.odcs.yaml`` ->
    ``azure_server``), the last resort when the document names nothing."""
    stem = Path(source.name).name
    for suffix in (".yaml", ".yml", ".odcs", ".odps"):
        stem = stem.removesuffix(suffix)
    return folder_name(stem, what)


def _product_name(option: str | None, domain: str, odps: SourceFile | None,
                  contracts: list[SourceFile]) -> tuple[str, str | None]:
    """The product's folder name, and its title when that name was made from free text."""
    if option is not None:
        return checked_name(option, file="--name", line=None, field="", what="product"), None
    if odps is not None:
        pid = str(odps.document.get("id"))
        rest = pid[len(domain) + 1:] if pid.startswith(f"{domain}.") else ""
        if is_valid_name(rest, min_length("product")):
            return rest, None
        found = _derived(odps, [["name"]], "product")
    else:
        found = _derived(contracts[0], [["dataProduct"], ["name"], ["schema", 0, "name"]],
                         "product")
        if found is None and (stem := _from_file_name(contracts[0], "product")):
            found = (stem, stem)
    if found is None:
        raise CatalogError("The files give the product no usable name; pass --name NAME.")
    name, text = found
    return name, (text if text != name and odps is None else None)


def _ports(odps: SourceFile | None, contracts: list[SourceFile], product: str
           ) -> list[tuple[str, SourceFile]]:
    out: list[tuple[str, SourceFile]] = []
    ports = (odps.document.get("outputPorts") or []) if odps else []
    for source in contracts:
        cid = str(source.document.get("id"))
        if odps is not None:
            index = next((i for i, p in enumerate(ports) if str(p.get("contractId")) == cid),
                         None)
            if index is None:
                raise _refuse(source, ["id"], "id",
                              f"contract '{cid}' is not the contractId of any output port of "
                              f"{odps.name}; add a port for it or import it separately")
            found = _derived(odps, [["outputPorts", index, "name"]], "port")
        else:
            found = _derived(source, [["name"], ["schema", 0, "name"]], "port")
        port = found[0] if found else (_from_file_name(source, "port") or product)
        if any(port == p for p, _ in out):
            raise _refuse(source, ["name"], "name", f"two contracts would both be stored as "
                          f"{port}.odcs.yaml; give them different names")
        out.append((port, source))
    return out


def _check_free(root: Path, plan_domain: str, name: str, contracts: list[SourceFile]
                ) -> Mesh:
    """Refuse an existing product folder or a contract id the mesh already serves.

    Returns:
        The loaded mesh.
    """
    target = root / plan_domain / name
    if target.exists():
        raise CatalogError(f"Product {plan_domain}.{name} already exists ({target}); nothing "
                           "was imported. Remove it first, or import under another --name.")
    mesh = load_mesh(root)
    for source in contracts:
        cid = str(source.document.get("id"))
        producer = mesh.producer_of_contract(cid)
        if producer is not None:
            raise _refuse(source, ["id"], "id", f"contract id '{cid}' is already served by "
                          f"{producer.id}; a contract id names one contract in the mesh")
    return mesh


def _input_port_warnings(odps: SourceFile, mesh: Mesh, contracts: list[SourceFile]
                         ) -> list[ManifestProblem]:
    """Input ports whose contract neither the mesh nor the imported contracts serve, each at
    the line of its ``contractId`` in the ODPS file (the loader's rule for the mesh)."""
    own = {str(c.document.get("id")) for c in contracts}
    out = []
    for index, port in enumerate(odps.document.get("inputPorts") or []):
        if not isinstance(port, dict):
            continue
        cid = str(port.get("contractId") or "")
        if cid in own or mesh.producer_of_contract(cid) is not None:
            continue
        out.append(ManifestProblem(
            odps.name, _line(odps, "inputPorts", index, "contractId") or _line(odps),
            f"inputPorts[{index}].contractId",
            f"input port '{port.get('name')}' consumes contract '{cid}', which no product in "
            "the mesh serves", severity="warning"))
    return out


def _odps_bytes(odps: SourceFile | None, ports: list[tuple[str, SourceFile]], domain: str,
                product: str, title: str | None) -> bytes:
    """The ``product.odps.yaml`` to write: the given one (edited with its comments kept when
    its id or team shape changes), or one built around the contracts."""
    product_id = f"{domain}.{product}"
    if odps is None:
        return dump_yaml(product_around([(p, s.document) for p, s in ports], domain, product,
                                        title=title))
    document = with_mesh_id(odps.document, product_id)
    if document is odps.document and not odps.normalised:
        return odps.raw
    return edit_yaml(odps.raw, document)


def plan_import(files: list[Path] | Mapping[str, bytes], mesh_root: Path,
                domain: str | None = None, name: str | None = None) -> ImportPlan:
    """Read, validate and place documents into a product of the mesh, writing nothing.

    Args:
        files: ODCS contracts and at most one ODPS product: file paths, or file name ->
            bytes (an upload; the names only label problems and give a kind by suffix).
        mesh_root: the mesh root.
        domain: the owning domain; by default the product's (or the contracts') ``domain``.
        name: the product's folder name; by default derived from the documents.

    Returns:
        The :class:`ImportPlan`: the product folder's files and the input's warnings.

    Raises:
        DocumentRejected: an input document is invalid (every problem, with file, line,
            field; an ODCS ``apiVersion`` without a schema here names the supported ones).
        ManifestError: a name in the files or options breaks the naming convention, or the
            files disagree (a contract no port refers to, a domain mismatch).
        CatalogError: no domain, an unknown domain, an existing product or contract id.
    """
    if not files:
        raise CatalogError("Name at least one ODCS or ODPS file to import.")
    sources = _read_all(files)
    odps = next((s for s in sources if s.kind == "odps"), None)
    contracts = [s for s in sources if s.kind == "odcs"]
    plan_domain = _domain(domain, odps, contracts, mesh_root)
    product, title = _product_name(name, plan_domain, odps, contracts)
    ports = _ports(odps, contracts, product)
    mesh = _check_free(mesh_root, plan_domain, product, contracts)
    product_id = f"{plan_domain}.{product}"
    odps_bytes = _odps_bytes(odps, ports, plan_domain, product, title)
    check = parse_document(odps_bytes, f"{product_id}/{PRODUCT_FILE}", "odps", strict=True)
    if check.model is None:
        raise DocumentRejected(check.problems)
    planned = {PRODUCT_FILE: odps_bytes}
    planned.update((f"{port}.odcs.yaml", source.raw) for port, source in ports)
    warnings = [w for s in sources for w in s.warnings]
    if odps is not None:
        warnings += _input_port_warnings(odps, mesh, contracts)
    return ImportPlan(plan_domain, product, product_id, planned, warnings)


def write_import(plan: ImportPlan, root: Path) -> ImportResult:
    """Write a planned import: all files appear at once, an existing product is never touched.

    Raises:
        CatalogError: the product folder appeared meanwhile (nothing is written).
        OSError: the disk is full or not writable (nothing is left behind).
    """
    domain_dir = root / plan.domain
    target = domain_dir / plan.name
    staging = domain_dir / f".import-{plan.name}-{secrets.token_hex(4)}"
    os.mkdir(staging)
    try:
        for file_name, data in plan.files.items():
            create_new(staging / file_name, data)
        appeared = CatalogError(f"Product {plan.product_id} appeared while importing; "
                                "nothing was imported.")
        if target.exists():
            raise appeared
        try:
            os.rename(staging, target)
        except OSError:
            if target.exists():  # another import won the race
                raise appeared from None
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    fd = os.open(domain_dir, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return ImportResult(plan.product_id, target,
                        tuple(target / file_name for file_name in plan.files),
                        tuple(plan.warnings))


def import_files(files: list[Path] | Mapping[str, bytes], root: Path,
                 domain: str | None = None, name: str | None = None) -> ImportResult:
    """Import ODCS/ODPS documents as one product of the mesh (:func:`plan_import` then
    :func:`write_import`); see the module docstring for every step.

    Args:
        files: file paths, or file name -> bytes (see :func:`plan_import`).
        root: the mesh root.
        domain: the owning domain (default: from the documents).
        name: the product's folder name (default: from the documents).

    Returns:
        The :class:`ImportResult` (``product_id`` is what ``python -m catalog import`` prints).

    Raises:
        DocumentRejected: an input document is invalid.
        ManifestError: a name breaks the naming convention, or the documents disagree.
        CatalogError: no or an unknown domain, an existing product or contract id, or the
            product appeared while writing.
        OSError: the mesh folder cannot be written.
    """
    return write_import(plan_import(files, root, domain, name), root)
