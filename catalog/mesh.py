"""The mesh as the portal sees it: domains, data products, their ports and contracts.

Built by :mod:`catalog.manifests.loader` from ODPS/ODCS documents; plain dataclasses inside the
catalog. Lineage runs input port → product → output port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from open_data_contract_standard.model import OpenDataContractStandard, SchemaObject

from catalog.models.domain import DomainDocument
from catalog.models.odps import DataProductDocument, InputPort, SupportChannel, Team

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
"""Sensitivity levels, least to most sensitive."""


@dataclass(frozen=True)
class ManifestProblem:
    """One finding while loading manifests.

    Attributes:
        file: path relative to the mesh root.
        line: 1-based line number, ``None`` when the problem is about the whole file.
        field: dotted path of the field (``schema[0].properties[2].logicalType``) or ``""``.
        message: what is wrong and, where possible, how to fix it.
        severity: ``error`` (the file was skipped) or ``warning`` (loaded anyway).
    """

    file: str
    line: int | None
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"


@dataclass(frozen=True)
class PropertyView:
    """One schema property (column) of a contract, flattened for display and search."""

    object_name: str
    name: str
    logical_type: str | None
    physical_type: str | None
    description: str | None
    required: bool
    unique: bool
    primary_key: bool
    classification: str | None
    pii: bool
    examples: tuple[Any, ...] = ()


def _is_pii(custom_properties: list[Any] | None) -> bool:
    """True when ``customProperties`` hold ``pii`` set to true (bool or the string 'true').

    ODCS has no PII field; the convention is ``{property: pii, value: true}`` and datacontract-cli
    writes the string ``'True'`` (datacontract-cli does), so both are accepted.
    """
    for prop in custom_properties or []:
        if isinstance(prop, dict) and prop.get("property") == "pii":
            return str(prop.get("value")).strip().lower() == "true"
    return False


@dataclass
class OutputPortView:
    """An output port of a product with its data contract (``None`` if it failed to load).

    ``source`` is the schema-valid contract document (see
    :class:`catalog.manifests.documents.LazyContract`); listing and search read its raw form,
    and :attr:`contract` builds the ODCS pydantic model on first use.
    """

    name: str
    description: str | None
    type: str | None
    version: str | None
    contract_id: str | None
    source: Any | None = None
    contract_file: Path | None = None

    @property
    def contract(self) -> OpenDataContractStandard | None:
        """The ODCS model of the port's contract, or None when it failed to load.

        Raises:
            pydantic.ValidationError: the (schema-valid) document breaks the pydantic models;
                ``python -m catalog validate`` reports this up front.
        """
        return self.source.model() if self.source is not None else None

    @property
    def raw_contract(self) -> dict[str, Any]:
        """The contract document as parsed (empty when there is none)."""
        return self.source.raw if self.source is not None else {}

    def schema_objects(self) -> list[SchemaObject]:
        """The contract's schema objects (tables), empty when there is no contract."""
        contract = self.contract
        return list(contract.schema_ or []) if contract else []

    def properties(self) -> list[PropertyView]:
        """Every property of every schema object of the contract, in document order.

        Read from the raw document, so listing and search never build pydantic models.
        """
        out: list[PropertyView] = []
        for obj in self.raw_contract.get("schema") or []:
            for prop in obj.get("properties") or []:
                out.append(
                    PropertyView(
                        object_name=str(obj.get("name") or ""),
                        name=str(prop.get("name") or ""),
                        logical_type=prop.get("logicalType"),
                        physical_type=prop.get("physicalType"),
                        description=prop.get("description"),
                        required=bool(prop.get("required")),
                        unique=bool(prop.get("unique")),
                        primary_key=bool(prop.get("primaryKey")),
                        classification=prop.get("classification"),
                        pii=_is_pii(prop.get("customProperties")),
                        examples=tuple(prop.get("examples") or ()),
                    )
                )
        return out


