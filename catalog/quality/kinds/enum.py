"""``enum``: a property's allowed values (ODCS v3.2 ``enum: [{value: …}]``, RFC 0033).
Measured and said as ``invalidValues`` with those ``validValues``."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.invalid_values import InvalidValues


@register
class Enum(InvalidValues):
    """Present values outside the allowed list."""

    name = "enum"
    editable = False  # stated in the schema
    aliases = ()
