"""Property-based fuzzing of the manifest loader with hostile documents.

Strategies build hostile manifests from the demo mesh's real manifests (``domains/``): deep
nesting (flow and block), huge scalars and lines, alias bombs, random bytes, wrong encodings,
wrong types in every known field, odd keys and YAML tags. Most go straight through
``parse_document`` (fast); a smaller set is written into a copy of the fixture mesh, some as
links, pipes and folders, and loaded with ``load_mesh``.

Properties: nothing raises; one document takes at most :data:`MAX_SECONDS` of CPU; every
problem names the file, a line (an int, at least 1) and a field (a string), with a message
short enough to show; a document without a model has an error; the good products of the mesh
still load. Profiles and example counts: ``tests/security/conftest.py``.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import ryaml
import yaml
from hypothesis import given
from hypothesis import strategies as st

from catalog.config import REPO_ROOT
from catalog.manifests.documents import LoadedDocument, kind_of, parse_document
from catalog.manifests.loader import load_mesh
from tests.security.conftest import FUZZ_STATS, fuzz_settings

MAX_SECONDS = 2.0
"""CPU time one document may take (the bound we promise is "about 2 s")."""
MAX_WALL_SECONDS = 15.0
"""Wall time one whole-mesh load may take on a busy machine."""
MAX_SHOWN_CHARS = 1_000
"""Longest message or field a problem may carry (the health page shows them)."""
BIG = 1_900_000
"""Largest generated document part, just under the 2 MB manifest limit."""


@dataclass(frozen=True)
class Seed:
    """A real manifest to mutate: its kind, text, parsed document and every path in it."""

    name: str
    kind: str
    text: str
    data: dict[str, Any]
    paths: tuple[tuple[str | int, ...], ...]


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _seeds() -> list[Seed]:
    out = []
    for file in sorted((REPO_ROOT / "domains").rglob("*.yaml")):
        kind = kind_of(file)
        if kind is None:
            continue
        text = file.read_text(encoding="utf-8")
        data = ryaml.loads(text)
        out.append(Seed(str(file.relative_to(REPO_ROOT)), kind, text, data,
                        tuple(_paths(data))))
    return out


SEEDS = _seeds()
seeds = st.sampled_from(SEEDS)
kinds = st.sampled_from(["odps", "odcs", "domain"])


def _timed(raw: bytes, name: str, kind: str, strict: bool) -> tuple[LoadedDocument, float, float]:
    """``parse_document`` with its CPU and wall seconds (the test process's own garbage
    collector, whose pauses grow with Hypothesis's data, is held off while it runs)."""
    gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        doc = parse_document(raw, name, kind, strict=strict)
        return doc, time.process_time() - cpu, time.perf_counter() - wall
    finally:
        gc.enable()


def _check(raw: bytes, kind: str, strict: bool = False) -> LoadedDocument:
    """Parse hostile bytes and check every property of the outcome."""
    name = f"domains/fuzz/x/{'domain.yaml' if kind == 'domain' else 'x.' + kind + '.yaml'}"
    doc, cpu, wall = _timed(raw, name, kind, strict)
    FUZZ_STATS["manifests"] += 1
    FUZZ_STATS["seconds"] += wall
    if cpu >= MAX_SECONDS:  # slow twice, or a pause of the machine
        cpu = min(cpu, _timed(raw, name, kind, strict)[1])
    assert cpu < MAX_SECONDS, f"{cpu:.2f} s of CPU for one document"
    assert wall < MAX_WALL_SECONDS
    for problem in doc.problems:
        assert problem.file == name
        _check_problem(problem)
    if doc.model is None:
        assert any(p.severity == "error" for p in doc.problems)
    return doc


def _check_problem(problem: Any) -> None:
    assert isinstance(problem.line, int) and problem.line >= 1, str(problem)[:300]
    assert isinstance(problem.field, str) and len(problem.field) <= MAX_SHOWN_CHARS
    assert isinstance(problem.message, str) and 0 < len(problem.message) <= MAX_SHOWN_CHARS
    assert problem.severity in ("error", "warning")


def _dump(data: Any, style: str) -> str:
    if style == "json":
        return json.dumps(data, default=str)
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=style == "flow", width=10_000)


# --- Strategies ------------------------------------------------------------------------------

HOSTILE_STRINGS = ["!!python/object:os.system", "*a", "&a", "{", "[", "- x", "~", "null",
                   "0x1F", "1e400", ".nan", "2021-01-01", "yes", "NO", "'", '"', "\x85",
                   "\u2028", "\ufeff", "#", ": ", "%YAML 1.1", "---", "...", "<<"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(HOSTILE_STRINGS),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12)