@dataclass
class DataProduct:
    """A data product of the mesh: its ODPS document plus resolved output-port contracts."""

    id: str
    domain: str
    name: str
    title: str
    status: str
    version: str
    type: str | None
    purpose: str
    usage: str
    limitations: str
    tags: list[str]
    team: Team | None
    support: list[SupportChannel]
    input_ports: list[InputPort]
    output_ports: list[OutputPortView]
    directory: Path
    odps_file: Path
    document: DataProductDocument
    _properties: list[PropertyView] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the computed property list (rebuilt on first use)."""
        return {**self.__dict__, "_properties": None}

    @property
    def owners(self) -> list[str]:
        """Names (or user names) of team members whose role mentions 'owner'."""
        members = self.team.members if self.team else []
        return [m.name or m.username for m in members if "owner" in (m.role or "").lower()]

    @property
    def team_name(self) -> str:
        """The owning team's name, or ``""``."""
        return (self.team.name or "") if self.team else ""

    def properties(self) -> list[PropertyView]:
        """All properties of all output ports (computed once per loaded product)."""
        if self._properties is None:
            self._properties = [p for port in self.output_ports for p in port.properties()]
        return self._properties

    def classifications(self) -> set[str]:
        """Classifications used by the product's properties (``unclassified`` when unset)."""
        return {p.classification or "unclassified" for p in self.properties()}

    def has_pii(self) -> bool:
        """True when any property is flagged as personal data."""
        return any(p.pii for p in self.properties())

    def port(self, name: str | None = None) -> OutputPortView:
        """The output port called ``name`` (the first one when ``name`` is None).

        Raises:
            KeyError: no such port.
        """
        if name is None and self.output_ports:
            return self.output_ports[0]
        for port in self.output_ports:
            if port.name == name:
                return port
        raise KeyError(name)


@dataclass
class Domain:
    """A business domain and the ids of its products."""

    name: str
    title: str
    description: str
    team: Team | None
    contacts: list[SupportChannel]
    file: Path | None
    product_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_document(cls, doc: DomainDocument, file: Path | None) -> Domain:
        """Build from a validated ``domain.yaml`` document."""
        return cls(doc.name, doc.title, doc.description, doc.team, doc.contacts, file)


@dataclass
class Mesh:
    """Everything loaded from the manifest root.

    Attributes:
        root: the manifest root folder.
        domains: by domain name.
        products: by product id (``<domain>.<name>``).
        problems: every error and warning found; files with errors are skipped.
    """

    root: Path
    domains: dict[str, Domain] = field(default_factory=dict)
    products: dict[str, DataProduct] = field(default_factory=dict)
    problems: list[ManifestProblem] = field(default_factory=list)

    _producers: dict[str, str] = field(default_factory=dict, repr=False)
    _upstream: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _downstream: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def index_lineage(self) -> None:
        """Index contract ids → producer and both lineage directions (call after loading).

        Keeps :meth:`upstream`, :meth:`downstream` and :meth:`producer_of_contract` O(1), so
        a mesh of 10,000 products resolves its lineage in milliseconds.
        """
        self._producers = {port.contract_id: product.id
                           for product in self.products.values()
                           for port in product.output_ports if port.contract_id}
        self._upstream = {pid: self._resolve_upstream(product)
                          for pid, product in self.products.items()}
        self._downstream = {pid: [] for pid in self.products}
        for pid, ups in self._upstream.items():
            for up in ups:
                self._downstream[up].append(pid)

    def _resolve_upstream(self, product: DataProduct) -> list[str]:
        ids: list[str] = []
        for port in product.input_ports:
            producer = self._producers.get(port.contractId or "")
            if producer is None and port.name in self.products:
                producer = port.name
            if producer is not None and producer not in ids:
                ids.append(producer)
        return ids

    def producer_of_contract(self, contract_id: str) -> DataProduct | None:
        """The product whose output port has contract ``contract_id``, if any."""
        if not self._producers and self.products:
            self.index_lineage()
        pid = self._producers.get(contract_id)
        return self.products.get(pid) if pid else None

    def upstream(self, product_id: str) -> list[str]:
        """Ids of the products whose contracts ``product_id`` consumes (its input ports).

        Raises:
            KeyError: unknown product id.
        """
        if product_id not in self._upstream:
            self.index_lineage()
        return list(self._upstream[product_id])

    def downstream(self, product_id: str) -> list[str]:
        """Ids of the products that consume ``product_id`` through an input port.

        Raises:
            KeyError: unknown product id.
        """
        if product_id not in self._downstream:
            self.index_lineage()
        return list(self._downstream[product_id])
