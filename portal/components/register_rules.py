"""Step 5 of the registration wizard: suggested quality rules, switchable and editable, and a
dry run that shows which would pass on the data right now."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from catalog import Catalog, RuleForm, RuleKind, Status, rules_problems
from catalog import quality_presentation as pres
from catalog import registration_presentation as shown
from portal import state
from portal.components import register_wizard as wizard
from portal.components.register_schema import EDIT_HINT
from portal.services import current_principal, show_error
from portal.tables import EMPTY_CELL, table_height
from portal.wording import HELP

EDITABLE = {"On": "enabled", "Severity": "severity", "Accepted values": "values",
            "Lowest": "minimum", "Highest": "maximum", "At least rows": "min_rows"}
"""Editable column label of the rules table → RuleForm field."""
_APPLIES = {"values": RuleKind.ACCEPTED_VALUES, "minimum": RuleKind.RANGE,
            "maximum": RuleKind.RANGE, "min_rows": RuleKind.ROW_COUNT}
_STATUS = {Status.PASSED: "passes", Status.WARNING: "warning", Status.FAILED: "fails",
           Status.ERROR: "cannot run", Status.SKIPPED: "not checked here"}
"""A dry run's result in words (a data grid draws its cells on a canvas, where an emoji the
font lacks shows as an empty box)."""


def _signature() -> tuple[Any, ...]:
    src = wizard.source()
    return (str(src.path) if src else None, tuple(p.name for p in wizard.form().properties))


def on_enter(catalog: Catalog) -> None:
    """Suggest rules for the data, unless they were suggested for this very data already."""
    form, data_profile = wizard.form(), wizard.profile()
    if st.session_state.get(state.REGISTER_RULES_FOR) == _signature() or data_profile is None:
        return
    form.rules = catalog.suggest_rules(form, data_profile)
    st.session_state[state.REGISTER_RULES_FOR] = _signature()
    st.session_state.pop(state.REGISTER_RULES_BASE, None)


def _base() -> list[RuleForm]:
    if state.REGISTER_RULES_EDITOR not in st.session_state or \
            state.REGISTER_RULES_BASE not in st.session_state:
        st.session_state[state.REGISTER_RULES_BASE] = [
            r.model_copy(deep=True) for r in wizard.form().rules]
    return st.session_state[state.REGISTER_RULES_BASE]


def _edit(rule: RuleForm, field: str, new: Any) -> None:
    if field in _APPLIES and rule.kind != _APPLIES[field]:
        return
    if field == "enabled":
        rule.enabled = bool(new)
    elif field == "values":
        rule.values = [v.strip() for v in str(new or "").split(",") if v.strip()]
    elif field == "min_rows":
        try:
            rule.min_rows = int(new)
        except (TypeError, ValueError):
            rule.min_rows = -1  # reported by rules_problems
    elif field == "severity":
        rule.severity = "warning" if new == "warning" else "error"
    else:
        setattr(rule, field, "" if new is None else str(new).strip())


def sync() -> None:
    """Apply the table's edits to the rules it started from, into the form."""
    edits: dict[str, Any] = st.session_state.get(state.REGISTER_RULES_EDITOR) or {}
    rules = [r.model_copy(deep=True) for r in _base()]
    for row, changes in (edits.get("edited_rows") or {}).items():
        index = int(row)
        if 0 <= index < len(rules):
            for label, new in changes.items():
                if label in EDITABLE:
                    _edit(rules[index], EDITABLE[label], new)
    wizard.form().rules = rules


def problems(catalog: Catalog) -> list[str]:
    """What stops step 5."""
    form = wizard.form()
    return rules_problems(form.rules, form.properties) or catalog.policy_problems(
        current_principal(), form, wizard.source(), "rules")


def _rows(rules: list[RuleForm]) -> pd.DataFrame:
    return pd.DataFrame([{
        "On": r.enabled, "Rule": shown.rule_sentence(r, wizard.form().properties),
        "Column": r.property or "(table)",
        "Severity": r.severity,
        "Accepted values": ", ".join(r.values) if r.kind == RuleKind.ACCEPTED_VALUES else None,
        "Lowest": str(r.minimum) if r.kind == RuleKind.RANGE else None,
        "Highest": str(r.maximum) if r.kind == RuleKind.RANGE else None,
        "At least rows": r.min_rows if r.kind == RuleKind.ROW_COUNT else None,
        "Id": r.id,
    } for r in rules])


def _dry_run(catalog: Catalog) -> None:
    form, src = wizard.form(), wizard.source()
    snapshot = (form.model_dump_json(include={"properties", "rules", "sla"}),)
    if st.button("Try the rules on the data now", key=state.REGISTER_RUN_DRY,
                 icon=":material/play_arrow:", disabled=src is None):
        found = rules_problems(form.rules, form.properties)
        if found:
            wizard.set_problems(found)
        elif src is not None:
            try:
                with st.spinner("Checking the data…"):
                    st.session_state[state.REGISTER_DRY_RUN] = (
                        snapshot, catalog.dry_run(current_principal(), form, src))
            except Exception as err:  # noqa: BLE001 - shown in place
                show_error(err)
    last = st.session_state.get(state.REGISTER_DRY_RUN)
    if not last:
        return
    if last[0] != snapshot:
        st.caption("The rules changed since the last try; try them again.")
        return
    results = last[1]
    passing = sum(r.status == Status.PASSED for r in results)
    st.markdown(f"**{passing} of {len(results)}** checks pass on the data right now.")
    st.dataframe(pd.DataFrame([{
        "Result": _STATUS.get(r.status, str(r.status)), "Check": pres.rule_sentence(r.check),
        "Failing rows": r.failing_rows, "Detail": r.message,
    } for r in results]), hide_index=True, width="stretch", placeholder=EMPTY_CELL,
        height=table_height(len(results), 15))


def render(catalog: Catalog) -> None:
    """Draw step 5: the rules table and the dry run."""
    st.caption(HELP["quality"] + " Switch off what does not fit; edit values and thresholds "
               "in the white cells. " + EDIT_HINT)
    if wizard.focus("rules"):
        st.caption("Switch off the rules that fail on the data (try them below), or fix the "
                   "data and upload it again.")
    rules = _base()
    config = {
        "On": st.column_config.CheckboxColumn(help="Switch the rule on or off."),
        "Rule": st.column_config.TextColumn(width="large"),
        "Severity": st.column_config.SelectboxColumn(options=["error", "warning"],
                                                     required=True),
        "Accepted values": st.column_config.TextColumn(help="Comma-separated values."),
        "At least rows": st.column_config.NumberColumn(min_value=0, format="%d"),
    }
    if rules:
        st.data_editor(_rows(rules), key=state.REGISTER_RULES_EDITOR, hide_index=True,
                       num_rows="fixed", column_config=config, width="stretch",
                       disabled=["Rule", "Column", "Id"], placeholder=EMPTY_CELL,
                       height=table_height(len(rules), 15))
    else:
        st.info("No rules could be suggested for this data.")
    sync()
    _dry_run(catalog)
