"""Steps 3 and 4 of the registration wizard: the schema table and the service levels."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from catalog import (
    CLASSIFICATION_CHOICES,
    Catalog,
    PropertyForm,
    help_text,
    schema_problems,
    schema_warnings,
    sla_problems,
    sla_warnings,
    temporal_columns,
)
from catalog import registration_presentation as shown
from portal import state
from portal.components import register_wizard as wizard
from portal.safe_text import escape_markdown
from portal.services import current_principal
from portal.tables import EMPTY_CELL, table_height
from portal.wording import HELP

EDITABLE = {"Name": "name", "Description": "description", "Required": "required",
            "Unique": "unique", "Primary key": "primary_key",
            "Classification": "classification", "PII": "pii"}
"""Editable column label of the schema table → PropertyForm field."""
SCHEMA_ORDER = ("Column", "Name", "Required", "Unique", "Primary key", "PII", "Classification",
                "Description", "Type", "Physical type", "Missing", "Distinct", "Range",
                "Examples")
"""Display order of the schema table: what a person decides (the flags) right after the name,
never off-screen to the right; what the data shows after."""
EDIT_HINT = ("Click a box to tick or untick it. To change a text, click its cell and type (or "
             "double-click it); choose a classification from its list.")
"""How the editable tables are edited, said above them."""
_TOPIC_LABELS = {"freshness": "How often is it updated?", "availability": "Availability",
                 "retention": "How long is it kept?", "support": "Support hours"}


def _base() -> list[PropertyForm]:
    """The properties the table started from on this visit (taken anew on each visit)."""
    if state.REGISTER_SCHEMA_EDITOR not in st.session_state or \
            state.REGISTER_SCHEMA_BASE not in st.session_state:
        st.session_state[state.REGISTER_SCHEMA_BASE] = [
            p.model_copy(deep=True) for p in wizard.form().properties]
    return st.session_state[state.REGISTER_SCHEMA_BASE]


def sync_schema() -> None:
    """Apply the table's edits to the properties it started from, into the form."""
    edits: dict[str, Any] = st.session_state.get(state.REGISTER_SCHEMA_EDITOR) or {}
    props = [p.model_copy(deep=True) for p in _base()]
    for row, changes in (edits.get("edited_rows") or {}).items():
        index = int(row)
        if not 0 <= index < len(props):
            continue
        for label, new in changes.items():
            field = EDITABLE.get(label)
            if field is None:
                continue
            if field in {"name", "description", "classification"}:
                new = "" if new is None else str(new).strip()
            else:
                new = bool(new)
            setattr(props[index], field, new)
    wizard.form().properties = props


def schema_step_problems(catalog: Catalog) -> list[str]:
    """What stops step 3: the schema itself, then what the domain's policies will refuse."""
    form = wizard.form()
    return schema_problems(form.properties) or catalog.policy_problems(
        current_principal(), form, wizard.source(), "schema")


def _rows(props: list[PropertyForm]) -> pd.DataFrame:
    data_profile = wizard.profile()
    stats = {c.name: c for c in data_profile.columns} if data_profile else {}
    rows = []
    for p in props:
        col = stats.get(p.source_name)
        rows.append({
            "Column": p.source_name, "Name": p.name, "Type": p.logical_type,
            "Physical type": p.physical_type,
            "Missing": col.nulls if col else None,
            "Distinct": col.distinct if col else None,
            "Range": f"{shown.value_text(col.minimum)} … {shown.value_text(col.maximum)}"
                     if col and col.minimum is not None else "",
            "Examples": ", ".join(p.examples),
            "Description": p.description, "Required": p.required, "Unique": p.unique,
            "Primary key": p.primary_key, "Classification": p.classification, "PII": p.pii,
        })
    return pd.DataFrame(rows)


def render_schema(catalog: Catalog) -> None:
    """Draw step 3: one editable row per column, what the data shows beside it."""
    props = _base()
    for prop in props:
        if wizard.focus(prop.name):
            st.caption(f"The review asks for a change in the row of column "
                       f"{escape_markdown(prop.name, one_line=True)}.")
    st.caption("Names, types and figures come from the data. Describe each column, and say "
               "which are required, unique, part of the key, how sensitive they are and whether "
               "they hold personal data. " + EDIT_HINT)
    config = {
        "Column": st.column_config.TextColumn(help="The column's name in the data."),
        "Name": st.column_config.TextColumn(help=help_text(PropertyForm, "name"),
                                            required=True),
        "Type": st.column_config.TextColumn(help=help_text(PropertyForm, "logical_type")),
        "Missing": st.column_config.NumberColumn(help="Rows without a value.", format="%d"),
        "Distinct": st.column_config.NumberColumn(help="Different values (approximate for "
                                                       "large columns).", format="%d"),
        "Description": st.column_config.TextColumn(
            help=help_text(PropertyForm, "description"), width="large"),
        "Required": st.column_config.CheckboxColumn(help=HELP["required"]),
        "Unique": st.column_config.CheckboxColumn(help=HELP["unique"]),
        "Primary key": st.column_config.CheckboxColumn(help=HELP["primary_key"]),
        "Classification": st.column_config.SelectboxColumn(
            help=HELP["classification"], options=list(CLASSIFICATION_CHOICES), required=True),
        "PII": st.column_config.CheckboxColumn(help=HELP["pii"]),
    }
    locked = [c for c in _rows(props).columns if c not in EDITABLE]
    st.data_editor(_rows(props), key=state.REGISTER_SCHEMA_EDITOR, hide_index=True,
                   num_rows="fixed", disabled=locked, column_config=config, width="stretch",
                   column_order=SCHEMA_ORDER, placeholder=EMPTY_CELL,
                   height=table_height(len(props), 15))
    sync_schema()
    for warning in schema_warnings(wizard.form().properties):  # they name columns: escaped
        st.info(escape_markdown(warning), icon=":material/info:")


