"""Results of comparing two data contracts: :class:`Change` and :class:`ContractDiff`.

Plain frozen dataclasses; :mod:`catalog.contracts.diff` builds them. Their
fields are a stable API: the registration wizard's "new version" step, ``python -m catalog
diff`` and its JSON output read them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from catalog.contracts.semver import Bump, is_semver, largest, next_version


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new contract, classified.

    Attributes:
        kind: what changed, a stable kebab-case id: ``object-removed``, ``property-removed``,
            ``property-added``, ``type-changed``, ``type-widened``, ``required-added``,
            ``unique-added``, ``primary-key-added``, ``constraint-tightened``,
            ``constraint-loosened``, ``enum-narrowed``, ``enum-widened``,
            ``classification-raised``, ``pii-added``, ``quality-rule-added``,
            ``quality-rule-removed``, ``quality-rule-tightened``, ``quality-rule-loosened``,
            ``quality-rule-changed``, ``sla-added``, ``sla-removed``, ``sla-tightened``,
            ``sla-loosened``, ``sla-changed``, ``server-removed``, ``server-moved``,
            ``role-removed``, ``id-changed``, ``physical-name-changed``,
            ``documentation-changed``… (the module docstring of :mod:`catalog.contracts.diff`
            has the full table).
        path: where, with names rather than positions: ``schema.orders.status.required``,
            ``schema.orders.status.quality[status-valid].mustBe``, ``slaProperties[freshness]``,
            ``servers.prod.host``, ``description.purpose``.
        old: the old value (``None`` when added); plain YAML data.
        new: the new value (``None`` when removed); plain YAML data.
        breaking: True when consumers or existing data may break: needs a major version.
        message: one sentence for people, e.g. "Property orders.status was removed".
        bump: the version increment this change alone needs (``major`` when ``breaking``).
    """

    kind: str
    path: str
    old: Any
    new: Any
    breaking: bool
    message: str
    bump: Bump = "patch"

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready dict (keys as the attribute names)."""
        return asdict(self)


def change(kind: str, path: str, old: Any, new: Any, bump: Bump, message: str) -> Change:
    """Build a :class:`Change`; ``breaking`` is derived from ``bump == "major"``."""
    return Change(kind, path, old, new, bump == "major", message, bump)


@dataclass(frozen=True)
class ContractDiff:
    """Every change between two versions of a contract and the version bump they need.

    Attributes:
        changes: breaking changes first, then by bump (minor before patch), each group in
            document order.
        old_version: the old contract's ``version`` (``None`` when it has none).
        new_version: the new contract's ``version`` as written (``None`` when it has none).
    """

    changes: tuple[Change, ...]
    old_version: str | None = None
    new_version: str | None = None

    @property
    def breaking(self) -> bool:
        """True when at least one change is breaking (a major version is needed)."""
        return any(c.breaking for c in self.changes)

    @property
    def breaking_changes(self) -> list[Change]:
        """Only the breaking changes, in order."""
        return [c for c in self.changes if c.breaking]

    @property
    def bump(self) -> Bump:
        """The smallest version increment that covers every change (``none`` if identical)."""
        return largest([c.bump for c in self.changes])

    def suggested_version(self) -> str | None:
        """``old_version`` bumped by :attr:`bump`, or None when the old version is missing or not
        a semantic version."""
        if not self.old_version or not is_semver(self.old_version):
            return None
        return next_version(self.old_version, self.bump)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: versions, bump, suggested version, breaking flag and changes."""
        return {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "bump": self.bump,
            "suggested_version": self.suggested_version(),
            "breaking": self.breaking,
            "changes": [c.to_dict() for c in self.changes],
        }
