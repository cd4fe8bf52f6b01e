"""Plain-language wording of contracts for non-technical readers; no Streamlit here.

Turns ODCS v3 SLA properties ("ODCS v3.1 §service-level-agreement") and data-quality rules
("ODCS v3.1 §data-quality": library metrics, SQL, text and custom rules) into short sentences,
e.g. ``{property: retention, value: 5, unit: y}`` → "Kept for 5 years" and ``{metric:
nullValues, mustBe: 0}`` on ``carrier`` → "No missing values in Airline code (carrier)".
"""

from __future__ import annotations

from typing import Any

# The contract wording (units, SLA sentences, quality-rule sentences) lives in catalog.wording,
# shared with the Markdown documentation of a product and the other doors.
from catalog import DataProductDocument, InputPort, TeamMember, explain
from catalog import wording as contract_wording

# -- short texts ---------------------------------------------------------------------------
# (Escaping text for Markdown and checking link targets: portal/safe_text.py.)

def shorten(text: str | None, limit: int = 180) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (with "…")."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``(1, "product")`` → ``"1 product"``, ``(3, "product")`` → ``"3 products"``."""
    return f"{count:,} {singular if count == 1 else plural_form or singular + 's'}"


# -- product labels ------------------------------------------------------------------------

_TYPE_LABELS = {"sourcealigned": "Source-aligned", "aggregate": "Aggregate",
                "consumeraligned": "Consumer-aligned"}
_STATUS_COLORS = {"active": "green", "proposed": "blue", "draft": "blue", "deprecated": "orange",
                  "retired": "red"}


def type_label(product_type: str | None) -> str:
    """ODPS product type in words: ``sourceAligned`` → ``"Source-aligned"``; None → ``""``."""
    if not product_type:
        return ""
    return _TYPE_LABELS.get(product_type.lower(), contract_wording.humanize(product_type))


def status_color(status: str | None) -> str:
    """Badge colour of a lifecycle status: active green, deprecated orange, retired red, …"""
    return _STATUS_COLORS.get((status or "").lower(), "gray")


# -- help texts (field descriptions double as help) -----------------------

def _described(model: Any, field_name: str) -> str:
    return model.model_fields[field_name].description or ""


HELP = {
    "status": _described(DataProductDocument, "status"),
    "type": " ".join(explain(t) for t in ("source-aligned", "aggregate", "consumer-aligned")),
    "version": _described(DataProductDocument, "version")
               + " A change in the first number may break your use of the data.",
    "tags": _described(DataProductDocument, "tags"),
    "role": _described(TeamMember, "role"),
    "input_port": _described(InputPort, "name"),
    "output_port": explain("output port"),
    "classification": explain("classification"),
    "pii": explain("pii"),
    "required": explain("required"),
    "unique": explain("unique"),
    "primary_key": explain("primary key"),
    "sla": explain("sla"),
    "quality": explain("quality rule"),
    "dimension": explain("dimension"),
    "extract_columns": "Pick the columns you want in the file, in the order you want them.",
    "filter_value": "Type the value to compare with, e.g. 2013-07-04 for a date or 30 for a "
                    "number. Leave empty for 'is empty' and 'is not empty'.",
    "search": "Words in a product's name, tags, owner, columns or description. Small typos are "
              "forgiven.",
}
"""Help texts for field labels, keyed by topic; product fields come from the ODPS models."""
