"""One plain-language explanation for every technical term a screen shows.

The portal shows these as help texts (tooltips) where a term appears; headings and labels use
plain words where one exists, and keep the standard's term for the tooltip. Keys are the terms
as lower-case words (``"output port"``); :func:`explain` finds an entry whatever the case.

The :data:`TECHNICAL` terms are the ones a first-time reader stumbles on: a screen that shows
one (in a label, a table header or a cell the portal or the catalog writes, e.g. a policy's
finding) shows its explanation too; :func:`explain_terms` writes the help text for a column or
line whose words vary. ``tests/portal/test_glossary_help.py`` scans the rendered Schema,
Contract and Governance tabs and the Governance and Quality pages for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

GLOSSARY: dict[str, str] = {
    "data product": "A data set a team publishes for others to use, with an owner, a "
                    "description, promises about its data and rules it is checked against.",
    "data contract": "The written promise that comes with a data product's data: its columns "
                     "and types, its quality rules and its service levels (an ODCS document).",
    "domain": "A business area (e.g. flight operations) whose team owns and publishes its "
              "data products.",
    "source-aligned": "A product type: it publishes one source system's data as it is.",
    "aggregate": "A product type: it combines or summarises other products' data.",
    "consumer-aligned": "A product type: it is shaped for one particular use or audience.",
    "output port": "One way the product's data is offered (a table, a file…); each comes with "
                   "its data contract.",
    "input port": "Another product this product is built from.",
    "upstream": "The products this product is built from.",
    "downstream": "The products built from this product: a problem here may reach them too.",
    "sla": "Service levels: measurable promises the owning team makes about the data (how "
           "fresh, how often updated, how long kept). Listed under slaProperties in the "
           "contract.",
    "freshness": "How old the newest record may be. For a historical snapshot it is measured "
                 "at the snapshot's end, since the data is not updated any more.",
    "update frequency": "How often the owning team promises to update the data.",
    "availability": "The share of time the data can be read, as promised by its team.",
    "retention": "How long records are kept; the oldest record may be at most this old.",
    "historical snapshot": "Data frozen at a past date and not updated any more (here: the "
                           "New York City flights of 2013). Its ages are measured at that date.",
    "quality score": "0 to 100: how many of the product's quality rules its data meets, each "
                     "kind of rule (dimension) counted with its weight.",
    "grade": "The quality score as a letter: A ≥ 95, B ≥ 85, C ≥ 70, D ≥ 50, E below 50.",
    "dimension": "The kind of quality a rule measures: completeness (nothing missing), "
                 "conformity (valid values), consistency, timeliness (fresh enough) or "
                 "uniqueness (no duplicates).",
    "weight": "How much a kind of rule (dimension) counts in the quality score; the weights add "
              "up to 1.",
    "pass rate": "The share of a dimension's rules the data meets.",
    "quality rule": "A check the data must pass, e.g. 'every flight has a departure airport'. "
                    "Severity 'error' means the data should not be used when it fails; "
                    "'warning' means it needs attention.",
    "severity": "How serious a broken rule or policy is: errors block, warnings inform.",
    "stale": "The last check no longer tells how the data is now: it measured an older state, "
             "an older version, data rebuilt since, or it is older than the promised update "
             "frequency. Run the checks again.",
    "history run": "A check of the data as it stood at a past month end, rebuilt from the data "
                   "itself to show the trend.",
    "current run": "A check of the data as it is at the moment the check runs.",
    "primary key": "The column or columns whose values identify each row; no two rows share "
                   "them.",
    "required": "Every row has a value in this column.",
    "unique": "No two rows share a value in this column.",
    "classification": "How sensitive the data is: public, internal, confidential or "
                      "restricted (restricted data needs an approved access request).",
    "pii": "Personal data (personally identifiable information): it can identify a person and "
           "needs extra care.",
    "personal data": "Information that can identify a person (PII); it needs extra care.",
    "policy": "A rule of the mesh or a domain every product must follow, e.g. 'every column "
              "has a description'. Errors block publishing; warnings inform.",
    "policy id": "The short name a policy is referred to by in domain files, e.g. "
                 "'pii-marked'.",
    "snake_case": "Names written in lower case with words joined by underscores, e.g. "
                  "departure_time.",
    "physical type": "The column's type in the database that stores it, e.g. VARCHAR or "
                     "TIMESTAMP.",
    "logical type": "The column's kind of value, independent of the database: string, "
                    "number, date…",
    "lifecycle status": "Where the product is in its life: draft, proposed (awaiting "
                        "approval), active, deprecated or retired.",
    "version": "The product's version; a change in the first number may break your use of "
               "the data.",
    "lineage": "Which products are built from which: the path data takes through the mesh.",
    "mesh": "All domains and their data products together.",
}
"""Term (lower case) → one short plain-language explanation."""


def explain(term: str) -> str:
    """The plain-language explanation of ``term`` (any case).

    Raises:
        KeyError: the term has no entry (add one to :data:`GLOSSARY`).
    """
    return GLOSSARY[term.strip().lower()]


TECHNICAL = ("source-aligned", "consumer-aligned", "output port", "input port", "sla",
             "dimension", "weight", "pass rate", "primary key", "classification", "pii",
             "downstream", "upstream", "policy id", "snake_case", "physical type",
             "logical type", "severity", "stale", "freshness", "historical snapshot",
             "data contract", "lineage")
"""The terms a first-time reader stumbles on: wherever a screen shows one, it shows its
explanation too (a test scans the portal's main screens for them)."""


@cache
def term_pattern(term: str) -> re.Pattern[str]:
    """How ``term`` is found in a text: any case, its words joined by a space, ``_``, ``-`` or
    nothing (``sourceAligned``, ``physical_type``), ``sla`` also as ``slaProperties``.

    Raises:
        KeyError: the term has no glossary entry.
    """
    GLOSSARY[term]  # noqa: B018 - only glossary terms have a pattern
    words = re.split(r"[ _-]", term)
    body = r"[ _-]?".join(re.escape(w) for w in words)
    if term == "sla":
        body += "(?:properties)?"
    return re.compile(rf"(?<![A-Za-z0-9]){body}(?![A-Za-z0-9])", re.IGNORECASE)


def terms_in(texts: Iterable[str], terms: Iterable[str] = TECHNICAL) -> list[str]:
    """The ``terms`` (default: :data:`TECHNICAL`) that occur in any of ``texts``, in the order
    of ``terms``."""
    joined = "\n".join(texts)
    return [t for t in terms if term_pattern(t).search(joined)]


def explain_terms(texts: Iterable[str], terms: Iterable[str] = TECHNICAL) -> str:
    """A help text explaining each of ``terms`` found in ``texts``: ``"Term: explanation."``
    paragraphs, ``""`` when none occurs."""
    return "\n\n".join(f"{_SHOWN.get(t, t[0].upper() + t[1:])}: {GLOSSARY[t]}"
                       for t in terms_in(texts, terms))


_SHOWN = {"sla": "SLA", "pii": "PII", "snake_case": "snake_case"}
"""How a term is written at the start of its explanation, where not capitalised."""
