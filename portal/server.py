"""Entry point of the portal's server: ``streamlit run portal/server.py``.

One server (Streamlit's Starlette app, run by uvicorn) serves the pages of
``portal/streamlit_app.py`` and, beside them, the HTTP routes of :func:`http_routes`:
``/healthz``, the API under ``/api/v1`` (:mod:`portal.api`) and any other door mounted there
(the MCP server at ``/mcp``). ``streamlit run`` finds the module-level ``app`` and serves it;
its command-line options (``--server.port``, ``--server.address`` …) apply as for a script.

The pages keep their sign-in mode (``MESH_AUTH``); the HTTP routes take a personal API token
(``Authorization: Bearer``) in every mode, made on the portal's My tokens page.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_REPO = str(_HERE.parent)
if _REPO not in sys.path:  # `streamlit run` puts only portal/ on the path
    sys.path.insert(0, _REPO)

import streamlit as st  # noqa: E402
from starlette.routing import BaseRoute  # noqa: E402

from catalog import mcp_http  # noqa: E402
from portal import tcp_nodelay  # noqa: E402
from portal.api import api_routes  # noqa: E402
from portal.shared_catalog import shared_catalog  # noqa: E402

tcp_nodelay.enable()  # before uvicorn wraps connections in transports (see the module)

PAGES = _HERE / "streamlit_app.py"
"""The Streamlit script with the portal's pages."""


def http_routes() -> list[BaseRoute]:
    """Every HTTP route served beside the pages; add another door's routes (a ``Mount``) here.

    Returns:
        The API's routes (with ``/healthz`` and ``/api/v1/openapi.json``) and the MCP
        endpoint.
    """
    return [*api_routes(), MCP.route]


MCP = mcp_http(shared_catalog)
"""The MCP server at ``/mcp`` (streamable HTTP, bearer token); its session manager runs in the
server's lifespan."""

app = st.App(str(PAGES), routes=http_routes(), lifespan=MCP.lifespan)
