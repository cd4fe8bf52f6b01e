"""``python -m catalog mcp``: serve the catalog to an AI assistant over stdio (MCP).

The assistant (a desktop client, an IDE) starts this command and talks the Model Context
Protocol over its standard input and output. The tools act as the owner of the API token in
the environment variable ``MESH_API_TOKEN`` (create one on the portal's My tokens page or with
``python -m catalog token create``), with exactly that user's rights; the mesh is the one of
``MESH_ROOT`` / ``MESH_DATA_DIR``.

Exit codes: 0 when the client closes the connection; 2 when the token is missing, unknown,
expired or revoked (the reason on standard error; nothing is served).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from catalog import Catalog, Settings, Unauthenticated

NAME = "mcp"
HELP = "serve the catalog's tools to an AI assistant over stdio (token in MESH_API_TOKEN)"

TOKEN_VARIABLE = "MESH_API_TOKEN"
"""The environment variable holding the API token."""

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments on ``parser`` (none: the token comes from the
    environment, so it never shows in a process listing)."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until the client disconnects; returns the exit code in the module docstring."""
    secret = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not secret:
        print(f"error: set {TOKEN_VARIABLE} to an API token (create one on the portal's My "
              "tokens page or with `python -m catalog token create`); the MCP server acts with "
              "that user's rights.", file=sys.stderr)
        return 2
    from catalog.mcp.stdio import serve_stdio  # the MCP SDK loads only for this command

    try:
        principal = serve_stdio(Catalog(settings), secret)
    except Unauthenticated as err:
        print(f"error: the token in {TOKEN_VARIABLE} was refused: {err}", file=sys.stderr)
        return 2
    logger.info("MCP stdio session of %s ended", principal.username)
    return 0
