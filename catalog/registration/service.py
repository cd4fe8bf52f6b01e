"""Registration use cases of the :class:`~catalog.catalog.Catalog` façade.

Every door that puts a product into the mesh calls these methods with the requesting
principal: the wizard (step by step), the command line (``python -m catalog register`` and
``import``), the HTTP API and tests. They all end in **one publish path**
(:mod:`catalog.registration.publish`): claim the id, validate, governance gate, write, audit,
reload. Rights are decided here (the :class:`~catalog.access.guard.Guard`), never by a door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from catalog.access.actions import Action
from catalog.errors import PermissionDenied
from catalog.models.principal import Principal
from catalog.quality.model import CheckResult
from catalog.registration import (
    defaults,
    naming,
    query,
    rules,
    sources,
    steps,
    versions,
)
from catalog.registration import profile as profiling
from catalog.registration import publish as publishing
from catalog.registration.errors import RegistrationError
from catalog.registration.forms import Basics, PropertyForm, RegistrationForm, RuleForm
from catalog.registration.guided import GuidedRegistration
from catalog.registration.imports import ImportOutcome, import_contracts
from catalog.registration.profile import Profile
from catalog.registration.review import Review, dry_run, review
from catalog.registration.sources import DataSource, LocalCandidate

if TYPE_CHECKING:
    from catalog.access.guard import Guard
    from catalog.config import Settings
    from catalog.engine import Engine
    from catalog.mesh import DataProduct, Domain, Mesh
    from catalog.registration.publish import PublishResult


class PropertyAnswers(BaseModel):
    """What a program or the command line may say about one column (all optional)."""

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, description="What the column means.")
    classification: str | None = Field(default=None, description="public, internal, "
                                       "confidential or restricted.")
    pii: bool | None = Field(default=None, description="Personal data about a person.")
    required: bool | None = Field(default=None, description="Every row must have a value.")
    unique: bool | None = Field(default=None, description="No two rows share a value.")
    primary_key: bool | None = Field(default=None, description="Part of the row's key.")


class RegistrationAnswers(Basics):
    """Everything a headless registration needs: the wizard's Basics plus optional choices.

    Unset choices take the wizard's defaults: the schema inferred from the data, the
    suggested quality rules, the default service levels and version ``1.0.0``.
    """

    version: str | None = Field(default=None, description="Version to publish; default "
                                "1.0.0, or the next allowed one for a new version.")
    sla: dict[str, str] = Field(default_factory=dict, description="Service-level topic → "
                                "preset key (see the wizard's service-levels step).")
    freshness_column: str | None = Field(default=None, description="The date or time column "
                                         "the freshness promise is measured on.")
    properties: dict[str, PropertyAnswers] = Field(
        default_factory=dict, description="Column name (as in the data) → what to say about it.")
    rules: Literal["suggested", "none"] = Field(
        default="suggested", description="suggested: the rules the data supports today; "
                                         "none: no quality rules.")
    new_version_of: str | None = Field(default=None, description="Publish a new version of "
                                       "this product id instead of a new product.")


@dataclass
class RegistrationOutcome:
    """What a headless registration found and did.

    Attributes:
        form: the completed form (as the wizard would have it).
        problems: what stops publishing, in the wizard's words ("<field>: <problem>").
        review: the generated documents and their validation/governance findings.
        checks: the dry run of the quality rules on the staged data.
        published: what was written, or None (a dry run, or problems).
    """

    form: RegistrationForm
    problems: list[str] = field(default_factory=list)
    review: Review | None = None
    checks: list[CheckResult] = field(default_factory=list)
    published: PublishResult | None = None


class RegistrationUseCases(GuidedRegistration):
    """Mixin of :class:`~catalog.catalog.Catalog`: registration use cases (see module doc)."""

    settings: Settings
    engine: Engine
    guard: Guard

    if TYPE_CHECKING:
        def mesh(self) -> Mesh:
            """The current mesh (the façade implements it)."""
        def reload(self) -> Mesh:
            """Re-read changed manifests now (the façade implements it)."""
        def product(self, principal: Principal, product_id: str) -> DataProduct:
            """One product (the façade implements it)."""
        def domains(self, principal: Principal) -> list[Domain]:
            """All domains (the façade implements it)."""
        def all_products(self, principal: Principal) -> list[DataProduct]:
            """Every product (the façade implements it)."""

    # -- who may register -------------------------------------------------------------------
    def registration_domains(self, principal: Principal) -> dict[str, str]:
        """Domains ``principal`` may register new products in: name → title."""
        mesh = self.mesh()
        return {d.name: d.title for d in self.domains(principal)
                if self.guard.decide(principal, Action.REGISTER, mesh, domain=d.name).allowed}

    def versionable_products(self, principal: Principal) -> dict[str, str]:
        """Products ``principal`` may publish a new version of: id → title."""
        mesh = self.mesh()
        return {p.id: p.title for p in self.all_products(principal)
                if self.guard.decide(principal, Action.PUBLISH_VERSION, mesh,
                                     product=p).allowed}

    def _require_registrar(self, principal: Principal) -> None:
        """Refuse principals who may register nothing (staging writes to the data folder).

        Raises:
            PermissionDenied: no domain to register in and no product to version.
        """
        if not self.registration_domains(principal) and \
                not self.versionable_products(principal):
            raise PermissionDenied(
                "Only members of a domain's team (or governance admins) may register products; "
                "ask a domain owner to add you to the team in the domain's manifest.")

    # -- data -------------------------------------------------------------------------------
    def upload_limit_bytes(self) -> int:
        """Largest upload accepted, in bytes (``MESH_UPLOAD_LIMIT_MB``)."""
        return sources.upload_limit_bytes(self.settings)

    def stage_upload(self, principal: Principal, file_name: str, data: bytes) -> DataSource:
        """Check an uploaded CSV or Parquet file and stage it as Parquet.

        Raises:
            PermissionDenied: the principal may register nothing.
            UploadRejected: too large, not CSV/Parquet, or unreadable (nothing kept).
        """
        self._require_registrar(principal)
        return sources.stage_upload(self.settings, self.engine, file_name, data)

    def local_candidates(self, principal: Principal) -> list[LocalCandidate]:
        """Files and DuckDB tables of the data folder that no product serves yet."""
        self._require_registrar(principal)
        return sources.local_candidates(self.settings, self.engine, self.mesh())

    def stage_file(self, principal: Principal, path: str, table: str | None = None
                   ) -> DataSource:
        """Stage a file (or a table of a DuckDB file) of the data folder.

        Args:
            principal: who registers.
            path: relative to the data folder, as :meth:`local_candidates` lists it.
            table: ``schema.table`` for a DuckDB file.

        Raises:
            PermissionDenied: the principal may register nothing.
            RegistrationError: outside the data folder, unreadable, or already served by a
                product (whose data is read through its port, under its access rules).
        """
        self._require_registrar(principal)
        return sources.local_source(self.settings, self.engine, path, table, mesh=self.mesh())

    def stage_query(self, principal: Principal, sql: str) -> DataSource:
        """Run a derived product's query over existing products, in the sandbox, and stage
        its result.

        Raises:
            PermissionDenied: the principal may register nothing, or may not read an input
                product's port.
            QueryRejected: not one read-only query over products, or it failed.
        """
        self._require_registrar(principal)
        mesh = self.mesh()
        for product_id in query.input_products(sql, mesh):
            product = self.product(principal, product_id)
            for port in product.output_ports:
                self.guard.require(principal, Action.READ_DATA, mesh, product=product,
                                   port=port.name)
        return query.query_source(self.settings, self.engine, mesh, sql)

    def source_preview(self, principal: Principal, source: DataSource, limit: int = 20
                       ) -> pd.DataFrame:
        """The first ``limit`` rows of staged data."""
        self._require_registrar(principal)
        return sources.preview(self.engine, source, limit)

    def discard_source(self, source: DataSource | None) -> None:
        """Remove a staged file that will not be published (None is ignored)."""
        sources.discard(source)

    def profile_source(self, principal: Principal, source: DataSource) -> Profile:
        """Types, missing values, distinct counts, ranges and examples of staged data."""
        self._require_registrar(principal)
        return profiling.profile(self.engine, source)

    # -- the form ---------------------------------------------------------------------------
    def start_version(self, principal: Principal, product_id: str) -> RegistrationForm:
        """A form for a new version of ``product_id``, pre-filled from what is published.

        Raises:
            PermissionDenied: the principal may not publish a version of it.
            RegistrationError: it has no valid contract to start from.
        """
        product = self.product(principal, product_id)
        self.guard.require(principal, Action.PUBLISH_VERSION, self.mesh(), product=product)
        return versions.prefill(product)

    def infer_schema(self, principal: Principal, form: RegistrationForm, data: Profile
                     ) -> list[PropertyForm]:
        """The schema step's starting point: properties from the profile (names made to meet
        the naming standard), merged with the published ones for a new version."""
        inferred = steps.properties_from_profile(data)
        if form.based_on is not None:
            product = self.product(principal, form.product_id)
            inferred = versions.merge_properties(
                inferred, versions.published_properties(product, form.port))
        return inferred

    def suggest_rules(self, form: RegistrationForm, data: Profile) -> list[RuleForm]:
        """Quality rules the data supports today; for a new version the published rules come
        first and suggestions only cover what they do not."""
        suggested = rules.suggest(data, form.properties, form.basics.name)
        if form.based_on is None:
            return suggested
        kept = [r for r in form.rules if r.kind == rules.RuleKind.KEPT]
        return versions.merge_rules(kept, suggested)

    def basics_problems(self, principal: Principal, form: RegistrationForm
                        ) -> dict[str, list[str]]:
        """Problems of the Basics step by field; includes a domain the principal may not
        register in."""
        found = steps.basics_problems(form, self.mesh(), new_product=form.based_on is None)
        if form.based_on is None and form.basics.domain and \
                form.basics.domain not in self.registration_domains(principal):
            found.setdefault("domain", []).append(
                f"You may not register products in {form.basics.domain}: only its team "
                "(or a governance admin) may.")
        return found

    def product_name_problems(self, domain: str | None, name: str) -> list[str]:
        """What stops registering a new product ``<domain>.<name>`` (naming standard first,
        then whether the id or its folder is taken); empty when the name is free.

        Without a domain only the naming standard is checked.
        """
        if not domain:
            return naming.name_problems(name)
        return naming.check_new_product(self.mesh(), domain, name)

    def form_problems(self, principal: Principal, form: RegistrationForm) -> list[str]:
        """Every problem of the form, step by step, in the wizard's words (empty when it may
        be reviewed)."""
        out = [f"{name}: {p}" for name, found in self.basics_problems(principal, form).items()
               for p in found]
        out += steps.schema_problems(form.properties)
        out += steps.sla_problems(form.sla, form.properties, form.basics.product_type)
        out += steps.rules_problems(form.rules, form.properties)
        return out

    def review_registration(self, principal: Principal, form: RegistrationForm,
                            source: DataSource) -> Review:
        """Generate both documents and check them as CI would (validation, governance)."""
        self._require_registrar(principal)
        return review(self, form, source)  # type: ignore[arg-type]

    def dry_run(self, principal: Principal, form: RegistrationForm, source: DataSource
                ) -> list[CheckResult]:
        """Run the form's quality rules on the staged data now; nothing is stored."""
        self._require_registrar(principal)
        return dry_run(self, form, source)  # type: ignore[arg-type]

    def version_plan(self, principal: Principal, form: RegistrationForm
                     ) -> versions.VersionPlan:
        """For a new version: the contract diff, the bump it needs and who is downstream."""
        return versions.plan(self, principal, form)  # type: ignore[arg-type]

    # -- publishing -------------------------------------------------------------------------
    def publish(self, principal: Principal, form: RegistrationForm, source: DataSource
                ) -> PublishResult:
        """Publish the form and its staged data: a new product, or a new version when the
        form is based on a published one. The one publish path: claim, validation,
        governance gate, write, audit, reload, first quality run.

        Raises:
            PermissionDenied, RegistrationError, PublishConflict, PublishFailed: see
                :func:`catalog.registration.publish.publish` and
                :func:`catalog.registration.versions.publish_version`.
        """
        if form.based_on is not None:
            return versions.publish_version(self, principal, form, source)  # type: ignore[arg-type]
        return publishing.publish(self, principal, form, source)  # type: ignore[arg-type]

    def draft_registration(self, principal: Principal, answers: RegistrationAnswers,
                           source: DataSource) -> RegistrationForm:
        """The form the wizard would reach with ``answers`` and its defaults.

        Raises:
            RegistrationError: an answer names a column the data does not have.
        """
        basics = Basics(**answers.model_dump(include=set(Basics.model_fields)))
        if answers.new_version_of:
            form = self.start_version(principal, answers.new_version_of)
            form.basics = basics.model_copy(update={"domain": form.basics.domain,
                                                    "name": form.basics.name})
        else:
            form = RegistrationForm(basics=basics)
        data = self.profile_source(principal, source)
        form.properties = self.infer_schema(principal, form, data)
        by_source = {p.source_name: p for p in form.properties}
        for column, said in answers.properties.items():
            prop = by_source.get(column)
            if prop is None:
                raise RegistrationError(f"properties: the data has no column '{column}' "
                                        f"(it has {', '.join(by_source) or 'none'}).")
            for key, value in said.model_dump(exclude_none=True).items():
                setattr(prop, key, value)
        sla_form = form.sla if answers.new_version_of else \
            defaults.suggest_sla(data, form.properties, column=answers.freshness_column)
        sla_form.choices.update(answers.sla)
        if answers.freshness_column is not None:
            sla_form.freshness_column = answers.freshness_column
        form.sla = sla_form
        form.rules = self.suggest_rules(form, data) if answers.rules == "suggested" else []
        if answers.version:
            form.version = answers.version
        return form

    def register(self, principal: Principal, answers: RegistrationAnswers, source: DataSource,
                 *, dry_run: bool = False) -> RegistrationOutcome:
        """Register staged data headlessly: the wizard's steps, suggestions and refusals in
        one call (the command line and the HTTP API use it).

        Args:
            principal: who registers.
            answers: Basics and optional choices.
            source: staged data (:meth:`stage_upload`, :meth:`stage_file`,
                :meth:`stage_query`).
            dry_run: check everything, publish nothing.

        Returns:
            The outcome; ``published`` is set when it was published.

        Raises:
            PermissionDenied: the principal may not register in the domain.
            PublishConflict, PublishFailed: see :meth:`publish`.
        """
        self._require_registrar(principal)
        form = self.draft_registration(principal, answers, source)
        outcome = RegistrationOutcome(form, problems=self.form_problems(principal, form))
        if outcome.problems:
            return outcome
        outcome.review = self.review_registration(principal, form, source)
        outcome.problems += outcome.review.blocking
        if form.based_on is not None:
            outcome.problems += versions.version_problems(
                self.version_plan(principal, form), form.version)
        outcome.checks = outcome.review.checks or self.dry_run(principal, form, source)
        if outcome.problems or dry_run:
            return outcome
        outcome.published = self.publish(principal, form, source)
        return outcome

    def import_contracts(self, principal: Principal, files: dict[str, bytes] | list[Path],
                         domain: str | None = None, name: str | None = None, *,
                         dry_run: bool = False) -> ImportOutcome:
        """Import ODCS contracts (and at most one ODPS file) as a new product through the one
        publish path; see :func:`catalog.registration.imports.import_contracts`."""
        return import_contracts(self, principal, files, domain, name,  # type: ignore[arg-type]
                                dry_run=dry_run)

