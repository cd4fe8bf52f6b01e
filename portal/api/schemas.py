"""Request and response bodies of the HTTP API, as pydantic models.

Every field has a description: the OpenAPI document (:mod:`portal.api.openapi`) is generated
from these models, so they are the API's reference. The ``from_*`` constructors turn the
catalog's result types into these models; they copy, they never decide anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog import (
    AccessRequest,
    CheckResult,
    DataProduct,
    Grant,
    OutputPortView,
    QualityRun,
    SearchHit,
)
from catalog import quality_presentation as pres


class _Model(BaseModel):
    """Base of the API's models: unknown fields in a request body are refused."""

    model_config = ConfigDict(extra="forbid")


# -- errors ------------------------------------------------------------------------------------
class ErrorInfo(_Model):
    """What went wrong."""

    status: int = Field(description="The HTTP status code, repeated.", examples=[404])
    code: str = Field(description="Stable machine-readable code: unauthenticated, "
                      "permission_denied, not_found, invalid_request, validation_failed, "
                      "document_rejected, registration_refused, import_refused, conflict, "
                      "too_large, limit_exceeded, data_unavailable, unavailable, "
                      "method_not_allowed or internal_error.",
                      examples=["not_found"])
    message: str = Field(description="What went wrong and what to do about it, for people.",
                         examples=["There is no data product with id 'x.y'. Search the catalog "
                                   "for it, or check the mesh-health page in case its manifest "
                                   "failed to load."])
    details: list[dict[str, Any]] = Field(
        default_factory=list, description="Items of a validation error ({field, message}) or of "
        "a rejected document ({file, line, field, message}); empty otherwise.")


class ErrorResponse(_Model):
    """The body of every error response."""

    error: ErrorInfo = Field(description="The error.")


class Health(_Model):
    """The server's health."""

    status: Literal["ok"] = Field(description="``ok`` when the catalog loads.")


# -- products ----------------------------------------------------------------------------------
class PortSummary(_Model):
    """An output port of a product."""

    name: str = Field(description="The port's name; the ``port`` parameter of data routes.")
    description: str | None = Field(description="What the port serves.")
    type: str | None = Field(description="ODPS port type, e.g. ``tables``.")
    version: str | None = Field(description="The port's version.")
    contract_id: str | None = Field(description="Id of the port's ODCS data contract.")

    @classmethod
    def from_port(cls, port: OutputPortView) -> PortSummary:
        """The summary of a catalog output port."""
        return cls(name=port.name, description=port.description, type=port.type,
                   version=port.version, contract_id=port.contract_id)


class ProductSummary(_Model):
    """The headline facts of a data product."""

    id: str = Field(description="The product id, ``<domain>.<name>``.",
                    examples=["operations.flights"])
    title: str = Field(description="The product's title.")
    domain: str = Field(description="The business domain that owns it.")
    name: str = Field(description="Its name within the domain.")
    status: str = Field(description="Lifecycle status: draft, proposed, active, deprecated or "
                        "retired.")
    version: str = Field(description="The product's version.")
    type: str | None = Field(description="ODPS product type, e.g. ``sourceAligned``.")
    purpose: str = Field(description="Why the product exists.")
    tags: list[str] = Field(description="Tags.")
    owners: list[str] = Field(description="User ids of the team's owners.")
    team: str = Field(description="The owning team's name.")
    classifications: list[str] = Field(description="Data classifications of its columns.")
    output_ports: list[str] = Field(description="Names of its output ports.")

    @classmethod
    def from_product(cls, product: DataProduct) -> ProductSummary:
        """The summary of a catalog product."""
        return cls(id=product.id, title=product.title, domain=product.domain, name=product.name,
                   status=product.status, version=product.version, type=product.type,
                   purpose=product.purpose, tags=list(product.tags), owners=product.owners,
                   team=product.team_name, classifications=sorted(product.classifications()),
                   output_ports=[p.name for p in product.output_ports])


class ProductHit(_Model):
    """One search result."""

    product: ProductSummary = Field(description="The product.")
    score: float = Field(description="Relevance (0 when no text was searched).")
    exact: bool = Field(description="True when the text is exactly the product's name, id or "
                        "title.")
    matched_fields: list[str] = Field(description="Fields the text matched (title, tags …).")

    @classmethod
    def from_hit(cls, hit: SearchHit, product: DataProduct) -> ProductHit:
        """A search hit with its product."""
        return cls(product=ProductSummary.from_product(product), score=hit.score,
                   exact=hit.exact, matched_fields=list(hit.matched_fields))


class FacetValue(_Model):
    """A facet value and how many matching products have it."""

    value: str = Field(description="The value, e.g. a domain name.")
    count: int = Field(description="Matching products with this value.")


