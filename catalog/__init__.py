"""Core library of the data mesh portal; this package's top level is its **public API**.

Every door of the portal — the Streamlit pages, the command line (``python -m catalog``), the
HTTP API and the MCP server — calls one :class:`Catalog` façade with the requesting
:class:`Principal`, and reads the result types listed in :data:`__all__`. Those doors import
only ``from catalog import …`` (a test enforces it for ``portal/``); the modules behind the
façade (engine, store, sandbox, manifests) are the core's own business.

Names are loaded on first use (:pep:`562`), so ``import catalog.sandbox`` stays cheap and the
package has no import cycles. Nothing in this package imports Streamlit.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> module that defines it. Add a name here when a door needs it.
_EXPORTS: dict[str, str] = {
    # the façade and who is asking
    "Catalog": "catalog.catalog",
    "ManifestFile": "catalog.catalog",
    "MeshSummary": "catalog.catalog",
    "Settings": "catalog.config",
    "Principal": "catalog.models.principal",
    "ANONYMOUS": "catalog.models.principal",
    "LOCAL_USER": "catalog.models.principal",
    "AdminConfig": "catalog.access.identity",
    "principal_for": "catalog.access.identity",
    # errors
    "CatalogError": "catalog.errors",
    "ManifestError": "catalog.errors",
    "ProductNotFound": "catalog.errors",
    "DomainNotFound": "catalog.errors",
    "PermissionDenied": "catalog.errors",
    "DataUnavailable": "catalog.errors",
    "InvalidRequest": "catalog.errors",
    "BuildError": "catalog.errors",
    "ApprovalRefused": "catalog.governance.approval",
    "GrantNotFound": "catalog.access.grants",
    "RequestNotFound": "catalog.access.grants",
    "LimitExceeded": "catalog.sandbox",
    "QueryFailed": "catalog.sandbox",
    "SandboxRefused": "catalog.sandbox",
    "StoreError": "catalog.store",
    "RegistrationError": "catalog.registration.errors",
    "PublishConflict": "catalog.registration.errors",
    "DocumentRejected": "catalog.interchange.reader",
    # registration
    "RegistrationAnswers": "catalog.registration.service",
    "RegistrationOutcome": "catalog.registration.service",
    "DataSource": "catalog.registration.sources",
    "PublishResult": "catalog.registration.publish",
    "UploadRejected": "catalog.registration.errors",
    "QueryRejected": "catalog.registration.errors",
    "PublishFailed": "catalog.registration.errors",
    "LocalCandidate": "catalog.registration.sources",
    "UPLOAD_SUFFIXES": "catalog.registration.sources",
    "Profile": "catalog.registration.profile",
    "ColumnProfile": "catalog.registration.profile",
    "Review": "catalog.registration.review",
    "VersionPlan": "catalog.registration.versions",
    "version_problems": "catalog.registration.versions",
    # the registration form (pure vocabulary; the use cases are Catalog methods)
    "RegistrationForm": "catalog.registration.forms",
    "Basics": "catalog.registration.forms",
    "PropertyForm": "catalog.registration.forms",
    "RuleForm": "catalog.registration.forms",
    "RuleKind": "catalog.registration.forms",
    "SlaForm": "catalog.registration.forms",
    "SourceKind": "catalog.registration.forms",
    "PRODUCT_TYPES": "catalog.registration.forms",
    "CLASSIFICATION_CHOICES": "catalog.registration.forms",
    "help_text": "catalog.registration.forms",
    "STEPS": "catalog.registration.steps",
    "STEP_TITLES": "catalog.registration.steps",
    "schema_problems": "catalog.registration.steps",
    "schema_warnings": "catalog.registration.steps",
    "sla_problems": "catalog.registration.steps",
    "sla_warnings": "catalog.registration.steps",
    "rules_problems": "catalog.registration.steps",
    "temporal_columns": "catalog.registration.steps",
    "registration_presentation": "catalog.registration.presentation",
    # owners edit a published product
    "ProductChanges": "catalog.editing.changes",
    "ColumnEdit": "catalog.editing.changes",
    "MemberEdit": "catalog.editing.changes",
    "SupportLink": "catalog.editing.changes",
    "ServiceLevel": "catalog.editing.changes",
    "QualityRule": "catalog.editing.changes",
    "FieldProblem": "catalog.editing.changes",
    "EditDraft": "catalog.editing.draft",
    "EDIT_CLASSIFICATIONS": "catalog.editing.changes",
    "EDIT_DIMENSIONS": "catalog.editing.changes",
    "EDIT_METRICS": "catalog.editing.changes",
    "EDIT_OPERATORS": "catalog.editing.changes",
    "EDIT_SEVERITIES": "catalog.editing.changes",
    "edit_rule_sentence": "catalog.editing.rules_view",
    # validation of manifests and policies (domain CI)
    "ImportOutcome": "catalog.registration.imports",
    "ExportFile": "catalog.interchange.exporter",
    "validate_paths": "catalog.validation",
    "ValidationOutcome": "catalog.validation",
    "Finding": "catalog.governance.model",
    # the mesh
    "DataProduct": "catalog.mesh",
    "Domain": "catalog.mesh",
    "OutputPortView": "catalog.mesh",
    "ManifestProblem": "catalog.mesh",
    "DataProductDocument": "catalog.models.odps",
    "InputPort": "catalog.models.odps",
    "OutputPort": "catalog.models.odps",
    "Team": "catalog.models.odps",
    "TeamMember": "catalog.models.odps",
    # search
    "FACETS": "catalog.search",
    "SearchQuery": "catalog.search",
    "SearchHit": "catalog.search",
    "SearchResult": "catalog.search",
    # data
    "Column": "catalog.engine",
    "ExtractFile": "catalog.extract_files",
    "ExtractJob": "catalog.extract_files",
    "ExtractRequest": "catalog.extracts",
    "ExtractPreview": "catalog.slices",
    "Coverage": "catalog.slices",
    "Gap": "catalog.slices",
    "FilterOp": "catalog.extracts",
    "RowFilter": "catalog.extracts",
    "parse_filter": "catalog.extracts",
    "FILTER_OPERATORS": "catalog.extracts",
    "MASK": "catalog.access.masking",
    # access
    "Action": "catalog.access.actions",
    "AccessRequest": "catalog.access.grants",
    "Grant": "catalog.access.grants",
    "MAX_DAYS": "catalog.access.grants",
    "MAX_PURPOSE": "catalog.access.grants",
    "MIN_PURPOSE": "catalog.access.grants",
    "PENDING": "catalog.access.grants",
    "RESTRICTED": "catalog.access.roles",
    "EXPIRY_WARNING_DAYS": "catalog.access.facade",
    # personal API tokens
    "NewToken": "catalog.access.tokens",
    "TokenInfo": "catalog.access.tokens",
    "TOKEN_DEFAULT_DAYS": "catalog.access.tokens",
    "TOKEN_MAX_DAYS": "catalog.access.tokens",
    "TOKEN_MAX_NAME": "catalog.access.tokens",
    "Unauthenticated": "catalog.errors",
    # quality
    "CheckResult": "catalog.quality.model",
    "QualityRun": "catalog.quality.model",
    "Verdict": "catalog.quality.verdict",
    "Status": "catalog.quality.model",
    "GRADES": "catalog.quality.scoring",
    "WEIGHTS": "catalog.quality.scoring",
    "quality_presentation": "catalog.quality.presentation",
    "QualityLine": "catalog.wording",
    "quality_lines": "catalog.wording",
    "sla_lines": "catalog.wording",
    "wording": "catalog.wording",
    "glossary": "catalog.glossary",
    "GLOSSARY": "catalog.glossary",
    "explain": "catalog.glossary",
    "explain_terms": "catalog.glossary",
    # governance
    "ComplianceReport": "catalog.governance.model",
    "PolicyResult": "catalog.governance.model",
    "MeshCompliance": "catalog.governance.evaluate",
    "MeshKpis": "catalog.governance.metrics",
    "governance_presentation": "catalog.governance.presentation",
    # the MCP door's HTTP endpoint, for the portal's server to mount
    "McpHttp": "catalog.mcp.http",
    "mcp_http": "catalog.mcp.http",
}

# Modules exported whole, under the name given (presentation helpers of result types).
_MODULES: dict[str, str] = {
    "quality_presentation": "catalog.quality.presentation",
    "governance_presentation": "catalog.governance.presentation",
    "wording": "catalog.wording",
    "glossary": "catalog.glossary",
    "registration_presentation": "catalog.registration.presentation",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public name on first use (:pep:`562`).

    Raises:
        AttributeError: ``name`` is not part of the public API.
    """
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'catalog' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if name in _MODULES else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (for completion and ``help``)."""
    return list(__all__)


if TYPE_CHECKING:  # the same names, for type checkers
    from catalog import glossary, wording
    from catalog.access.actions import Action
    from catalog.access.facade import EXPIRY_WARNING_DAYS
    from catalog.access.grants import (
        MAX_DAYS,
        MAX_PURPOSE,
        MIN_PURPOSE,
        PENDING,
        AccessRequest,
        Grant,
        GrantNotFound,
        RequestNotFound,
    )
    from catalog.access.identity import AdminConfig, principal_for
    from catalog.access.masking import MASK
    from catalog.access.roles import RESTRICTED
    from catalog.access.tokens import (
        TOKEN_DEFAULT_DAYS,
        TOKEN_MAX_DAYS,
        TOKEN_MAX_NAME,
        NewToken,
        TokenInfo,
    )
    from catalog.catalog import Catalog, ManifestFile, MeshSummary
    from catalog.config import Settings
    from catalog.editing.changes import (
        EDIT_CLASSIFICATIONS,
        EDIT_DIMENSIONS,
        EDIT_METRICS,
        EDIT_OPERATORS,
        EDIT_SEVERITIES,
        ColumnEdit,
        FieldProblem,
        MemberEdit,
        ProductChanges,
        QualityRule,
        ServiceLevel,
        SupportLink,
    )
    from catalog.editing.draft import EditDraft
    from catalog.editing.rules_view import edit_rule_sentence
    from catalog.engine import Column
    from catalog.errors import (
        BuildError,
        CatalogError,
        DataUnavailable,
        DomainNotFound,
        InvalidRequest,
        ManifestError,
        PermissionDenied,
        ProductNotFound,
        Unauthenticated,
    )
    from catalog.extract_files import ExtractFile, ExtractJob
    from catalog.extracts import (
        FILTER_OPERATORS,
        ExtractRequest,
        FilterOp,
        RowFilter,
        parse_filter,
    )
    from catalog.glossary import GLOSSARY, explain, explain_terms
    from catalog.governance import presentation as governance_presentation
    from catalog.governance.approval import ApprovalRefused
    from catalog.governance.evaluate import MeshCompliance
    from catalog.governance.metrics import MeshKpis
    from catalog.governance.model import ComplianceReport, Finding, PolicyResult
    from catalog.interchange.exporter import ExportFile
    from catalog.interchange.reader import DocumentRejected
    from catalog.mcp.http import McpHttp, mcp_http
    from catalog.mesh import DataProduct, Domain, ManifestProblem, OutputPortView
    from catalog.models.odps import DataProductDocument, InputPort, OutputPort, Team, TeamMember
    from catalog.models.principal import ANONYMOUS, LOCAL_USER, Principal
    from catalog.quality import presentation as quality_presentation
    from catalog.quality.model import CheckResult, QualityRun, Status
    from catalog.quality.scoring import GRADES, WEIGHTS
    from catalog.quality.verdict import Verdict
    from catalog.registration import presentation as registration_presentation
    from catalog.registration.errors import (
        PublishConflict,
        PublishFailed,
        QueryRejected,
        RegistrationError,
        UploadRejected,
    )
    from catalog.registration.forms import (
        CLASSIFICATION_CHOICES,
        PRODUCT_TYPES,
        Basics,
        PropertyForm,
        RegistrationForm,
        RuleForm,
        RuleKind,
        SlaForm,
        SourceKind,
        help_text,
    )
    from catalog.registration.imports import ImportOutcome
    from catalog.registration.profile import ColumnProfile, Profile
    from catalog.registration.publish import PublishResult
    from catalog.registration.review import Review
    from catalog.registration.service import RegistrationAnswers, RegistrationOutcome
    from catalog.registration.sources import UPLOAD_SUFFIXES, DataSource, LocalCandidate
    from catalog.registration.steps import (
        STEP_TITLES,
        STEPS,
        rules_problems,
        schema_problems,
        schema_warnings,
        sla_problems,
        sla_warnings,
        temporal_columns,
    )
    from catalog.registration.versions import VersionPlan, version_problems
    from catalog.sandbox import LimitExceeded, QueryFailed, SandboxRefused
    from catalog.search import FACETS, SearchHit, SearchQuery, SearchResult
    from catalog.slices import Coverage, ExtractPreview, Gap
    from catalog.store import StoreError
    from catalog.validation import Outcome as ValidationOutcome
    from catalog.validation import validate_paths
    from catalog.wording import QualityLine, quality_lines, sla_lines
