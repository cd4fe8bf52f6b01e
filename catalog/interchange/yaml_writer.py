"""Write manifests as YAML other tools read back exactly: key order kept, safe types only.

Two writers:

- :func:`edit_yaml` changes a document that exists as text (an imported ODPS file whose id
  becomes the mesh's, an export that restores it, an approval's ``status``) with a
  ``ruamel.yaml`` round trip: comments (e.g. the Apache-2.0 SPDX header of Bitol's examples),
  blank lines, flow or block style, quoting and folded text of every untouched node are kept.
  The indentation of mappings and of ``-`` items is read from the text; a file that mixes
  several indentations is written with the first one found.
- :func:`dump_yaml` writes a new document: PyYAML's ``SafeDumper`` (never a
  ``!!python/...`` tag; anything but dicts, lists, strings, numbers, booleans and None is
  refused), keys in document order, non-ASCII text readable, multi-line strings as ``|``
  blocks, and strings that a YAML 1.2 reader would take for something else quoted (PyYAML
  resolves YAML 1.1 and the manifests are read as YAML 1.2 by ``ryaml``: ``1e3`` or ``0o17``
  are strings to PyYAML but numbers to a YAML 1.2 reader).

Every result is read back with the manifest parser and compared with the intended document,
so a document that would not survive the trip is never written: :func:`dump_yaml` refuses it
and :func:`edit_yaml` falls back to :func:`dump_yaml` (losing the comments, logged).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.tokens import CommentToken

from catalog.errors import CatalogError
from catalog.manifests.yaml_source import YamlProblem, decode, parse_mapping

logger = logging.getLogger(__name__)

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


_KEY_OPENS_BLOCK = re.compile(r"^( *)(?:- )?[^\s#][^\n]*:[ \t]*(?:#.*)?$")
_EXPLICIT_START = re.compile(r"(?:[ \t]*#[^\n]*\n|[ \t]*\n)*---(?:[ \t]|$)", re.MULTILINE)


def guess_indent(text: str) -> tuple[int, int, int]:
    """How a YAML text indents: ``(mapping indent, sequence indent, offset of "-")``.

    In ``ruamel.yaml`` terms (``YAML.indent``): read from the first nested mapping key and the
    first block sequence under a key: ``(2, 4, 2)`` for ``key:\n  - item``, ``(2, 2, 0)`` for
    ``key:\n- item``, ``(4, 4, 0)`` for ``key:\n-   item``; ``(2, 4, 2)`` where the text
    has neither.

    Args:
        text: the YAML text.

    Returns:
        The three indentations, in spaces.
    """
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    previous: tuple[int, str] | None = None
    for line in text.splitlines():
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        if previous is not None and _KEY_OPENS_BLOCK.match(previous[1]) and indent >= previous[0]:
            step = indent - previous[0]
            if body == "-" or body.startswith("- "):
                gap = len(body) - len(body[1:].lstrip(" ")) if body != "-" else 2
                sequence = sequence or (step + gap, step)
            elif mapping is None and step > 0 and not previous[1].lstrip(" ").startswith("- "):
                mapping = step
        previous = (indent, line)
        if mapping is not None and sequence is not None:
            break
    seq_indent, offset = sequence or (4, 2)
    return mapping or 2, seq_indent, offset


def _round_tripper(text: str) -> YAML:
    """A ``ruamel.yaml`` round-trip reader and writer set up like ``text``."""
    mapping, sequence, offset = guess_indent(text)
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096  # never fold a long line that was not folded
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    return rt


def _split_start(text: str) -> tuple[str, str]:
    """``text`` cut after its ``---`` line when it has one (``ruamel.yaml`` drops comments
    above it): ``(prefix kept as is, document body)``."""
    match = _EXPLICIT_START.match(text)
    if match is None:
        return "", text
    end = text.find("\n", match.end())
    end = len(text) if end < 0 else end + 1
    return text[:end], text[end:]


def insert_key(node: CommentedMap, at: int, key: Any, value: Any) -> None:
    """Insert ``key: value`` at position ``at`` of a round-trip mapping, keeping comments
    where a reader expects them.

    ``ruamel.yaml`` attaches the blank lines and comment lines that follow a scalar entry to
    that entry; they move to the new entry, so ``version: 1\n\n# Team\nteam:`` becomes
    ``version: 1\nstatus: x\n\n# Team\nteam:`` (an end-of-line comment stays put).

    Args:
        node: the mapping.
        at: the position (0 = first).
        key: the new key.
        value: its value.
    """
    node.insert(at, key, value)
    if at == 0:
        return
    previous = list(node)[at - 1]
    slots = node.ca.items.get(previous)
    token = slots[2] if slots and len(slots) > 2 else None
    if not isinstance(token, CommentToken):
        return
    line_end, newline, following = token.value.partition("\n")
    if not following:
        return
    if line_end.strip():
        token.value = line_end + newline
    else:
        slots[2] = None
    node.ca.items[key] = [None, None, CommentToken("\n" + following, token.start_mark, None),
                          None]


def sync_node(node: Any, target: Any) -> Any:
    """Make a round-trip node equal to plain ``target``, changing as little as possible.

    Mappings keep their entries (and the comments attached to them): keys missing from
    ``target`` are removed, changed values are synced in place, new keys are inserted after
    the key that precedes them in ``target``. Sequences are synced item by item, extended or
    cut at the end. Anything else is replaced by ``target``.

    Args:
        node: a node of a ``ruamel.yaml`` round-trip document (``CommentedMap``,
            ``CommentedSeq`` or a scalar).
        target: the plain value it must equal.

    Returns:
        The node to keep in the parent (``node`` itself, changed, or ``target``).
    """
    if isinstance(node, CommentedMap) and isinstance(target, dict):
        for key in [k for k in node if k not in target]:
            del node[key]
        previous: Any = None
        for key, value in target.items():
            if key in node:
                synced = sync_node(node[key], value)
                if synced is not node[key]:
                    node[key] = synced
            else:
                keys = list(node)
                insert_key(node, keys.index(previous) + 1 if previous in node else 0, key,
                           value)
            previous = key
        return node
    if isinstance(node, CommentedSeq) and isinstance(target, list):
        for index, value in enumerate(target[:len(node)]):
            synced = sync_node(node[index], value)
            if synced is not node[index]:
                node[index] = synced
        del node[len(target):]
        node.extend(target[len(node):])
        return node
    same = (isinstance(node, type(target)) and isinstance(node, bool) == isinstance(target, bool)
            and node == target)
    return node if same else target  # an equal scalar keeps its quoting and style


def edit_yaml(raw: bytes, target: dict[str, Any],
              edit: Callable[[CommentedMap], None] | None = None) -> bytes:
    """A YAML document changed to ``target`` with its comments and layout kept.

    Args:
        raw: the document as written (UTF-8 YAML, already validated by the manifest parser).
        target: the plain document the result must read back as.
        edit: how to change the round-trip document in place; by default
            :func:`sync_node` towards ``target``.

    Returns:
        UTF-8 YAML reading back equal to ``target``: a ``ruamel.yaml`` round trip of ``raw``
        (every comment kept, untouched nodes as written); when that cannot be done, the
        :func:`dump_yaml` of ``target`` (comments lost; logged as a warning).

    Raises:
        CatalogError: ``target`` cannot be written as YAML at all (see :func:`dump_yaml`).
    """
    try:
        prefix, text = _split_start(decode(raw))
        rt = _round_tripper(text)
        document = rt.load(text)
        if not isinstance(document, CommentedMap):
            raise TypeError("the document is not a mapping")
        if edit is None:
            sync_node(document, target)
        else:
            edit(document)
        out = io.StringIO()
        rt.dump(document, out)
        result = prefix + out.getvalue()
        if parse_mapping(result) == target:
            return result.encode("utf-8")
        reason = "the round trip would not read back as intended"
    except (RuamelError, YamlProblem, TypeError, ValueError) as err:
        reason = f"{type(err).__name__}: {err}"
    logger.warning("YAML comments could not be kept (%s); writing the document anew", reason)
    return dump_yaml(target)
