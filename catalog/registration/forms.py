"""What a person fills in to register a data product: pydantic models of the wizard's steps.

Field descriptions double as the form's help texts. The models only hold
and shape values; :mod:`catalog.registration.steps` says whether a step is complete, so a
half-filled form is still a valid object and nothing a person typed is ever thrown away.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from catalog.registration.sla import DEFAULTS

PRODUCT_TYPES = ("sourceAligned", "consumerAligned")
"""ODPS product types offered for a product registered from a file (a query makes an
``aggregate``)."""
CLASSIFICATION_CHOICES = ("public", "internal", "confidential", "restricted")
"""Sensitivity levels a property may have."""


class _Form(BaseModel):
    model_config = ConfigDict(validate_assignment=False, extra="forbid")


class Basics(_Form):
    """Step 1: who owns the product and what it is for (ODPS id, name, description, team,
    support)."""

    domain: str = Field(default="", description="The business domain that owns the product.")
    name: str = Field(
        default="",
        description="Machine name in lowercase snake_case, e.g. daily_sales. With the domain it "
                    "makes the product id <domain>.<name>, which never changes.",
    )
    title: str = Field(default="", description="The name people read, e.g. Daily web sales.")
    purpose: str = Field(default="", description="What the data is for, in plain words.")
    usage: str = Field(default="", description="How to use the data well: what one row is, "
                                               "which columns to filter on, units.")
    limitations: str = Field(default="", description="What the data cannot be used for: gaps, "
                                                     "periods covered, known problems.")
    product_type: str = Field(
        default="sourceAligned",
        description="sourceAligned: the data as a source system has it (must promise "
                    "freshness); consumerAligned: shaped for one use. A product built by a "
                    "query over other products is an aggregate.")
    tags: list[str] = Field(default_factory=list,
                            description="Keywords people search for, e.g. sales, revenue.")
    owner: str = Field(default="", description="User name or e-mail of the person accountable "
                                               "for the product.")
    owner_name: str = Field(default="", description="The owner's full name, shown to readers.")
    team_name: str = Field(default="", description="The team that runs the product.")
    members: list[str] = Field(default_factory=list,
                               description="Other team members (user names or e-mails).")
    support_channel: str = Field(default="", description="Where consumers ask for help, e.g. "
                                                         "#sales-data or sales-data mailbox.")
    support_url: str = Field(default="", description="Link to the support channel: an https:// "
                                                     "address or mailto:someone@example.com.")


class SourceKind(StrEnum):
    """Where the product's data comes from (step 2)."""

    UPLOAD = "upload"
    LOCAL = "local"
    QUERY = "query"


class PropertyForm(_Form):
    """Step 3: one column of the product (an ODCS schema property)."""

    source_name: str = Field(description="The column's name in the data as it arrived.")
    name: str = Field(description="The column's name in the product: lowercase snake_case.")
    logical_type: str = Field(description="ODCS logical type: string, integer, number, "
                                          "boolean, date, timestamp, time, object or array.")
    physical_type: str = Field(description="The engine's type, e.g. BIGINT or VARCHAR.")
    description: str = Field(default="", description="What the column means, with its unit.")
    required: bool = Field(default=False, description="Every row must have a value here.")
    unique: bool = Field(default=False, description="No two rows may share a value here.")
    primary_key: bool = Field(default=False,
                              description="Part of the key that identifies a row.")
    classification: str = Field(default="internal", description="How sensitive the column is: "
                                "public, internal, confidential or restricted.")
    pii: bool = Field(default=False, description="Personal data about an identifiable person.")
    examples: list[str] = Field(default_factory=list, description="A few real values.")
    carried: dict[str, Any] = Field(default_factory=dict, description="Fields of the published "
                                    "property the form does not edit (a new version).")


class RuleKind(StrEnum):
    """Kinds of quality rule the wizard suggests (ODCS v3.1 §data-quality)."""

    NOT_NULL = "not_null"
    UNIQUE = "unique"
    ACCEPTED_VALUES = "accepted_values"
    RANGE = "range"
    ROW_COUNT = "row_count"
    KEPT = "kept"
    """A rule carried over unchanged from the published contract (a new version)."""


class RuleForm(_Form):
    """Step 5: one quality rule, switchable on and off and editable."""

    id: str = Field(description="Stable rule id, letters, digits, '-' and '_' (ODCS StableId).")
    kind: RuleKind = Field(description="What the rule checks.")
    property: str | None = Field(default=None, description="The column checked; none for "
                                                           "rules about the whole table.")
    enabled: bool = Field(default=True, description="Switch the rule off to leave it out.")
    severity: str = Field(default="error", description="error: the data must not be used when "
                                                       "the rule fails; warning: needs a look.")
    values: list[str] = Field(default_factory=list,
                              description="Accepted values, for an accepted-values rule.")
    minimum: Any = Field(default=None, description="Lowest accepted value, for a range rule.")
    maximum: Any = Field(default=None, description="Highest accepted value, for a range rule.")
    min_rows: int = Field(default=1, description="Fewest rows the product must have.")
    raw: dict[str, Any] | None = Field(default=None, description="The rule as published, for "
                                                                  "rules carried over.")


class SlaForm(_Form):
    """Step 4: service levels, one preset per topic (see :mod:`catalog.registration.sla`)."""

    choices: dict[str, str] = Field(default_factory=lambda: dict(DEFAULTS),
                                    description="Topic → preset key.")
    freshness_column: str | None = Field(
        default=None, description="The date or time column that shows how recent the data is.")
    carried: list[dict[str, Any]] = Field(
        default_factory=list, description="Published SLA entries no preset covers (kept).")
    snapshot_end: str | None = Field(
        default=None, description="For data that is not updated any more: the last day it "
                                  "covers (ISO date); ages are measured at that day.")


class RegistrationForm(_Form):
    """Everything the wizard collects; the generated ODPS and ODCS documents come from it."""

    basics: Basics = Field(default_factory=Basics)
    properties: list[PropertyForm] = Field(default_factory=list)
    sla: SlaForm = Field(default_factory=SlaForm)
    rules: list[RuleForm] = Field(default_factory=list)
    version: str = Field(default="1.0.0", description="Semantic version of what is published: "
                                                     "MAJOR.MINOR.PATCH.")
    status: str = Field(default="proposed", description="Lifecycle status written to both "
                                                        "documents.")
    based_on: str | None = Field(
        default=None, description="For a new version: the version it replaces.")
    port_name: str | None = Field(default=None, description="The output port's name when it "
                                                            "differs from the product name.")
    carried_odps: dict[str, Any] = Field(default_factory=dict, description="Published ODPS "
                                         "fields the form does not edit (a new version).")
    carried_odcs: dict[str, Any] = Field(default_factory=dict, description="Published ODCS "
                                         "fields the form does not edit (a new version).")

    @property
    def product_id(self) -> str:
        """``<domain>.<name>`` as typed so far."""
        return f"{self.basics.domain}.{self.basics.name}"

    @property
    def port(self) -> str:
        """The output port's name (and the contract file's stem): the product name, unless a
        published product's port is called otherwise."""
        return self.port_name or self.basics.name


def help_text(model: type[BaseModel], field: str) -> str:
    """The description of ``model.field``, used as the form's help text."""
    return model.model_fields[field].description or ""
