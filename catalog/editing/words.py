"""An edit's changes in plain words: the contract's diff (:mod:`catalog.contracts.diff`) plus
the product document's own fields, which the contract diff does not see.

Product-level changes (description, usage, limitations, tags, team, support) are
documentation: a PATCH bump (the table in :mod:`catalog.contracts.diff`: "descriptions,
business names, tags, …, team, support").
"""

from __future__ import annotations

import re
from typing import Any

from catalog.contracts.model import Change, change
from catalog.editing.changes import mapping
from catalog.quality.operators import threshold_text

_DESCRIPTION = {"purpose": "Description", "usage": "Usage", "limitations": "Limitations"}
_COLUMN_DOC = re.compile(r"^schema\.([^.\[\]]+)\.([^.\[\]]+)\.description$")
_RULE_DOC = re.compile(r"\.quality\[([^\]]+)\]\.description$")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _description_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    a = mapping(old.get("description"))
    b = mapping(new.get("description"))
    out = []
    for key, label in _DESCRIPTION.items():
        if _text(a.get(key)) == _text(b.get(key)):
            continue
        verb = (
            "added" if not _text(a.get(key)) else "removed" if not _text(b.get(key)) else "changed"
        )
        out.append(
            change(
                "documentation-changed",
                f"product.description.{key}",
                a.get(key),
                b.get(key),
                "patch",
                f"{label} {verb}",
            )
        )
    return out


def _tag_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    a, b = [str(t) for t in old.get("tags") or []], [str(t) for t in new.get("tags") or []]
    added, removed = [t for t in b if t not in a], [t for t in a if t not in b]
    out = []
    if added:
        out.append(
            change(
                "documentation-changed",
                "product.tags",
                None,
                added,
                "patch",
                f"Tags added: {', '.join(added)}",
            )
        )
    if removed:
        out.append(
            change(
                "documentation-changed",
                "product.tags",
                removed,
                None,
                "patch",
                f"Tags removed: {', '.join(removed)}",
            )
        )
    return out


def _members(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    team = mapping(doc.get("team"))
    return {
        str(m.get("username")).strip().lower(): m
        for m in team.get("members") or []
        if isinstance(m, dict) and m.get("username")
    }


def _team_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out = []
    a_team = mapping(old.get("team"))
    b_team = mapping(new.get("team"))
    if _text(a_team.get("name")) != _text(b_team.get("name")):
        out.append(
            change(
                "team-changed",
                "product.team.name",
                a_team.get("name"),
                b_team.get("name"),
                "patch",
                f"Team renamed to {_text(b_team.get('name')) or '(no name)'}",
            )
        )
    before, after = _members(old), _members(new)
    for key, member in after.items():
        role = _text(member.get("role")) or "member"
        who = _text(member.get("name")) or _text(member.get("username"))
        if key not in before:
            out.append(
                change(
                    "team-changed",
                    f"product.team.{key}",
                    None,
                    member,
                    "patch",
                    f"{who} joins the team as {role}",
                )
            )
        elif before[key] != member:
            old_role = _text(before[key].get("role")) or "member"
            text = (
                f"{who} is now {role} (was {old_role})"
                if old_role != role
                else f"Team member {who} changed"
            )
            out.append(
                change("team-changed", f"product.team.{key}", before[key], member, "patch", text)
            )
    for key, member in before.items():
        if key not in after:
            who = _text(member.get("name")) or _text(member.get("username"))
            out.append(
                change(
                    "team-changed",
                    f"product.team.{key}",
                    member,
                    None,
                    "patch",
                    f"{who} leaves the team",
                )
            )
    return out


def _support_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    def by_url(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Support entries by their address."""
        return {_text(s.get("url")): s for s in doc.get("support") or [] if isinstance(s, dict)}

    before, after = by_url(old), by_url(new)
    out = []
    for url, entry in after.items():
        name = _text(entry.get("channel")) or url
        if url not in before:
            out.append(
                change(
                    "documentation-changed",
                    "product.support",
                    None,
                    entry,
                    "patch",
                    f"Support channel {name} added",
                )
            )
        elif before[url] != entry:
            out.append(
                change(
                    "documentation-changed",
                    "product.support",
                    before[url],
                    entry,
                    "patch",
                    f"Support channel {name} changed",
                )
            )
    for url, entry in before.items():
        if url not in after:
            out.append(
                change(
                    "documentation-changed",
                    "product.support",
                    entry,
                    None,
                    "patch",
                    f"Support channel {_text(entry.get('channel')) or url} removed",
                )
            )
    return out


def product_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Changes between two ODPS documents in the fields an edit touches (all PATCH).

    Args:
        old: the published product document; new: the edited one (same ``version``).

    Returns:
        Changes with paths ``product.<field>`` and one sentence each.
    """
    return [
        *_description_changes(old, new),
        *_tag_changes(old, new),
        *_team_changes(old, new),
        *_support_changes(old, new),
    ]


def _thresholds(value: Any) -> str | None:
    """``{'mustBeGreaterOrEqualTo': 16}`` as ``at least 16`` (None when not thresholds)."""
    if not isinstance(value, dict) or not value:
        return None
    try:
        return " and ".join(threshold_text(op, v) for op, v in value.items())
    except (TypeError, ValueError):
        return None


def readable(item: Change) -> Change:
    """``item`` with a plainer sentence where the contract diff words it as a path (a
    column's or a rule's description) or shows thresholds as mappings."""
    verb = "added" if item.old is None else "removed" if item.new is None else "changed"
    message = item.message
    column, rule = _COLUMN_DOC.match(item.path), _RULE_DOC.search(item.path)
    if item.kind == "documentation-changed" and column:
        message = f"Description of column {column[2]} {verb}"
    elif item.kind == "documentation-changed" and rule:
        message = f"Description of quality rule {rule[1]} {verb}"
    else:
        for value in (item.old, item.new):
            words = _thresholds(value)
            if words is not None:
                message = message.replace(str(value), words)
    if message == item.message:
        return item
    return change(item.kind, item.path, item.old, item.new, item.bump, message)
