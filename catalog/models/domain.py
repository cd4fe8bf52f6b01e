"""The domain manifest (``domains/<domain>/domain.yaml``): a business area that owns products.

Neither ODPS nor ODCS describes a domain, so this small format reuses their team and support
shapes (ODPS ``Team`` and ``Support``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from catalog.models.odps import SupportChannel, Team


class DomainDocument(BaseModel):
    """A domain: its name, purpose, team and contacts."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        description="Domain name, snake_case, equal to its folder name.",
        pattern=r"^[a-z][a-z0-9_]*$",
    )
    title: str = Field(description="Human title, e.g. 'Flight operations'.")
    description: str = Field(description="What the domain covers, for non-technical readers.")
    team: Team | None = Field(default=None, description="The domain's team.")
    contacts: list[SupportChannel] = Field(default_factory=list, description="How to reach it.")
