"""The contract and SLA view: service levels and quality rules in plain language, servers, and
the raw ODPS/ODCS files as downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from catalog import ManifestFile, OutputPortView, explain, sla_lines
from portal import state
from portal.safe_text import code_span, escape_markdown
from portal.tables import quality_rows, server_rows, table_height
from portal.wording import HELP


def contract_view(port: OutputPortView) -> None:
    """Service levels, quality rules and servers of one output port's data contract."""
    contract = port.contract
    if contract is None:
        st.warning(f"Output port '{escape_markdown(port.name, one_line=True)}' has no valid data "
                   "contract. The mesh health page lists what is wrong with it.",
                   icon=":material/warning:")
        return
    status = f" · {escape_markdown(contract.status, one_line=True)}" if contract.status else ""
    st.caption(f"Contract {code_span(contract.id)} · version "
               f"{escape_markdown(contract.version or '?', one_line=True)}{status}")
    if contract.description and contract.description.purpose:
        st.markdown(escape_markdown(contract.description.purpose))

    st.markdown("**Service levels**", help=HELP["sla"])
    lines = sla_lines(contract)
    if not lines:
        st.caption("This contract makes no service-level promises.")
    for sentence, description in lines:
        extra = f" — {escape_markdown(description, one_line=True)}" if description else ""
        st.markdown(f"- :material/schedule: **{escape_markdown(sentence, one_line=True)}**{extra}")

    st.markdown("**Quality rules**", help=HELP["quality"])
    rows = quality_rows(contract)
    if rows:
        st.dataframe(
            pd.DataFrame(rows), hide_index=True, width="stretch", height=table_height(len(rows)),
            column_config={
                "Rule": st.column_config.TextColumn(width="large"),
                "Why": st.column_config.TextColumn(width="medium",
                                                   help="The owning team's explanation"),
                "Dimension": st.column_config.TextColumn(help=HELP["dimension"]),
                "Severity": st.column_config.TextColumn(help=explain("severity")),
                "Id": st.column_config.TextColumn(help="Stable id of the rule"),
            },
        )
    else:
        st.caption("This contract declares no quality rules.")

    st.markdown("**Where the data lives**",
                help="Servers of the contract: the systems that hold this port's data.")
    servers = server_rows(contract)
    if servers:
        st.dataframe(pd.DataFrame(servers), hide_index=True, width="stretch")
    else:
        st.caption("The contract names no server.")


def manifest_downloads(product_id: str, files: list[ManifestFile],
                       documentation: ManifestFile | None = None) -> None:
    """One download button per raw manifest file (the ODPS product and each ODCS contract),
    and one for the product's documentation as Markdown when given."""
    st.markdown("**Manifest files**",
                help="The product (ODPS) and contract (ODCS) files exactly as the domain "
                     "published them; other data-contract tools can read them.")
    with st.container(horizontal=True):
        for file in files:
            st.download_button(escape_markdown(file.name, one_line=True), data=file.data,
                               file_name=file.name, mime=file.mime,
                               key=state.product_manifest_download(product_id, file.name),
                               icon=":material/file_download:", on_click="ignore")
        if documentation is not None:
            st.download_button("Documentation (Markdown)", data=documentation.data,
                               file_name=documentation.name, mime=documentation.mime,
                               key=state.product_manifest_download(product_id,
                                                                   documentation.name),
                               icon=":material/description:", on_click="ignore",
                               help="The product described for people who never open the "
                                    "portal: purpose, owner, schema, service levels, quality.")
