"""An approval's status edit keeps every comment, blank line and the layout."""

from __future__ import annotations

from catalog.governance.approval import with_status

ODPS = """# Copyright 2026 The Bitol Contributors
# SPDX-License-Identifier: Apache-2.0

apiVersion: v1.1.0
kind: DataProduct
id: sales.orders
version: 1.0.0
status: proposed   # waiting for the stewards

# Who looks after it
team:
  name: Sales
  members:
    - {username: ana@x.example, role: owner}   # the owner
description:
  purpose: >-
    Every order placed in the web shop,
    one row per order.
tags: ["orders", 'sales']
"""


def test_the_status_changes_and_nothing_else() -> None:
    assert with_status(ODPS, "active") == ODPS.replace(
        "status: proposed   # waiting for the stewards",
        "status: active     # waiting for the stewards")


def test_a_missing_status_is_added_after_the_version() -> None:
    text = ODPS.replace("status: proposed   # waiting for the stewards\n", "")
    out = with_status(text, "draft")
    assert out == text.replace("version: 1.0.0\n", "version: 1.0.0\nstatus: draft\n")


def test_setting_the_same_status_gives_the_text_back() -> None:
    assert with_status(ODPS, "proposed") == ODPS
