"""Personal data: every PII property is classified, and likely-PII columns are marked.

PII convention (README.md, "Manifest conventions"): ODCS has no PII field; a property is
personal data when its ``customProperties`` hold ``{property: pii, value: true}`` (or the string
``'True'`` datacontract-cli writes) — see :func:`catalog.mesh._is_pii`. "Classified" means its
ODCS ``classification`` is one of the sensitive levels, so access control and failing-row
samples treat it as such.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Literal

from pydantic import Field

from catalog.governance.policy import (
    EvaluationContext,
    PolicyKind,
    PolicyParams,
    Violation,
    Where,
)
from catalog.governance.walk import custom_value, properties
from catalog.mesh import DataProduct, Mesh, _is_pii

Level = Literal["public", "internal", "confidential", "restricted"]


class ClassifiedParams(PolicyParams):
    """Which classifications count as "classified" for personal data."""

    allowed: list[Level] = Field(
        default_factory=lambda: list[Level](["confidential", "restricted"]),
        description="Classifications a PII property may have; a domain may allow fewer.",
        json_schema_extra={"stricter": "fewer"})


def _classified(product: DataProduct, mesh: Mesh, context: EvaluationContext,
                params: Any) -> list[Violation]:
    out = []
    for prop in properties(product):
        if not _is_pii(prop.raw.get("customProperties")):
            continue
        level = prop.raw.get("classification")
        if level not in params.allowed:
            state = f"is classified '{level}'" if level else "has no classification"
            out.append(Violation(
                f"personal-data property '{prop.name}' of {prop.object_name} {state}; "
                f"expected one of {', '.join(params.allowed)}",
                Where((*prop.path, "classification") if level else prop.path, prop.port)))
    return out


PII_CLASSIFIED = PolicyKind(
    kind="pii-classified",
    title="Personal data is classified",
    message="Every property marked as personal data (customProperties pii: true) has the "
            "classification confidential or restricted.",
    fix="Set 'classification: restricted' (or confidential) on the property; if it is not "
        "personal data after all, set its pii custom property to false.",
    check=_classified,
    params=ClassifiedParams,
    rule="ODCS v3.1 §schema classification; the PII flag convention of README.md.",
)

LIKELY_PII_WORDS = ("email", "e_mail", "phone", "mobile", "ssn", "passport", "surname",
                    "firstname", "lastname", "birthdate", "dob", "iban", "address")
"""Words of a column name that suggest personal data on their own."""

LIKELY_PII_PAIRS = ("first_name", "last_name", "full_name", "given_name", "family_name",
                    "middle_name", "maiden_name", "person_name", "customer_name",
                    "passenger_name", "employee_name", "contact_name", "user_name",
                    "birth_date", "date_of_birth", "ip_address", "social_security", "tax_id",
                    "national_id", "credit_card", "card_number", "license_number")
"""Word sequences that suggest personal data. A bare ``name`` is not listed: it is usually a
thing's name (an airline, an airport)."""


class LikelyParams(PolicyParams):
    """Extra words a domain considers personal data."""

    extra_words: list[str] = Field(
        default_factory=list,
        description="More column-name words (or word_sequences) that suggest personal data.",
        json_schema_extra={"stricter": "more"})


def likely_pii(name: str, extra: list[str] | tuple[str, ...] = ()) -> str | None:
    """The word of ``name`` that suggests personal data, or ``None``.

    Args:
        name: a column name (any case; split on underscores, dashes and camelCase).
        extra: more words or ``word_sequences`` to look for.
    """
    if not name.islower():
        name = _CAMEL.sub(r"\1_\2", name).lower()
    match = (_pattern(tuple(extra)) if extra else _DEFAULT).search(name.replace("-", "_"))
    return match.group(1) if match else None


_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


@cache
def _pattern(extra: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One regular expression for every word and word sequence, whole words only."""
    words = sorted({*(w.lower() for w in extra), *LIKELY_PII_PAIRS, *LIKELY_PII_WORDS},
                   key=lambda w: (-len(w), w))
    return re.compile(r"(?:^|_)(" + "|".join(map(re.escape, words)) + r")(?:_|$)")


_DEFAULT = _pattern()


def _likely(product: DataProduct, mesh: Mesh, context: EvaluationContext,
            params: Any) -> list[Violation]:
    out = []
    for prop in properties(product):
        if custom_value(prop.raw.get("customProperties"), "pii") is not None:
            continue  # marked either way: somebody decided
        word = likely_pii(prop.name, params.extra_words)
        if word:
            out.append(Violation(
                f"property '{prop.name}' of {prop.object_name} looks like personal data "
                f"('{word}') but has no pii custom property", Where(prop.path, prop.port)))
    return out


PII_MARKED = PolicyKind(
    kind="pii-marked",
    title="Likely personal data is marked",
    message="A column whose name suggests personal data (email, phone, first_name, ssn, …) says "
            "explicitly whether it is: customProperties pii true or false.",
    fix="Add 'customProperties: [{property: pii, value: true}]' and a restricted "
        "classification, or value: false with a description saying why it is not personal "
        "data.",
    check=_likely,
    params=LikelyParams,
    rule="GDPR Art. 4(1) (personal data); the PII flag convention of README.md.",
)

KINDS = [PII_CLASSIFIED, PII_MARKED]
GLOBAL = [PII_CLASSIFIED.policy("error"), PII_MARKED.policy("warning")]
