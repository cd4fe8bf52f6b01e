"""What an owner may change on a published product, as pydantic models (the boundary of the
edit use case: the portal's form, the HTTP API and tests fill them in).

Every field of :class:`ProductChanges` is optional: ``None`` (or an absent column) means
"leave as published". Lists (tags, team, support, service levels, quality rules) are the whole
new list: an entry left out is removed. Field names follow the standards they are written to:

- product (ODPS v1.1 ``product.odps.yaml``): ``description.purpose``, ``description.usage``,
  ``description.limitations``, ``tags``, ``team.name``, ``team.members``, ``support``;
- contract of one output port (ODCS v3.1 ``<port>.odcs.yaml``): a property's ``description``
  and ``classification`` (§schema), ``slaProperties`` (§service-level-agreement) and
  ``quality`` entries of the schema object and its properties (§data-quality).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.quality.kinds import editable_kinds

CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
"""Sensitivity levels a column may have (the mesh's glossary)."""
SEVERITIES = ("error", "warning", "info")
"""Severities of a quality rule (ODCS v3.1 §data-quality ``severity``)."""
DIMENSIONS = (
    "accuracy",
    "completeness",
    "conformity",
    "consistency",
    "coverage",
    "timeliness",
    "uniqueness",
)
"""Data-quality dimensions (ODCS v3.1 §data-quality ``dimension`` enum)."""
SQL_KIND = "sql"
"""The ``kind`` of a rule written as an SQL query (ODCS ``type: sql``)."""
METRICS = tuple(name for name in editable_kinds() if name != SQL_KIND)
"""The ODCS v3.1 library metrics the editor offers, from the rule-kind registry
(:attr:`catalog.quality.kinds.Kind.editable`)."""
OPERATORS = (
    "mustBe",
    "mustNotBe",
    "mustBeGreaterThan",
    "mustBeGreaterOrEqualTo",
    "mustBeLessThan",
    "mustBeLessOrEqualTo",
    "mustBeBetween",
    "mustNotBeBetween",
)
"""Threshold operators of a quality rule (ODCS v3.1 §data-quality)."""


@dataclass(frozen=True)
class FieldProblem:
    """Something that stops an edit, naming the form's field.

    Attributes:
        field: the field as the form names it, e.g. ``columns.note.classification``,
            ``quality.orders-id-unique.threshold``, ``support[2].url``.
        message: what is wrong and how to fix it, in plain words.
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def scalar(text: str) -> Any:
    """Typed text as YAML would read it: an int, a float, else the stripped text."""
    value = text.strip()
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def mapping(value: Any) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty dict (a YAML field of the wrong shape)."""
    return value if isinstance(value, dict) else {}


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberEdit(_Edit):
    """One member of the product's team (ODPS ``team.members[]``)."""

    username: str = Field(description="User name or e-mail the person signs in with.")
    name: str = Field(default="", description="The person's full name.")
    role: str = Field(default="", description="owner, data steward, data engineer, …")


class SupportLink(_Edit):
    """Where consumers get help (ODPS ``support[]``)."""

    channel: str = Field(description="Name of the channel, e.g. #sales-data.")
    url: str = Field(description="https:// address or mailto:someone@example.com.")


class ColumnEdit(_Edit):
    """What may change about one column (an ODCS schema property)."""

    description: str | None = Field(default=None, description="What the column means.")
    classification: str | None = Field(
        default=None, description="public, internal, confidential or restricted."
    )


class ServiceLevel(_Edit):
    """One service-level promise (an ODCS ``slaProperties`` entry)."""

    property: str = Field(
        description="freshness, latency, retention, availability, frequency, timeToRepair, …"
    )
    value: str = Field(description="The promised value, e.g. 24 or 99.9.")
    unit: str = Field(default="", description="Unit of the value: d, h, m, y, percent, …")
    element: str = Field(
        default="",
        description="The column the promise is measured on, as <table>.<column> (freshness).",
    )


class QualityRule(_Edit):
    """One quality rule (an ODCS ``quality`` entry) in the form's words."""

    id: str = Field(description="Stable rule id: letters, digits, '-' and '_'.")
    column: str = Field(default="", description="The column checked; empty for the table.")
    kind: str = Field(
        description=f"{', '.join(METRICS)}, or sql."
    )
    operator: str = Field(default="mustBe", description="mustBe, mustBeGreaterThan, …")
    threshold: str = Field(
        default="0",
        description="The limit, e.g. 0; two numbers separated by a comma for a between.",
    )
    severity: str = Field(default="error", description="error or warning.")
    dimension: str = Field(default="", description="accuracy, completeness, conformity, …")
    description: str = Field(default="", description="The rule in plain words.")
    query: str = Field(
        default="", description="For an sql rule: the query counting offending rows."
    )


class ProductChanges(_Edit):
    """An owner's changes to a product; ``None`` leaves a field as published."""

    port: str | None = Field(
        default=None,
        description="The output port whose contract is edited; the first one when None.",
    )
    description: str | None = Field(default=None, description="What the data is for.")
    usage: str | None = Field(default=None, description="How to use the data well.")
    limitations: str | None = Field(default=None, description="What the data cannot be used for.")
    tags: list[str] | None = Field(default=None, description="Words people search by.")
    team_name: str | None = Field(default=None, description="The team that runs it.")
    team: list[MemberEdit] | None = Field(default=None, description="The team's members.")
    support: list[SupportLink] | None = Field(default=None, description="Support channels.")
    columns: dict[str, ColumnEdit] = Field(
        default_factory=dict, description="Column name → its new description and classification."
    )
    service_levels: list[ServiceLevel] | None = Field(
        default=None, description="Every service-level promise."
    )
    quality: list[QualityRule] | None = Field(
        default=None, description="Every quality rule that has an id."
    )

    def changed_since(self, start: ProductChanges) -> ProductChanges:
        """Only what differs from ``start`` (the values the form started from): other fields
        become None and unchanged columns are left out, so an edit previewed again after
        someone else published keeps their changes to the fields this one did not touch.

        Args:
            start: the values the form was filled with.

        Returns:
            A copy holding only the changed fields (lists whole when anything in them changed).
        """
        update: dict[str, Any] = {}
        for name in type(self).model_fields:
            if name == "columns":
                update[name] = {k: v for k, v in self.columns.items() if start.columns.get(k) != v}
            elif name != "port" and getattr(self, name) == getattr(start, name):
                update[name] = None
        return self.model_copy(update=update)


EDIT_CLASSIFICATIONS = CLASSIFICATIONS
"""Public name of :data:`CLASSIFICATIONS` (the form's choices)."""
EDIT_SEVERITIES = SEVERITIES
"""Public name of :data:`SEVERITIES`."""
EDIT_DIMENSIONS = DIMENSIONS
"""Public name of :data:`DIMENSIONS`."""
EDIT_METRICS = editable_kinds()
"""The kinds a rule may have in the form: the library metrics and ``sql``, from the rule-kind
registry."""
EDIT_OPERATORS = OPERATORS
"""Public name of :data:`OPERATORS`."""