def _set(doc: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Set ``path`` in ``doc`` to ``value`` if it still leads somewhere."""
    node = doc
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    last = path[-1]
    in_mapping = isinstance(node, dict) and isinstance(last, str)
    if in_mapping or (isinstance(node, list) and isinstance(last, int) and last < len(node)):
        node[last] = value


@st.composite
def wrong_types(draw: st.DrawFn) -> tuple[str, bytes, bool]:
    """A real manifest with one to three fields (anywhere, any depth) of the wrong type."""
    seed = draw(seeds)
    doc = copy.deepcopy(seed.data)
    for _ in range(draw(st.integers(1, 3))):
        _set(doc, draw(st.sampled_from(seed.paths)), draw(values))
    text = _dump(doc, draw(st.sampled_from(["block", "flow", "json"])))
    return seed.kind, text.encode("utf-8", "surrogatepass"), draw(st.booleans())


ODD_LINES = [
    "1: x", "true: y", "null: z", "1.5: w", "~: v", "[a, b]: c", "{a: b}: c", "? [x]\n: y",
    "? {a: 1}\n: 2", "!!python/object/apply:os.system [\"echo pwned\"]: 1",
    "x: !!python/object/apply:os.system [\"echo pwned\"]", "x: !!python/name:os.system",
    "x: !!binary aGVsbG8=", "x: !!set {a, b}", "x: !!omap [a: 1]", "x: !custom x",
    "x: !!timestamp 2001-12-14", "x: !<tag:yaml.org,2002:str> x", "x: &anchor y",
    "x: *undefined", "<<: {a: 1}", "x: !!int not-a-number", "x: !!float [1]", "'': empty",
    "\"\\u0000\": nul-key", "x: \"\\x00\"",
]


@st.composite
def odd_keys(draw: st.DrawFn) -> tuple[str, bytes]:
    """Non-string, huge, duplicate or tagged keys and values, inserted into a real manifest
    at the indentation of a random line (so they land inside some mapping)."""
    seed = draw(seeds)
    lines = seed.text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        indent = len(lines[at]) - len(lines[at].lstrip(" ").lstrip("- "))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            extra = draw(st.sampled_from(ODD_LINES))
        elif choice == 1:
            extra = "k" * draw(st.integers(1, 5_000)) + ": long"
        elif choice == 2:
            extra = lines[at].strip().lstrip("- ")  # a duplicate key (or a repeated item)
        else:
            extra = draw(st.text(max_size=20)) + ": " + draw(st.text(max_size=20))
        block = "\n".join(" " * indent + part for part in extra.split("\n"))
        lines.insert(at + 1, block)
    return seed.kind, "\n".join(lines).encode("utf-8", "surrogatepass")


@st.composite
def wrong_encodings(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real manifest in another encoding, with NUL bytes, BOMs or broken UTF-8."""
    seed = draw(seeds)
    text = seed.text
    how = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1",
                                "nul", "bom-middle", "double-bom", "overlong", "surrogate",
                                "truncated", "cr", "crlf", "nel", "ls"]))
    at = draw(st.integers(0, len(text)))
    if how in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return seed.kind, text.encode(how)
    if how == "latin-1":
        return seed.kind, (text[:at] + "café ñ ß" + text[at:]).encode("latin-1")
    raw = text.encode("utf-8")
    at = min(at, len(raw))
    inserts = {"nul": b"\x00", "bom-middle": b"\xef\xbb\xbf", "overlong": b"\xc0\xaf",
               "surrogate": b"\xed\xa0\x80"}
    if how in inserts:
        return seed.kind, raw[:at] + inserts[how] + raw[at:]
    if how == "double-bom":
        return seed.kind, b"\xef\xbb\xbf\xef\xbb\xbf" + raw
    if how == "truncated":
        return seed.kind, raw + "é".encode()[:1]
    breaks = {"cr": "\r", "crlf": "\r\n", "nel": "\x85", "ls": "\u2028"}
    return seed.kind, text.replace("\n", breaks[how]).encode("utf-8")


