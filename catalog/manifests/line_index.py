"""Find the line of a field in a block-style YAML manifest quickly, without composing it.

Policy findings name ``file:line``, and a mesh of 10,000 products can have findings in nearly
every file. :func:`catalog.manifests.yaml_source.locate` composes the whole document with PyYAML
(about 1.4 ms for an 11 KB contract: 14 s for 10,000 files). :class:`LineIndex` instead follows
the path down the text's indentation with regular-expression and substring searches (C speed)
over ever smaller slices: about 0.2 ms for the same file and path (0.03-0.08 ms per further
look-up), measured on the demo's ``flights.odcs.yaml``.

It follows the YAML our manifests are written in: block mappings and sequences (indented or
not), plain, quoted and block (``|``, ``>``) scalars, and flow collections (``{…}``, ``[…]``),
whose inner fields get the line the collection starts on (what ``locate`` answers too, unless a
flow collection spans several lines). For anything else (anchors, aliases, tags, explicit keys,
directives, several documents, tabs) :attr:`LineIndex.exact` is ``False`` and
:meth:`LineIndex.line` falls back to :class:`~catalog.manifests.yaml_source.Locator`, which reads
the text once for all look-ups, refuses text nested too deeply and never recurses. A test
compares both on every path of every demo and shared example file.

Why it is sound for block YAML: a block node's lines are indented deeper than its parent's
keys or dashes, continuation lines of scalars included, so a sibling key or item is the next
line that starts with a non-space character at exactly the parent's column.
"""

from __future__ import annotations

import re
from functools import lru_cache

from catalog.manifests.yaml_source import Locator, PathPart

_OTHER_SYNTAX = ("\n---", "\n...", "\n%", "\t", "\r")
"""Document markers, directives, tabs and CR line ends."""
_QUOTED_KEY = re.compile(r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)')[ ]*:(?:[ ]|$)""")
_NOT_A_KEY = frozenset("{[]},&*!|>%@`?#-\"'")


@lru_cache(maxsize=512)  # bounded: keys come from documents, which may be hostile
def _key_at(column: int, key: str) -> re.Pattern[str]:
    """A line holding ``key:`` at exactly ``column`` (the match starts at its newline).

    Every pattern here starts with a literal newline, so the regular-expression engine jumps
    from newline to newline instead of trying every character.
    """
    quoted = re.escape(key)
    return re.compile(rf"""\n {{{column}}}(?:{quoted}|"{quoted}"|'{quoted}')[ ]*:(?:[ ]|\n|$)""")


@lru_cache(maxsize=512)
def _block_end(column: int, dash_continues: bool) -> re.Pattern[str]:
    """The first content line ending a block under a key or dash at ``column``.

    A block ends at a line starting at ``column`` or less, except that a sequence written at
    the key's own column (``key:`` then ``- item``) goes on while lines there are dashes.
    """
    if dash_continues:
        less = rf" {{0,{column - 1}}}[^ \n#]|" if column else ""
        return re.compile(rf"\n(?:{less} {{{column}}}(?!-(?:[ ]|\n|$))[^ \n#])")
    return re.compile(rf"\n {{0,{column}}}[^ \n#]")


_CONTENT = re.compile(r"\n( *)([^ \n#])")
"""The next line with content (not blank, not a comment)."""


def _split_key(text: str, start: int) -> tuple[str, int] | None:
    """``(key, offset after its colon)`` of a ``key: value`` line at ``start``, if it is one."""
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    if line[:1] in ("'", '"'):
        match = _QUOTED_KEY.match(line)
        if match is None:
            return None
        key = match.group(1) if match.group(1) is not None else match.group(2).replace("''", "'")
        return key, start + line.index(":", match.end(1) if match.group(1) is not None
                                       else match.end(2)) + 1
    at = line.find(": ")
    if at < 0:
        stripped = line.rstrip()
        if not stripped.endswith(":"):
            return None
        at = len(stripped) - 1
    key = line[:at].rstrip()
    if not key or key[0] in _NOT_A_KEY or "#" in key:
        return None
    return key, start + at + 1


def _anchor_or_tag(text: str) -> bool:
    """True when an anchor (``&``), alias (``*``) or tag (``!``) starts a value or an item."""
    for mark in "&*!":
        at = text.find(mark)
        while at >= 0:
            before = at - 1
            while before >= 0 and text[before] == " ":
                before -= 1
            if before < 0 or text[before] in ":\n-":
                return True
            at = text.find(mark, at + 1)
    return False


