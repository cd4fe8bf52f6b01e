"""Tables whose rows lead to a product: a click on the product's name opens its page on the
tab the table is about (its Quality or Governance tab), in the same browser tab.

A link column of a data grid (``st.column_config.LinkColumn``) always opens a new browser tab;
a button column runs here instead, and the page then switches to the product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from portal import routes
from portal.safe_text import grid_button_label
from portal.tables import EMPTY_CELL, table_height

PRODUCT_COLUMN = "Product"
"""The column holding the product's name, drawn as a button."""


def clicked_product(click: Mapping[str, Any] | None, ids: Sequence[str]) -> str | None:
    """The id of the product whose button was clicked, None without a (valid) click.

    Args:
        click: the button column's click state (``{"row": …, "label": …}``) or None.
        ids: product ids in the table's row order.
    """
    if not click:
        return None
    row = click.get("row")
    if not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < len(ids):
        return None
    return ids[row]


def product_table(rows: list[dict[str, Any]], ids: Sequence[str], *, key: str, tab: str,
                  column_config: Mapping[str, Any] | None = None, columns: list[str] | None = None,
                  max_rows: int = 40, row_height: int | None = None) -> None:
    """A table of ``rows`` (one per product, its title under :data:`PRODUCT_COLUMN`) whose
    product names are buttons opening the product on ``tab``.

    Args:
        rows: the table's rows; the :data:`PRODUCT_COLUMN` value is the product's title.
        ids: the product id of each row, in order.
        key: the button column's key (its click state lives there for one rerun).
        tab: the product page's tab to open (:data:`portal.routes.PRODUCT_TABS`).
        column_config: the other columns' configuration.
        columns: column labels in order (for an empty table).
        max_rows: rows shown without scrolling.
        row_height: pixels per row (more than 64 lets long text wrap over several lines).
    """
    frame = pd.DataFrame(rows, columns=columns or (list(rows[0]) if rows else None))
    if PRODUCT_COLUMN in frame:
        frame[PRODUCT_COLUMN] = [grid_button_label(v) for v in frame[PRODUCT_COLUMN]]
    config = {**(column_config or {}), PRODUCT_COLUMN: st.column_config.ButtonColumn(
        PRODUCT_COLUMN, type="tertiary", key=key, alignment="left",
        help=f"Open the product's {tab} tab")}
    height = table_height(len(frame), max_rows=max_rows, row_height=row_height)
    st.dataframe(frame, hide_index=True, width="stretch", height=height, row_height=row_height,
                 placeholder=EMPTY_CELL, column_config=config)
    target = clicked_product(st.session_state.get(key), ids)
    if target is not None:
        st.switch_page(routes.PRODUCT, query_params=routes.product_params(target, tab))
