"""Walk a product's documents: every output port's contract, schema object and property.

Reads the raw (schema-valid) contract dicts, as listing and search do, so evaluating policies
never builds the ODCS pydantic models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from catalog.mesh import DataProduct


@dataclass(frozen=True)
class PropertyAt:
    """One property of one contract, with where it sits.

    Attributes:
        port: the output port whose contract declares it.
        path: JSON path of the property in the contract (``("schema", 0, "properties", 3)``).
        object_name: the schema object's name.
        raw: the property as written.
        name: the property's name (``""`` when missing).
    """

    port: str
    path: tuple[str | int, ...]
    object_name: str
    raw: dict[str, Any]
    name: str


def contracts(product: DataProduct) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(port name, raw contract)`` of every output port that has a contract."""
    for port in product.output_ports:
        if port.source is not None:
            yield port.name, port.raw_contract


def objects(product: DataProduct) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """``(port name, index, raw schema object)`` of every schema object of every contract."""
    for port, raw in contracts(product):
        for index, obj in enumerate(raw.get("schema") or []):
            if isinstance(obj, dict):
                yield port, index, obj


def properties(product: DataProduct) -> Iterator[PropertyAt]:
    """Every property of every schema object of every contract, in document order."""
    for port, index, obj in objects(product):
        for p_index, prop in enumerate(obj.get("properties") or []):
            if isinstance(prop, dict):
                yield PropertyAt(port, ("schema", index, "properties", p_index),
                                 str(obj.get("name") or ""), prop, str(prop.get("name") or ""))


def custom_value(custom_properties: Any, key: str) -> Any:
    """The value of ``key`` in an ODCS/ODPS ``customProperties`` list, ``None`` when absent."""
    for item in custom_properties or []:
        if isinstance(item, dict) and item.get("property") == key:
            return item.get("value")
    return None
