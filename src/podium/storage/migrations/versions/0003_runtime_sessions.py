"""Runtime sessions: the owner of every runtime session id the gateway has served.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.


def upgrade() -> None:
    op.create_table(
        "runtime_sessions",
        sa.Column("session_id", sa.String(length=256), nullable=False),
        sa.Column("actor_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_used_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index(
        "ix_runtime_sessions_last_used", "runtime_sessions", ["last_used_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_runtime_sessions_last_used", table_name="runtime_sessions")
    op.drop_table("runtime_sessions")
