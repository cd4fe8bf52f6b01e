"""``primaryKey``: the object's key (ODCS v3.1 §schema ``primaryKey``, ordered by
``primaryKeyPosition``): no two rows share it and no part of it is null."""

from __future__ import annotations

from catalog.quality.kinds.base import Stated, Target, register
from catalog.quality.kinds.duplicate_values import DuplicateValues


@register
class PrimaryKey(DuplicateValues):
    """Rows whose key repeats an earlier row's, plus rows with a null key part."""

    name = "primaryKey"
    editable = False  # stated in the schema
    aliases = ()
    nulls_fail = True

    def sentence(self, rule: Stated, target: Target) -> str:
        """``Each row is identified by its key (carrier, flight)``."""
        parts = rule.arguments.get("properties") or [target.property_name or ""]
        return f"Each row is identified by its key ({', '.join(map(str, parts))})"
