"""Runtime session leases: which gateway serves each live session (many gateways, one database).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.


def upgrade() -> None:
    op.create_table(
        "runtime_session_leases",
        sa.Column("session_id", sa.String(length=256), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("busy", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index(
        "ix_runtime_session_leases_holder", "runtime_session_leases", ["holder"], unique=False
    )
    op.create_index(
        "ix_runtime_session_leases_expires",
        "runtime_session_leases",
        ["expires_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_runtime_session_leases_expires", table_name="runtime_session_leases")
    op.drop_index("ix_runtime_session_leases_holder", table_name="runtime_session_leases")
    op.drop_table("runtime_session_leases")
