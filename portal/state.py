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
HOME_INTRO = "home_intro"
"""Home: the container of the first-visit introduction."""
HOME_INTRO_DISMISS = "home_intro_dismiss"
"""Home: the button that closes the introduction."""
HOME_INTRO_DISMISSED = "home_intro_dismissed"
"""Home: the visitor has closed the introduction (it stays closed for the session)."""

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
PRODUCT_TAB = "tab"
"""The product page's tabs (bound to the URL: the key is the query parameter's name,
:data:`portal.routes.TAB_PARAM`)."""


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


def product_access(product_id: str, port: str, part: str) -> str:
    """Key of one widget of the data tab's access-request form: ``form``, ``ports``,
    ``purpose``, ``duration``, ``days``, ``columns``, ``submit``."""
    return f"product_access_{product_id}_{port}_{part}"


def product_access_outcome(product_id: str) -> str:
    """The last access request's outcome on this product: ``(kind, message)``."""
    return f"product_access_outcome_{product_id}"


def product_quality_run(product_id: str) -> str:
    """Key of the quality tab's "Run checks now" button."""
    return f"product_quality_run_{product_id}"


def product_quality_sample(product_id: str, check_id: str) -> str:
    """Key of the quality tab's "Failing rows" expander of one rule (its table is built only
    while it is open)."""
    return f"product_quality_sample_{product_id}_{check_id}"


def product_quality_rule(product_id: str) -> str:
    """Key of the quality tab's chooser of the rule whose trend is drawn."""
    return f"product_quality_rule_{product_id}"


def product_extract_done(product_id: str, port: str) -> str:
    """What the last click on a download button of the data tab asked for: the
    :class:`portal.components.data_view.Downloaded` shown as its confirmation."""
    return f"product_extract_done_{product_id}_{port}"


# -- product: owners edit it ---------------------------------------------------------------
# The edit form's starting values and the last preview live under product_edit(id, "values")
# and product_edit(id, "draft"); the widgets' own keys keep what was typed when a preview or a
# publish is refused.


def product_edit(product_id: str, part: str) -> str:
    """Key of one widget or value of the product page's edit form: ``open`` (the Edit button),
    ``editing`` (the form is open), ``values`` (starting values), ``draft`` (last preview),
    ``outcome`` (the message after publishing), ``form``, ``preview``, ``publish``, ``cancel``,
    the fields ``description``, ``usage``, ``limitations``, ``tags``, ``team_name``, ``team``,
    ``support``, ``columns``, ``service_levels``, and ``rule_<n>_<field>`` /
    ``new_rule_<field>`` of the quality rules."""
    return f"product_edit_{product_id}_{part}"


# -- domains -------------------------------------------------------------------------------
# (no widgets: the domain comes from the URL, navigation is by links)

# -- mesh health ---------------------------------------------------------------------------
HEALTH_RECHECK = "health_recheck"
"""Button that re-reads the manifests now."""

# -- governance ----------------------------------------------------------------------------
GOVERNANCE_SEVERITY = "governance_severity"
"""Severity filter of the violations table (``error``, ``warning``)."""
GOVERNANCE_DOMAIN = "governance_domain"
"""Domain filter of the violations table."""
GOVERNANCE_OUTCOME = "governance_outcome"
"""The last approval decision's outcome: ``(kind, message)``, kind ``success`` or ``error``."""
GOVERNANCE_VIOLATIONS = "governance_violations"
"""The product buttons of the violations table (a click opens the product's Governance tab)."""
GOVERNANCE_UNDISCOVERABLE = "governance_undiscoverable"
"""The product buttons of the "not yet discoverable" table."""
GOVERNANCE_VIEW = "governance_view"
"""The governance page's open section (tabs bound to the URL:
``/governance?governance_view=Violations``); only the open one runs."""


def governance_approve(product_id: str) -> str:
    """Key of the "Approve" button of a proposed product."""
    return f"governance_approve_{product_id}"


def governance_reason(product_id: str) -> str:
    """Key of the "reason" text area of a proposed product."""
    return f"governance_reason_{product_id}"


def governance_send_back(product_id: str) -> str:
    """Key of the "Send back" button of a proposed product."""
    return f"governance_send_back_{product_id}"

# -- my access -----------------------------------------------------------------------------
MY_ACCESS_REQUESTS = "my_access_requests"
"""The product buttons of one's decided requests (a click opens the product's Data tab)."""
MY_ACCESS_GRANTS = "my_access_grants"
"""The product buttons of one's grants."""
MY_ACCESS_OUTCOME = "my_access_outcome"
"""The last action's outcome on the My access page: ``(kind, message)``, kind ``success`` or
``error``, shown once after the rerun."""


def my_access_withdraw(request_id: int) -> str:
    """Key of the "Withdraw" button of one's own pending request."""
    return f"my_access_withdraw_{request_id}"


def my_access_request(request_id: int, part: str) -> str:
    """Key of part ``note``, ``approve`` or ``deny`` of a request to decide."""
    return f"my_access_request_{request_id}_{part}"


def my_access_grant(grant_id: int, part: str) -> str:
    """Key of part ``days``, ``permanent``, ``renew``, ``note`` or ``revoke`` of a grant on
    one's products."""
    return f"my_access_grant_{grant_id}_{part}"


