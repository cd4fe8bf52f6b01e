"""The Streamlit portal of the data mesh catalog: pages, components and their pure helpers.

Pure modules (no Streamlit import, unit-tested): :mod:`portal.wording` (contract and SLA in
plain language), :mod:`portal.tables` (rows for the schema, quality and server tables),
:mod:`portal.routes` (page paths and URL parameters). Streamlit modules: :mod:`portal.services`
(catalog access, error display), :mod:`portal.state` (session-state keys), ``components/`` and
``app_pages/``.
"""
