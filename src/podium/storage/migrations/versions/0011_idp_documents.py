"""The dev issuer's signing keys and users in the database (scaled mode).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.


def upgrade() -> None:
    op.create_table(
        "idp_documents",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("idp_documents")
