"""The edit form of the product page: every editable field prefilled with its published value.

One ``st.form``: nothing reruns while the owner types; "Preview changes" hands the values to
the catalog as :class:`catalog.ProductChanges`. Each widget has a key from
:func:`portal.state.product_edit`, so what was typed stays when a preview is refused. Text from
the manifests is shown in inputs and grids (plain text) or escaped in labels; never rendered as
Markdown or HTML.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from catalog import (
    EDIT_CLASSIFICATIONS,
    EDIT_DIMENSIONS,
    EDIT_METRICS,
    EDIT_OPERATORS,
    EDIT_SEVERITIES,
    ColumnEdit,
    MemberEdit,
    ProductChanges,
    QualityRule,
    ServiceLevel,
    SupportLink,
    edit_rule_sentence,
    explain,
)
from portal import state
from portal.safe_text import escape_markdown


def _text(value: Any) -> str:
    """A grid cell as text (empty for a blank or missing cell)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _grid(
    key: str,
    rows: list[dict[str, str]],
    columns: list[str],
    config: dict[str, Any] | None = None,
    dynamic: bool = True,
) -> list[dict[str, str]]:
    """An editable grid of text cells; the rows as the owner left them (blank rows dropped)."""
    frame = pd.DataFrame(rows, columns=columns)
    edited = st.data_editor(
        frame,
        key=key,
        hide_index=True,
        width="stretch",
        num_rows="dynamic" if dynamic else "fixed",
        column_config=config or {},
    )
    out = [{c: _text(row.get(c)) for c in columns} for row in edited.to_dict("records")]
    return [row for row in out if any(row.values())]


def _option(value: object) -> str:
    """An option as shown: escaped (a published value may hold Markdown)."""
    return escape_markdown(value, one_line=True)


def _choice(label: str, options: tuple[str, ...], current: str, key: str) -> str:
    """A selectbox whose options include the published value (even an unusual one)."""
    choices = list(dict.fromkeys([*options, current])) if current else ["", *options]
    return str(
        st.selectbox(label, choices, index=choices.index(current), key=key, format_func=_option)
    )


