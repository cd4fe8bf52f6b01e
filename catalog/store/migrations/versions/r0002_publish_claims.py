"""Publish claims in the database: who is publishing which product id right now.

A claim held here is seen by every replica that shares the database, also where the mesh
folder's exclusive file creation cannot be trusted across machines.

Revision ID: r0002
Revises: r0001
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``publish_claims``."""
    op.create_table(
        "publish_claims",
        sa.Column("claim_key", sa.Text, primary_key=True,
                  comment="what is claimed, e.g. a product id"),
        sa.Column("holder", sa.Text, nullable=False,
                  comment="who holds it: host, process, random part"),
        sa.Column("taken_at", sa.Text, nullable=False,
                  comment="naive UTC ISO 8601 with microseconds"),
    )


def downgrade() -> None:
    """Drop ``publish_claims`` (claims held are forgotten)."""
    op.drop_table("publish_claims")
