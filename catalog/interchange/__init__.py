"""Interchange in the open standards: import ODCS/ODPS files into the mesh, export a product's
ODPS + ODCS pair, and write a product's documentation as Markdown. One job per module:
``reader`` (read and validate), ``names`` (folder names), ``product`` (ODPS identity and a
product around a bare contract), ``yaml_writer``, ``importer``, ``exporter``, ``markdown``."""
