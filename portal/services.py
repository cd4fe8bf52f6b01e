"""What every page needs: the shared catalog, the current principal, and error display.

One :class:`Catalog` per process and mesh location (it holds no per-user data, and its DuckDB
engine hands out a cursor per unit of work). Catalog data is not cached here: the catalog is
fast, and nothing that depends on the principal may be shared between sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from catalog import Catalog, CatalogError, Principal
from portal import auth
from portal.safe_text import escape_markdown
from portal.shared_catalog import shared_catalog

logger = logging.getLogger(__name__)

UNEXPECTED_ERROR = (
    "Something went wrong on our side while showing this page. Try again in a moment; if it "
    "keeps happening, tell the platform team what you were doing."
)
"""Shown instead of an unexpected exception (the details go to the log, never to the page)."""


def get_catalog() -> Catalog:
    """The process-wide catalog for the mesh configured in the environment.

    Keyed on ``MESH_ROOT``, ``MESH_DATA_DIR``, ``MESH_STATE_DB`` and
    ``MESH_UPLOAD_LIMIT_MB`` (see :mod:`catalog.config`), so a different mesh location gets its
    own catalog. The HTTP API uses the same object (:mod:`portal.shared_catalog`).
    """
    return shared_catalog()


def current_principal() -> Principal:
    """The user of this session, as the sign-in mode (``MESH_AUTH``) learns it.

    See :func:`portal.auth.current_principal`: worked out from this session's own request on
    every call (nothing per user is cached), :data:`~catalog.models.principal.ANONYMOUS` when
    the session is not signed in.
    """
    return auth.current_principal()


def show_error(err: BaseException) -> None:
    """Render an error for the user: a :class:`CatalogError`'s own message, else a generic one.

    The message is shown literally (it may repeat an id from the URL or text from a manifest).
    Unexpected exceptions are logged with their stack trace; the page never shows one.
    """
    if isinstance(err, CatalogError):
        st.error(escape_markdown(str(err)), icon=":material/error:")
        return
    logger.exception("unexpected error in the portal", exc_info=err)
    st.error(UNEXPECTED_ERROR, icon=":material/error:")


@contextmanager
def errors_shown() -> Iterator[None]:
    """Context manager: any exception inside is shown with :func:`show_error` and swallowed.

    Streamlit's own control flow (``st.stop``, ``st.rerun``, page switches) derives from
    ``BaseException`` and passes through untouched.
    """
    try:
        yield
    except Exception as err:  # noqa: BLE001 - the one place errors become messages
        show_error(err)
