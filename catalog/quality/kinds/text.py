"""``text``: a rule written in words only (ODCS v3.1 §data-quality, text rules). Nothing to
execute: reported ``skipped``."""

from __future__ import annotations

from catalog.quality.kinds.base import register
from catalog.quality.kinds.custom import Custom
from catalog.quality.measures import NOT_RUN, Measure
from catalog.quality.model import Check


@register
class Text(Custom):
    """A rule people read; said by its description."""

    name = "text"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """Not run: there is nothing to execute."""
        return Measure(check, NOT_RUN, reason="A rule written in words; nothing to execute.")
