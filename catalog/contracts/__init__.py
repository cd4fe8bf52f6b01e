"""Data contracts across versions: compare two ODCS documents, classify each change as breaking
or not, and compute the semantic-version bump (:mod:`catalog.contracts.diff`)."""
