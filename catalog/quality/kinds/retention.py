"""``retention``: records are kept ``value`` ``unit`` (ODCS v3.1 §service-level-agreement,
``property: retention``): the oldest record of the ``element`` is at most that old, the
reading datacontract-cli 1.2.8 applies (``SECONDS_BETWEEN(MIN(element), now)`` below the
period)."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.freshness import Freshness


@register
class Retention(Freshness):
    """How old the oldest record is."""

    name = "retention"
    which = "oldest"
    aggregate = "min"

    def promise(self, amount: str) -> str:
        """``Records are kept for 5 years``."""
        return f"Records are kept for {amount}"
