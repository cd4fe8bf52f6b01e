"""Apply :class:`~catalog.editing.changes.ProductChanges` to a product's documents: pure
functions over plain dicts (as parsed from YAML); nothing is read or written.

An entry the owner did not change is kept exactly as published (same keys, same values), so
the round-trip writer leaves its text alone and the diff reports nothing for it. Fields the
form does not show (a rule's ``arguments`` or ``unit``, a service level's ``description``, a
member's extra keys) are carried over. Problems with what was typed are collected as
:class:`FieldProblem` items naming the field, never raised.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from catalog.editing import rules_view as rv
from catalog.editing.changes import (
    CLASSIFICATIONS,
    ColumnEdit,
    FieldProblem,
    MemberEdit,
    ProductChanges,
    ServiceLevel,
    SupportLink,
    mapping,
    scalar,
)

_URL = re.compile(r"^(https?://[^\s]+|mailto:[^\s@]+@[^\s@]+)$")


def contract_objects(odcs: dict[str, Any]) -> list[dict[str, Any]]:
    """The contract's schema objects (mappings only)."""
    return [o for o in odcs.get("schema") or [] if isinstance(o, dict)]


def find_property(odcs: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The first schema property called ``name``, or None."""
    for obj in contract_objects(odcs):
        for prop in obj.get("properties") or []:
            if isinstance(prop, dict) and prop.get("name") == name:
                return prop
    return None


def _set_text(doc: dict[str, Any], key: str, value: str | None) -> None:
    """Set ``doc[key]`` to stripped ``value``; remove it when empty; None leaves it."""
    if value is None:
        return
    if value.strip():
        if str(doc.get(key) or "").strip() != value.strip():
            doc[key] = value.strip()
    else:
        doc.pop(key, None)


def _odps_description(odps: dict[str, Any], changes: ProductChanges) -> None:
    wanted = {
        "purpose": changes.description,
        "usage": changes.usage,
        "limitations": changes.limitations,
    }
    if all(v is None for v in wanted.values()):
        return
    description = odps.get("description")
    description = dict(description) if isinstance(description, dict) else {}
    for key, value in wanted.items():
        _set_text(description, key, value)
    if description:
        odps["description"] = description
    else:
        odps.pop("description", None)


def _team(odps: dict[str, Any], changes: ProductChanges, problems: list[FieldProblem]) -> None:
    if changes.team is None and changes.team_name is None:
        return
    team = dict(mapping(odps.get("team")))
    _set_text(team, "name", changes.team_name)
    if changes.team is not None:
        old = {
            str(m.get("username", "")).strip().lower(): m
            for m in team.get("members") or []
            if isinstance(m, dict)
        }
        members: list[dict[str, Any]] = []
        seen: set[str] = set()
        for index, member in enumerate(changes.team):
            members += _member(index, member, old, seen, problems)
        team["members"] = members
    odps["team"] = team


def _member(
    index: int,
    member: MemberEdit,
    old: dict[str, dict[str, Any]],
    seen: set[str],
    problems: list[FieldProblem],
) -> list[dict[str, Any]]:
    key = member.username.strip().lower()
    if not key:
        problems.append(
            FieldProblem(
                f"team[{index + 1}].username", "give the user name or e-mail of every member."
            )
        )
        return []
    if key in seen:
        problems.append(
            FieldProblem(
                f"team[{index + 1}].username", f"{member.username.strip()} is listed twice."
            )
        )
        return []
    seen.add(key)
    entry = copy.deepcopy(old[key]) if key in old else {"username": member.username.strip()}
    _set_text(entry, "name", member.name)
    _set_text(entry, "role", member.role)
    return [entry]


def _tool(url: str) -> str:
    low = url.lower()
    return (
        "email"
        if low.startswith("mailto:")
        else next((t for t in ("slack", "teams", "discord", "jira") if t in low), "other")
    )


def _support(
    odps: dict[str, Any], links: list[SupportLink] | None, problems: list[FieldProblem]
) -> None:
    if links is None:
        return
    old = {
        str(s.get("url", "")).strip(): s for s in odps.get("support") or [] if isinstance(s, dict)
    }
    out: list[dict[str, Any]] = []
    for index, link in enumerate(links):
        url, channel = link.url.strip(), link.channel.strip()
        where = f"support[{index + 1}]"
        if not channel:
            problems.append(FieldProblem(f"{where}.channel", "name the support channel."))
        if not _URL.match(url):
            problems.append(
                FieldProblem(
                    f"{where}.url", "write an https:// address or mailto:someone@example.com."
                )
            )
            continue
        entry = (
            copy.deepcopy(old[url])
            if url in old
            else {"channel": channel, "url": url, "tool": _tool(url)}
        )
        _set_text(entry, "channel", channel)
        out.append(entry)
    if out:
        odps["support"] = out
    else:
        odps.pop("support", None)


def apply_to_odps(
    odps: dict[str, Any], changes: ProductChanges, problems: list[FieldProblem]
) -> dict[str, Any]:
    """The product document with the product-level changes applied (a new dict).

    Args:
        odps: the published ODPS document.
        changes: the owner's changes.
        problems: receives what is wrong with the typed values.

    Returns:
        The changed document (``version`` untouched; see :func:`with_version`).
    """
    out = copy.deepcopy(odps)
    _odps_description(out, changes)
    if changes.tags is not None:
        tags = list(dict.fromkeys(t.strip() for t in changes.tags if t.strip()))
        if tags != list(out.get("tags") or []):
            if tags:
                out["tags"] = tags
            else:
                out.pop("tags", None)
    _team(out, changes, problems)
    _support(out, changes.support, problems)
    return out


def _column(
    odcs: dict[str, Any], name: str, edit: ColumnEdit, problems: list[FieldProblem]
) -> None:
    prop = find_property(odcs, name)
    if prop is None:
        problems.append(FieldProblem(f"columns.{name}", "the contract has no such column."))
        return
    _set_text(prop, "description", edit.description)
    if edit.classification is not None:
        level = edit.classification.strip()
        if level and level not in CLASSIFICATIONS:
            problems.append(
                FieldProblem(
                    f"columns.{name}.classification", f"choose one of {', '.join(CLASSIFICATIONS)}."
                )
            )
        else:
            _set_text(prop, "classification", level)


def _sla_key(entry: dict[str, Any]) -> tuple[str, str]:
    return str(entry.get("property") or ""), str(entry.get("element") or "")


def sla_view(entry: dict[str, Any]) -> ServiceLevel:
    """A published ``slaProperties`` entry in the form's terms."""
    value = entry.get("value")
    return ServiceLevel(
        property=str(entry.get("property") or ""),
        value="" if value is None else str(value),
        unit=str(entry.get("unit") or ""),
        element=str(entry.get("element") or ""),
    )


def _service_levels(
    odcs: dict[str, Any], levels: list[ServiceLevel] | None, problems: list[FieldProblem]
) -> None:
    if levels is None:
        return
    old = {_sla_key(e): e for e in odcs.get("slaProperties") or [] if isinstance(e, dict)}
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for level in levels:
        key = (level.property.strip(), level.element.strip())
        where = f"service_levels.{key[0] or '(unnamed)'}"
        if not key[0] or not level.value.strip():
            problems.append(FieldProblem(where, "give both the promise and its value."))
            continue
        if key in seen:
            problems.append(FieldProblem(where, "this promise is listed twice."))
            continue
        seen.add(key)
        if key in old and sla_view(old[key]) == level.model_copy(
            update={"property": key[0], "element": key[1]}
        ):
            out.append(copy.deepcopy(old[key]))
            continue
        entry = copy.deepcopy(old.get(key) or {"property": key[0]})
        entry["value"] = scalar(level.value)
        _set_text(entry, "unit", level.unit)
        _set_text(entry, "element", level.element)
        out.append(entry)
    if out:
        odcs["slaProperties"] = out
    else:
        odcs.pop("slaProperties", None)


def apply_to_odcs(
    odcs: dict[str, Any], changes: ProductChanges, problems: list[FieldProblem]
) -> dict[str, Any]:
    """The contract with the column, service-level and quality changes applied (a new dict).

    Args:
        odcs: the published ODCS document of the edited port.
        changes: the owner's changes.
        problems: receives what is wrong with the typed values.

    Returns:
        The changed contract (``version`` untouched; see :func:`with_version`).
    """
    out = copy.deepcopy(odcs)
    for name, edit in changes.columns.items():
        _column(out, name, edit, problems)
    _service_levels(out, changes.service_levels, problems)
    if changes.quality is not None:
        rv.apply_rules(out, changes.quality, problems)
    return out


def with_version(
    odps: dict[str, Any],
    odcs: dict[str, Any] | None,
    port: str,
    version: str,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Both documents at ``version``: the ODPS ``version`` and the edited port's
    ``outputPorts[].version``, and the contract's ``version`` (when given)."""
    odps = copy.deepcopy(odps)
    odps["version"] = version
    for entry in odps.get("outputPorts") or []:
        if isinstance(entry, dict) and entry.get("name") == port and "version" in entry:
            entry["version"] = version
    if odcs is not None:
        odcs = {**copy.deepcopy(odcs), "version": version}
    return odps, odcs


def current_changes(odps: dict[str, Any], odcs: dict[str, Any] | None, port: str) -> ProductChanges:
    """Every editable field as published: the form's starting values.

    Args:
        odps: the ODPS document; odcs: the port's contract (None: no contract).
        port: the output port's name.
    """
    description = mapping(odps.get("description"))
    team = mapping(odps.get("team"))
    members = [
        MemberEdit(
            username=str(m.get("username") or ""),
            name=str(m.get("name") or ""),
            role=str(m.get("role") or ""),
        )
        for m in team.get("members") or []
        if isinstance(m, dict)
    ]
    support = [
        SupportLink(channel=str(s.get("channel") or ""), url=str(s.get("url") or ""))
        for s in odps.get("support") or []
        if isinstance(s, dict)
    ]
    contract = odcs or {}
    columns = {
        str(p.get("name")): ColumnEdit(
            description=str(p.get("description") or ""),
            classification=str(p.get("classification") or ""),
        )
        for obj in contract_objects(contract)
        for p in obj.get("properties") or []
        if isinstance(p, dict) and p.get("name")
    }
    return ProductChanges(
        port=port,
        description=str(description.get("purpose") or ""),
        usage=str(description.get("usage") or ""),
        limitations=str(description.get("limitations") or ""),
        tags=[str(t) for t in odps.get("tags") or []],
        team_name=str(team.get("name") or ""),
        team=members,
        support=support,
        columns=columns,
        service_levels=[
            sla_view(e) for e in contract.get("slaProperties") or [] if isinstance(e, dict)
        ],
        quality=rv.current_rules(contract),
    )
