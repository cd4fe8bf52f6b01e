"""Entry point of the data mesh portal: ``streamlit run portal/streamlit_app.py``.

Sets the page configuration, lets only a signed-in user through (:mod:`portal.auth`, the mode
chosen by ``MESH_AUTH``), shows who that is, and routes between the pages of ``app_pages/`` with
``st.navigation``; any error a page raises is shown as a message, never as a stack trace.
"""

from __future__ import annotations

import sys
from pathlib import Path

_REPO = str(Path(__file__).resolve().parent.parent)
if _REPO not in sys.path:  # `streamlit run` puts only portal/ on the path
    sys.path.insert(0, _REPO)

import streamlit as st  # noqa: E402

from catalog import Action  # noqa: E402
from portal import auth, routes  # noqa: E402
from portal.services import errors_shown, get_catalog, show_error  # noqa: E402

# An emoji favicon is drawn in the browser; a ":material/…:" one is fetched from Google's font
# servers, and no page may load anything from a host other than the portal's.
st.set_page_config(page_title="Data mesh portal", page_icon="🗂️", layout="wide")

try:
    principal = auth.require_sign_in(get_catalog)
except Exception as err:  # noqa: BLE001 - e.g. the audit log cannot be written: serve nothing
    show_error(err)
    st.stop()

# The audit page is listed for governance admins only (the catalog refuses everyone else).
may_audit = get_catalog().decide(principal, Action.READ_AUDIT).allowed

page = st.navigation(
    [
        st.Page(routes.HOME, title="Home", icon=":material/home:", default=True),
        st.Page(routes.DISCOVER, title="Discover", icon=":material/search:"),
        st.Page(routes.PRODUCT, title="Product", icon=":material/dataset:"),
        st.Page(routes.DOMAINS, title="Domains", icon=":material/domain:"),
        st.Page(routes.QUALITY, title="Quality", icon=":material/fact_check:", url_path="quality"),
        st.Page(routes.REGISTER, title="Register a product", icon=":material/add_box:",
                url_path="register"),
        st.Page(routes.GOVERNANCE, title="Governance", icon=":material/policy:",
                url_path="governance"),
        st.Page(routes.MESH_HEALTH, title="Mesh health", icon=":material/health_and_safety:",
                url_path="mesh-health"),
        st.Page(routes.MY_ACCESS, title="My access", icon=":material/key:",
                url_path="my-access"),
        st.Page(routes.MY_TOKENS, title="My tokens", icon=":material/token:",
                url_path="my-tokens"),
        *([st.Page(routes.AUDIT, title="Audit", icon=":material/history:", url_path="audit")]
          if may_audit else []),
        st.Page(routes.API_DOCS, title="API", icon=":material/api:", url_path="api"),
    ],
    position="top",
)

auth.show_identity(principal)

with errors_shown():
    page.run()
