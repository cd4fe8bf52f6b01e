"""Manifests: YAML ⇄ models. Parse, check against the standards' JSON Schemas, build models."""
