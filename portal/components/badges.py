"""Small badges: a product's lifecycle status, type and version.

``st.badge`` renders its label as Markdown (and escapes only square brackets), so manifest text
goes through :func:`portal.safe_text.badge_label`.
"""

from __future__ import annotations

import streamlit as st

from catalog import DataProduct
from portal.safe_text import badge_label, escape_markdown
from portal.wording import HELP, status_color, type_label


def badge_markdown(text: object, color: str, icon: str | None = None) -> str:
    """A badge as Markdown (what ``st.badge`` writes), for several badges in one element:
    ``:green-badge[:material/check: text]``, the text escaped."""
    label = escape_markdown(text, one_line=True)  # = badge_label, brackets escaped by st.badge
    return f":{color}-badge[{icon + ' ' if icon else ''}{label}]"


def status_badge_markdown(status: str | None) -> str:
    """The lifecycle status badge as Markdown (:func:`badge_markdown`)."""
    return badge_markdown(status or "unknown", status_color(status),
                          ":material/radio_button_checked:")


def status_badge(status: str) -> None:
    """A coloured badge for a lifecycle status (active green, deprecated orange, …)."""
    st.badge(badge_label(status or "unknown"), color=status_color(status),  # type: ignore[arg-type]
             icon=":material/radio_button_checked:", help=HELP["status"])


def product_badges(product: DataProduct) -> None:
    """Status, type and version of a product on one line (call inside a horizontal container)."""
    status_badge(product.status)
    if product.type:
        st.badge(badge_label(type_label(product.type)), color="gray", icon=":material/category:",
                 help=HELP["type"])
    if product.version:
        st.badge(badge_label(f"v{product.version}"), color="gray", help=HELP["version"])
