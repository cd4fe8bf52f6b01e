"""Mesh health: problems found in the domains' manifest files, errors first."""

from __future__ import annotations

import streamlit as st

from portal import state
from portal.safe_text import escape_markdown
from portal.services import current_principal, get_catalog
from portal.wording import plural

SEVERITIES = {
    "error": ("Errors", "These files were skipped: their domain or product is missing from the "
              "catalog until the file is fixed.", ":material/error:"),
    "warning": ("Warnings", "These files were loaded anyway, but something needs attention.",
                ":material/warning:"),
}

catalog = get_catalog()
summary = catalog.summary(current_principal())

st.title("Mesh health", anchor=False)
st.caption("Problems found while reading the domains' manifest files (ODPS products, ODCS "
           "contracts, domain descriptions). Each line reads file:line: field: message.")
st.button("Check again", key=state.HEALTH_RECHECK, icon=":material/refresh:",
          on_click=lambda: None if catalog.reload() else None,
          help="Read the manifest files again now.")

problems = catalog.problems()
if not problems:
    st.success(f"All manifests are valid: {plural(summary.domains, 'domain')} and "
               f"{plural(summary.products, 'data product')} loaded.",
               icon=":material/check_circle:")
    st.stop()

st.caption(f"Loaded {plural(summary.domains, 'domain')} and "
           f"{plural(summary.products, 'data product')}.")
groups: dict[str, list[str]] = {}
for problem in problems:
    groups.setdefault(problem.severity, []).append(str(problem))
for severity, lines in groups.items():
    title, explanation, icon = SEVERITIES.get(
        severity, (escape_markdown(severity.capitalize(), one_line=True), "", ":material/info:"))
    st.subheader(f"{title} ({len(lines)})", anchor=False)
    if explanation:
        st.caption(f"{icon} {explanation}")
    st.code("\n".join(lines), language=None, wrap_lines=True)  # st.code renders no Markdown