@st.composite
def deep_nesting(draw: st.DrawFn) -> tuple[str, bytes, int]:
    """A real manifest with a value nested ``depth`` levels deep (flow, block or compact;
    closed or not); returns the kind, the bytes and the depth."""
    seed = draw(seeds)
    depth = draw(st.integers(40, 20_000))
    style = draw(st.sampled_from(["seq", "map", "mixed", "pairs", "block", "compact",
                                  "compact-keys", "explicit-keys", "seq-of-flows"]))
    closed = draw(st.booleans())
    opening, closing = {
        "seq": ("[", "]"), "map": ("{a: ", "}"), "mixed": ("[{a: ", "}]"),
        "pairs": ("[a: ", "]"), "seq-of-flows": ("- [", "]"),
    }.get(style, ("", ""))
    if opening:
        value = opening * depth + ("x" + closing * depth if closed else "")
    elif style == "block":
        depth = min(depth, 1_500)
        value = "\n" + "".join(" " * (level + 1) + f"k{level}:\n" for level in range(depth))
    elif style == "compact":
        value = "\n" + "- " * depth + "x"
    elif style == "compact-keys":
        depth = min(depth, 1_000)
        value = "\n" + "\n".join("  " * level + "- k:" for level in range(depth))
    else:
        value = "\n" + "? " * depth + "x"
    where = draw(st.sampled_from(["end", "start"]))
    text = (f"{seed.text}\nnested: {value}\n" if where == "end"
            else f"nested: {value}\n{seed.text}")
    return seed.kind, text.encode("utf-8"), depth


