"""Write manifests as YAML other tools read back exactly: key order kept, safe types only.

PyYAML's ``SafeDumper`` (never a ``!!python/...`` tag; anything but dicts, lists, strings,
numbers, booleans and None is refused) with three adjustments:

- keys stay in document order (``sort_keys=False``) and non-ASCII text stays readable;
- multi-line strings are written as ``|`` blocks;
- strings that a YAML 1.2 reader would take for something else are quoted. PyYAML resolves
  YAML 1.1 and the manifests are read as YAML 1.2 (``ryaml``): ``1e3`` or ``0o17`` are strings
  to PyYAML but numbers to a YAML 1.2 reader.

Every dump is read back with the manifest parser and compared with the input, so a document
that would not survive the trip is refused rather than written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from catalog.errors import CatalogError
from catalog.manifests.yaml_source import parse_mapping

_YAML12_NON_STRING = re.compile(
    r"""^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE
    |[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+
    |[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$""",
    re.VERBOSE,
)
"""Plain scalars the YAML 1.2 core schema resolves to null, bool, int or float."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper with block-style multi-line strings and YAML 1.2-safe quoting."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        """Indent list items under their key (``key:\\n  - item``), as the manifests do."""
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _YAML12_NON_STRING.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(document: dict[str, Any]) -> bytes:
    """Serialise a manifest document to UTF-8 YAML.

    Args:
        document: plain data (dicts, lists, str, int, float, bool, None), e.g. as parsed.

    Returns:
        The YAML bytes; parsing them gives back a document equal to ``document``.

    Raises:
        CatalogError: the document holds a value YAML cannot represent safely, or would not
            read back equal (the message names the problem; nothing is written).
    """
    try:
        text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=4096)
    except yaml.YAMLError as err:
        raise CatalogError(f"The document cannot be written as plain YAML: {err}") from None
    if parse_mapping(text) != document:
        raise CatalogError("The document would not read back identically once written as "
                           "YAML; it was not written. Please report this as a bug.")
    return text.encode("utf-8")
