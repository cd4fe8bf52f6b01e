"""The policy registry: every policy kind and the global policy set.

Add a policy: write a module in :mod:`catalog.governance.policies` with ``KINDS`` and
``GLOBAL`` lists and name it in :data:`POLICY_MODULES`; give it passing and failing fixtures in
``tests/catalog/governance/``.
"""

from __future__ import annotations

import importlib
from functools import cache

from catalog.governance.policy import Policy, PolicyKind

POLICY_MODULES: tuple[str, ...] = (
    "catalog.governance.policies.naming",
    "catalog.governance.policies.metadata",
    "catalog.governance.policies.pii",
    "catalog.governance.policies.completeness",
    "catalog.governance.policies.sla",
    "catalog.governance.policies.quality",
    "catalog.governance.policies.lineage",
    "catalog.governance.policies.tags",
    "catalog.governance.policies.sandbox",
)
"""Policy modules, in the order their policies are listed."""


@cache
def policy_kinds() -> dict[str, PolicyKind]:
    """Every policy kind by name (what a domain's ``uses:`` may name)."""
    kinds: dict[str, PolicyKind] = {}
    for name in POLICY_MODULES:
        for kind in importlib.import_module(name).KINDS:
            kinds[kind.kind] = kind
    return kinds


@cache
def global_policies() -> tuple[Policy, ...]:
    """The policies in force in every domain, in registry order."""
    return tuple(p for name in POLICY_MODULES for p in importlib.import_module(name).GLOBAL)
