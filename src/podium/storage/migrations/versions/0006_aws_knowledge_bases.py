"""What the bedrock-agent API records about knowledge bases and ingestion jobs.

Revision ID: 0006
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "aws_knowledge_bases",
        sa.Column("kb_id", sa.String(length=36), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["kb_id"], ["knowledge_bases.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kb_id"),
    )
    op.create_table(
        "aws_ingestion_jobs",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["ingestion_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id"),
    )


def downgrade() -> None:
    op.drop_table("aws_ingestion_jobs")
    op.drop_table("aws_knowledge_bases")
