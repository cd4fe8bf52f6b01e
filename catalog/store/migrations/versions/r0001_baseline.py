"""Baseline: the operational store as it was before migrations were versioned (schema 3).

Creates the tables and indexes of schema version 3 (quality runs and check results, compliance
snapshots, the audit log, access requests and grants, API tokens) where they are missing, and
leaves existing ones as they are: a store made by an older release (schema 1, 2 or 3, with its
``meta`` table) is taken over with its rows, and a new database gets the whole schema. The
tables are defined here, frozen as they were, not imported from ``catalog.store.tables`` (which
describes the newest schema).

Revision ID: r0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
)

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

metadata = MetaData()

quality_runs = Table(
    "quality_runs", metadata,
    Column("run_id", Text, primary_key=True),
    Column("product_id", Text, nullable=False),
    Column("product_version", Text, nullable=False),
    Column("started_at", Text, nullable=False, comment="ISO 8601 UTC, when the run started"),
    Column("as_of", Text, nullable=False, comment="ISO 8601 UTC, the data cut-off the run saw"),
    Column("duration_s", Float, nullable=False, comment="seconds"),
    Column("trigger", Text, nullable=False, comment="portal | cli | history | registration"),
    Column("score", Float, comment="0..100, NULL when no check could be scored"),
    Column("summary_json", Text, nullable=False,
           comment="per-dimension pass rates and counts"),
    Index("quality_runs_product", "product_id", "as_of"),
)
"""One row per quality run of a product."""

check_results = Table(
    "check_results", metadata,
    Column("run_id", Text, ForeignKey("quality_runs.run_id", ondelete="CASCADE"),
           nullable=False),
    Column("check_id", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("result_json", Text, nullable=False),
    Column("status", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "check_id"),
)
"""One row per check of a run (deleted with its run)."""

compliance_snapshots = Table(
    "compliance_snapshots", metadata,
    Column("taken_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("product_id", Text, nullable=False),
    Column("domain", Text, nullable=False),
    Column("policy_id", Text, nullable=False),
    Column("passed", Integer, nullable=False, comment="1 passed, 0 violated"),
    PrimaryKeyConstraint("taken_at", "product_id", "policy_id"),
)
"""Governance policy outcomes per product, one set per snapshot time."""

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False, comment="naive UTC ISO 8601 with microseconds"),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False, comment="e.g. product.approved, access.granted"),
    Column("target", Text, nullable=False, comment="e.g. a product id"),
    Column("detail_json", Text, nullable=False),
    Index("audit_target", "target", "seq"),
    sqlite_autoincrement=True,
)
"""Who did what to what, when; append-only."""

access_requests = Table(
    "access_requests", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("requester", Text, nullable=False, comment="user id of the consumer asking"),
    Column("requester_name", Text, nullable=False),
    Column("product_id", Text, nullable=False),
    Column("ports_json", Text, nullable=False, comment="JSON list of output port names"),
    Column("columns_json", Text, nullable=False,
           comment="JSON list of sensitive columns asked for"),
    Column("purpose", Text, nullable=False),
    Column("duration_days", Integer, comment="days, NULL = permanent"),
    Column("status", Text, nullable=False, comment="pending | approved | denied | withdrawn"),
    Column("created_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("decided_by", Text),
    Column("decided_at", Text, comment="ISO 8601 UTC"),
    Column("note", Text, nullable=False, server_default=""),
    Index("access_requests_product", "product_id", "status"),
    Index("access_requests_requester", "requester", "status"),
    sqlite_autoincrement=True,
)
"""A consumer's request for output ports of one product."""

access_grants = Table(
    "access_grants", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("access_requests.id"), nullable=False),
    Column("consumer", Text, nullable=False, comment="user id of the grantee"),
    Column("consumer_name", Text, nullable=False),
    Column("product_id", Text, nullable=False),
    Column("port", Text, nullable=False, comment="one output port per grant"),
    Column("columns_json", Text, nullable=False,
           comment="JSON list of sensitive columns opened"),
    Column("starts_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("expires_at", Text, comment="ISO 8601 UTC, NULL = permanent"),
    Column("revoked_at", Text, comment="ISO 8601 UTC"),
    Column("revoked_by", Text),
    Column("note", Text, nullable=False, server_default=""),
    Index("access_grants_consumer", "consumer", "product_id"),
    Index("access_grants_product", "product_id", "port"),
    sqlite_autoincrement=True,
)
"""One approved output port of one request, for one consumer."""

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Text, primary_key=True, comment="public id, e.g. tok_3f9a0c1d2e4b5a69"),
    Column("secret_sha256", Text, nullable=False, unique=True,
           comment="hex SHA-256 of the secret (never the secret itself)"),
    Column("prefix", Text, nullable=False, comment="first characters of the secret"),
    Column("name", Text, nullable=False),
    Column("username", Text, nullable=False, comment="the owner's user id"),
    Column("display_name", Text, nullable=False),
    Column("email", Text, nullable=False, server_default=""),
    Column("groups_json", Text, nullable=False, server_default="[]",
           comment="JSON list of group names"),
    Column("local_mode", Integer, nullable=False, server_default="0",
           comment="1: created by the local-mode user"),
    Column("created_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("expires_at", Text, nullable=False, comment="ISO 8601 UTC"),
    Column("last_used_at", Text, comment="ISO 8601 UTC, updated at most once a minute"),
    Column("revoked_at", Text, comment="ISO 8601 UTC"),
    Column("revoked_by", Text),
    Index("api_tokens_owner", "username", "created_at"),
)
"""Personal API tokens (hash of the secret, owner snapshot)."""


def upgrade() -> None:
    """Create what is missing of schema 3 (tables with their indexes)."""
    metadata.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    """Drop every table of schema 3 (and their rows)."""
    metadata.drop_all(op.get_bind(), checkfirst=True)
