"""API: how to call the portal's HTTP API — the token, curl examples, every route and the
OpenAPI document (served at ``/api/v1/openapi.json``; on the page only while its expander is
open)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from portal import routes, state
from portal.api import OPENAPI_PATH, OPERATIONS
from portal.api.openapi import openapi_document

# Base URL of the examples when the page cannot tell where it is served from (a comment, not a
# string: a page script shows a bare string literal, Streamlit "magic").
DEFAULT_BASE = "http://localhost:8501"
# How each route learns who is calling, in words.
AUTH_WORDS = {"bearer": "token", "bearer-or-link": "token or signed link", "none": "none"}


def base_url() -> str:
    """``scheme://host[:port]`` of the address this page was opened at (for the examples)."""
    url = st.context.url
    parts = urlsplit(url) if url else None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.netloc:
        return DEFAULT_BASE
    return f"{parts.scheme}://{parts.netloc}"


def curl_examples(base: str) -> str:
    """A few shell commands against the API at ``base``."""
    return f"""\
export MESH_TOKEN=mesh_…   # your token from My tokens
AUTH="Authorization: Bearer $MESH_TOKEN"

# search: free text plus facets, 20 per page
curl -H "$AUTH" "{base}/api/v1/products?q=flights&domain=operations&page_size=20"

# one product (its ODPS document) and a port's ODCS contract, as YAML or JSON
curl -H "$AUTH" "{base}/api/v1/products/operations.flights"
curl -H "$AUTH" "{base}/api/v1/products/operations.flights/contracts/flights"
curl -H "$AUTH" "{base}/api/v1/products/operations.flights/contracts/flights?format=json"

# the latest quality run
curl -H "$AUTH" "{base}/api/v1/products/operations.flights/quality"

# data: two columns, one filter, at most 1000 rows, as CSV or Parquet
curl -H "$AUTH" -o flights.csv \\
  "{base}/api/v1/products/operations.flights/data.csv?columns=carrier,dep_delay&filter=origin:equals:JFK&limit=1000"
curl -H "$AUTH" -o flights.parquet "{base}/api/v1/products/operations.flights/data.parquet"

# ask for access to a restricted port
curl -H "$AUTH" -H "Content-Type: application/json" -X POST "{base}/api/v1/access-requests" \\
  -d '{{"product_id": "passengers.bookings", "ports": ["bookings"],
       "purpose": "Load factors per route for the network plan", "duration_days": 30}}'
"""


def routes_table() -> pd.DataFrame:
    """Every route: method, path, what it does and how the caller is identified."""
    return pd.DataFrame(
        [{"Method": op.method, "Path": op.path, "What": op.summary,
          "Sign-in": AUTH_WORDS[op.auth]} for op in OPERATIONS]
        + [{"Method": "GET", "Path": OPENAPI_PATH, "What": "This API's OpenAPI 3.1 document",
            "Sign-in": "none"}])


st.title("API", anchor=False)
st.caption("Everything the portal shows is also an HTTP API, served by this same server: "
           "search, product descriptions, contracts, quality, lineage, data as CSV or Parquet, "
           "access requests and the audit log.")

st.subheader("Authenticate", anchor=False)
st.markdown("Create a personal API token and send it with every request in an "
            "`Authorization: Bearer <token>` header. The API acts as you: it sees and refuses "
            "what the portal would, masks the same columns and records extracts in the audit "
            "log. A token expires; revoke it as soon as you no longer need it.")
st.page_link(routes.MY_TOKENS, label="Create a token on My tokens", icon=":material/token:")

base = base_url()
st.subheader("Examples", anchor=False)
st.code(curl_examples(base), language="bash")
st.caption("Errors come back as JSON with the HTTP status: "
           '{"error": {"status": 403, "code": "permission_denied", "message": "…"}}. '
           "The message says what to do.")

st.subheader("Routes", anchor=False)
st.dataframe(routes_table(), hide_index=True, width="stretch")

st.subheader("OpenAPI document", anchor=False)
st.caption(f"Served at {OPENAPI_PATH}: load it into any OpenAPI tool or client generator.")
# The document is large: it is built and sent only while its expander is open.
document = st.expander("Show the OpenAPI document", icon=":material/data_object:",
                       key=state.API_OPENAPI, on_change="rerun")
if document.open:
    with document:
        st.json(openapi_document(OPERATIONS, base + "/"), expanded=1)