def sync_sla() -> None:
    """Copy the service-level choices into the form."""
    form = wizard.form()
    for topic in shown.SLA_TOPICS:
        key = state.register_sla(topic)
        if key in st.session_state:
            form.sla.choices[topic] = st.session_state[key]
    if state.REGISTER_FRESHNESS_COLUMN in st.session_state:
        form.sla.freshness_column = st.session_state[state.REGISTER_FRESHNESS_COLUMN] or None


def sla_step_problems(catalog: Catalog) -> list[str]:
    """What stops step 4."""
    form = wizard.form()
    return sla_problems(form.sla, form.properties, form.basics.product_type) or \
        catalog.policy_problems(current_principal(), form, wizard.source(), "sla")


def _column_changed(catalog: Catalog) -> None:
    """Another date or time column: measure the suggested promises on it instead."""
    form, data_profile = wizard.form(), wizard.profile()
    column = st.session_state.get(state.REGISTER_FRESHNESS_COLUMN) or None
    if data_profile is None or column is None:
        return
    suggested = catalog.suggest_service_levels(form, data_profile, column)
    form.sla.snapshot_end = suggested.snapshot_end
    for topic in ("freshness", "retention"):
        form.sla.choices[topic] = suggested.choices[topic]
        st.session_state[state.register_sla(topic)] = suggested.choices[topic]


def render_sla(catalog: Catalog) -> None:
    """Draw step 4: one plain-language choice per topic; what it writes into the contract."""
    form, data_profile = wizard.form(), wizard.profile()
    st.caption(HELP["sla"])
    if data_profile is not None and not wizard.is_new_version():  # it names columns: escaped
        st.info(escape_markdown(shown.sla_reason(form, data_profile)),
                icon=":material/event_available:")
    wizard.focus("freshness", state.register_sla("freshness"))
    left, right = st.columns(2)
    for index, topic in enumerate(shown.SLA_TOPICS):
        presets = shown.sla_presets(topic)
        options = [p.key for p in presets]
        key = wizard.seed(state.register_sla(topic),
                          form.sla.choices.get(topic, shown.SLA_DEFAULTS[topic]))
        labels = {p.key: p.label for p in presets}
        (left if index % 2 == 0 else right).radio(
            _TOPIC_LABELS[topic], options, key=key, format_func=labels.get,
            persist_state="page")
    columns = temporal_columns(form.properties)
    if columns:
        wizard.seed(state.REGISTER_FRESHNESS_COLUMN, form.sla.freshness_column or "")
        st.selectbox("Date or time column that shows how recent a row is", ["", *columns],
                     key=state.REGISTER_FRESHNESS_COLUMN, persist_state="page",
                     format_func=lambda c: c or "(none)", on_change=_column_changed,
                     args=(catalog,),
                     help="Freshness (age of the newest row) and retention (age of the oldest "
                          "row) are measured on it.")
    sync_sla()
    if form.sla.choices.get("freshness") == "snapshot":
        st.caption("A snapshot ending " + escape_markdown(
            form.sla.snapshot_end or "today (the day it is published)", one_line=True)
            + ": the ages of its rows are measured at that day.")
    if form.sla.carried:
        st.caption("Kept from the published contract: " + escape_markdown(", ".join(
            str(e.get("property")) for e in form.sla.carried), one_line=True))
    element = f"{form.port}.{form.sla.freshness_column}" if form.sla.freshness_column else None
    written = shown.sla_written(form.sla.choices, element)
    if written:
        st.caption("Written to the contract as: " + escape_markdown("; ".join(
            f"{e['property']} {e['value']}{' ' + e['unit'] if e.get('unit') else ''}"
            + (f" on {e['element']}" if e.get("element") else "") for e in written),
            one_line=True))
    for warning in sla_warnings(form.sla, form.properties, form.basics.product_type):
        st.warning(escape_markdown(warning), icon=":material/warning:")
