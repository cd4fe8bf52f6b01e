"""My tokens, for the signed-in person: create a personal API token (its secret shown once),
list them, revoke one after a confirmation.

The secret of a new token lives in the session only until the run that shows it: the run pops
it from the session state while drawing it, so reloading or any later click no longer shows it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from catalog import (
    TOKEN_DEFAULT_DAYS,
    TOKEN_MAX_DAYS,
    TOKEN_MAX_NAME,
    Catalog,
    NewToken,
    Principal,
    TokenInfo,
)
from portal.components.access_common import run_action, show_outcome
from portal.safe_text import escape_markdown
from portal.tables import table_height

NEW_FORM = "tokens_new_form"
"""The form that creates a token."""
NEW_NAME = "tokens_new_name"
"""Text input: the new token's name."""
NEW_DAYS = "tokens_new_days"
"""Number input: the new token's lifetime in days."""
NEW_SUBMIT = "tokens_new_submit"
"""The form's "Create token" button."""
NEW_SECRET = "tokens_new_secret"
"""Session-state key: the token just created, kept for the one run that shows its secret."""
OUTCOME = "tokens_outcome"
"""Session-state key: the outcome of the last create or revoke, shown after the rerun."""
CONFIRM = "tokens_confirm"
"""Session-state key: id of the token whose revocation waits for a confirmation."""
SECTION = "tokens"
"""Where outcomes are shown."""
SHOWN_ONCE = ("Copy the secret now: it is shown only this once and is not stored anywhere. "
              "If you lose it, revoke the token and create a new one.")
"""The warning under a new token's secret."""


def revoke_button(token_id: str) -> str:
    """Key of the "Revoke" button of one token."""
    return f"tokens_revoke_{token_id}"


def confirm_button(token_id: str) -> str:
    """Key of the "Yes, revoke" button of one token."""
    return f"tokens_revoke_yes_{token_id}"


def cancel_button(token_id: str) -> str:
    """Key of the "Cancel" button of one token's confirmation."""
    return f"tokens_revoke_no_{token_id}"


def when(moment: dt.datetime | None, none: str = "never") -> str:
    """A token time as ``2026-03-01 09:00 UTC``; ``none`` when there is no time."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else none


def _create(catalog: Catalog, principal: Principal) -> None:
    """Form callback: create the token and keep it for the next run to show once."""
    name = str(st.session_state.get(NEW_NAME) or "")
    days = int(st.session_state.get(NEW_DAYS) or TOKEN_DEFAULT_DAYS)

    def act() -> str:
        """Create it; the message names it."""
        token = catalog.create_token(principal, name, days)
        st.session_state[NEW_SECRET] = token
        return f"Token '{token.name}' created; it works until {when(token.expires_at)}."

    run_action(OUTCOME, SECTION, act)
    if st.session_state.get(NEW_SECRET) is not None:
        st.session_state[NEW_NAME] = ""


def new_token_form(catalog: Catalog, principal: Principal) -> None:
    """The outcome of the last action, the secret of a token just created (once), and the
    form that creates one."""
    show_outcome(OUTCOME, SECTION)
    token: NewToken | None = st.session_state.pop(NEW_SECRET, None)
    if token is not None:
        with st.container(border=True):
            st.markdown(f"**Secret of {escape_markdown(token.name, one_line=True)}**")
            st.code(token.secret, language=None, wrap_lines=True)
            st.warning(SHOWN_ONCE, icon=":material/warning:")
            st.caption("Send it as `Authorization: Bearer <secret>` to the HTTP API, set it as "
                       "MESH_API_TOKEN for `python -m catalog`, or give it to an MCP client.")
    with st.form(NEW_FORM, border=True):
        st.markdown("**Create a token**")
        st.text_input("Name", key=NEW_NAME, max_chars=TOKEN_MAX_NAME,
                      placeholder="e.g. nightly report script",
                      help="Where you use it, so you know which one to revoke later.")
        st.number_input("Valid for (days)", key=NEW_DAYS, min_value=1, max_value=TOKEN_MAX_DAYS,
                        value=TOKEN_DEFAULT_DAYS, step=1,
                        help=f"1 to {TOKEN_MAX_DAYS} days; create a new one when it expires.")
        st.form_submit_button("Create token", key=NEW_SUBMIT, icon=":material/add:",
                              on_click=_create, args=(catalog, principal))


def _revoke(catalog: Catalog, principal: Principal, token_id: str) -> None:
    """Confirmation callback: revoke the token."""
    st.session_state.pop(CONFIRM, None)

    def act() -> str:
        """Revoke it; the message names it."""
        info = catalog.revoke_token(principal, token_id)
        return f"Token '{info.name}' ({info.prefix}…) was revoked; it no longer works."

    run_action(OUTCOME, SECTION, act)


def _ask(token_id: str | None) -> None:
    """Button callback: ask to confirm revoking ``token_id`` (None: cancel)."""
    if token_id is None:
        st.session_state.pop(CONFIRM, None)
    else:
        st.session_state[CONFIRM] = token_id


def token_table(tokens: list[TokenInfo]) -> None:
    """Every token of the person (secrets never shown, only their first characters)."""
    frame = pd.DataFrame([{"Name": t.name, "Starts with": t.prefix + "…",
                           "Created": when(t.created_at), "Expires": when(t.expires_at),
                           "Last used": when(t.last_used_at), "Status": t.status}
                          for t in tokens])
    st.dataframe(frame, hide_index=True, width="stretch", height=table_height(len(frame)))


def revoke_controls(catalog: Catalog, principal: Principal, tokens: list[TokenInfo]) -> None:
    """A Revoke button per active token; a click asks for a confirmation first."""
    active = [t for t in tokens if t.status == "active"]
    if not active:
        return
    pending = st.session_state.get(CONFIRM)
    for token in active:
        with st.container(border=True):
            label = escape_markdown(f"{token.name} · {token.prefix}… · expires "
                                    f"{when(token.expires_at)}", one_line=True)
            if pending == token.id:
                st.warning(f"Revoke {label}? Scripts and tools using it stop working at once.",
                           icon=":material/warning:")
                with st.container(horizontal=True, gap="small"):
                    st.button("Yes, revoke", key=confirm_button(token.id), type="primary",
                              icon=":material/block:", on_click=_revoke,
                              args=(catalog, principal, token.id))
                    st.button("Cancel", key=cancel_button(token.id), on_click=_ask,
                              args=(None,))
                continue
            with st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown(label, width="content")
                st.button("Revoke", key=revoke_button(token.id), icon=":material/block:",
                          on_click=_ask, args=(token.id,),
                          help="Stop this token from working (you confirm first).")


def my_tokens(catalog: Catalog, principal: Principal) -> None:
    """The person's tokens, newest first, then the revoke controls of the active ones."""
    tokens = catalog.tokens(principal)
    if not tokens:
        st.info("You have no API tokens yet.", icon=":material/key:")
        return
    token_table(tokens)
    revoke_controls(catalog, principal, tokens)
