"""Pydantic models of the Open Data Product Standard (ODPS v1.x) document.

Only what the portal reads is typed; every model keeps unknown keys (``extra="allow"``) so a
document written back out is the one read in. Raw documents are checked against the vendored
ODPS JSON Schema first (see ``catalog/manifests/schemas``): these models are the second layer.
Source: bitol-io/open-data-product-standard, schema v1.1.0.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class CustomProperty(_Open):
    """A key/value pair for what the standard has no field for."""

    property: str = Field(description="Name of the key, camelCase.")
    value: Any = Field(default=None, description="Value of the key.")


class TeamMember(_Open):
    """A person in the team that owns the product."""

    username: str = Field(description="User name or e-mail address.", examples=["ana@x.example"])
    name: str | None = Field(default=None, description="Full name shown to readers.")
    role: str | None = Field(
        default=None,
        description="Role in the team, e.g. owner, data steward, data engineer.",
        examples=["owner", "data steward"],
    )


class Team(_Open):
    """The team that owns and runs the data product."""

    name: str | None = Field(default=None, description="Team name.")
    description: str | None = Field(default=None, description="What the team does.")
    members: list[TeamMember] = Field(default_factory=list, description="Team members.")


class SupportChannel(_Open):
    """Where consumers get help (chat channel, mailbox, ticket queue)."""

    channel: str = Field(description="Channel name, e.g. #ops-data.")
    url: str = Field(description="Link to the channel (https or mailto).")
    tool: str | None = Field(default=None, description="email, slack, teams, ticket, …")
    scope: str | None = Field(default=None, description="interactive, announcements or issues.")


class Description(_Open):
    """Plain-language description of the product."""

    purpose: str | None = Field(default=None, description="What the data is for.")
    usage: str | None = Field(default=None, description="How to use it well.")
    limitations: str | None = Field(default=None, description="What it cannot be used for.")


class InputPort(_Open):
    """A contract this product consumes (lineage: upstream)."""

    name: str = Field(description="Name of the input port; by convention the upstream product id.")
    version: str | None = Field(default=None, description="Version of the consumed contract.")
    contractId: str | None = Field(default=None, description="Id of the consumed ODCS contract.")


class OutputPort(_Open):
    """How the product serves data; each output port has one data contract."""

    name: str = Field(description="Name of the output port.")
    description: str | None = Field(default=None, description="What the port serves.")
    type: str | None = Field(default=None, description="Kind of port, e.g. tables, files, api.")
    version: str | None = Field(default=None, description="Version of the port's contract.")
    contractId: str | None = Field(default=None, description="Id of the port's ODCS contract.")


class DataProductDocument(_Open):
    """An ODPS data product document (``product.odps.yaml``)."""

    apiVersion: str = Field(description="ODPS version, e.g. v1.1.0.")
    kind: str = Field(default="DataProduct", description="Always DataProduct.")
    id: str = Field(description="Stable id, ``<domain>.<name>``.", examples=["operations.flights"])
    name: str | None = Field(default=None, description="Machine name of the product.")
    version: str | None = Field(default=None, description="Semantic version, e.g. 1.2.0.")
    status: str | None = Field(
        default=None,
        description="Lifecycle status: proposed, draft, active, deprecated, retired.",
    )
    domain: str | None = Field(default=None, description="Owning business domain.")
    type: str | None = Field(
        default=None, description="sourceAligned, aggregate or consumerAligned."
    )
    tags: list[str] = Field(default_factory=list, description="Keywords for search.")
    description: Description | None = Field(default=None, description="Purpose, usage, limits.")
    team: Team | None = Field(default=None, description="Owning team.")
    support: list[SupportChannel] = Field(default_factory=list, description="Help channels.")
    inputPorts: list[InputPort] = Field(default_factory=list, description="Consumed contracts.")
    outputPorts: list[OutputPort] = Field(default_factory=list, description="Served data.")
    customProperties: list[CustomProperty] = Field(default_factory=list)

    def custom(self, key: str, default: Any = None) -> Any:
        """Return the value of custom property ``key``, or ``default`` when absent."""
        for prop in self.customProperties:
            if prop.property == key:
                return prop.value
        return default
