"""Audit times in one text form: naive UTC with microseconds.

Audit events were stored with the time as each writer spelled it (``…Z``, ``…+00:00``, naive,
with or without microseconds) and filtered with SQLite's ``julianday``. Every ``at`` is
rewritten to ``YYYY-MM-DDTHH:MM:SS.ffffff`` (UTC), the form the store now writes, so comparing
the text compares the instants on every database. A value that is not a date and time is left
as it is (and logged).

Revision ID: r0003
Revises: r0002
Create Date: 2026-01-01
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None

logger = logging.getLogger(__name__)

_audit = sa.table("audit_log", sa.column("seq", sa.Integer), sa.column("at", sa.Text))
_BATCH = 1000


def _normal(text: str) -> str | None:
    """``text`` as naive UTC with microseconds; None when it is not a date and time."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def upgrade() -> None:
    """Rewrite every audit time that is not yet in the normal form, in batches by ``seq``."""
    bind = op.get_bind()
    after = -1
    while True:
        rows = bind.execute(sa.select(_audit.c.seq, _audit.c.at).where(_audit.c.seq > after)
                            .order_by(_audit.c.seq).limit(_BATCH)).all()
        if not rows:
            return
        changes = []
        for seq, at in rows:
            normal = _normal(at)
            if normal is None:
                logger.warning("audit event %s keeps its time %r: not a date and time", seq, at)
            elif normal != at:
                changes.append({"key": seq, "value": normal})
        if changes:
            bind.execute(sa.update(_audit).where(_audit.c.seq == sa.bindparam("key"))
                         .values(at=sa.bindparam("value")), changes)
        after = rows[-1][0]


def downgrade() -> None:
    """Nothing to undo: the normal form is a valid ISO 8601 time for every older release."""