def _about(pid: str, values: ProductChanges) -> dict[str, Any]:
    st.subheader("About the product", anchor=False)
    out: dict[str, Any] = {
        "description": st.text_area(
            "Description", values.description or "", key=state.product_edit(pid, "description")
        ),
        "usage": st.text_area("Usage", values.usage or "", key=state.product_edit(pid, "usage")),
        "limitations": st.text_area(
            "Limitations", values.limitations or "", key=state.product_edit(pid, "limitations")
        ),
    }
    tags = st.text_input(
        "Tags, separated by commas",
        ", ".join(values.tags or []),
        key=state.product_edit(pid, "tags"),
    )
    out["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
    return out


def _team(pid: str, values: ProductChanges) -> dict[str, Any]:
    st.subheader("Team and support", anchor=False)
    name = st.text_input(
        "Team name", values.team_name or "", key=state.product_edit(pid, "team_name")
    )
    members = _grid(
        state.product_edit(pid, "team"),
        [m.model_dump() for m in values.team or []],
        ["username", "name", "role"],
    )
    support = _grid(
        state.product_edit(pid, "support"),
        [s.model_dump() for s in values.support or []],
        ["channel", "url"],
    )
    return {
        "team_name": name,
        "team": [MemberEdit(**m) for m in members],
        "support": [SupportLink(**s) for s in support],
    }


def _columns(pid: str, values: ProductChanges) -> dict[str, ColumnEdit]:
    st.subheader("Columns", anchor=False)
    rows = [
        {
            "column": name,
            "description": edit.description or "",
            "classification": edit.classification or "",
        }
        for name, edit in values.columns.items()
    ]
    config = {
        "column": st.column_config.TextColumn("Column", disabled=True),
        "classification": st.column_config.SelectboxColumn(
            "Classification", options=["", *EDIT_CLASSIFICATIONS]
        ),
    }
    edited = _grid(
        state.product_edit(pid, "columns"),
        rows,
        ["column", "description", "classification"],
        config,
        dynamic=False,
    )
    return {
        r["column"]: ColumnEdit(description=r["description"], classification=r["classification"])
        for r in edited
    }


def _service_levels(pid: str, values: ProductChanges) -> list[ServiceLevel]:
    st.subheader("Service levels", anchor=False, help=explain("sla"))
    st.caption(
        "One promise a row: freshness, latency, retention, availability, frequency, "
        "timeToRepair…; the unit as d, h, m, y or percent."
    )
    rows = _grid(
        state.product_edit(pid, "service_levels"),
        [s.model_dump() for s in values.service_levels or []],
        ["property", "value", "unit", "element"],
        config={
            "property": st.column_config.TextColumn(
                "Promise", help=f"What is promised. Freshness: {explain('freshness')} "
                f"Retention: {explain('retention')} Availability: {explain('availability')}"),
            "value": st.column_config.TextColumn("Value", help="The promised number, e.g. 1 "
                                                 "or 99.5."),
            "unit": st.column_config.TextColumn("Unit", help="d (days), h (hours), m "
                                                "(minutes), y (years) or percent."),
            "element": st.column_config.TextColumn(
                "Measured on", help="The date or time column the promise is measured on, as "
                "<table>.<column> (freshness and retention)."),
        },
    )
    return [ServiceLevel(**r) for r in rows]


def _rule_inputs(pid: str, prefix: str, rule: QualityRule) -> dict[str, str]:
    """The inputs of one rule (keys ``<prefix>_<field>``); the values typed."""
    key = lambda field: state.product_edit(pid, f"{prefix}_{field}")  # noqa: E731
    cols = st.columns(5)
    out: dict[str, str] = {}
    with cols[0]:
        out["kind"] = _choice("Kind", tuple(EDIT_METRICS), rule.kind, key("kind"))
    with cols[1]:
        out["operator"] = _choice("Must be", tuple(EDIT_OPERATORS), rule.operator, key("operator"))
    with cols[2]:
        out["threshold"] = st.text_input("Threshold", rule.threshold, key=key("threshold"))
    with cols[3]:
        out["severity"] = _choice(
            "Severity", tuple(EDIT_SEVERITIES), rule.severity, key("severity")
        )
    with cols[4]:
        out["dimension"] = _choice(
            "Dimension", tuple(EDIT_DIMENSIONS), rule.dimension, key("dimension")
        )
    out["description"] = st.text_input("Rule description", rule.description, key=key("description"))
    out["query"] = st.text_area(
        "SQL query (sql rules only)", rule.query, key=key("query"), height=68
    )
    return out


def _rules(pid: str, values: ProductChanges) -> list[QualityRule]:
    st.subheader("Quality rules", anchor=False)
    out = []
    for index, rule in enumerate(values.quality or []):
        label = f"{edit_rule_sentence(rule)} · rule {rule.id}"  # the words of every screen
        with st.expander(escape_markdown(label, one_line=True)):
            typed = _rule_inputs(pid, f"rule_{index}", rule)
            drop = st.checkbox(
                "Remove this rule", key=state.product_edit(pid, f"rule_{index}_drop")
            )
        if not drop:
            out.append(rule.model_copy(update=typed))
    with st.expander("Add a rule"):
        new_id = st.text_input("New rule id", key=state.product_edit(pid, "new_rule_id"))
        column = st.selectbox(
            "Column checked (none: the table)",
            ["", *values.columns],
            key=state.product_edit(pid, "new_rule_column"),
            format_func=_option,
        )
        typed = _rule_inputs(
            pid, "new_rule", QualityRule(id="", kind="nullValues", severity="warning")
        )
    if new_id.strip():
        out.append(QualityRule(id=new_id.strip(), column=str(column or ""), **typed))
    return out


def edit_form(pid: str, values: ProductChanges) -> ProductChanges | None:
    """Render the form; the owner's changes when "Preview changes" was pressed, else None.

    Args:
        pid: the product's id (widget keys).
        values: the published values the form starts from.

    Returns:
        Every field as the form holds it (unchanged ones too), or None without a submit.
    """
    with st.form(state.product_edit(pid, "form"), border=True):
        fields = {**_about(pid, values), **_team(pid, values)}
        fields["columns"] = _columns(pid, values)
        fields["service_levels"] = _service_levels(pid, values)
        fields["quality"] = _rules(pid, values)
        submitted = st.form_submit_button(
            "Preview changes",
            type="primary",
            icon=":material/difference:",
            key=state.product_edit(pid, "preview"),
        )
    if not submitted:
        return None
    return ProductChanges(port=values.port, **fields)
