"""How a door shows the registration form: pure helpers over the form vocabulary, no I/O.

Exported whole as ``catalog.registration_presentation``, next to the form types
(:class:`~catalog.registration.forms.RegistrationForm` and friends), so the wizard pages can
word rules, service levels, profiled values and file names exactly as the documents will,
without reaching into the modules that write them. Nothing here reads the mesh, the data or
the store; the use cases (staging, profiling, review, publish) are methods of the façade.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalog.registration import defaults, documents, naming, rules, sla
from catalog.registration.forms import PropertyForm, RegistrationForm, RuleForm
from catalog.registration.profile import Profile, display

__all__ = [
    "PRODUCT_FILE",
    "SLA_DEFAULTS",
    "SLA_TOPICS",
    "SlaPreset",
    "contract_file",
    "name_problems",
    "rule_sentence",
    "sla_reason",
    "sla_presets",
    "sla_written",
    "suggest_name",
    "value_text",
]

PRODUCT_FILE = documents.PRODUCT_FILE
"""File name of the generated product document (ODPS)."""

SLA_TOPICS = sla.TOPICS
"""The service-level topics the wizard asks about, in order."""

SLA_DEFAULTS = sla.DEFAULTS
"""Topic → the preset key chosen when nothing was said."""

SlaPreset = sla.SlaPreset


def contract_file(form: RegistrationForm) -> str:
    """File name of the generated contract (ODCS) of ``form``, e.g. ``daily_sales.odcs.yaml``."""
    return documents.contract_file(form)


def rule_sentence(rule: RuleForm, properties: Iterable[PropertyForm] = ()) -> str:
    """A quality rule of the form in plain words, as every view says it once published, e.g.
    "No missing values in amount" (``properties``: the form's, for published business names)."""
    return rules.sentence(rule, properties)


def value_text(value: Any) -> str:
    """A profiled value (minimum, maximum, example) as text: dates ISO, numbers plain."""
    return display(value)


def sla_presets(topic: str) -> list[sla.SlaPreset]:
    """The choices offered for service-level ``topic`` (each with a key and a label)."""
    return sla.presets(topic)


def sla_written(choices: dict[str, str], freshness_element: str | None = None
                ) -> list[dict[str, Any]]:
    """The ODCS service-level properties ``choices`` write into the contract.

    Args:
        choices: topic → preset key.
        freshness_element: ``<port>.<column>`` freshness and retention are measured on.

    Returns:
        One ``{property, value, unit?, element?}`` mapping per promise.
    """
    return sla.sla_properties(choices, freshness_element)


def suggest_name(text: str) -> str:
    """A name that meets the naming standard, derived from free text (a title, a header)."""
    return naming.suggest_name(text)


def name_problems(name: str) -> list[str]:
    """What is wrong with ``name`` as a product name (pure text checks; empty when valid).

    Whether the name is still free in a domain is a use case:
    :meth:`~catalog.catalog.Catalog.product_name_problems`.
    """
    return naming.name_problems(name)


def sla_reason(form: RegistrationForm, profile: Profile) -> str:
    """Why the service levels start as they do, in words: the period the data covers and
    whether it is a snapshot of the past (see :mod:`catalog.registration.defaults`)."""
    return defaults.explain(form.sla, profile, form.properties)
