"""The "not found" state shared by pages that take an id from the URL."""

from __future__ import annotations

import streamlit as st

from catalog import CatalogError
from portal.services import show_error


def not_found(title: str, err: CatalogError, links: list[tuple[str, str, str]]) -> None:
    """Show ``title``, the catalog's message and ways onward, then stop the page.

    Args:
        title: page heading, e.g. "Data product not found".
        err: the catalog error, whose message says what was asked for; it repeats the value
            from the URL, so :func:`portal.services.show_error` shows it escaped.
        links: (page path, label, material icon) of each way onward.
    """
    st.title(title, anchor=False)
    show_error(err)
    for page, label, icon in links:
        st.page_link(page, label=label, icon=icon)
    st.stop()
