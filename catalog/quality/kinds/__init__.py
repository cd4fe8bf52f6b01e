"""The rule-kind registry: every quality rule kind defined once, one module per kind.

``KINDS`` maps a kind's name to its :class:`~catalog.quality.kinds.base.Kind`: how a contract
entry of that kind is read, compiled to SQL, evaluated against its ODCS operator and said in
words. Every module of this package is imported here, so a new kind is one module (a
``Kind`` subclass decorated with :func:`register`) plus its test; docs/rule-kinds.md tells how.
"""

from __future__ import annotations

import importlib
import pkgutil

from catalog.quality.kinds.base import (
    ALIASES,
    KINDS,
    OPERATOR_ALIASES,
    Kind,
    Observation,
    Rule,
    Stated,
    Target,
    check_sentence,
    editable_kinds,
    kind_name,
    kind_of,
    operator_of,
    read_rule,
    register,
    rule_sentence,
)

__all__ = [
    "ALIASES",
    "KINDS",
    "OPERATOR_ALIASES",
    "Kind",
    "Observation",
    "Rule",
    "Stated",
    "Target",
    "check_sentence",
    "editable_kinds",
    "kind_name",
    "kind_of",
    "operator_of",
    "read_rule",
    "register",
    "rule_sentence",
]

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")
