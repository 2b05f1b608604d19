"""Vector buckets, their indexes and vectors for the S3 Vectors-compatible endpoint.

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The DDL is frozen here (not imported from the live tables), so this revision creates the same
# schema whatever the code later becomes; schema changes get a new revision.
_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "vector_buckets",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("encryption", _JSON, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "vector_indexes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bucket_name", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("data_type", sa.String(length=16), nullable=False),
        sa.Column("dimension", sa.Integer(), nullable=False),
        sa.Column("distance_metric", sa.String(length=16), nullable=False),
        sa.Column("non_filterable_keys", _JSON, nullable=False),
        sa.Column("encryption", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["bucket_name"], ["vector_buckets.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bucket_name", "name", name="uq_vector_indexes_bucket_name"),
    )
    op.create_table(
        "bucket_vectors",
        sa.Column("index_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=1024), nullable=False),
        sa.Column("segment_hash", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", _JSON, nullable=True),
        sa.ForeignKeyConstraint(["index_id"], ["vector_indexes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("index_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("bucket_vectors")
    op.drop_table("vector_indexes")
    op.drop_table("vector_buckets")
