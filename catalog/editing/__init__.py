"""Owners edit a published product in the portal: descriptions, tags, team and support (ODPS),
column descriptions and classifications, service levels and quality rules (ODCS), published
as a new version of the manifests through the one publish path, the data left as it is.

Modules: :mod:`~catalog.editing.changes` (what may change, pydantic),
:mod:`~catalog.editing.apply` and :mod:`~catalog.editing.rules_view` (apply changes to the
documents, pure), :mod:`~catalog.editing.words` (changes in plain words),
:mod:`~catalog.editing.rights` (who may edit), :mod:`~catalog.editing.draft` (preview and
publish), :mod:`~catalog.editing.service` (the façade's use cases). See ``docs/editing.md``.
"""
