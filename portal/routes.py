"""Page paths and URL query parameters of the portal; no Streamlit here.

Page paths are relative to the entry point ``portal/streamlit_app.py`` (what ``st.page_link`` and
``st.switch_page`` take). URLs: ``/`` (home), ``/discover?q=…&domain=…&owner=…&tag=…&status=…
&classification=…`` (repeat a facet parameter to select several values), ``/product?product=
<id>``, ``/domains?domain=<name>``, ``/mesh-health``, ``/quality?quality_domain=…&quality_owner=…
&quality_status=…``, ``/register`` (``/register?product=<id>`` starts a new version of it),
``/governance``, ``/my-access`` (the signed-in person's requests and grants, and the requests
they decide), ``/my-tokens`` (the signed-in person's API tokens),
``/audit?audit_actor=…&audit_action=…&audit_product=…&audit_dates=<from>&audit_dates=
<to>`` (governance admins), ``/api`` (how to call the HTTP API; the API itself is
under ``/api/v1/``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from catalog import FACETS, SearchQuery

HOME = "app_pages/home.py"
DISCOVER = "app_pages/discover.py"
PRODUCT = "app_pages/product.py"
DOMAINS = "app_pages/domains.py"
MESH_HEALTH = "app_pages/mesh_health.py"
QUALITY = "app_pages/quality.py"
REGISTER = "app_pages/register.py"
GOVERNANCE = "app_pages/governance.py"
MY_ACCESS = "app_pages/my_access.py"
MY_TOKENS = "app_pages/my_tokens.py"
AUDIT = "app_pages/audit.py"
API_DOCS = "app_pages/api_docs.py"

QUERY_PARAM = "q"
"""Free-text query of the discover page."""
PRODUCT_PARAM = "product"
"""Product id on the product page."""
TAB_PARAM = "tab"
"""The open tab of the product page (its label); also the tabs' session-state key."""
PRODUCT_TABS = ("Overview", "Schema", "Contract", "Data", "Quality", "Governance")
"""The product page's tabs, in order; the label is the ``tab`` parameter's value."""
OVERVIEW, SCHEMA, CONTRACT, DATA, QUALITY_TAB, GOVERNANCE_TAB = PRODUCT_TABS
DOMAIN_PARAM = "domain"
"""Domain name on the domains page (and a facet of the discover page)."""
DISCOVER_PARAMS = (QUERY_PARAM, *FACETS)
"""Every URL parameter of the discover page."""


def product_url(product_id: str, tab: str | None = None) -> str:
    """Relative URL of a product's page, e.g. ``/product?product=operations.flights``, or of
    one of its tabs: ``/product?product=operations.flights&tab=Quality``."""
    return "/product?" + urlencode(product_params(product_id, tab) if tab else
                                   {PRODUCT_PARAM: product_id})


def product_params(product_id: str, tab: str = OVERVIEW) -> dict[str, str]:
    """Query parameters of a link to a product's page, opening ``tab`` (by default the
    Overview, so a link from another product's Quality tab does not open this one's)."""
    return {PRODUCT_PARAM: product_id, TAB_PARAM: canonical_tab(tab) or OVERVIEW}


def canonical_tab(value: str | None) -> str | None:
    """The tab label ``value`` names, whatever its case (``quality`` → ``Quality``); None for
    no or an unknown tab."""
    wanted = (value or "").strip().lower()
    return next((tab for tab in PRODUCT_TABS if tab.lower() == wanted), None)


def search_query_from_params(params: Mapping[str, Sequence[str]]) -> SearchQuery:
    """The search a discover URL describes.

    Args:
        params: parameter name → all its values (as ``st.query_params.get_all`` gives them);
            unknown names are ignored, blank values dropped, duplicates removed.

    Returns:
        The :class:`SearchQuery`; the text is the last ``q`` value, stripped.
    """
    texts = [t for t in params.get(QUERY_PARAM, ()) if t.strip()]
    facets = {f: tuple(dict.fromkeys(v for v in params.get(f, ()) if v.strip())) for f in FACETS}
    return SearchQuery(text=texts[-1].strip() if texts else "", **facets)


def params_from_search_query(query: SearchQuery) -> dict[str, list[str]]:
    """URL parameters of a search, every name of :data:`DISCOVER_PARAMS` present (``[]`` = none)."""
    params = {QUERY_PARAM: [query.text] if query.text.strip() else []}
    for facet in FACETS:
        params[facet] = list(query.selected(facet))
    return params
