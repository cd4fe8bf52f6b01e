"""Round-trip edits keep comments and layout; a result that would not read back as intended
is never written."""

from __future__ import annotations

import logging

import pytest
import ryaml

from catalog.interchange.yaml_writer import dump_yaml, edit_yaml, guess_indent

TEXT = """# SPDX-License-Identifier: Apache-2.0
---
apiVersion: v1.1.0
id: a.b   # keep me
tags: [one, 'two']
description:
    purpose: >-
        A long folded text that stays folded
        over two lines.
team:
-   {username: ana@x.example, role: owner}
"""


def test_guess_indent_reads_mapping_and_sequence_indentation() -> None:
    assert guess_indent(TEXT) == (4, 4, 0)
    assert guess_indent("a:\n  b: 1\nc:\n  - 1\n") == (2, 4, 2)
    assert guess_indent("a:\n  b: 1\nc:\n- 1\n") == (2, 2, 0)
    assert guess_indent("a: 1\n") == (2, 4, 2)


def test_an_unchanged_document_comes_back_byte_for_byte() -> None:
    assert edit_yaml(TEXT.encode(), ryaml.loads(TEXT)).decode() == TEXT


def test_an_edit_changes_only_what_differs() -> None:
    target = ryaml.loads(TEXT)
    target["id"] = "x.y"
    target["status"] = "active"
    out = edit_yaml(TEXT.encode(), target).decode()
    assert out == TEXT.replace("id: a.b   # keep me", "id: x.y   # keep me") + "status: active\n"


def test_a_document_that_would_not_read_back_is_written_anew(
        caplog: pytest.LogCaptureFixture) -> None:
    target = {"apiVersion": "v1.1.0", "id": "a.b"}

    def wrong(node: object) -> None:  # an edit that does not reach the target
        return None

    with caplog.at_level(logging.WARNING, logger="catalog.interchange.yaml_writer"):
        out = edit_yaml(TEXT.encode(), target, wrong)
    assert out == dump_yaml(target)
    assert "comments could not be kept" in caplog.text


def test_new_strings_that_look_like_numbers_stay_strings() -> None:
    target = {**ryaml.loads(TEXT), "version": "1.10", "code": "0o17", "flag": "true"}
    out = edit_yaml(TEXT.encode(), target).decode()
    assert ryaml.loads(out) == target and out.startswith("# SPDX-License-Identifier")
