"""A data product's documentation as Markdown, for people who will never open the portal.

Sections, in the order a newcomer asks: what it is (purpose, usage, limitations), who owns it
and where to get help, what it is built from, then per output port: the schema as a table, the
service levels in plain words and the quality rules. The sentences are the portal's own
(:mod:`catalog.wording`), so the page and the document never disagree.

Text from manifests is escaped, so a description cannot inject links, HTML or table breaks;
names and ids are written as code spans.
"""

from __future__ import annotations

import re
from typing import Any

from catalog.mesh import DataProduct, OutputPortView
from catalog.wording import humanize, quality_lines, sla_lines

_SPECIALS = re.compile(r"([\\`*_\[\]<>|#~$])")


def _text(value: Any) -> str:
    """Manifest text as inert Markdown: specials escaped, on one line."""
    return _SPECIALS.sub(r"\\\1", " ".join(str(value or "").split()))


def _code(value: Any) -> str:
    text = " ".join(str(value or "").split()).replace("`", "'")
    return f"`{text}`" if text else ""


def _url(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if re.match(r"^(https?://|mailto:)[^\s<>()]+$", text, re.IGNORECASE) else None


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines + [""]


def _about(product: DataProduct) -> list[str]:
    facts = [f"Id {_code(product.id)}", f"version {_text(product.version)}",
             f"status {_text(product.status)}", f"domain {_code(product.domain)}"]
    if product.type:
        facts.append(f"type {_text(humanize(product.type).lower())}")
    out = [f"# {_text(product.title)}", "", " · ".join(facts), ""]
    for title, text, empty in (("Purpose", product.purpose, "No purpose given."),
                               ("How to use it", product.usage, "No usage notes given."),
                               ("Limitations", product.limitations, "No limitations listed.")):
        out += [f"## {title}", "", _text(text) if text.strip() else f"_{empty}_", ""]
    if product.tags:
        out += ["**Tags:** " + ", ".join(_text(t) for t in product.tags), ""]
    return out


def _people(product: DataProduct) -> list[str]:
    out = ["## Owner and team", ""]
    out.append("**Owner:** " + (_text(", ".join(product.owners)) or "_no owner is named_"))
    if product.team_name:
        out.append(f"**Team:** {_text(product.team_name)}")
    out.append("")
    members = product.team.members if product.team else []
    if members:
        rows = []
        for m in members:
            contact = m.username if "@" not in m.username or m.username.startswith("mailto:") \
                else f"mailto:{m.username}"
            link = _url(contact)
            rows.append([_text(m.name or m.username), _text(m.role),
                         f"<{link}>" if link else _text(m.username)])
        out += _table(["Name", "Role", "Contact"], rows)
    out += ["## Getting help", ""]
    if not product.support:
        out += ["_No support channel is listed._", ""]
    for channel in product.support:
        link = _url(channel.url)
        label = f"[{_text(channel.channel)}]({link})" if link else _text(channel.channel)
        what = ", ".join(_text(x) for x in (channel.tool, channel.scope) if x)
        out.append(f"- {label}" + (f" ({what})" if what else ""))
    return out + [""]


def _inputs(product: DataProduct) -> list[str]:
    out = ["## Built from", ""]
    if not product.input_ports:
        return out + ["_Nothing in the mesh: this product reads source systems directly._", ""]
    for port in product.input_ports:
        contract = f" (contract {_code(port.contractId)})" if port.contractId else ""
        out.append(f"- {_code(port.name)}{contract}")
    return out + [""]


def _schema(port: OutputPortView) -> list[str]:
    out: list[str] = []
    names = {(str(o.get("name") or ""), str(p.get("name") or "")): p.get("businessName")
             for o in port.raw_contract.get("schema") or []
             for p in o.get("properties") or []}
    objects: dict[str, list[list[str]]] = {}
    for prop in port.properties():
        kind = " / ".join(str(t) for t in (prop.logical_type, prop.physical_type) if t)
        flags = [w for w, on in (("required", prop.required), ("unique", prop.unique),
                                 ("key", prop.primary_key)) if on]
        objects.setdefault(prop.object_name, []).append([
            _code(prop.name), _text(names.get((prop.object_name, prop.name))), _text(kind),
            _text(", ".join(flags)), _text(prop.classification or "unclassified"),
            "yes" if prop.pii else "", _text(prop.description)])
    for name, rows in objects.items():
        out += [f"#### Table {_code(name)}", ""]
        out += _table(["Column", "Business name", "Type", "Constraints", "Classification",
                       "Personal data", "Description"], rows)
    return out or ["_The contract describes no columns._", ""]


def _port(port: OutputPortView) -> list[str]:
    out = [f"### Output port {_code(port.name)}", ""]
    if port.description:
        out += [_text(port.description), ""]
    if port.source is None:
        return out + ["_This port has no valid data contract._", ""]
    raw = port.raw_contract
    out += [f"Contract {_code(raw.get('id'))}, version {_text(raw.get('version'))}, status "
            f"{_text(raw.get('status'))}.", ""]
    out += _schema(port)
    contract = port.contract
    out += ["#### Service levels", ""]
    slas = sla_lines(contract)
    out += [f"- {_text(s)}" + (f" — {_text(d)}" if d else "") for s, d in slas] or \
        ["_This contract makes no service-level promises._"]
    out += ["", "#### Quality rules", ""]
    rules = quality_lines(contract)
    if rules:
        out += _table(["Rule", "Applies to", "Dimension", "Severity", "Why"],
                      [[_text(r.sentence), _text(r.applies_to), _text(r.dimension),
                        _text(r.severity), _text(r.detail)] for r in rules])
    else:
        out += ["_This contract declares no quality rules._", ""]
    return out


def product_markdown(product: DataProduct) -> str:
    """The product's documentation as one Markdown document.

    Args:
        product: a product of the loaded mesh.

    Returns:
        Markdown text (GitHub-flavoured tables): title and facts, purpose, usage, limitations,
        tags, owner and team, support channels, input ports, then per output port its contract,
        schema table, service levels in plain words and quality rules. Ends with a newline.

    Raises:
        pydantic.ValidationError: a port's (schema-valid) contract breaks the ODCS models;
            ``python -m catalog validate`` reports this up front.
    """
    lines = _about(product) + _people(product) + _inputs(product) + ["## Output ports", ""]
    for port in product.output_ports:
        lines += _port(port)
    if not product.output_ports:
        lines += ["_This product has no output port._", ""]
    lines.append(f"_Generated from {_code(product.odps_file.name)} and its data contracts._")
    return "\n".join(lines).rstrip("\n") + "\n"
