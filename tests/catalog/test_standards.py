"""The shared ODCS/ODPS examples: valid ones load, negative ones are rejected with a location.
Skips cleanly where the standards' example folder beside the checkout is absent."""

from __future__ import annotations

from pathlib import Path

import pytest
import ryaml
import yaml

from catalog.config import REPO_ROOT
from catalog.manifests.documents import kind_of, parse_document
from tests.conftest import SHARED_STANDARDS

needs_shared = pytest.mark.skipif(not SHARED_STANDARDS.is_dir(), reason="shared/ is absent")


def _files(pattern: str) -> list[Path]:
    return sorted(SHARED_STANDARDS.glob(pattern)) if SHARED_STANDARDS.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", _files("odcs-examples/*.odcs.yaml") +
                         _files("odps-examples/*.odps.yaml"), ids=lambda p: p.name)
def test_valid_examples_load(path: Path) -> None:
    doc = parse_document(path.read_bytes(), path.name, kind_of(path) or "")
    assert doc.model is not None, [str(p) for p in doc.problems]
    assert all(p.severity == "warning" for p in doc.problems)


@needs_shared
@pytest.mark.parametrize("path", _files("odcs-examples/negative/*.odcs.yaml"),
                         ids=lambda p: p.name)
def test_negative_examples_are_rejected_with_a_location(path: Path) -> None:
    doc = parse_document(path.read_bytes(), path.name, "odcs")
    assert doc.model is None
    assert doc.problems and all(p.severity == "error" for p in doc.problems)
    assert all(p.line for p in doc.problems), [str(p) for p in doc.problems]


def _all_manifests() -> list[Path]:
    demo = sorted((REPO_ROOT / "domains").rglob("*.yaml"))
    return demo + _files("odcs-examples/*.yaml") + _files("odps-examples/*.yaml")


@pytest.mark.parametrize("path", _all_manifests(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_parser_agrees_with_pyyaml(path: Path) -> None:
    """ryaml (used for speed) must read every manifest exactly as PyYAML does."""
    text = path.read_text(encoding="utf-8")
    assert ryaml.loads(text) == yaml.load(text, Loader=yaml.CSafeLoader)
