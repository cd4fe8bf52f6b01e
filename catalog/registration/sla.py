"""Service-level presets in plain words, mapped to ODCS SLA properties with units.

A domain team picks one preset per topic (how often the data is updated and how old it may be,
availability, retention, support hours); each preset is one sentence a reader understands
("Updated daily, at most 26 hours old") and the ODCS v3.1 ``slaProperties`` it stands for
(ODCS v3.1 §service-level-agreement: ``property``, ``value``, ``unit`` with ``d``/``h``/``y``,
``element`` for the column a freshness promise is measured on). ``freshness`` and
``frequency`` follow the demo mesh's contracts; ``supportHours`` and ``timeToRepair`` are
named after the standard's "periodic table" of service levels.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

TOPICS = ("freshness", "availability", "retention", "support")
"""Preset topics, in the order the wizard asks about them."""


@dataclass(frozen=True)
class SlaPreset:
    """One choice of the service-levels step.

    Attributes:
        key: stable key stored in the form, e.g. ``daily``.
        topic: one of :data:`TOPICS`.
        label: the promise in plain words, shown as the option.
        properties: the ODCS ``slaProperties`` entries it writes (no ``element`` yet).
        measured_on_column: True when the promise is measured on a date/time column
            (freshness): the form's ``freshness_column`` becomes each entry's ``element``.
    """

    key: str
    topic: str
    label: str
    properties: tuple[dict[str, Any], ...] = ()
    measured_on_column: bool = False


def _p(prop: str, value: Any, unit: str | None, description: str) -> dict[str, Any]:
    out: dict[str, Any] = {"property": prop, "value": value}
    if unit:
        out["unit"] = unit
    out["description"] = description
    return out


PRESETS: tuple[SlaPreset, ...] = (
    SlaPreset("none", "freshness", "No update promise (published once, or history)"),
    SlaPreset("snapshot", "freshness",
              "Not updated any more: a snapshot of a past period (its age is measured at the "
              "period's end)",
              (_p("freshness", 1, "d", "The newest record is at most a day older than the end "
                  "of the period the data covers"),), True),
    SlaPreset("hourly", "freshness", "Updated every hour, at most 2 hours old",
              (_p("frequency", 1, "h", "Updated every hour"),
               _p("freshness", 2, "h", "The newest record is at most 2 hours old")), True),
    SlaPreset("daily", "freshness", "Updated daily, at most 26 hours old",
              (_p("frequency", 1, "d", "Updated every day"),
               _p("freshness", 26, "h", "The newest record is at most 26 hours old")), True),
    SlaPreset("weekly", "freshness", "Updated weekly, at most 8 days old",
              (_p("frequency", 7, "d", "Updated every week"),
               _p("freshness", 8, "d", "The newest record is at most 8 days old")), True),
    SlaPreset("monthly", "freshness", "Updated monthly, at most 32 days old",
              (_p("frequency", 30, "d", "Updated every month"),
               _p("freshness", 32, "d", "The newest record is at most 32 days old")), True),
    SlaPreset("best_effort", "availability", "Best effort: no availability promise"),
    SlaPreset("99", "availability", "Available 99% of the time (about 7 hours down a month)",
              (_p("availability", 99.0, "percent", "Available 99% of the time"),)),
    SlaPreset("99.5", "availability",
              "Available 99.5% of the time (about 3.5 hours down a month)",
              (_p("availability", 99.5, "percent", "Available 99.5% of the time"),)),
    SlaPreset("99.9", "availability",
              "Available 99.9% of the time (about 45 minutes down a month)",
              (_p("availability", 99.9, "percent", "Available 99.9% of the time"),)),
    SlaPreset("90d", "retention", "Kept for 90 days",
              (_p("retention", 90, "d", "Kept for 90 days"),)),
    SlaPreset("1y", "retention", "Kept for 1 year", (_p("retention", 1, "y", "Kept for 1 year"),)),
    SlaPreset("3y", "retention", "Kept for 3 years",
              (_p("retention", 3, "y", "Kept for 3 years"),)),
    SlaPreset("5y", "retention", "Kept for 5 years",
              (_p("retention", 5, "y", "Kept for 5 years"),)),
    SlaPreset("10y", "retention", "Kept for 10 years",
              (_p("retention", 10, "y", "Kept for 10 years"),)),
    SlaPreset("forever", "retention", "Kept as long as the product exists (no retention "
              "promise)"),
    SlaPreset("no_support", "support", "Best effort: no support hours"),
    SlaPreset("office", "support",
              "Office hours (Monday to Friday, 09:00-17:00), fixes within 2 working days",
              (_p("supportHours", "Mon-Fri 09:00-17:00", None, "Questions answered in office "
                  "hours"),
               _p("timeToRepair", 2, "d", "A broken promise is fixed within 2 working days"))),
    SlaPreset("extended", "support", "Every day 07:00-22:00, fixes within 1 day",
              (_p("supportHours", "Mon-Sun 07:00-22:00", None, "Questions answered every day "
                  "from 07:00 to 22:00"),
               _p("timeToRepair", 1, "d", "A broken promise is fixed within 1 day"))),
    SlaPreset("always", "support", "Around the clock, fixes within 4 hours",
              (_p("supportHours", "24x7", None, "Questions answered around the clock"),
               _p("timeToRepair", 4, "h", "A broken promise is fixed within 4 hours"))),
)
"""Every preset, grouped by topic in :data:`TOPICS` order."""

MEASURED_ON_ELEMENT = ("freshness", "retention")
"""SLA properties measured on a date/time column (the ODCS ``element``): the newest and the
oldest record."""

DEFAULTS = {"freshness": "snapshot", "availability": "99", "retention": "1y", "support": "office"}
"""Preset chosen for each topic until the person picks another; the wizard replaces the
freshness and retention defaults by ones measured from the data
(:func:`catalog.registration.defaults.suggest_sla`)."""

SNAPSHOT = "snapshot"
"""The freshness preset of data that is not updated any more: the contract then declares the
custom property ``historicalSnapshot`` (the last day the data covers), so ages are measured at
that day (:func:`catalog.quality.derive.snapshot_end`)."""

_BY_KEY = {(p.topic, p.key): p for p in PRESETS}


def presets(topic: str) -> list[SlaPreset]:
    """The presets of one topic, in display order.

    Raises:
        KeyError: unknown topic.
    """
    if topic not in TOPICS:
        raise KeyError(topic)
    return [p for p in PRESETS if p.topic == topic]


def preset(topic: str, key: str) -> SlaPreset:
    """The preset ``key`` of ``topic``.

    Raises:
        KeyError: no such preset.
    """
    return _BY_KEY[(topic, key)]


def sla_properties(choices: dict[str, str], freshness_element: str | None = None
                   ) -> list[dict[str, Any]]:
    """ODCS ``slaProperties`` for the chosen presets.

    Args:
        choices: topic → preset key; topics left out take :data:`DEFAULTS`.
        freshness_element: ``<object>.<column>`` that shows how recent a row is (ODCS
            ``element``), set on freshness and retention entries; left out when None.

    Returns:
        New dicts (safe to modify), in :data:`TOPICS` order.

    Raises:
        KeyError: a key that is not a preset of its topic.
    """
    out: list[dict[str, Any]] = []
    for topic in TOPICS:
        chosen = preset(topic, choices.get(topic, DEFAULTS[topic]))
        for prop in chosen.properties:
            entry = copy.deepcopy(prop)
            if entry["property"] in MEASURED_ON_ELEMENT and freshness_element:
                entry = {**{k: entry[k] for k in ("property", "value", "unit")},
                         "element": freshness_element, "description": entry["description"]}
            out.append(entry)
    return out


def choices_from_properties(props: list[dict[str, Any]]
                            ) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Recognise presets in a published contract's ``slaProperties`` (for a new version).

    Args:
        props: the contract's ``slaProperties``.

    Returns:
        ``(choices, others)``: topic → preset key for every topic whose entries match a preset
        exactly (by property, value and unit), else the topic's empty first preset; and the
        entries no preset covers, to be carried over unchanged.
    """
    def sig(entries: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> set[tuple[Any, ...]]:
        """(property, value, unit) of each entry."""
        return {(e.get("property"), e.get("value"), e.get("unit")) for e in entries}

    remaining = list(props)
    choices: dict[str, str] = {}
    for topic in TOPICS:
        names = {e["property"] for p in presets(topic) for e in p.properties}
        mine = [e for e in remaining if e.get("property") in names]
        for candidate in presets(topic):
            if candidate.properties and sig(candidate.properties) == sig(mine):
                choices[topic] = candidate.key
                remaining = [e for e in remaining if e not in mine]
                break
        else:  # no preset fits: keep the entries as published, add nothing for the topic
            choices[topic] = presets(topic)[0].key
    return choices, remaining


def describe(choices: dict[str, str]) -> list[str]:
    """The chosen promises as sentences, for the review step (best-effort ones left out)."""
    return [preset(t, choices.get(t, DEFAULTS[t])).label for t in TOPICS
            if preset(t, choices.get(t, DEFAULTS[t])).properties]
