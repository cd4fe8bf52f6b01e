"""Owners edit a product on its page: the "Edit" button, the form, the preview of the changes
in words and "Publish version X.Y.Z".

Who may edit is the catalog's decision (:meth:`catalog.Catalog.may_edit`); the button shows
only to them, and every call checks again. Publishing goes through the catalog's one publish
path; a refusal (a problem in a field, someone else published meanwhile) is shown and the form
keeps what was typed.
"""

from __future__ import annotations

import streamlit as st

from catalog import Catalog, CatalogError, DataProduct, EditDraft, Principal
from portal import state
from portal.components.product_edit_form import edit_form
from portal.safe_text import escape_markdown
from portal.services import show_error

_BUMP_WORDS = {
    "major": "breaking change: consumers may need to adapt",
    "minor": "addition or loosened promise",
    "patch": "documentation only",
    "none": "no change",
}
"""What a version bump means, in words."""
_KIND = {"major": "breaking", "minor": "compatible", "patch": "documentation", "none": ""}


def _open(pid: str) -> None:
    st.session_state[state.product_edit(pid, "editing")] = True


def _close(pid: str) -> None:
    for part in ("editing", "values", "draft"):
        st.session_state.pop(state.product_edit(pid, part), None)


def edit_button(catalog: Catalog, principal: Principal, product: DataProduct) -> None:
    """The "Edit" button of the product header, for principals who may edit the product."""
    if catalog.may_edit(principal, product.id):
        st.button(
            "Edit",
            icon=":material/edit:",
            key=state.product_edit(product.id, "open"),
            on_click=_open,
            args=(product.id,),
            help="Change the description, team, columns, service levels or quality "
            "rules and publish them as a new version.",
        )


def editing(product_id: str) -> bool:
    """True while the edit form of the product is open in this session."""
    return bool(st.session_state.get(state.product_edit(product_id, "editing")))


def _preview(draft: EditDraft) -> None:
    """The draft in words: what stops it, or every change and the version it becomes."""
    if draft.problems:
        st.error(
            "The changes cannot be published yet. Fix these fields and preview again:",
            icon=":material/error:",
        )
        for problem in draft.problems:
            st.error(escape_markdown(str(problem)))
        return
    if not draft.changes:
        st.info("Nothing changed yet: edit a field, then preview again.", icon=":material/info:")
        return
    st.subheader(
        escape_markdown(f"Version {draft.based_on} → {draft.version}", one_line=True), anchor=False
    )
    st.caption(
        f"{_BUMP_WORDS[draft.bump].capitalize()}. The data stays as it is; only the "
        "description and the promises change."
    )
    st.dataframe(
        [{"Change": c.message, "Kind": _KIND[c.bump]} for c in draft.changes],
        hide_index=True,
        width="stretch",
    )
    for warning in draft.warnings:
        st.warning(escape_markdown(str(warning)), icon=":material/warning:")


def _publish(catalog: Catalog, principal: Principal, draft: EditDraft) -> None:
    try:
        result = catalog.publish_edit(principal, draft)
    except CatalogError as err:
        show_error(err)
        return
    _close(draft.product_id)
    words = f"Published version {result.version} of {draft.product_id}."
    if result.quality_error:
        words += " The quality checks could not run; run them from the Quality tab."
    st.session_state[state.product_edit(draft.product_id, "outcome")] = words
    st.rerun()


def edit_outcome(product_id: str) -> None:
    """The message after a publish, shown once."""
    words = st.session_state.pop(state.product_edit(product_id, "outcome"), None)
    if words:
        st.success(escape_markdown(words), icon=":material/check_circle:")


def edit_panel(catalog: Catalog, principal: Principal, product: DataProduct) -> None:
    """The edit form, the preview of the last "Preview changes" and the publish button.

    A principal who may no longer edit the product (the team changed meanwhile) gets the
    page without the form.
    """
    pid = product.id
    if not catalog.may_edit(principal, pid):  # the team changed since the form was opened
        _close(pid)
        st.rerun()
    values_key, draft_key = state.product_edit(pid, "values"), state.product_edit(pid, "draft")
    if values_key not in st.session_state:
        st.session_state[values_key] = catalog.edit_values(principal, pid)
    st.subheader(f"Edit {escape_markdown(product.title, one_line=True)}", anchor=False)
    st.caption(
        escape_markdown(
            f"Changes are published as a new version after version "
            f"{product.version}; the data is not uploaded again."
        )
    )
    changes = edit_form(pid, st.session_state[values_key])
    if changes is not None:
        try:
            st.session_state[draft_key] = catalog.draft_edit(
                principal, pid, changes.changed_since(st.session_state[values_key])
            )
        except CatalogError as err:
            show_error(err)
    draft: EditDraft | None = st.session_state.get(draft_key)
    if draft is not None:
        _preview(draft)
    with st.container(horizontal=True):
        if (
            draft is not None
            and draft.publishable
            and st.button(
                f"Publish version {draft.version}",
                type="primary",
                icon=":material/publish:",
                key=state.product_edit(pid, "publish"),
            )
        ):
            _publish(catalog, principal, draft)
        st.button("Cancel", key=state.product_edit(pid, "cancel"), on_click=_close, args=(pid,))
