"""Step 1 of the registration wizard: who owns the product and what it is for."""

from __future__ import annotations

import streamlit as st

from catalog import PRODUCT_TYPES, Basics, Catalog, Principal, SearchQuery, help_text
from portal import routes, state
from portal.components import register_wizard as wizard
from portal.safe_text import escape_markdown
from portal.services import current_principal
from portal.wording import type_label

_TEXT = ("title", "owner", "owner_name", "team_name", "support_channel", "support_url")
_AREAS = ("purpose", "usage", "limitations")
_LISTS = ("tags", "members")
_LABELS = {"title": "Title", "owner": "Owner (user name or e-mail)", "owner_name":
           "Owner's full name", "team_name": "Team", "support_channel": "Support channel",
           "support_url": "Support link", "purpose": "Purpose", "usage": "How to use it",
           "limitations": "Limitations", "tags": "Tags", "members": "Other team members",
           "domain": "Domain", "name": "Product name", "product_type": "Kind of product"}
_FIELDS = ("domain", "name", "product_type", *_TEXT, *_AREAS, *_LISTS)


def sync() -> None:
    """Copy the step's widget values into the form."""
    basics = wizard.form().basics
    for field in _FIELDS:
        key = state.register_field(field)
        if key in st.session_state:
            current = st.session_state[key]
            setattr(basics, field, list(current) if field in _LISTS else (current or ""))


def problems(catalog: Catalog) -> list[str]:
    """What stops step 1, each prefixed with the field's label."""
    found = catalog.basics_problems(current_principal(), wizard.form())
    return [f"{_LABELS[field]}: {msg}" for field, msgs in found.items() for msg in msgs]


def _domain_chosen(catalog: Catalog) -> None:
    """A domain was chosen: fill the owner, team and support fields still empty from it."""
    domain = st.session_state.get(state.register_field("domain"))
    if not domain:
        return
    for field, value in catalog.basics_for_domain(current_principal(), domain).items():
        key = state.register_field(field)
        if not st.session_state.get(key):
            st.session_state[key] = value


def _name_check(catalog: Catalog, domain: str | None, name: str) -> None:
    if not name:
        return
    found = catalog.product_name_problems(domain, name)
    if found:  # the problems repeat what was typed
        for problem in found:
            st.caption(f":material/close: {escape_markdown(problem, one_line=True)}")
    elif domain:
        st.caption(f":material/check: {escape_markdown(f'{domain}.{name}', one_line=True)} "
                   "follows the naming standard and is free.")


def _type_option(product_type: str) -> str:
    """A product type as a radio option (radio options render Markdown; the type of a
    published product comes from its manifest)."""
    return escape_markdown(type_label(product_type), one_line=True)


def explain_who_registers(catalog: Catalog, principal: Principal) -> None:
    """Why the principal may register nowhere, and whom to ask (each domain's owners)."""
    st.info("Only a member of a domain's team (listed in its domain.yaml) or a governance admin "
            "may register a product in that domain, and you are in no domain's team. Ask an "
            "owner of the domain you want to publish for to add you to its team.",
            icon=":material/lock:")
    for domain in catalog.domains(principal):
        owners = [m.name or m.username for m in (domain.team.members if domain.team else [])
                  if "owner" in (m.role or "").lower()]
        who = f" (owner: {', '.join(owners)})" if owners else ""
        st.page_link(routes.DOMAINS, label=escape_markdown(domain.title + who, one_line=True),
                     icon=":material/domain:", query_params={routes.DOMAIN_PARAM: domain.name})


def render(catalog: Catalog) -> None:
    """Draw step 1; the product name is checked as it is typed."""
    basics = wizard.form().basics
    key = state.register_field
    for field in _FIELDS:
        wizard.seed(key(field), getattr(basics, field))
    principal = current_principal()
    fixed = wizard.is_new_version()
    domains = catalog.registration_domains(principal)
    if fixed and basics.domain:  # a new version stays in its product's domain
        domains.setdefault(basics.domain, basics.domain)
    left, right = st.columns(2)
    with left:
        wizard.focus("domain", key("domain"))
        domain = st.selectbox(_LABELS["domain"], list(domains), key=key("domain"),
                              index=None, format_func=lambda d: f"{domains.get(d, d)} ({d})",
                              placeholder="Choose a domain", disabled=fixed,
                              on_change=_domain_chosen, args=(catalog,),
                              help=help_text(Basics, "domain") + " You can register in the "
                                   "domains whose team you are in.", persist_state="page")
        wizard.focus("name", key("name"))
        name = st.text_input(_LABELS["name"], key=key("name"), disabled=fixed,
                             help=help_text(Basics, "name"), placeholder="e.g. daily_sales",
                             persist_state="page")
        if not fixed:
            _name_check(catalog, domain, name.strip())
        types = list(PRODUCT_TYPES) if basics.product_type in PRODUCT_TYPES or not fixed \
            else [basics.product_type]
        st.radio(_LABELS["product_type"], types, key=key("product_type"), horizontal=True,
                 format_func=_type_option, help=help_text(Basics, "product_type"),
                 disabled=fixed, persist_state="page")
        wizard.focus("title", key("title"))
        st.text_input(_LABELS["title"], key=key("title"), help=help_text(Basics, "title"),
                      persist_state="page")
        for field in _AREAS:
            wizard.focus(field, key(field))
            st.text_area(_LABELS[field], key=key(field), help=help_text(Basics, field),
                         height=90, persist_state="page")
    with right:
        tags = [t for t, _ in catalog.search(principal, SearchQuery()).facets.get("tag", [])]
        wizard.focus("tags", key("tags"))
        st.multiselect(_LABELS["tags"], sorted(set(tags) | set(basics.tags)), key=key("tags"),
                       accept_new_options=True, help=help_text(Basics, "tags"),
                       placeholder="Pick or type tags", persist_state="page")
        for field in ("owner", "owner_name", "team_name"):
            wizard.focus(field, key(field))
            st.text_input(_LABELS[field], key=key(field), help=help_text(Basics, field),
                          persist_state="page")
        st.multiselect(_LABELS["members"], sorted(set(basics.members)), key=key("members"),
                       accept_new_options=True, help=help_text(Basics, "members"),
                       placeholder="Type user names or e-mails", persist_state="page")
        wizard.focus("support_channel", key("support_channel"))
        st.text_input(_LABELS["support_channel"], key=key("support_channel"),
                      help=help_text(Basics, "support_channel"), persist_state="page")
        wizard.focus("support_url", key("support_url"))
        st.text_input(_LABELS["support_url"], key=key("support_url"),
                      help=help_text(Basics, "support_url"), persist_state="page",
                      placeholder="https://… or mailto:…")
        st.caption("Owner, team and support start from the domain's own details; change them "
                   "if this product has its own. A new product starts with status **proposed**; "
                   "governance approves it.")