# -- audit ---------------------------------------------------------------------------------
# The filters are bound to the URL (``bind="query-params"``): the key is the parameter name,
# e.g. ``/audit?audit_action=access.&audit_product=passengers.bookings``.
AUDIT_ACTOR = "audit_actor"
"""User id whose events the audit page shows (text input, in the URL)."""
AUDIT_ACTION = "audit_action"
"""Action prefix of the audit page (``access.``, ``product.approved``, …; in the URL)."""
AUDIT_PRODUCT = "audit_product"
"""Target (a product id) of the audit page (in the URL)."""
AUDIT_DATES = "audit_dates"
"""Date range of the audit page, both ends included (in the URL, one parameter per end)."""
AUDIT_DOWNLOAD = "audit_download"
"""The audit page's "Download CSV" button."""

# -- api -----------------------------------------------------------------------------------
API_OPENAPI = "api_openapi"
"""The API page's "Show the OpenAPI document" expander (the document runs only when open)."""

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
QUALITY_SCORES = "quality_scores"
"""The score table's product buttons (a click opens the product's Quality tab)."""
QUALITY_FAILING = "quality_failing"
"""The product buttons of the table of rules not met."""
QUALITY_FRESHNESS = "quality_freshness"
"""The product buttons of the freshness table."""
QUALITY_VIEW = "quality_view"
"""The quality page's open section (tabs bound to the URL: ``/quality?quality_view=Freshness``);
only the open one runs."""

# -- register ------------------------------------------------------------------------------
# The wizard's answers live in REGISTER_FORM (a RegistrationForm), not in widget keys: a
# widget's key is dropped when its step is not shown, so each step's widgets are seeded from
# the form again when the person comes back, and nothing typed is lost.
REGISTER_STEP = "register_step"
"""Index of the wizard's current step (0 = Basics)."""
REGISTER_FORM = "register_form"
"""Everything entered so far (catalog.registration.forms.RegistrationForm)."""
REGISTER_SOURCE = "register_source"
"""The staged data (catalog.registration.sources.DataSource) or None."""
REGISTER_PROFILE = "register_profile"
"""The staged data's profile (catalog.registration.profile.Profile) or None."""
REGISTER_PROBLEMS = "register_problems"
"""Problems that stopped the last "Next" (list of str), shown above the step."""
REGISTER_RULES_FOR = "register_rules_for"
"""The staged file the suggested rules were made for (new data → new suggestions)."""
REGISTER_SCHEMA_BASE = "register_schema_base"
"""The properties the schema table started from when the step was entered."""
REGISTER_RULES_BASE = "register_rules_base"
"""The rules the rules table started from when the step was entered."""
REGISTER_DRY_RUN = "register_dry_run"
"""(rules snapshot, results) of the last dry run."""
REGISTER_RESULT = "register_result"
"""The PublishResult once published (the wizard then shows what was published)."""
REGISTER_UPLOADED = "register_uploaded"
"""(name, size, file id) of the upload last staged, so a rerun does not stage it again."""
REGISTER_MODE = "register_mode"
"""Radio: register a new product or a new version of an existing one."""
REGISTER_VERSION_OF = "register_version_of"
"""Chooser of the product a new version is for."""
REGISTER_PREFILLED = "register_prefilled"
"""Id of the product the form was last pre-filled from."""
REGISTER_SOURCE_KIND = "register_source_kind"
"""Radio of the data step: upload, data folder or query."""
REGISTER_UPLOAD = "register_upload"
"""The data step's file uploader."""
REGISTER_LOCAL = "register_local"
"""Chooser of a file or table of the data folder."""
REGISTER_USE_LOCAL = "register_use_local"
"""Button that stages the chosen file or table."""
REGISTER_QUERY = "register_query"
"""Text area of a derived product's SQL."""
REGISTER_RUN_QUERY = "register_run_query"
"""Button that runs the query and stages its result."""
REGISTER_SCHEMA_EDITOR = "register_schema_editor"
"""The schema step's data editor (its edit state: edited_rows, added_rows, deleted_rows)."""
REGISTER_FRESHNESS_COLUMN = "register_freshness_column"
"""Chooser of the date/time column freshness and retention are measured on."""
REGISTER_RULES_EDITOR = "register_rules_editor"
"""The rules step's data editor."""
REGISTER_RUN_DRY = "register_run_dry"
"""Button that runs the switched-on rules on the data now."""
REGISTER_VERSION = "register_version"
"""Text input of the version to publish (new versions)."""
REGISTER_PUBLISH = "register_publish"
"""The publish button."""
REGISTER_BACK = "register_back"
"""The "Back" button."""
REGISTER_NEXT = "register_next"
"""The "Next" button."""
REGISTER_RESTART = "register_restart"
"""Button that clears the wizard and starts again."""
REGISTER_FOCUS = "register_focus"
"""The field a "go there" button of the review asked to change (highlighted on its step)."""
REGISTER_TO_REVIEW = "register_to_review"
"""Button that checks the step the review sent the person to and goes back to the review."""
REGISTER_ATTEMPTED = "register_attempted"
"""Index of the step whose "Next" was refused: its problems are re-checked after each change."""


def register_field(name: str) -> str:
    """Key of the Basics widget of form field ``name`` (``title``, ``purpose``, …)."""
    return f"register_{name}"


def register_sla(topic: str) -> str:
    """Key of the service-level chooser of ``topic`` (freshness, availability, …)."""
    return f"register_sla_{topic}"


def register_go_to(index: int) -> str:
    """Key of the review's button that goes back to the field of blocking problem ``index``."""
    return f"register_go_to_{index}"


def register_download(kind: str) -> str:
    """Key of the download button of the generated ``odps`` or ``odcs`` file."""
    return f"register_download_{kind}"
