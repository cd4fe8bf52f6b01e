"""Reusable Streamlit pieces of the portal: cards, tables, contract and data views."""
