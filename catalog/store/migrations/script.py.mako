"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

Statements are SQLAlchemy Core or alembic operations (``op``), never SQL text, so the step runs
on every adapter; on SQLite ``op.batch_alter_table`` is needed to change a column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    """What this step changes."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Undo :func:`upgrade`."""
    ${downgrades if downgrades else "pass"}
