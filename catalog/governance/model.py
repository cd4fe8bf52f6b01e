"""Results of governance: findings, one policy's result on one product, compliance reports.

Expected outcomes are results, not exceptions: a broken policy is a
:class:`Finding`, a policy that cannot be judged yet (no quality run stored) is
:class:`NotMeasured`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
"""``error`` blocks publishing (and fails ``validate``); ``warning`` informs."""

Status = Literal["passed", "failed", "unknown"]
"""A policy's status on one product; ``unknown`` when it could not be measured yet."""

GLOBAL_ORIGIN = "global"
"""Origin of the policies defined in :mod:`catalog.governance.policies`."""


@dataclass(frozen=True)
class Finding:
    """One thing a product (or a policies file) does wrong.

    Attributes:
        policy_id: the policy broken, e.g. ``pii-classified`` (``manifest-schema`` for a manifest
            problem, ``domain-policies`` for a problem in a ``policies.yaml``).
        severity: ``error`` or ``warning``.
        message: what is wrong, in plain language.
        fix: how to fix it.
        product_id: the product concerned (``""`` for a domain-level finding).
        file: the file to edit, relative to the mesh root's parent (``domains/...``), or ``""``
            when the product has no file yet (registration).
        line: 1-based line in ``file``, ``None`` when unknown.
        field: dotted path of the field (``schema[0].properties[2].classification``) or ``""``.
        origin: where the policy is defined: ``global`` or a domain's ``policies.yaml``.
    """

    policy_id: str
    severity: Severity
    message: str
    fix: str = ""
    product_id: str = ""
    file: str = ""
    line: int | None = None
    field: str = ""
    origin: str = GLOBAL_ORIGIN

    @property
    def location(self) -> str:
        """``file:line`` (``file`` alone when the line is unknown)."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.file}:{self.line or 0}: {self.severity}: {self.policy_id}: {self.message}"


@dataclass(frozen=True)
class NotMeasured:
    """A policy that cannot be judged yet, and why (e.g. no quality run stored)."""

    reason: str


@dataclass(frozen=True)
class PolicyResult:
    """One policy evaluated on one product.

    Attributes:
        policy_id: the policy.
        title: its title.
        severity: its effective severity for this product's domain.
        origin: ``global`` or the domain file that added or tightened it.
        status: ``passed``, ``failed`` or ``unknown``.
        findings: what is wrong (empty unless failed).
        fix: the policy's fix hint.
        note: why the status is unknown, or what a domain changed (``severity raised to error``).
    """

    policy_id: str
    title: str
    severity: Severity
    origin: str
    status: Status
    findings: tuple[Finding, ...] = ()
    fix: str = ""
    note: str = ""


@dataclass(frozen=True)
class ComplianceReport:
    """Every applicable policy's result on one product.

    Attributes:
        product_id: the product.
        domain: its domain.
        product_status: its lifecycle status (``proposed``, ``active`` …).
        results: one per applicable policy, failures first (errors, then warnings), then
            unknown, then passed.
    """

    product_id: str
    domain: str
    product_status: str
    results: tuple[PolicyResult, ...]

    @property
    def findings(self) -> list[Finding]:
        """Every finding, errors first."""
        return [f for r in self.results for f in r.findings]

    @property
    def errors(self) -> int:
        """Number of ``error`` findings."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        """Number of ``warning`` findings."""
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def failed(self) -> list[PolicyResult]:
        """Policies not met."""
        return [r for r in self.results if r.status == "failed"]

    @property
    def measured(self) -> int:
        """Policies whose status is known (passed or failed)."""
        return sum(r.status != "unknown" for r in self.results)

    @property
    def passed(self) -> int:
        """Policies met."""
        return sum(r.status == "passed" for r in self.results)

    @property
    def rate(self) -> float | None:
        """Share of measured policies met, 0..1 (``None`` when nothing was measured)."""
        return self.passed / self.measured if self.measured else None

    @property
    def publishable(self) -> bool:
        """True when no ``error`` finding blocks publishing."""
        return self.errors == 0


@dataclass(frozen=True)
class PolicyInfo:
    """A policy in force in one domain, for the "which policy came from where" table.

    Attributes:
        policy_id: the policy id.
        title: its title.
        severity: effective severity.
        origin: ``global`` or the domain file that defines or tightens it.
        params: effective parameters, as plain values.
        note: what the domain changed, ``""`` for an untouched global policy.
        enabled: ``False`` when the domain switched a global warning off.
    """

    policy_id: str
    title: str
    severity: Severity
    origin: str
    params: dict[str, object] = field(default_factory=dict)
    note: str = ""
    enabled: bool = True


def param_text(value: Any) -> str:
    """A policy parameter's value for people: items of a list joined with commas (``public,
    internal``, never ``['public', 'internal']``), a mapping as ``key value`` pairs, a set in
    sorted order; anything else as its text."""
    if isinstance(value, dict):
        return ", ".join(f"{k} {param_text(v)}" for k, v in value.items())
    if isinstance(value, set | frozenset):
        return ", ".join(param_text(v) for v in sorted(value, key=str))
    if isinstance(value, list | tuple):
        return ", ".join(param_text(v) for v in value)
    return str(value)