class LineIndex:
    """Answers "which line is this field on?" for one YAML text.

    Args:
        text: the YAML text.

    Attributes:
        exact: ``False`` when the text uses YAML this index does not follow; look-ups then use
            positions read from PyYAML's parser events instead (see ``Locator``).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.exact = not (text.startswith(("---", "%", "? ", "&", "*", "!"))
                          or any(marker in text for marker in _OTHER_SYNTAX)
                          or "\n? " in text or _anchor_or_tag(text))
        self._locator: Locator | None = None

    def line(self, path: list[PathPart] | tuple[PathPart, ...]) -> int | None:
        """1-based line of the node at ``path``, or of its deepest existing ancestor.

        Same answer as :func:`catalog.manifests.yaml_source.locate` (whose :class:`Locator` is
        used instead when the text is not :attr:`exact`); ``None`` for an empty text, or for
        text that is not :attr:`exact` and cannot be read.
        """
        if not self.exact:
            if self._locator is None:
                self._locator = Locator(self.text)
            return self._locator.line(path)
        first = _CONTENT.search("\n" + self.text[:4096])
        if first is None:
            first = _CONTENT.search("\n" + self.text)
        if first is None:
            return None
        offset = self._descend(first.start(2) - 1, len(first.group(1)), list(path))
        return self.text.count("\n", 0, offset) + 1

    def _descend(self, start: int, column: int, path: list[PathPart]) -> int:
        """Offset of the deepest node of ``path`` under the mapping at ``start``/``column``."""
        text = self.text
        end = len(text)
        kind = "map"
        best = start
        for part in path:
            if kind == "map" and isinstance(part, str):
                found = self._find_key(start, end, column, part)
                if found is None:
                    break
                best = found
                block = self._value_block(found, column, end)
            elif kind == "seq" and isinstance(part, int):
                item = self._find_item(start, end, column, part)
                if item is None:
                    break
                best, item_end = item
                block = self._item_block(best, column, item_end)
            else:
                break
            if block is None:
                break
            kind, start, end, column = block
            if kind == "item-later":  # "-" alone: the item starts where its content does
                best = start
                kind = "seq" if text.startswith("-", start) and (
                    text[start + 1:start + 2] in (" ", "\n", "")) else "map"
        return best

    def _find_key(self, start: int, end: int, column: int, key: str) -> int | None:
        here = _split_key(self.text, start)
        if here is not None and here[0] == key:
            return start
        needle = "\n" + " " * column + key
        at = self.text.find(needle, start, end)
        while at >= 0:  # a plain key; the next characters must be optional spaces and a colon
            after = at + len(needle)
            rest = self.text[after:after + 80].lstrip(" ")
            if rest.startswith(":") and rest[1:2] in (" ", "\n", ""):
                return at + 1 + column
            at = self.text.find(needle, at + 1, end)
        match = _key_at(column, key).search(self.text, start, end)  # a quoted key
        return match.start() + 1 + column if match else None

    def _find_item(self, start: int, end: int, column: int, index: int
                   ) -> tuple[int, int] | None:
        needle = "\n" + " " * column + "-"
        positions = [start]
        at = self.text.find(needle, start, end)
        while at >= 0 and len(positions) <= index + 1:
            after = at + len(needle)
            if self.text[after:after + 1] in (" ", "\n", ""):
                positions.append(at + 1 + column)
            at = self.text.find(needle, after, end)
        if index >= len(positions):
            return None
        item_end = positions[index + 1] if index + 1 < len(positions) else end
        return positions[index], item_end

    def _value_block(self, key_at: int, column: int, end: int
                     ) -> tuple[str, int, int, int] | None:
        """The block value of the key at ``key_at`` (``None`` for a value on its line)."""
        text = self.text
        eol = text.find("\n", key_at)
        if eol < 0 or eol >= end:
            return None
        split = _split_key(text, key_at)
        inline = text[split[1]:eol].strip() if split else ""
        if inline and not inline.startswith("#"):
            return None
        child = _CONTENT.search(text, eol, end)
        if child is None:
            return None
        child_column, child_at = len(child.group(1)), child.start(2)
        dash = text.startswith("-", child_at) and text[child_at + 1:child_at + 2] in (" ", "\n", "")
        if child_column < column or (child_column == column and not dash):
            return None
        stop = _block_end(column, child_column == column).search(text, child_at, end)
        block_end = stop.start() + 1 if stop else end
        return ("seq" if dash else "map"), child_at, block_end, child_column

    def _item_block(self, dash_at: int, column: int, end: int
                    ) -> tuple[str, int, int, int] | None:
        """The content of the sequence item whose dash is at ``dash_at``."""
        text = self.text
        eol = text.find("\n", dash_at)
        line_end = end if eol < 0 or eol > end else eol
        rest = text[dash_at + 1:line_end]
        content = rest.lstrip(" ")
        if not content or content.startswith("#"):
            child = _CONTENT.search(text, line_end, end)
            if child is None or len(child.group(1)) <= column:
                return None
            return "item-later", child.start(2), end, len(child.group(1))
        at = line_end - len(rest) + (len(rest) - len(content))
        inner = column + (at - dash_at)
        if content[0] == "-" and content[1:2] in (" ", ""):
            return "seq", at, end, inner
        if content[0] not in "{[" and _split_key(text, at) is not None:
            return "map", at, end, inner
        return None
