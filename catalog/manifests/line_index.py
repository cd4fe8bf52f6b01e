"""Line numbers of every field of a block-style YAML manifest, from one pass over its lines.

Policy findings name ``file:line``, and a mesh of 10,000 products can have findings in nearly
every file. :func:`catalog.manifests.yaml_source.locate` composes the whole document with PyYAML
(about 1.4 ms for an 11 KB contract, i.e. 14 s for 10,000 files); this index reads the lines once
with a few string tests (about ten times faster) and answers any number of look-ups.

It understands the YAML our manifests are written in: block mappings and sequences (indented or
not), plain, quoted and block (``|``, ``>``) scalars, and flow collections (``{…}``, ``[…]``),
whose inner fields are given the line the collection starts on. For anything else (anchors,
aliases, tags, explicit keys, tabs, several documents) :attr:`LineIndex.exact` is ``False`` and
:meth:`LineIndex.line` falls back to ``locate``. A test compares both on every demo and shared
example file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from catalog.manifests.yaml_source import PathPart, locate

_KEY = re.compile(
    r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^\s#'"{\[\]},&*!|>%@`?-][^#]*?|-[^\s#][^#]*?))"""
    r"""\s*:(?:\s+(.*))?$"""
)
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(#.*)?$")
_UNSUPPORTED_START = ("&", "*", "!", "?", "%", "---", "...")


@dataclass
class _Frame:
    indent: int
    path: tuple[PathPart, ...]
    kind: str  # "map" or "seq"
    items: int = -1


@dataclass
class LineIndex:
    """The line of every block field of one YAML text.

    Attributes:
        text: the YAML text.
        exact: ``False`` when the text uses YAML this index does not follow; look-ups then use
            PyYAML's composer instead.
    """

    text: str
    exact: bool = True
    _lines: dict[tuple[PathPart, ...], int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        try:
            self.exact = _Scanner(self._lines).scan(self.text)
        except _Unsupported:
            self.exact = False

    def line(self, path: list[PathPart] | tuple[PathPart, ...]) -> int | None:
        """1-based line of the node at ``path``, or of its deepest existing ancestor.

        Same answer as :func:`catalog.manifests.yaml_source.locate` (which is used instead when
        the text is not :attr:`exact`).
        """
        if not self.exact:
            return locate(self.text, path)
        key = tuple(path)
        while key:
            hit = self._lines.get(key)
            if hit is not None:
                return hit
            key = key[:-1]
        return self._lines.get((), None)


class _Unsupported(Exception):
    """The text uses YAML the scanner does not follow."""


class _Scanner:
    """One pass over the lines; fills ``lines`` with path → 1-based line."""

    def __init__(self, lines: dict[tuple[PathPart, ...], int]) -> None:
        self.lines = lines
        self.stack: list[_Frame] = []
        self.pending: tuple[tuple[PathPart, ...], int] | None = None  # key awaiting its block
        self.skip_deeper_than: int | None = None  # continuation of a scalar
        self.flow_depth = 0

    def scan(self, text: str) -> bool:
        """Index every line of ``text``; True when done (raises ``_Unsupported`` otherwise)."""
        for number, raw in enumerate(text.split("\n"), start=1):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise _Unsupported
            content = raw.strip()
            if self.flow_depth:
                self.flow_depth += _bracket_balance(content)
                continue
            if not content or content.startswith("#"):
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if self.skip_deeper_than is not None:
                if indent > self.skip_deeper_than:
                    continue
                self.skip_deeper_than = None
            if content.startswith(_UNSUPPORTED_START):
                raise _Unsupported
            self._line(number, indent, content)
        return True

    def _line(self, number: int, indent: int, content: str) -> None:
        dash = content == "-" or content.startswith("- ")
        if not self.stack:
            if dash:
                raise _Unsupported
            self.stack.append(_Frame(indent, (), "map"))
            self.lines[()] = number
        if self.pending is not None:
            path, key_indent = self.pending
            self.pending = None
            if indent > key_indent or (dash and indent == key_indent):
                self.stack.append(_Frame(indent, path, "seq" if dash else "map"))
                self.lines.setdefault(path, number)
        while self.stack and (self.stack[-1].indent > indent or (
                self.stack[-1].indent == indent and self.stack[-1].kind == "seq" and not dash)):
            self.stack.pop()
        if not self.stack or self.stack[-1].indent != indent:
            raise _Unsupported
        self._entry(number, indent, content, dash)

    def _entry(self, number: int, indent: int, content: str, dash: bool) -> None:
        frame = self.stack[-1]
        if frame.kind == "seq":
            if not dash:
                raise _Unsupported
            frame.items += 1
            path = (*frame.path, frame.items)
            self.lines[path] = number
            rest = content[1:].lstrip(" ")
            if not rest or rest.startswith("#"):
                self.pending = (path, indent)
                del self.lines[path]  # the item starts where its content does
                return
            inner = indent + len(content) - len(rest)
            if rest == "-" or rest.startswith("- "):
                self.stack.append(_Frame(inner, path, "seq"))
                self._entry(number, inner, rest, True)
                return
            if _KEY.match(rest) and not rest.startswith(("{", "[", '"', "'")) or (
                    rest.startswith(('"', "'")) and _KEY.match(rest)):
                self.stack.append(_Frame(inner, path, "map"))
                self._entry(number, inner, rest, False)
                return
            self._value(rest, indent)
            return
        if dash:
            raise _Unsupported
        match = _KEY.match(content)
        if match is None:
            raise _Unsupported
        key = match.group(1) if match.group(1) is not None else (
            match.group(2).replace("''", "'") if match.group(2) is not None
            else match.group(3).strip())
        path = (*frame.path, key)
        self.lines[path] = number
        value = (match.group(4) or "").strip()
        if not value or value.startswith("#"):
            self.pending = (path, indent)
            return
        self._value(value, indent)

    def _value(self, value: str, indent: int) -> None:
        """A scalar or flow value on the line of its key (or dash) at column ``indent``."""
        if value.startswith(("&", "*", "!")):
            raise _Unsupported
        if _BLOCK_SCALAR.match(value):
            self.skip_deeper_than = indent
        elif value.startswith(("{", "[")):
            self.flow_depth = _bracket_balance(value)
            if self.flow_depth < 0:
                raise _Unsupported
        else:
            self.skip_deeper_than = indent  # a plain or quoted scalar may continue below


def _bracket_balance(text: str) -> int:
    """Opened minus closed flow brackets in ``text``, outside quotes and comments."""
    depth = 0
    quote = ""
    previous = " "
    for char in text:
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'" and previous in " ,[{:":
            quote = char
        elif char == "#" and previous in " \t":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        previous = char
    return depth
