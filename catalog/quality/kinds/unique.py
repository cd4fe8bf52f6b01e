"""``unique``: a property constraint (ODCS v3.1 §schema ``unique: true``): no two rows share a
value. Measured and said as ``duplicateValues mustBe 0``."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.duplicate_values import DuplicateValues


@register
class Unique(DuplicateValues):
    """A unique property: its duplicates, which must be none."""

    name = "unique"
    editable = False  # stated in the schema
    aliases = ()
