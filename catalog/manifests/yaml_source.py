"""Parse manifest YAML fast and safely, and locate a field's line when something is wrong.

Parsing uses ``ryaml`` (Rust, YAML 1.2, about 5× faster than PyYAML's C loader on the shared ODCS
examples, with identical results there; a test compares the two on every demo and shared file).
It refuses alias bombs ("repetition limit exceeded").

Hostile input, checked before any parser builds anything: :func:`check_depth`, a linear
pre-scan, refuses lists and mappings nested more than :data:`MAX_DEPTH` levels (a parser that
recurses per level can exhaust the C stack and kill the process), and :func:`check_aliases`
refuses aliases that would expand a document past :data:`MAX_VALUES` values. Line numbers come
from ``ryaml``'s own error message or, failing that, from PyYAML's event parser;
:class:`Locator` builds its tree of node positions from those events with a loop, never with
PyYAML's recursive composer, so no text can make it recurse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import ryaml
import yaml

MAX_MANIFEST_BYTES = 2 * 1024 * 1024
"""Largest manifest accepted (bytes); real ones are 2-30 KB."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (levels); real manifests are under 15 deep."""
MAX_VALUES = 100_000
"""Most keys, scalars and collections a document may hold (real manifests: a few thousand)."""
LARGE_TEXT_CHARS = 256 * 1024
"""Texts longer than this have their values counted (smaller ones cannot hold many more than
:data:`MAX_VALUES`), and their problem lines found with regular expressions where possible."""
MAX_LOCATE_EVENTS = 250_000
"""Parser events :class:`Locator` reads at most (about 0.5 s); real manifests have < 5,000."""
MAX_MESSAGE_CHARS = 300
"""Parser messages are cut to this many characters (they may quote a long key)."""

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
        YamlProblem: nesting deeper than :data:`MAX_DEPTH`, syntax error (with its line), alias
            bomb, or a top level that is not a mapping.
    """
    check_depth(text)
    check_aliases(text)
    try:
        data = ryaml.loads(text)
    except RecursionError:
        raise YamlProblem(1, "invalid YAML: nested too deeply to read") from None
    except MemoryError:
        raise YamlProblem(1, "invalid YAML: too large to read; make the file smaller") from None
    except Exception as err:  # ryaml raises its own InvalidYamlError, or TypeError for odd keys
        message = str(err)
        raise YamlProblem(_syntax_error_line(text, message), _clean_message(message)) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise YamlProblem(1, f"expected a mapping of fields at the top level, found {kind}")
    if len(text) > LARGE_TEXT_CHARS and _more_values_than(data, MAX_VALUES):
        raise YamlProblem(1, f"the document holds more than {MAX_VALUES:,} values; manifests "
                          "hold a few thousand, so remove generated or repeated content")
    return data


def _more_values_than(data: Any, limit: int) -> bool:
    """Whether ``data`` holds more than ``limit`` keys, scalars and collections (a loop, which
    stops as soon as it has counted past the limit)."""
    pending = [data]
    count = 0
    while pending:
        node = pending.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(node, dict):
            pending.extend(node)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def _clean_message(message: str) -> str:
    message = message.strip().splitlines()[0] if message.strip() else "invalid YAML"
    if "repetition limit" in message:
        return "too many aliases (possible 'billion laughs' document); remove YAML anchors"
    if "recursion limit" in message:
        return f"lists and mappings (or aliases) are nested too deeply; {MAX_DEPTH} levels at most"
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + "…"
    return f"invalid YAML: {message}"


_AT_LINE = re.compile(r"\bat line (\d+)")


def _syntax_error_line(text: str, message: str) -> int | None:
    """Line of the first YAML error: from ryaml's message, else from PyYAML's event parser.

    Only called on text that passed :func:`check_depth`; neither source recurses per level.
    """
    match = _AT_LINE.search(message)
    if match:
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        return max(1, min(int(match.group(1)), lines))
    try:
        for _ in yaml.parse(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        return mark.line + 1 if mark else None
    except (yaml.YAMLError, RecursionError, MemoryError):
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


_ALIAS = re.compile(r"\*[0-9A-Za-z_-]")
"""``*name``: an alias if a node can start there (see :func:`_may_have_aliases`)."""


def check_aliases(text: str) -> None:
    """Refuse text whose aliases would expand it to more than :data:`MAX_VALUES` values.

    An "alias bomb" needs no depth: an anchored list of 20,000 items used 2,000 times is an
    85 KB file that becomes 40 million values (tens of seconds and gigabytes in any parser).
    Text without aliases costs one regular-expression scan; otherwise libyaml's parser events
    are counted in a loop (each alias adds the values of its anchor), run on text that passed
    :func:`check_depth`.

    Raises:
        YamlProblem: too many values; ``line`` is the alias that passes the limit.
    """
    if not _may_have_aliases(text):
        return
    line = _alias_overflow(text)
    if line is not None:
        raise YamlProblem(line, f"aliases expand the document to more than {MAX_VALUES:,} "
                          "values (an 'alias bomb'); remove the YAML anchors and aliases")


def _may_have_aliases(text: str) -> bool:
    """Whether some ``*name`` starts where a node can (``count(*)`` and ``a*b`` cannot)."""
    for match in _ALIAS.finditer(text):
        at = match.start()
        if at == 0 or text[at - 1] in " \t\r\n[{,:?-\x85\u2028\u2029":
            return True
    return False


def _alias_overflow(text: str) -> int | None:
    """Line where the expanded document passes :data:`MAX_VALUES` values, or ``None``."""
    anchored: dict[str, int] = {}  # anchor → values its node expands to
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open collection
    expanded = 0
    events: Iterator[Any] = yaml.parse(text, Loader=yaml.CSafeLoader)
    try:
        for event in events:
            kind = type(event)
            if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                open_nodes.append([event.anchor, 1])
                expanded += 1
                continue
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                anchor, size = open_nodes.pop()
            elif kind is yaml.ScalarEvent:
                anchor, size = event.anchor, 1
                expanded += 1
            elif kind is yaml.AliasEvent:
                anchor, size = None, anchored.get(event.anchor, 1)
                expanded += size
            else:
                continue
            if anchor is not None:
                anchored[anchor] = size
            if open_nodes:
                open_nodes[-1][1] += size
            if expanded > MAX_VALUES:
                return int(event.start_mark.line) + 1
    except (yaml.YAMLError, RecursionError, MemoryError):
        return None  # ryaml reports the error itself
    return None


# --- Nesting pre-scan -------------------------------------------------------------------------
#
# ryaml is serde-yaml over libyaml (as PyYAML's C loader is), so the scan follows libyaml's
# tokeniser: where quoted scalars, comments, flow collections and block scalars start and end.
# Two tiers: a cheap bound that every ordinary manifest passes (twice the number of distinct
# columns where a block collection can start, plus every "[" and "{"), and a line-by-line scan
# for the rest. Both over-estimate rather than under-estimate; tests compare the bound with the
# depth libyaml's events reach on generated hostile texts.

_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
"""What libyaml counts as a line break besides ``\n`` (``\r\n`` counts once)."""
_LINE_PREFIX = re.compile(r"\n[ \t]*+(?:(?:[-?:]|[&!][^ \t\n]*+)(?:[ \t]++|(?=\n)))*+")
"""Indentation plus compact ``- ``, ``? ``, ``: ``, anchors and tags opening a line."""
_LEAF_SEQUENCE = re.compile(r"\[[^\[\]{}\"'#\n<]*\]")
_LEAF_MAPPING = re.compile(r"\{[^\[\]{}\"'#\n<]*\}")
"""One-line flow collections holding no collection, quote or comment (``[a, b]``)."""
_LEAF_PASSES = 4
_WORD = re.compile(r"[^ \t\n]+")
_BLANKS = re.compile(r"[ \t]*")
_SPACES = re.compile(r" *")
_WHITESPACE = re.compile(r"[ \t\n]*")
_DOUBLE_QUOTED = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_SINGLE_QUOTED = re.compile(r"'[^']*(?:''[^']*)*'?")
_ANCHOR = re.compile(r"[&*][0-9A-Za-z_-]*")
_TAG = re.compile(r"!(?:<[^>\s]*>?|[0-9A-Za-z_\-;/?:@&=+$.%!~*'()]*)")
_DOCUMENT_MARK = re.compile(r"(?:---|\.\.\.)(?=[ \t\n]|\Z)")
_BLOCK_PLAIN_END = re.compile(r":(?=[ \t\n]|\Z)|[ \t]#")
_FLOW_PLAIN_END = re.compile(
    r"[,\[\]{}]|:(?=[ \t\n,?\[\]{}]|\Z)|(?<=[ \t\n])#|^(?:---|\.\.\.)(?=[ \t\n]|\Z)", re.M)
_BLOCK_SCALAR = re.compile(r"[|>]([1-9]?)[+-]?([1-9]?)")


def check_depth(text: str) -> None:
    """Refuse text whose lists and mappings nest more than :data:`MAX_DEPTH` levels.

    Linear in the text's length and run before any parser. The bound counts flow collections
    (``[``, ``{``) outside quoted scalars and comments, block indentation levels and compact
    nesting (``- - -``, ``- key:``); it may over-estimate odd texts, never ordinary manifests.
    Costs 10-50 µs for an ordinary 2-11 KB manifest (22 µs on average for the demo mesh,
    whose manifests take about 200 µs each to parse and validate).

    Raises:
        YamlProblem: too deep; ``line`` is where the limit is first exceeded.
    """
    if any(brk in text for brk in _OTHER_BREAKS):
        text = text.replace("\r\n", "\n")
        for brk in _OTHER_BREAKS:
            text = text.replace(brk, "\n")
    block = _block_bound(text)
    if block + _flow_bound(text) <= MAX_DEPTH:
        return
    # One-line flow collections holding no collection, quote or comment become a plain "0":
    # a pass takes at most three levels off the deepest point (a "[" with the key: value
    # mapping in it, then a "{" around them, or the other way round) and the allowance adds
    # them back.
    allowance = 0
    for _ in range(_LEAF_PASSES):
        if allowance + 3 > MAX_DEPTH:
            break
        text, sequences = _LEAF_SEQUENCE.subn("0", text)
        text, mappings = _LEAF_MAPPING.subn("0", text)
        if not sequences and not mappings:
            break
        allowance += (2 if sequences else 0) + (1 if mappings else 0)
        if block + _flow_bound(text) + allowance <= MAX_DEPTH:
            return
    line = _NestingScan(text, MAX_DEPTH - allowance).first_too_deep()
    if line is not None:
        raise YamlProblem(line, f"lists and mappings are nested more than {MAX_DEPTH} levels "
                          "deep here; manifests need far fewer, so flatten this part")


def _flow_bound(text: str) -> int:
    """Levels every ``[`` and ``{`` could add: two for a ``[`` (a ``key: value`` entry of a
    flow sequence is a mapping of its own), one for a ``{``."""
    return 2 * text.count("[") + text.count("{")


def _block_bound(text: str) -> int:
    """Twice the number of columns where a block collection can start (a mapping and its
    indentless sequence can share one): an upper bound of block nesting."""
    columns: set[int] = set()
    for prefix in set(_LINE_PREFIX.findall("\n" + text)):
        columns.add(len(prefix) - 1)
        if not prefix.isspace():  # compact entries: each token opens at its own column
            columns.update(word.start() - 1 for word in _WORD.finditer(prefix))
    return 2 * len(columns)


def _end(pattern: re.Pattern[str], text: str, at: int, stop: int | None = None) -> int:
    """Where ``pattern`` (which matches at least the empty string, or the character at
    ``at``) ends when matched at ``at``."""
    match = pattern.match(text, at, len(text) if stop is None else stop)
    return match.end() if match else at + 1


class _TooDeep(Exception):
    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


class _BlockScalar:
    """A ``|`` or ``>`` scalar in progress: which following lines are its text."""

    def __init__(self, floor: int, increment: int) -> None:
        self.floor = floor
        self.widest_blank = 0
        self.indent: int | None = None
        if increment:
            self.indent = floor + increment if floor >= 0 else increment

    def holds(self, spaces: int, blank: bool) -> bool:
        """True when a line with ``spaces`` leading spaces is part of the scalar."""
        if self.indent is None:
            if blank:
                self.widest_blank = max(self.widest_blank, spaces)
                return True
            self.indent = max(self.widest_blank, spaces, self.floor + 1, 1)
        return blank or spaces >= self.indent


class _NestingScan:
    """Line-by-line upper bound of the nesting libyaml reaches (the second tier).

    ``stack`` holds the open block collections as ``(column, is_sequence)``; a flow collection
    adds its bracket depth on top while it is open.
    """

    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.end = len(text)
        self.limit = limit
        self.stack: list[tuple[int, bool]] = []

    def first_too_deep(self) -> int | None:
        """1-based line where the nesting first exceeds ``limit``, or ``None``."""
        try:
            self._document()
        except _TooDeep as deep:
            return self.text.count("\n", 0, deep.at) + 1
        return None

    def _document(self) -> None:
        text, end, stack = self.text, self.end, self.stack
        pos = 0
        plain: int | None = None  # lines indented more than this continue a plain scalar
        literal: _BlockScalar | None = None
        while pos < end:
            eol = text.find("\n", pos)
            eol = end if eol < 0 else eol
            spaces = _end(_SPACES, text, pos, eol) - pos
            first = _end(_BLANKS, text, pos + spaces, eol)
            blank = first >= eol
            if literal is not None:
                if literal.holds(spaces, blank):
                    pos = eol + 1
                    continue
                literal = None
            if plain is not None and not blank:
                if spaces > plain and text[first] != "#" and not (
                        spaces == 0 and _DOCUMENT_MARK.match(text, pos)):
                    if _BLOCK_PLAIN_END.search(text, first, eol):
                        plain = None  # ': ' or ' #' ends the scalar on this line
                    pos = eol + 1
                    continue
                plain = None
            if blank or text[first] == "#" or (spaces == 0 and text[pos] == "%"):
                pos = eol + 1
                continue
            if spaces == 0 and _DOCUMENT_MARK.match(text, pos):
                stack.clear()
                first = pos + 3
            while stack and stack[-1][0] > spaces:
                stack.pop()
            pos, plain, literal = self._line(pos, first, eol)

    def _line(self, start: int, at: int, eol: int
              ) -> tuple[int, int | None, _BlockScalar | None]:
        """Follow the tokens of the line starting at ``start`` from ``at`` on.

        Returns:
            Where the next line starts, the indentation a multi-line plain scalar continues
            above (or None), and the block scalar the line opens (or None).
        """
        text = self.text
        node = -1  # column where the current node starts (its anchor or tag, if any)
        while True:
            at = _end(_BLANKS, text, at, eol)
            if at >= eol:
                return eol + 1, None, None
            char = text[at]
            after = text[at + 1] if at + 1 < self.end else "\n"
            column = at - start
            if node < 0:
                node = column
            if char in "-?:" and after in " \t\n":
                # "- " and "? " open an entry; ": " with no key before it opens a mapping
                self._open(node if char == ":" else column, char == "-", at)
                node = -1
                at += 1
            elif char in "&!":
                at = _end((_ANCHOR if char == "&" else _TAG), text, at)
            elif char in "[{\"'*":
                node_end = self._node(at)
                if node_end > eol:  # a flow collection or quoted scalar over several lines
                    start = text.rfind("\n", 0, node_end) + 1
                    eol = text.find("\n", node_end)
                    eol = self.end if eol < 0 else eol
                follow = _end(_BLANKS, text, node_end, eol)
                if follow < eol and text[follow] == ":" and (
                        follow + 1 >= eol or text[follow + 1] in " \t"):
                    self._open(node, False, at)  # the node was a key
                    follow += 1
                node = -1
                at = follow
            elif char in "|>":
                match = _BLOCK_SCALAR.match(text, at)
                increment = int(match.group(1) or match.group(2) or 0) if match else 0
                floor = self.stack[-1][0] if self.stack else -1
                return eol + 1, None, _BlockScalar(floor, increment)
            elif char in "#,]}":
                return eol + 1, None, None
            else:
                stop = _BLOCK_PLAIN_END.search(text, at, eol)
                if stop is None:
                    return eol + 1, (self.stack[-1][0] if self.stack else -1), None
                if text[stop.start()] != ":":
                    return eol + 1, None, None  # a comment ends the scalar
                self._open(node, False, at)
                node = -1
                at = stop.start() + 1

    def _node(self, at: int) -> int:
        """End of the quoted scalar, alias or flow collection starting at ``at``."""
        char = self.text[at]
        if char == '"':
            return _end(_DOUBLE_QUOTED, self.text, at)
        if char == "'":
            return _end(_SINGLE_QUOTED, self.text, at)
        if char == "*":
            return _end(_ANCHOR, self.text, at)
        return self._flow(at)

    def _flow(self, at: int) -> int:
        """End of the flow collection opening at ``at``; raises :class:`_TooDeep` on the way.

        A ``[`` counts two levels: a ``key: value`` entry of a flow sequence is a mapping of
        its own, and a collection in that key is already inside it. The collection itself may
        be the key of a block mapping that opens before it (one more level).
        """
        text, end = self.text, self.end
        base = len(self.stack) + 1
        opened: list[int] = []  # levels each open bracket counts
        depth = 0
        while at < end:
            at = _end(_WHITESPACE, text, at)
            if at >= end:
                break
            char = text[at]
            if char in "[{":
                opened.append(2 if char == "[" else 1)
                depth += opened[-1]
                if base + depth > self.limit:
                    raise _TooDeep(at)
                at += 1
            elif char in "]}":
                depth -= opened.pop()
                at += 1
                if not opened:
                    return at
            elif char in ",?:" or (char == "-" and text[at + 1:at + 2] in ("", " ", "\t", "\n")):
                at += 1
            elif char == "#":
                newline = text.find("\n", at)
                at = end if newline < 0 else newline
            elif char in "\"'&*":
                at = self._node(at) if char in "\"'" else _end(_ANCHOR, text, at)
            elif char == "!":
                at = _end(_TAG, text, at)
            else:
                stop = _FLOW_PLAIN_END.search(text, at + 1)
                at = stop.start() if stop else end
        return end

    def _open(self, column: int, sequence: bool, at: int) -> None:
        """A block collection entry (``-``, ``?`` or a key) at ``column``."""
        stack = self.stack
        if stack and stack[-1][0] == column:
            if stack[-1][1] == sequence:
                return
            if not sequence:  # a key at a sequence's column ends that (indentless) sequence
                stack.pop()
                if stack and stack[-1] == (column, False):
                    return
        stack.append((column, sequence))
        if len(stack) > self.limit:
            raise _TooDeep(at)


# --- Lines of nodes ---------------------------------------------------------------------------


class _Node:
    """A node's line and, for a scalar, its value; for a collection, its entries."""

    __slots__ = ("entries", "is_mapping", "line", "value")

    def __init__(self, line: int, value: str | None, is_mapping: bool = False) -> None:
        self.line = line
        self.value = value
        self.is_mapping = is_mapping
        self.entries: list[Any] = []


_UNCOMPOSED = _Node(0, None)


class Locator:
    """Answers "which line is the node at this path on?" for one YAML text.

    The text is read once, on the first question, into a light tree of node positions built
    with a loop over PyYAML's (libyaml's) parser events: the same positions PyYAML's composer
    gives, without its recursion. Text that fails :func:`check_depth`, is over
    :data:`MAX_MANIFEST_BYTES` characters, has more than :data:`MAX_LOCATE_EVENTS` events or is
    not valid YAML has no lines.

    Args:
        text: the YAML text.
        checked: the text already passed :func:`check_depth` (skip it).
    """

    def __init__(self, text: str, *, checked: bool = False) -> None:
        self.text = text
        self.checked = checked
        self._root: _Node | None = _UNCOMPOSED

    def line(self, path: list[PathPart] | tuple[PathPart, ...]) -> int | None:
        """1-based line of the node at ``path``, or of its deepest existing ancestor.

        Returns:
            The line; ``None`` when the text cannot be read (see the class).
        """
        if self._root is _UNCOMPOSED:
            self._root = _compose(self.text, self.checked)
        node = self._root
        if node is None:
            return None
        line = node.line
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            line, node = child
        return line


def locate(text: str, path: list[PathPart] | tuple[PathPart, ...]) -> int | None:
    """1-based line of the node at ``path``, or of its deepest existing ancestor.

    Reads the whole text for one answer; use :class:`Locator` to ask about several paths.
    Returns ``None`` when the text cannot be read.
    """
    return Locator(text).line(path)


def _compose(text: str, checked: bool) -> _Node | None:
    """The document's tree of positions, or ``None`` (too deep or large, invalid, empty)."""
    if len(text) > MAX_MANIFEST_BYTES:
        return None
    try:
        if not checked:
            check_depth(text)
        return _compose_events(yaml.parse(text, Loader=yaml.CSafeLoader))
    except (YamlProblem, yaml.YAMLError, RecursionError, MemoryError):
        return None


def _compose_events(events: Any) -> _Node | None:
    """Build the tree as PyYAML's composer would (one document; aliases share their anchor's
    node; an undefined alias, a repeated anchor or a second document is an error, ``None``)."""
    anchors: dict[str, _Node] = {}
    open_nodes: list[_Node] = []
    keys: list[_Node | None] = []  # per open mapping: its key waiting for a value
    root: _Node | None = None
    documents = 0
    for count, event in enumerate(events):
        if count > MAX_LOCATE_EVENTS:
            return None
        kind = type(event)
        if kind is yaml.ScalarEvent:
            node = _Node(event.start_mark.line + 1, event.value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            node = _Node(event.start_mark.line + 1, None, kind is yaml.MappingStartEvent)
        elif kind is yaml.AliasEvent:
            alias = anchors.get(event.anchor)
            if alias is None:
                return None
            root = _attach(alias, open_nodes, keys) or root
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            open_nodes.pop()
            keys.pop()
            continue
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return None
            continue
        else:
            continue
        if event.anchor is not None:
            if event.anchor in anchors:
                return None
            anchors[event.anchor] = node
        root = _attach(node, open_nodes, keys) or root
        if node.value is None:
            open_nodes.append(node)
            keys.append(None)
    return root


def _attach(node: _Node, open_nodes: list[_Node], keys: list[_Node | None]) -> _Node | None:
    """Put ``node`` into the innermost open collection; returns it when it is the root."""
    if not open_nodes:
        return node
    parent = open_nodes[-1]
    if not parent.is_mapping:
        parent.entries.append(node)
    elif keys[-1] is None:
        keys[-1] = node
    else:
        parent.entries.append((keys[-1], node))
        keys[-1] = None
    return None


def _child(node: _Node, part: PathPart) -> tuple[int, _Node] | None:
    if node.is_mapping:
        for key, value in node.entries:
            if key.value is not None and key.value == str(part):
                # A scalar value sits on the key's line; a block starts on the key's line too.
                return key.line, value
    elif node.value is None and isinstance(part, int) and 0 <= part < len(node.entries):
        item = node.entries[part]
        return item.line, item
    return None
