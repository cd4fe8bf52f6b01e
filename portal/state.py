"""Session-state keys of the portal, declared in one place and prefixed with their page.

Keys of widgets that depend on a product or port embed its id, so moving from one product to
another never carries a stale selection over. Nothing per-user lives at module level.
"""

from __future__ import annotations

# -- home ----------------------------------------------------------------------------------
HOME_SEARCH_FORM = "home_search_form"
"""The home page's search form (submitting it opens the discover page)."""
HOME_SEARCH = "home_search"
"""Text of the home page's search box (inside a form)."""

# -- discover ------------------------------------------------------------------------------
DISCOVER_TEXT = "discover_text"
"""Text of the discover page's search box."""
DISCOVER_URL = "discover_url"
"""The discover parameters last written to (or read from) the URL: detects links and edits."""


def discover_facet(facet: str) -> str:
    """Key of the discover page's selector for ``facet`` (domain, owner, tag, …)."""
    return f"discover_facet_{facet}"


DISCOVER_CLEAR = "discover_clear"
"""The "clear filters" button of the no-results state."""

# -- product -------------------------------------------------------------------------------
PRODUCT_PICKER = "product_picker"
"""Product chooser shown when the URL names no product."""


def product_port(product_id: str) -> str:
    """Key of the output-port chooser of the data tab."""
    return f"product_port_{product_id}"


def product_manifest_download(product_id: str, file_name: str) -> str:
    """Key of the download button of one raw manifest file."""
    return f"product_manifest_{product_id}_{file_name}"


def product_extract(product_id: str, port: str, part: str) -> str:
    """Key of one widget of the extract form: ``columns``, ``filters`` (count), ``download``,
    ``add_filter``, ``remove_filter``."""
    return f"product_extract_{product_id}_{port}_{part}"


def product_filter(product_id: str, port: str, index: int, part: str) -> str:
    """Key of part ``column``, ``op`` or ``value`` of row filter ``index`` of the extract form."""
    return f"product_filter_{product_id}_{port}_{index}_{part}"


def product_quality_run(product_id: str) -> str:
    """Key of the quality tab's "Run checks now" button."""
    return f"product_quality_run_{product_id}"


def product_quality_rule(product_id: str) -> str:
    """Key of the quality tab's chooser of the rule whose trend is drawn."""
    return f"product_quality_rule_{product_id}"


# -- domains -------------------------------------------------------------------------------
# (no widgets: the domain comes from the URL, navigation is by links)

# -- mesh health ---------------------------------------------------------------------------
HEALTH_RECHECK = "health_recheck"
"""Button that re-reads the manifests now."""

# -- quality -------------------------------------------------------------------------------
# The filters are bound to the URL (``bind="query-params"``): the key is the parameter name,
# e.g. ``/quality?quality_domain=weather&quality_status=failed``.
QUALITY_DOMAIN = "quality_domain"
"""Domains chosen on the quality page (pills, in the URL)."""
QUALITY_OWNER = "quality_owner"
"""Owners or teams chosen on the quality page (multiselect, in the URL)."""
QUALITY_STATUS = "quality_status"
"""Product quality statuses chosen on the quality page (pills, in the URL)."""
QUALITY_CHART = "quality_chart"
"""The per-product score chart of the quality page (a click opens the product)."""
