"""Core library of the data mesh portal: manifests, mesh model, search, engine, build.

Nothing in this package imports Streamlit; the portal, the
command line (`python -m catalog`) and tests all use the :class:`catalog.catalog.Catalog` façade.
"""
