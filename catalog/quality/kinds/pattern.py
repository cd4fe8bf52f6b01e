"""``pattern``: a property's format (ODCS v3.1 §logical-type-options ``pattern``, a regular
expression). Measured and said as ``invalidValues`` with that ``pattern``."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.invalid_values import InvalidValues


@register
class Pattern(InvalidValues):
    """Present values that do not match the pattern."""

    name = "pattern"
    editable = False  # stated in the schema
    aliases = ()