@st.composite
def huge_scalars(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real manifest with one huge scalar, key, line or comment (up to :data:`BIG`)."""
    seed = draw(seeds)
    size = draw(st.integers(10_000, BIG - len(seed.text) - 100))
    char = draw(st.sampled_from(["x", " ", "é", "[", "'", "\\", "#", "-", ":"]))
    blob = char * (size // len(char.encode()))
    placement = draw(st.sampled_from(["value", "key", "double", "single", "block",
                                      "comment", "flow", "field"]))
    if placement == "field" and seed.paths:
        doc = copy.deepcopy(seed.data)
        _set(doc, draw(st.sampled_from(seed.paths)), blob)
        return seed.kind, _dump(doc, "block").encode("utf-8")
    extra = {
        "value": f"huge: {blob}", "key": f"{blob}: 1",
        "double": 'huge: "' + blob.replace("\\", "\\\\").replace('"', "'") + '"',
        "single": "huge: '" + blob.replace("'", "''") + "'",
        "block": "huge: |\n  " + blob, "comment": "# " + blob, "flow": f"huge: [{blob}]",
    }.get(placement, f"huge: {blob}")
    return seed.kind, f"{seed.text}\n{extra}\n".encode()


@st.composite
def alias_bombs(draw: st.DrawFn) -> tuple[str, bytes]:
    """Billion laughs (wide and deep), long alias chains, many aliases of a big anchor and
    merge keys, at the top level or under a known field."""
    seed = draw(seeds)
    how = draw(st.sampled_from(["laughs", "chain", "fan-out", "merge"]))
    if how == "laughs":
        width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
        lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
        last = f"l{depth - 1}"
    elif how == "chain":
        length = draw(st.integers(10, 400))
        lines = ["c0: &c0 [x]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, length)]
        last = f"c{length - 1}"
    elif how == "fan-out":
        items, refs = draw(st.integers(10, 20_000)), draw(st.integers(10, 2_000))
        lines = [f"big: &big [{', '.join(['x'] * items)}]"]
        lines += [f"r{i}: *big" for i in range(refs)]
        last = "big"
    else:
        count = draw(st.integers(1, 2_000))
        lines = ["base: &b {a: 1, b: 2}"] + [f"m{i}: {{<<: *b, c: {i}}}" for i in range(count)]
        last = "b"
    field = draw(st.sampled_from(["", "tags", "description", "schema", "team"]))
    if field:
        lines.append(f"{field}: *{last}")
    return seed.kind, (seed.text + "\n" + "\n".join(lines) + "\n").encode()


@st.composite
def random_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """Random bytes, alone or after the start of a real manifest."""
    kind = draw(kinds)
    junk = draw(st.binary(max_size=2_048))
    if draw(st.booleans()):
        seed = draw(seeds)
        cut = draw(st.integers(0, len(seed.text)))
        return seed.kind, seed.text[:cut].encode() + junk
    return kind, junk


# --- parse_document ----------------------------------------------------------------------------


@fuzz_settings(1.5)
@given(wrong_types())
def test_wrong_types_in_every_field(case: tuple[str, bytes, bool]) -> None:
    kind, raw, strict = case
    _check(raw, kind, strict)


@fuzz_settings(1.0)
@given(odd_keys())
def test_odd_keys_and_tags(case: tuple[str, bytes]) -> None:
    _check(case[1], case[0])


@fuzz_settings(1.0)
@given(wrong_encodings())
def test_wrong_encodings(case: tuple[str, bytes]) -> None:
    _check(case[1], case[0])


@fuzz_settings(1.0)
@given(random_bytes())
def test_random_bytes(case: tuple[str, bytes]) -> None:
    _check(case[1], case[0])


@fuzz_settings(0.5)
@given(deep_nesting())
def test_deep_nesting(case: tuple[str, bytes, int]) -> None:
    kind, raw, depth = case
    doc = _check(raw, kind)
    if depth >= 64:  # with the top-level mapping, more than 64 levels: never loaded
        assert doc.model is None


@fuzz_settings(0.25)
@given(alias_bombs())
def test_alias_bombs(case: tuple[str, bytes]) -> None:
    _check(case[1], case[0])


@fuzz_settings(0.1)
@given(huge_scalars())
def test_huge_scalars_and_lines(case: tuple[str, bytes]) -> None:
    _check(case[1], case[0])


# --- load_mesh -----------------------------------------------------------------------------

MESH_TARGETS = {  # file → the product that must still load when it is hostile
    "sales/orders/product.odps.yaml": ["sales.customers"],
    "sales/orders/orders.odcs.yaml": ["sales.customers", "sales.orders"],
    "sales/customers/product.odps.yaml": ["sales.orders"],
    "sales/domain.yaml": ["sales.customers", "sales.orders"],
}


def _clear(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _plant(path: Path, how: str, raw: bytes, outside: Path) -> None:
    """Put hostile ``raw`` bytes at ``path``: as a file, or behind a link, or a pipe."""
    _clear(path)
    if how == "file":
        path.write_bytes(raw)
    elif how == "link-out":
        outside.write_bytes(raw)
        path.symlink_to(outside)
    elif how == "dangling":
        path.symlink_to(path.parent / "gone.yaml")
    elif how == "fifo":
        os.mkfifo(path)
    elif how == "folder":
        path.mkdir()
    else:  # a link to itself
        path.symlink_to(path.name)


class _Mesh:
    """A private copy of the fixture mesh whose files are swapped for hostile ones."""

    def __init__(self, root: Path) -> None:
        self.root = root / "domains"
        shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "mesh", self.root)
        self.outside = root / "outside.yaml"
        self.originals = {rel: (self.root / rel).read_bytes() for rel in MESH_TARGETS}
        self.clock = time.time_ns()

    def restore(self, rel: str) -> None:
        """Put the original file back, with a new mtime (the loader caches by size and mtime)."""
        path = self.root / rel
        _clear(path)
        path.write_bytes(self.originals[rel])
        self.clock += 1_000_000_000
        os.utime(path, ns=(self.clock, self.clock))


mesh_content = st.one_of(wrong_types().map(lambda case: case[1]), odd_keys().map(
    lambda case: case[1]), wrong_encodings().map(lambda case: case[1]),
    deep_nesting().map(lambda case: case[1]), random_bytes().map(lambda case: case[1]),
    alias_bombs().map(lambda case: case[1]))


@pytest.fixture(scope="module")
def fuzz_mesh(tmp_path_factory: pytest.TempPathFactory) -> _Mesh:
    """One fixture-mesh copy for the whole module (each example restores what it changed)."""
    return _Mesh(tmp_path_factory.mktemp("fuzz-mesh"))


@fuzz_settings(0.05)
@given(target=st.sampled_from(sorted(MESH_TARGETS)), how=st.sampled_from(
    ["file", "file", "file", "link-out", "dangling", "fifo", "folder", "loop"]),
    raw=mesh_content)
def test_the_rest_of_the_mesh_still_loads(fuzz_mesh: _Mesh, target: str, how: str,
                                          raw: bytes) -> None:
    _plant(fuzz_mesh.root / target, how, raw, fuzz_mesh.outside)
    try:
        started = time.perf_counter()
        mesh = load_mesh(fuzz_mesh.root)
        assert time.perf_counter() - started < MAX_WALL_SECONDS
    finally:
        fuzz_mesh.restore(target)
    FUZZ_STATS["manifests"] += 1
    FUZZ_STATS["seconds"] += time.perf_counter() - started
    for product in MESH_TARGETS[target]:
        assert product in mesh.products, [str(p)[:200] for p in mesh.problems]
    for problem in mesh.problems:
        assert problem.file.startswith("domains/")
        if problem.line is None:  # about a folder (a pipe named like a product folder, say)
            assert problem.severity == "warning" and "folder" in problem.message
            continue
        _check_problem(problem)
    if how != "file":
        assert any(p.severity == "error" and p.file == f"domains/{target}"
                   for p in mesh.problems)


def test_the_strategies_cover_every_seed_kind() -> None:
    assert {seed.kind for seed in SEEDS} == {"odps", "odcs", "domain"}
    assert all(seed.paths for seed in SEEDS)

