"""The fast line look-up agrees with PyYAML's composer on every path of real manifests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import ryaml

from catalog.config import REPO_ROOT
from catalog.manifests.line_index import LineIndex
from catalog.manifests.yaml_source import locate
from tests.conftest import SHARED_STANDARDS


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


FILES = sorted([*(REPO_ROOT / "domains").rglob("*.yaml"),
                *(REPO_ROOT / "tests" / "fixtures" / "mesh").rglob("*.yaml"),
                *(SHARED_STANDARDS.rglob("*.yaml") if SHARED_STANDARDS.is_dir() else [])])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[2])))
def test_every_path_has_the_line_pyyaml_gives(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    index = LineIndex(text)
    assert index.exact
    for fields in _paths(ryaml.loads(text)):
        assert index.line(fields) == locate(text, fields), fields


def test_tricky_block_yaml() -> None:
    text = ("# head\nkey: |\n  text with key: value\n  - not an item\n"
            "'quoted': 1\nlist:\n- - 1\n  - 2\n-\n  name: late\nnested:\n  a:\n  - x\n  b: 2\n"
            "flow: {a: 1,\n  b: 2}\nafter: 3\n")
    index = LineIndex(text)
    assert index.exact
    for fields in _paths(ryaml.loads(text)):
        expected = locate(text, fields)
        if fields[:1] == ("flow",) and len(fields) > 1:
            expected = 15  # a flow mapping over two lines: its fields get its first line
        assert index.line(fields) == expected, fields
    assert index.line(["nested", "missing", 3]) == 11  # deepest existing ancestor


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "a: !!str 1\n", "--- \na: 1\n",
                                  "a:\r\n  b: 1\r\n", "a:\n\tb: 1\n"])
def test_other_yaml_falls_back_to_pyyaml(text: str) -> None:
    index = LineIndex(text)
    assert not index.exact
    assert index.line(["a"]) == locate(text, ["a"])
