"""Guided registration: what the wizard fills in or refuses for a first-time user.

Use cases of the :class:`~catalog.catalog.Catalog` façade (mixed into
:class:`~catalog.registration.service.RegistrationUseCases`): Basics taken from the chosen
domain, service levels measured from the staged data (:mod:`catalog.registration.defaults`),
and the domain's policies asked for at the step their field belongs to
(:mod:`catalog.registration.guidance`). See docs/registration.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from catalog.models.principal import Principal
from catalog.registration import defaults, guidance
from catalog.registration.forms import RegistrationForm, SlaForm
from catalog.registration.profile import Profile
from catalog.registration.sources import DataSource

if TYPE_CHECKING:
    from catalog.mesh import Mesh
    from catalog.registration.review import Review


class GuidedRegistration:
    """Mixin of the registration use cases: defaults and step-by-step refusals."""

    if TYPE_CHECKING:
        def mesh(self) -> Mesh:
            """The current mesh (the façade implements it)."""
        def review_registration(self, principal: Principal, form: RegistrationForm,
                                source: DataSource) -> Review:
            """The review of the form (the registration use cases implement it)."""

    def basics_for_domain(self, principal: Principal, domain: str) -> dict[str, str]:
        """What the Basics step can take from the domain's ``domain.yaml`` once it is chosen:
        the owner (the person registering when they are in the domain's team, else the
        domain's owner), the team, and the domain's first support contact.

        Args:
            principal: who registers.
            domain: the chosen domain's name.

        Returns:
            Basics field name → value; empty when the domain is unknown.
        """
        found = self.mesh().domains.get(domain)
        if found is None:
            return {}
        out: dict[str, str] = {}
        members = list(found.team.members) if found.team else []
        me = next((m for m in members if m.username == principal.username), None)
        owner = me or next((m for m in members if "owner" in (m.role or "").lower()), None)
        if owner is not None:
            out["owner"], out["owner_name"] = owner.username, owner.name or owner.username
        if found.team is not None and found.team.name:
            out["team_name"] = found.team.name
        contact = next((c for c in found.contacts if c.url), None)
        if contact is not None:
            out["support_channel"], out["support_url"] = contact.channel or "", contact.url or ""
        return {k: v for k, v in out.items() if v}

    def suggest_service_levels(self, form: RegistrationForm, data: Profile,
                               column: str | None = None) -> SlaForm:
        """Service levels the staged data meets today: freshness measured on its newest date
        or time column, a snapshot's ages at the last day it covers, a retention that holds its
        oldest row (see :mod:`catalog.registration.defaults`). A new version keeps what was
        published.

        Args:
            form: the form (its schema names the columns).
            data: the staged data's profile.
            column: measure on this column instead of the one with the newest value.
        """
        if form.based_on is not None:
            return form.sla
        return defaults.suggest_sla(data, form.properties, column=column)

    def policy_problems(self, principal: Principal, form: RegistrationForm,
                        source: DataSource | None, step: str) -> list[str]:
        """What the domain's policies (and the first quality run's minimum score) will refuse
        that belongs to wizard step ``step`` (schema, sla or rules), checked on the form as
        filled in so far; empty without data (see
        :func:`catalog.registration.guidance.step_problems`)."""
        if source is None or not form.properties:
            return []
        return guidance.step_problems(self.review_registration(principal, form, source),
                                      form, step)