class ProductPage(_Model):
    """A page of search results with facet counts."""

    total: int = Field(description="Products matching the query and the selected facets.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Products per page.")
    partial: bool = Field(description="No product matched every word; these match some.")
    hits: list[ProductHit] = Field(description="This page's products, best first.")
    facets: dict[str, list[FacetValue]] = Field(
        description="Per facet (domain, owner, tag, status, classification), its values with "
        "counts, by count.")


class ProductDetail(_Model):
    """A data product: its summary, ports and full ODPS document."""

    summary: ProductSummary = Field(description="The headline facts.")
    ports: list[PortSummary] = Field(description="Its output ports.")
    upstream: list[str] = Field(description="Ids of the products it is built from.")
    downstream: list[str] = Field(description="Ids of the products built from it.")
    document: dict[str, Any] = Field(description="The ODPS (Bitol Open Data Product Standard) "
                                     "document, as JSON.")


class Lineage(_Model):
    """Products one step up or down the lineage of a product."""

    product_id: str = Field(description="The product asked about.")
    direction: Literal["upstream", "downstream"] = Field(
        description="``upstream``: what it is built from; ``downstream``: what uses it.")
    products: list[ProductSummary] = Field(description="The related products.")


# -- contracts ---------------------------------------------------------------------------------
class ContractInfo(_Model):
    """The data contract of one output port."""

    port: str = Field(description="The output port.")
    contract_id: str | None = Field(description="The ODCS contract id.")
    version: str | None = Field(description="The port's version.")
    file_name: str | None = Field(description="The contract's file name in the mesh.")
    url: str = Field(description="Path of the contract route (YAML; add ?format=json for JSON).")


class ContractList(_Model):
    """The data contracts of a product."""

    product_id: str = Field(description="The product.")
    contracts: list[ContractInfo] = Field(description="One per output port, in port order.")


# -- quality -----------------------------------------------------------------------------------
class CheckOut(_Model):
    """The result of one quality check in a run."""

    check_id: str = Field(description="Stable id of the check.")
    port: str = Field(description="The output port whose contract declares it.")
    kind: str = Field(description="Rule kind: required, unique, sql, freshness …")
    object: str = Field(description="Schema object (table).")
    property: str | None = Field(description="Column, None for table-level checks.")
    dimension: str = Field(description="ODCS quality dimension.")
    severity: str = Field(description="ODCS severity.")
    description: str = Field(description="The rule's description as its contract (or the "
                             "schema it is derived from) writes it.")
    sentence: str = Field(description="The rule in plain words, as every page of the portal "
                          "says it (one sentence per rule kind), e.g. \"No missing values in "
                          "Airline code (carrier)\".")
    status: str = Field(description="passed, warning, failed, error or skipped.")
    observed: float | None = Field(description="The measured value in ``unit``.")
    operator: str = Field(description="ODCS comparison operator.")
    threshold: Any = Field(description="The operator's value.")
    unit: str = Field(description="rows, percent, or a time unit.")
    failing_rows: int | None = Field(description="Rows that break the rule.")
    message: str = Field(description="Outcome in plain language, or why it could not run.")

    @classmethod
    def from_result(cls, result: CheckResult) -> CheckOut:
        """The API form of a check result (samples of failing rows left out)."""
        c = result.check
        return cls(check_id=c.id, port=c.port, kind=c.kind, object=c.object,
                   property=c.property, dimension=c.dimension, severity=c.severity,
                   description=c.description, sentence=pres.rule_sentence(c),
                   status=str(result.status),
                   observed=result.observed, operator=c.operator, threshold=c.threshold,
                   unit=c.unit, failing_rows=result.failing_rows, message=result.message)


class QualityRunOut(_Model):
    """One quality run of a product."""

    run_id: str = Field(description="The run's id.")
    product_id: str = Field(description="The product.")
    product_version: str = Field(description="Its version at the time.")
    started_at: dt.datetime = Field(description="When the run started (UTC).")
    as_of: dt.datetime = Field(description="The data cut-off the run saw (UTC).")
    duration_s: float = Field(description="Wall time, seconds.")
    trigger: str = Field(description="portal, cli, history, registration or api.")
    score: float | None = Field(description="Quality score 0..100; None when unscored.")
    grade: str = Field(description="Grade A–E.")
    arithmetic: str = Field(description="How the score was computed, written out.")
    counts: dict[str, int] = Field(description="Results per status.")
    results: list[CheckOut] | None = Field(
        description="Every check's result; left out (null) in the history.")

    @classmethod
    def from_run(cls, run: QualityRun, with_results: bool = True) -> QualityRunOut:
        """The API form of a run."""
        return cls(run_id=run.run_id, product_id=run.product_id,
                   product_version=run.product_version, started_at=run.started_at,
                   as_of=run.as_of, duration_s=run.duration_s, trigger=run.trigger,
                   score=run.score.value, grade=run.score.grade,
                   arithmetic=run.score.arithmetic, counts=run.counts(),
                   results=[CheckOut.from_result(r) for r in run.results]
                   if with_results else None)


