"""Self-service registration: a guided form turns a file or a query into a published product.

One module per job (no Streamlit here; the wizard page is ``portal/app_pages/register.py``):

- :mod:`.naming`: the id/name standard, checked before anything touches the file system.
- :mod:`.forms`: pydantic models of what the person fills in (descriptions are the help).
- :mod:`.sources`: uploads (size limit, sniffing) and files/tables of the data folder, staged
  as Parquet; :mod:`.query`: a derived product's SQL over existing products (sqlglot).
- :mod:`.profile`: per-column types, nulls, distinct counts, ranges, examples.
- :mod:`.rules`: quality rules suggested from the profile; :mod:`.sla`: service-level presets.
- :mod:`.steps`: what makes each wizard step complete.
- :mod:`.documents`: the generated ODPS and ODCS documents and their validation.
- :mod:`.review`: dry run of the rules and governance findings before publishing.
- :mod:`.publish`: all-or-nothing publish of a new product; :mod:`.versions`: a new version
  of an existing one.

Where a product and its versions live::

    <mesh root>/<domain>/<name>/product.odps.yaml          the current version (loaded)
    <mesh root>/<domain>/<name>/<port>.odcs.yaml           its contract (loaded)
    <mesh root>/<domain>/<name>/build.sql                  a derived product's query
    <mesh root>/<domain>/<name>/_versions/<v>/…            manifests of replaced version <v>
                                                           (the loader skips ``_`` folders)
    <data dir>/products/<domain>/<name>/<version>.parquet  the data of every version

A new version never overwrites data: it adds ``<new version>.parquet``, archives the current
manifests under ``_versions/<old version>/`` (whose contract still points at the old file, so
consumers pinned to it can keep reading), then replaces the manifests in place.
"""
