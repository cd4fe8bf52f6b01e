"""The MCP door: the catalog's use cases as tools for AI assistants (Model Context Protocol).

Two transports, one set of tools (:mod:`catalog.mcp.tools`), both authenticated by the
catalog's API tokens (:mod:`catalog.mcp.auth`):

- stdio, ``python -m catalog mcp`` with the token in ``MESH_API_TOKEN``
  (:func:`~catalog.mcp.stdio.serve_stdio`);
- streamable HTTP at ``/mcp`` on the portal's server, a bearer token per request
  (:func:`~catalog.mcp.http.mcp_http`).

Like every door, it imports the catalog only through ``from catalog import …``.
"""

from __future__ import annotations

from catalog.mcp.http import MCP_PATH, McpHttp, mcp_http
from catalog.mcp.stdio import serve_stdio
from catalog.mcp.tools import build_server

__all__ = ["MCP_PATH", "McpHttp", "build_server", "mcp_http", "serve_stdio"]
