"""Parse manifest YAML fast, and locate a field's line when something is wrong.

Parsing uses ``ryaml`` (Rust, YAML 1.2, about 5× faster than PyYAML's C loader on the shared ODCS
examples, with identical results there; a test compares the two on every demo and shared file).
It refuses alias bombs ("repetition limit exceeded"). Line numbers come from re-reading only a
failing file with PyYAML's composer, which keeps node positions without building Python objects.
"""

from __future__ import annotations

import re
from typing import Any

import ryaml
import yaml

MAX_MANIFEST_BYTES = 2 * 1024 * 1024
"""Largest manifest accepted (bytes); real ones are 2-30 KB."""

PathPart = str | int


class YamlProblem(Exception):
    """The text is not a YAML mapping we can read.

    Attributes:
        line: 1-based line of the problem, ``None`` when unknown.
        message: what is wrong.
    """

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def decode(raw: bytes) -> str:
    """Decode manifest bytes as UTF-8.

    Raises:
        YamlProblem: the file is too large, not UTF-8, or contains NUL bytes.
    """
    if len(raw) > MAX_MANIFEST_BYTES:
        raise YamlProblem(None, f"file is {len(raw):,} bytes; manifests are limited to "
                          f"{MAX_MANIFEST_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise YamlProblem(line, "file is not UTF-8 text; save it as UTF-8") from None
    if "\x00" in text:
        raise YamlProblem(text[: text.index("\x00")].count("\n") + 1, "file contains NUL bytes")
    return text


def parse_mapping(text: str) -> dict[str, Any]:
    """Parse YAML text whose top level must be a mapping.

    Returns:
        The document as plain dicts, lists, strings, numbers, booleans and None (YAML 1.2 core
        schema: dates stay strings, ``yes``/``no`` stay strings).

    Raises:
        YamlProblem: syntax error (with its line), alias bomb, or a top level that is not a
            mapping.
    """
    try:
        data = ryaml.loads(text)
    except Exception as err:  # ryaml raises its own InvalidYamlError
        raise YamlProblem(_syntax_error_line(text), _clean_message(str(err))) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise YamlProblem(1, f"expected a mapping of fields at the top level, found {kind}")
    return data


def _clean_message(message: str) -> str:
    message = message.strip().splitlines()[0] if message.strip() else "invalid YAML"
    if "repetition limit" in message:
        return "too many aliases (possible 'billion laughs' document); remove YAML anchors"
    return f"invalid YAML: {message}"


def _syntax_error_line(text: str) -> int | None:
    """Line of the first YAML syntax error according to PyYAML, if it finds one."""
    try:
        for _ in yaml.compose_all(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return mark.line + 1 if mark else None
    except yaml.YAMLError:
        return None
    return None


def format_path(path: list[PathPart] | tuple[PathPart, ...]) -> str:
    """Render a JSON path as ``schema[0].properties[2].logicalType``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_UNEXPECTED = re.compile(r"\('([^']+)' (?:was|were) unexpected\)|'([^']+)' (?:was|were) unexpected")


def refine_path(path: list[PathPart], message: str) -> list[PathPart]:
    """Point an "additional property" error at the unexpected key itself."""
    match = _UNEXPECTED.search(message)
    if match:
        return [*path, match.group(1) or match.group(2)]
    return path


def locate(text: str, path: list[PathPart] | tuple[PathPart, ...]) -> int | None:
    """1-based line of the node at ``path``, or of its deepest existing ancestor.

    Uses PyYAML's composer (positions kept, no Python objects built). Returns ``None`` when the
    text cannot be composed.
    """
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        line, node = child
    return line


def _child(node: yaml.Node, part: PathPart) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                # A scalar value sits on the key's line; a block starts on the key's line too.
                return key.start_mark.line + 1, value
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and (
        0 <= part < len(node.value)
    ):
        item = node.value[part]
        return item.start_mark.line + 1, item
    return None
