"""SQLAlchemy Core schema: the one system of record (SQLite embedded, PostgreSQL scaled).

Tables are defined once here and created by Alembic migrations in ``migrations/versions``.
Timestamps are Unix epoch seconds (float): portable, exact and cheap to compare.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ._pgvector import EmbeddingType

__all__ = [
    "JSONType",
    "access_keys",
    "aws_ingestion_jobs",
    "aws_knowledge_bases",
    "bucket_vectors",
    "chunks",
    "data_sources",
    "documents",
    "embedding_cache",
    "idp_documents",
    "ingestion_jobs",
    "knowledge_bases",
    "metadata",
    "runtime_session_leases",
    "runtime_sessions",
    "vector_buckets",
    "vector_indexes",
]

metadata = sa.MetaData()

#: JSON everywhere, JSONB on PostgreSQL (indexable, ``@>`` containment for filters).
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

knowledge_bases = sa.Table(
    "knowledge_bases",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("embedding_model", sa.String(200), nullable=False),
    sa.Column("dimension", sa.Integer, nullable=False),
    sa.Column("chunking", JSONType, nullable=False),
    sa.Column("record_format", JSONType, nullable=True),
    # Bumped on every content change: in-process vector indexes reload when it moves.
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

data_sources = sa.Table(
    "data_sources",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "kb_id",
        sa.String(36),
        sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(500), nullable=False),
    sa.Column("config", JSONType, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("kb_id", "name", name="uq_data_sources_kb_name"),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "kb_id",
        sa.String(36),
        sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "source_id",
        sa.String(36),
        sa.ForeignKey("data_sources.id", ondelete="CASCADE"),
        nullable=True,
    ),
    sa.Column("uri", sa.String(2000), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.Column("chunk_count", sa.Integer, nullable=False, default=0),
    # The ingestion job that last wrote or counted this document: lets a resumed job skip it.
    sa.Column("seen_job_id", sa.String(36), nullable=True),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.UniqueConstraint("kb_id", "uri", name="uq_documents_kb_uri"),
)
sa.Index("ix_documents_source", documents.c.source_id)

chunks = sa.Table(
    "chunks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "kb_id",
        sa.String(36),
        sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("token_count", sa.Integer, nullable=False),
    # Hierarchical chunking: children are searched, their parent's text is returned.
    sa.Column(
        "parent_id", sa.Integer, sa.ForeignKey("chunks.id", ondelete="CASCADE"), nullable=True
    ),
    sa.Column("searchable", sa.Boolean, nullable=False, default=True),
    sa.Column("metadata", JSONType, nullable=False),
    # float32 bytes; a pgvector ``vector`` on PostgreSQL (migration 0009, see ``_pgvector``).
    sa.Column("embedding", EmbeddingType, nullable=True),
)
sa.Index("ix_chunks_kb_searchable", chunks.c.kb_id, chunks.c.searchable)
sa.Index("ix_chunks_document", chunks.c.document_id)

ingestion_jobs = sa.Table(
    "ingestion_jobs",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column(
        "kb_id",
        sa.String(36),
        sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column(
        "source_id",
        sa.String(36),
        sa.ForeignKey("data_sources.id", ondelete="CASCADE"),
        nullable=True,
    ),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("stats", JSONType, nullable=False),
    sa.Column("failures", JSONType, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float, nullable=True),
)
sa.Index("ix_ingestion_jobs_kb_status", ingestion_jobs.c.kb_id, ingestion_jobs.c.status)

embedding_cache = sa.Table(
    "embedding_cache",
    metadata,
    sa.Column("model_id", sa.String(200), primary_key=True),
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

#: Who owns each runtime session id (the gateway's); it outlives the session and the gateway,
#: so a session id can never be taken over by another actor, not even after a restart.
runtime_sessions = sa.Table(
    "runtime_sessions",
    metadata,
    sa.Column("session_id", sa.String(256), primary_key=True),
    sa.Column("actor_id", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_used_at", sa.Float, nullable=False),
)
sa.Index("ix_runtime_sessions_last_used", runtime_sessions.c.last_used_at)

#: Which gateway process serves each live runtime session (a lease, renewed while the gateway
#: lives): one worker per session cluster-wide, one invocation at a time. ``epoch`` moves each
#: time another gateway takes the session, so a gateway notices that its worker is stale.
runtime_session_leases = sa.Table(
    "runtime_session_leases",
    metadata,
    sa.Column("session_id", sa.String(256), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=False),
    sa.Column("epoch", sa.Integer, nullable=False),
    sa.Column("busy", sa.Boolean, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
sa.Index("ix_runtime_session_leases_holder", runtime_session_leases.c.holder)
sa.Index("ix_runtime_session_leases_expires", runtime_session_leases.c.expires_at)

#: AWS-style access keys for the SigV4-signed endpoints (``podium keys``). The secret must be
#: kept (SigV4 verification recomputes the HMAC with it); the database file is private (0600).
#: ``actor_pattern`` (a glob, ``*`` for every actor) limits whose events and records the key
#: may touch, like AgentCore's ``actorId`` IAM condition key.
access_keys = sa.Table(
    "access_keys",
    metadata,
    sa.Column("access_key_id", sa.String(32), primary_key=True),
    sa.Column("secret_access_key", sa.String(64), nullable=False),
    sa.Column("actor_pattern", sa.String(255), nullable=False),
    sa.Column("description", sa.String(255), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: S3 Vectors-style vector buckets (the ``s3vectors`` endpoint; ``podium.vectors``).
vector_buckets = sa.Table(
    "vector_buckets",
    metadata,
    sa.Column("name", sa.String(63), primary_key=True),
    sa.Column("encryption", JSONType, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

#: A bucket's vector indexes. The surrogate ``id`` keys the vectors and the in-memory snapshots,
#: so an index deleted and re-created under the same name never sees the old one's cache.
vector_indexes = sa.Table(
    "vector_indexes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "bucket_name",
        sa.String(63),
        sa.ForeignKey("vector_buckets.name", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(63), nullable=False),
    sa.Column("data_type", sa.String(16), nullable=False),
    sa.Column("dimension", sa.Integer, nullable=False),
    sa.Column("distance_metric", sa.String(16), nullable=False),
    sa.Column("non_filterable_keys", JSONType, nullable=False),
    sa.Column("encryption", JSONType, nullable=False),
    # Bumped on every write to the index's vectors: in-memory snapshots reload when it moves.
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.UniqueConstraint("bucket_name", "name", name="uq_vector_indexes_bucket_name"),
)

#: One vector of an index: float32 bytes (little-endian) and its metadata document.
#: ``segment_hash`` (CRC-32 of the key) splits ListVectors into segments in SQL.
bucket_vectors = sa.Table(
    "bucket_vectors",
    metadata,
    sa.Column(
        "index_id",
        sa.Integer,
        sa.ForeignKey("vector_indexes.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key", sa.String(1024), primary_key=True),
    sa.Column("segment_hash", sa.BigInteger, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("metadata", JSONType, nullable=True),
)

#: What a ``bedrock-agent`` CreateKnowledgeBase asked for beyond Podium's own KB columns: the
#: role, the vector and storage configurations (recorded and echoed; Podium's engine holds the
#: vectors), the requested embedding model ARN, tags. One row per KB made through that API.
aws_knowledge_bases = sa.Table(
    "aws_knowledge_bases",
    metadata,
    sa.Column(
        "kb_id",
        sa.String(36),
        sa.ForeignKey("knowledge_bases.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("config", JSONType, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)

#: The description a ``bedrock-agent`` StartIngestionJob gave its job.
aws_ingestion_jobs = sa.Table(
    "aws_ingestion_jobs",
    metadata,
    sa.Column(
        "job_id",
        sa.String(36),
        sa.ForeignKey("ingestion_jobs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("description", sa.String(200), nullable=True),
)

#: The dev issuer's state in scaled mode (PostgreSQL): one JSON document per ``name`` ("keys":
#: the signing keys with their private PEMs; "users": users.json), so that every process on the
#: database signs and checks with the same keys and users. ``version`` grows with each write, so
#: a reader re-reads the document only when it changed.
idp_documents = sa.Table(
    "idp_documents",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