class LatestQuality(_Model):
    """A product's most recent quality run."""

    product_id: str = Field(description="The product.")
    run: QualityRunOut | None = Field(description="The latest run; null when none is stored.")
    stale: bool = Field(default=False, description="True when the run no longer tells how "
                        "the product is now (it measured past data, an older version, data "
                        "rebuilt since, or is older than the promised update frequency).")
    stale_reasons: list[str] = Field(default_factory=list, description="Why it is stale.")
    verdict: str = Field(default="", description="The verdict in words, as every page of the "
                         "portal shows it: grade, when it was measured, and why it is stale.")


class QualityHistory(_Model):
    """A product's stored quality runs, oldest first, without their results."""

    product_id: str = Field(description="The product.")
    runs: list[QualityRunOut] = Field(description="The runs, oldest first.")


# -- access ------------------------------------------------------------------------------------
class AccessRequestIn(_Model):
    """A request for access to output ports of a product."""

    product_id: str = Field(description="The product.", examples=["passengers.bookings"])
    ports: list[str] = Field(min_length=1, description="Output port names.",
                             examples=[["bookings"]])
    purpose: str = Field(description="The business justification (at least 10 characters).",
                         examples=["Monthly load-factor report for the network team"])
    duration_days: int | None = Field(default=90, description="How long, in days; null for "
                                      "permanent.", examples=[90])
    columns: list[str] = Field(default_factory=list, description="Sensitive columns asked for "
                               "(they stay masked otherwise).", examples=[["email"]])


class AccessRequestOut(_Model):
    """An access request."""

    id: int = Field(description="The request's number.")
    requester: str = Field(description="User id of the consumer.")
    requester_name: str = Field(description="Their display name.")
    product_id: str = Field(description="The product.")
    ports: list[str] = Field(description="Ports asked for.")
    columns: list[str] = Field(description="Sensitive columns asked for.")
    purpose: str = Field(description="The justification.")
    duration_days: int | None = Field(description="Days asked for; null for permanent.")
    status: str = Field(description="pending, approved, denied or withdrawn.")
    created_at: dt.datetime = Field(description="When it was filed (UTC).")
    decided_by: str | None = Field(description="Who decided or withdrew it.")
    decided_at: dt.datetime | None = Field(description="When (UTC).")
    note: str = Field(description="The decider's note.")

    @classmethod
    def from_request(cls, request: AccessRequest) -> AccessRequestOut:
        """The API form of an access request."""
        return cls(id=request.id, requester=request.requester,
                   requester_name=request.requester_name, product_id=request.product_id,
                   ports=list(request.ports), columns=list(request.columns),
                   purpose=request.purpose, duration_days=request.duration_days,
                   status=request.status, created_at=request.created_at,
                   decided_by=request.decided_by, decided_at=request.decided_at,
                   note=request.note)


class AccessRequestList(_Model):
    """Access requests."""

    requests: list[AccessRequestOut] = Field(description="The requests.")


class DecisionIn(_Model):
    """A decision on a pending access request."""

    approve: bool = Field(description="true approves (one grant per port), false denies.")
    note: str = Field(default="", max_length=2000,
                      description="A note for the consumer; required to deny.")


class GrantOut(_Model):
    """An access grant on one output port."""

    id: int = Field(description="The grant's number.")
    request_id: int = Field(description="The request it was approved from.")
    consumer: str = Field(description="User id of the grantee.")
    consumer_name: str = Field(description="Their display name.")
    product_id: str = Field(description="The product.")
    port: str = Field(description="The output port.")
    columns: list[str] = Field(description="Sensitive columns it opens.")
    starts_at: dt.datetime = Field(description="When it started (UTC).")
    expires_at: dt.datetime | None = Field(description="When it ends (UTC); null: permanent.")
    revoked_at: dt.datetime | None = Field(description="When it was revoked (UTC).")
    revoked_by: str | None = Field(description="Who revoked it.")
    note: str = Field(description="The latest revoke note.")

    @classmethod
    def from_grant(cls, grant: Grant) -> GrantOut:
        """The API form of a grant."""
        return cls(id=grant.id, request_id=grant.request_id, consumer=grant.consumer,
                   consumer_name=grant.consumer_name, product_id=grant.product_id,
                   port=grant.port, columns=list(grant.columns), starts_at=grant.starts_at,
                   expires_at=grant.expires_at, revoked_at=grant.revoked_at,
                   revoked_by=grant.revoked_by, note=grant.note)


class GrantList(_Model):
    """Access grants."""

    grants: list[GrantOut] = Field(description="The grants, newest first.")


