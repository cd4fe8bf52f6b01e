"""My tokens: the signed-in person's personal API tokens; ``/my-tokens``.

A token lets a script, the HTTP API (``/api/v1``), an MCP client or ``python -m catalog`` act as
this person. Creating one shows its secret once; revoking one (after a confirmation) stops it at
once. Every step is a catalog use case; the page shows its outcome after the rerun.
"""

from __future__ import annotations

import streamlit as st

from portal.components import tokens_view
from portal.safe_text import escape_markdown
from portal.services import current_principal, errors_shown, get_catalog

catalog = get_catalog()
principal = current_principal()

st.title("My tokens", anchor=False)
st.caption(f"Personal API tokens of {escape_markdown(principal.display_name, one_line=True)}. "
           "A token acts as you, with your rights, in the HTTP API, MCP clients and the "
           "command line; keep it like a password. Only a fingerprint of each is stored, so a "
           "lost secret cannot be shown again: revoke the token and create a new one.")

with errors_shown():
    tokens_view.new_token_form(catalog, principal)

st.subheader("Your tokens", anchor=False)
with errors_shown():
    tokens_view.my_tokens(catalog, principal)
