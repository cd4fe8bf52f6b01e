"""``required``: a property constraint (ODCS v3.1 §schema ``required: true``): no row leaves
it null. Measured and said as ``nullValues mustBe 0``."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.null_values import NullValues


@register
class Required(NullValues):
    """A required property: its nulls, which must be none."""

    name = "required"
    editable = False  # stated in the schema
    aliases = ()
