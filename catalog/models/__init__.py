"""Pydantic models of the mesh at its boundaries (manifests) and dataclasses inside."""
