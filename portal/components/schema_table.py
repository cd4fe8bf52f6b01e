"""The schema table: one row per property (column) of an output port's contract."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import OutputPortView
from portal.safe_text import code_span, escape_markdown
from portal.tables import EMPTY_CELL, SCHEMA_COLUMNS, WRAP_ROW_HEIGHT, schema_rows, table_height
from portal.wording import HELP


def schema_table(port: OutputPortView) -> None:
    """Each schema object of the port: its name, description and a table of its properties.

    Shows a warning instead when the port has no valid contract.
    """
    objects = port.schema_objects()
    if not objects:
        st.warning(f"Output port '{escape_markdown(port.name, one_line=True)}' has no data "
                   "contract with a schema.",
                   icon=":material/warning:")
        return
    for obj in objects:
        title = obj.businessName or obj.name or "table"
        st.markdown(f"**{escape_markdown(title, one_line=True)}** ({code_span(obj.name)})")
        if obj.description:
            st.caption(escape_markdown(obj.description)
                       + (f" Granularity: "
                          f"{escape_markdown(obj.dataGranularityDescription, one_line=True)}."
                          if obj.dataGranularityDescription else ""))
        frame = pd.DataFrame(schema_rows(port, obj.name), columns=list(SCHEMA_COLUMNS))
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            height=table_height(len(frame), row_height=WRAP_ROW_HEIGHT),
            row_height=WRAP_ROW_HEIGHT,
            placeholder=EMPTY_CELL,
            column_config={
                "Property": st.column_config.TextColumn(help="Column name in the data"),
                "Business name": st.column_config.TextColumn(help="Name in business terms"),
                "Type": st.column_config.TextColumn(
                    help="Logical type (the engine's physical type in brackets)"),
                "Description": st.column_config.TextColumn(width=460),
                "Required": st.column_config.CheckboxColumn(help=HELP["required"]),
                "Unique": st.column_config.CheckboxColumn(help=HELP["unique"]),
                "Key": st.column_config.CheckboxColumn(help=HELP["primary_key"]),
                "Classification": st.column_config.TextColumn(help=HELP["classification"]),
                "Personal data": st.column_config.CheckboxColumn(help=HELP["pii"]),
            },
        )
