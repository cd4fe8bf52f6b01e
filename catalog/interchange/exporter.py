"""Export a product of the mesh as its ODPS + ODCS pair (and, on request, its Markdown
documentation), for other tools (datacontract-cli, Entropy Data, another mesh).

The files are the product folder's own: ``product.odps.yaml`` and each ``<port>.odcs.yaml``,
byte for byte, except that an imported product gets its own id back (see
:mod:`catalog.interchange.product`); that edit is a ``ruamel.yaml`` round trip, so the ODPS
file keeps its comments (e.g. an SPDX licence header) and layout. Every file is validated as
the loader would before anything is written; an invalid contract in the folder stops the
export with its problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from catalog.errors import CatalogError
from catalog.files import write_atomic
from catalog.interchange.markdown import product_markdown
from catalog.interchange.product import with_original_id
from catalog.interchange.reader import DocumentRejected
from catalog.interchange.yaml_writer import edit_yaml
from catalog.manifests.documents import parse_document
from catalog.manifests.loader import PRODUCT_FILE
from catalog.manifests.yaml_source import decode, parse_mapping
from catalog.mesh import DataProduct


@dataclass(frozen=True)
class ExportFile:
    """One exported file: its name (no folder) and content."""

    name: str
    data: bytes


def _odps_export(product: DataProduct) -> bytes:
    """The product's ODPS file as written, or, for an imported product, edited back to its
    own id with every comment and the layout kept (:func:`edit_yaml`)."""
    raw = product.odps_file.read_bytes()
    document = parse_mapping(decode(raw))
    original = with_original_id(document)
    return raw if original is document else edit_yaml(raw, original)


def _validated(name: str, data: bytes, kind: str) -> ExportFile:
    loaded = parse_document(data, name, kind, strict=True)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors or loaded.model is None:
        raise DocumentRejected(errors)
    return ExportFile(name, data)


def export_files(product: DataProduct, markdown: bool = False) -> list[ExportFile]:
    """The files that describe ``product`` in the open standards.

    Args:
        product: a product of the loaded mesh.
        markdown: also include ``<product id>.md`` (:func:`product_markdown`).

    Returns:
        ``product.odps.yaml`` first, then every ``*.odcs.yaml`` of the product folder in name
        order, then the Markdown file when asked.

    Raises:
        DocumentRejected: a file of the product is invalid (each problem with file and line).
        OSError: a file cannot be read.
    """
    files = [_validated(PRODUCT_FILE, _odps_export(product), "odps")]
    for path in sorted(product.directory.glob("*.odcs.yaml")):
        files.append(_validated(path.name, path.read_bytes(), "odcs"))
    if markdown:
        files.append(ExportFile(f"{product.id}.md", product_markdown(product).encode("utf-8")))
    return files


def write_export(files: list[ExportFile], out_dir: Path, overwrite: bool = False
                 ) -> list[Path]:
    """Write exported files into ``out_dir`` (created if missing), each atomically.

    Args:
        files: from :func:`export_files`.
        out_dir: the destination folder.
        overwrite: replace files that already exist there; otherwise refuse.

    Returns:
        The paths written, in order.

    Raises:
        CatalogError: a file exists and ``overwrite`` is False (nothing is written).
        OSError: the folder cannot be written.
    """
    targets = [out_dir / f.name for f in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not overwrite:
        raise CatalogError(f"{', '.join(existing)} already exist; nothing was exported. "
                           "Choose another --out folder or pass --force to replace them.")
    for target, file in zip(targets, files, strict=True):
        write_atomic(target, file.data)
    return targets