# -- audit -------------------------------------------------------------------------------------
class AuditEvent(_Model):
    """One event of the audit log."""

    seq: int = Field(description="The event's sequence number.")
    at: str = Field(description="When (ISO 8601, UTC).")
    actor: str = Field(description="User id of who did it.")
    action: str = Field(description="What, e.g. ``data.extracted``, ``access.granted``.")
    target: str = Field(description="What it was done to (a product id, a user id …).")
    detail: Any = Field(description="Details of the action (a JSON object).")


class AuditPage(_Model):
    """Audit events, newest first."""

    events: list[AuditEvent] = Field(description="The events.")


# -- registration and import -------------------------------------------------------------------
class RegisterForm(_Model):
    """The multipart form that registers a data product from a data file."""

    file: str = Field(json_schema_extra={"format": "binary"},
                      description="The data file (CSV, Parquet, JSON lines or Excel).")
    answers: str = Field(description="The registration answers as a JSON object: domain, name, "
                         "title, purpose, usage, limitations, product_type, tags, owner, "
                         "owner_name, team_name, members, support_channel, support_url and "
                         "optional version, sla, freshness_column, properties, rules, "
                         "new_version_of (the registration wizard's questions).")
    dry_run: bool = Field(default=False, description="true: check and review only, publish "
                          "nothing.")


class FindingOut(_Model):
    """A governance finding of a registration review."""

    policy_id: str = Field(description="The policy broken.")
    severity: str = Field(description="error or warning.")
    message: str = Field(description="What is wrong.")
    fix: str = Field(description="How to fix it.")


class PublishedOut(_Model):
    """What a registration or import published."""

    product_id: str = Field(description="The product's id.")
    version: str | None = Field(default=None, description="The version published.")
    files: list[str] = Field(default_factory=list, description="Names of the manifest files "
                             "written.")
    rows: int | None = Field(default=None, description="Rows of data written.")
    quality_score: float | None = Field(default=None, description="Score of the first quality "
                                        "run, when it ran.")


class RegistrationOut(_Model):
    """The outcome of a registration (or of its dry run)."""

    dry_run: bool = Field(description="True when nothing was published.")
    problems: list[str] = Field(description="Why it cannot be published as it is; empty when it "
                                "can.")
    findings: list[FindingOut] = Field(description="Governance findings of the review.")
    checks: list[CheckOut] = Field(description="Quality checks run on the uploaded data.")
    odps: dict[str, Any] = Field(description="The ODPS document that is (or would be) written.")
    odcs: dict[str, Any] = Field(description="The ODCS contract that is (or would be) written.")
    published: PublishedOut | None = Field(description="What was published; null for a dry run "
                                           "or when refused.")


class ImportForm(_Model):
    """The multipart form that imports ODCS/ODPS documents."""

    files: list[str] = Field(json_schema_extra={"items": {"type": "string",
                                                          "format": "binary"}},
                             description="One or more ODCS contracts (and optionally one ODPS "
                             "product document), as YAML files.")
    domain: str | None = Field(default=None, description="The domain, when no ODPS document "
                               "names it.")
    name: str | None = Field(default=None, description="The product's name, when no ODPS "
                             "document names it.")
    dry_run: bool = Field(default=False, description="true: validate only, publish nothing.")


class ProblemOut(_Model):
    """A problem found in an imported document."""

    file: str = Field(description="The file.")
    line: int | None = Field(description="1-based line, null when unknown.")
    field: str = Field(description="Dotted path of the field.")
    message: str = Field(description="What is wrong.")
    severity: str = Field(description="error or warning.")


class ImportOut(_Model):
    """The outcome of an import."""

    product_id: str = Field(description="The product the documents describe.")
    files: list[str] = Field(description="The files written (or that would be).")
    problems: list[str] = Field(description="What stops publishing (a dry run reports them; "
                                "otherwise they come back as an error).")
    warnings: list[ProblemOut] = Field(description="Problems that did not stop the import.")
    published: bool = Field(description="True when the product was published.")
    dry_run: bool = Field(description="True when nothing was published.")


class ApprovalIn(_Model):
    """A decision on a proposed data product."""

    approve: bool = Field(description="true approves it (status active); false sends it back "
                                      "to its team (status draft).")
    reason: str = Field(default="", max_length=2000,
                        description="Why it goes back; required to send back.")


class ApprovalOut(_Model):
    """An approval decision as recorded in the audit log."""

    product_id: str = Field(description="The product.")
    action: str = Field(description="product.approved or product.sent_back.")
    actor: str = Field(description="Who decided (user id).")
    at: str = Field(description="When (ISO 8601, UTC).")
    old_status: str = Field(description="Status before the decision.")
    new_status: str = Field(description="Status written to the product's manifest.")
