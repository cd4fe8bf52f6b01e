"""``custom``: a rule for another engine (Soda, Great Expectations…; ODCS v3.1 §data-quality,
custom rules). Never run here: reported ``skipped`` with the reason."""

from __future__ import annotations

from catalog.quality.kinds.base import Kind, Stated, Target, register
from catalog.quality.measures import NOT_RUN, Measure
from catalog.quality.model import Check


@register
class Custom(Kind):
    """A rule the named engine runs in its own pipeline."""

    name = "custom"

    def compile(self, check: Check, types: dict[str, str]) -> Measure:
        """Not run: says which engine runs it."""
        return Measure(
            check,
            NOT_RUN,
            reason=f"Runs on the {check.engine or 'named'} engine, which this portal does not "
            "execute; its own pipeline reports it.",
        )

    def sentence(self, rule: Stated, target: Target) -> str:
        """The rule's description, else ``A custom check on the table flights (soda)``."""
        engine = f" ({rule.engine})" if rule.engine else ""
        return rule.description.strip() or f"A {self.name} check on {target.phrase()}{engine}"
