"""Vector buckets, indexes and vectors in SQL, with exact search over in-memory snapshots.

Tables ``vector_buckets``, ``vector_indexes`` and ``bucket_vectors`` (migration 0007) hold
everything; a vector is its key, its float32 bytes (little-endian) and its metadata document.
Every write to an index's vectors bumps the index's ``version`` in the same transaction, so
the in-memory snapshot a query scans is rebuilt after any write, from any process.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import exc

from podium.errors import Conflict, InvalidInput, NotFound, UsageError

from ._models import (
    DISTANCE_METRICS,
    LIMITS,
    Index,
    StoredVector,
    VectorBucket,
    check_bucket_name,
    check_index_name,
)
from ._search import IndexSnapshot, SnapshotCache, new_snapshot_cache, search

if TYPE_CHECKING:
    from podium.storage import Database

__all__ = ["QuotaExceeded", "VectorStore"]

_DTYPE = np.dtype("<f4")
_DEFAULT_ENCRYPTION = {"sseType": "AES256"}


class QuotaExceeded(UsageError):
    """A bucket or index count limit was reached (S3 Vectors' ServiceQuotaExceededException)."""

    code = "ServiceQuotaExceededException"
    http_status = 402


def _tables() -> Any:
    from podium.storage import schema

    return schema


def _bucket(row: Any) -> VectorBucket:
    return VectorBucket(
        name=row.name, created_at=row.created_at, encryption=dict(row.encryption or {})
    )


def _index(row: Any) -> Index:
    return Index(
        id=row.id,
        bucket_name=row.bucket_name,
        name=row.name,
        data_type=row.data_type,
        dimension=row.dimension,
        distance_metric=row.distance_metric,
        non_filterable_keys=tuple(row.non_filterable_keys or ()),
        encryption=dict(row.encryption or {}),
        created_at=row.created_at,
        version=row.version,
    )


def _vector(row: Any, *, data: bool = True, metadata: bool = True) -> StoredVector:
    return StoredVector(
        key=row.key,
        data=np.frombuffer(row.data, dtype=_DTYPE) if data else np.zeros(0, dtype=np.float32),
        metadata=(dict(row.metadata) if row.metadata is not None else None) if metadata else None,
    )


def _segment_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


class VectorStore:
    """Vector buckets and their indexes over one database."""

    def __init__(self, db: Database, *, snapshots: SnapshotCache | None = None) -> None:
        self.db = db
        self.snapshots = snapshots if snapshots is not None else new_snapshot_cache()

    # -------------------------------------------------------------------------------- buckets

    def create_bucket(self, name: str, *, encryption: dict[str, Any] | None = None) -> VectorBucket:
        """A new bucket; Conflict if one has this name, QuotaExceeded past the bucket limit."""
        t = _tables().vector_buckets
        bucket = VectorBucket(
            name=check_bucket_name(name),
            created_at=time.time(),
            encryption=dict(encryption or _DEFAULT_ENCRYPTION),
        )
        try:
            with self.db.begin() as conn:
                if conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() >= (
                    LIMITS.buckets
                ):
                    raise QuotaExceeded(f"at most {LIMITS.buckets} vector buckets are allowed")
                conn.execute(
                    t.insert().values(
                        name=bucket.name, encryption=bucket.encryption, created_at=bucket.created_at
                    )
                )
        except exc.IntegrityError:
            raise Conflict(f"A vector bucket named {name!r} already exists") from None
        return bucket

    def get_bucket(self, name: str) -> VectorBucket:
        """The bucket ``name``; NotFound if there is none."""
        t = _tables().vector_buckets
        with self.db.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.name == name)).first()
        if row is None:
            raise NotFound(f"The vector bucket {name!r} does not exist")
        return _bucket(row)

    def list_buckets(
        self, *, prefix: str | None = None, after: str | None = None, limit: int = LIMITS.list_page
    ) -> tuple[list[VectorBucket], bool]:
        """Buckets by name (after ``after``, starting with ``prefix``); and whether more follow."""
        t = _tables().vector_buckets
        query = sa.select(t).order_by(t.c.name).limit(limit + 1)
        if prefix:
            query = query.where(t.c.name.startswith(prefix, autoescape=True))
        if after is not None:
            query = query.where(t.c.name > after)
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
        return [_bucket(r) for r in rows[:limit]], len(rows) > limit

    def delete_bucket(self, name: str) -> None:
        """Delete an empty bucket; NotFound if none, Conflict while it still has indexes."""
        s = _tables()
        with self.db.begin() as conn:
            if (
                conn.execute(
                    sa.select(s.vector_buckets.c.name).where(s.vector_buckets.c.name == name)
                ).first()
                is None
            ):
                raise NotFound(f"The vector bucket {name!r} does not exist")
            has_index = conn.execute(
                sa.select(s.vector_indexes.c.id).where(s.vector_indexes.c.bucket_name == name)
            ).first()
            if has_index is not None:
                raise Conflict(f"The vector bucket {name!r} is not empty: delete its indexes first")
            conn.execute(s.vector_buckets.delete().where(s.vector_buckets.c.name == name))

    # -------------------------------------------------------------------------------- indexes

    def create_index(
        self,
        bucket: str,
        name: str,
        *,
        dimension: int,
        distance_metric: str,
        data_type: str = "float32",
        non_filterable_keys: Sequence[str] = (),
        encryption: dict[str, Any] | None = None,
    ) -> Index:
        """A new index in ``bucket`` (NotFound without the bucket, Conflict on a taken name)."""
        check_index_name(name)
        if data_type != "float32":
            raise InvalidInput(f"Invalid dataType {data_type!r}: only float32 is supported")
        if distance_metric not in DISTANCE_METRICS:
            raise InvalidInput(f"Invalid distanceMetric {distance_metric!r}")
        if not 1 <= dimension <= LIMITS.max_dimension:
            raise InvalidInput(f"Invalid dimension {dimension}: 1 to {LIMITS.max_dimension}")
        keys = list(dict.fromkeys(non_filterable_keys))
        if len(keys) > LIMITS.non_filterable_keys:
            raise InvalidInput(
                f"At most {LIMITS.non_filterable_keys} non-filterable metadata keys are allowed"
            )
        s = _tables()
        created = time.time()
        try:
            with self.db.begin() as conn:
                found = conn.execute(
                    sa.select(s.vector_buckets).where(s.vector_buckets.c.name == bucket)
                ).first()
                if found is None:
                    raise NotFound(f"The vector bucket {bucket!r} does not exist")
                count = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(s.vector_indexes)
                    .where(s.vector_indexes.c.bucket_name == bucket)
                ).scalar_one()
                if count >= LIMITS.indexes_per_bucket:
                    raise QuotaExceeded(
                        f"at most {LIMITS.indexes_per_bucket} indexes are allowed per bucket"
                    )
                index_id = conn.execute(
                    s.vector_indexes.insert().values(
                        bucket_name=bucket,
                        name=name,
                        data_type=data_type,
                        dimension=dimension,
                        distance_metric=distance_metric,
                        non_filterable_keys=keys,
                        encryption=dict(encryption or found.encryption or _DEFAULT_ENCRYPTION),
                        version=0,
                        created_at=created,
                    )
                ).inserted_primary_key
                assert index_id is not None
                row = conn.execute(
                    sa.select(s.vector_indexes).where(s.vector_indexes.c.id == index_id[0])
                ).one()
        except exc.IntegrityError:
            raise Conflict(
                f"A vector index named {name!r} already exists in the bucket {bucket!r}"
            ) from None
        return _index(row)

    def get_index(self, bucket: str, name: str) -> Index:
        """The index ``name`` of ``bucket``; NotFound if either is missing."""
        with self.db.connect() as conn:
            return self._index_in(conn, bucket, name)

    def _index_in(self, conn: sa.Connection, bucket: str, name: str) -> Index:
        t = _tables().vector_indexes
        row = conn.execute(sa.select(t).where(t.c.bucket_name == bucket, t.c.name == name)).first()
        if row is None:
            self._require_bucket(conn, bucket)
            raise NotFound(f"The vector index {name!r} does not exist in the bucket {bucket!r}")
        return _index(row)

    def _require_bucket(self, conn: sa.Connection, bucket: str) -> None:
        t = _tables().vector_buckets
        if conn.execute(sa.select(t.c.name).where(t.c.name == bucket)).first() is None:
            raise NotFound(f"The vector bucket {bucket!r} does not exist")

    def list_indexes(
        self,
        bucket: str,
        *,
        prefix: str | None = None,
        after: str | None = None,
        limit: int = LIMITS.list_page,
    ) -> tuple[list[Index], bool]:
        """The bucket's indexes by name (NotFound without the bucket); and whether more follow."""
        t = _tables().vector_indexes
        query = sa.select(t).where(t.c.bucket_name == bucket).order_by(t.c.name).limit(limit + 1)
        if prefix:
            query = query.where(t.c.name.startswith(prefix, autoescape=True))
        if after is not None:
            query = query.where(t.c.name > after)
        with self.db.connect() as conn:
            self._require_bucket(conn, bucket)
            rows = conn.execute(query).all()
        return [_index(r) for r in rows[:limit]], len(rows) > limit

    def delete_index(self, bucket: str, name: str) -> None:
        """Delete an index and its vectors; NotFound if it is missing."""
        t = _tables().vector_indexes
        with self.db.begin() as conn:
            index = self._index_in(conn, bucket, name)
            conn.execute(t.delete().where(t.c.id == index.id))
        self.snapshots.forget(index.id)

    # -------------------------------------------------------------------------------- vectors

    def _bump(self, conn: sa.Connection, index: Index) -> None:
        t = _tables().vector_indexes
        result = conn.execute(t.update().where(t.c.id == index.id).values(version=t.c.version + 1))
        if not result.rowcount:
            raise NotFound(
                f"The vector index {index.name!r} does not exist in the bucket "
                f"{index.bucket_name!r}"
            )

    def put_vectors(
        self, index: Index, vectors: Iterable[tuple[str, np.ndarray, dict[str, Any] | None]]
    ) -> None:
        """Insert or replace vectors (key, float32 data, metadata); a repeated key: last wins."""
        t = _tables().bucket_vectors
        latest = {key: (data, metadata) for key, data, metadata in vectors}
        rows = [
            {
                "index_id": index.id,
                "key": key,
                "segment_hash": _segment_hash(key),
                "data": np.asarray(data, dtype=_DTYPE).tobytes(),
                "metadata": metadata,
            }
            for key, (data, metadata) in latest.items()
        ]
        if not rows:
            return
        with self.db.begin() as conn:
            self._bump(conn, index)
            conn.execute(t.delete().where(t.c.index_id == index.id, t.c.key.in_(list(latest))))
            conn.execute(t.insert(), rows)

    def get_vectors(
        self, index: Index, keys: Sequence[str], *, data: bool = True, metadata: bool = True
    ) -> list[StoredVector]:
        """The vectors with these keys that exist, in the order asked (each key once)."""
        t = _tables().bucket_vectors
        wanted = list(dict.fromkeys(keys))
        with self.db.connect() as conn:
            rows = conn.execute(
                sa.select(t).where(t.c.index_id == index.id, t.c.key.in_(wanted))
            ).all()
        found = {r.key: r for r in rows}
        return [_vector(found[k], data=data, metadata=metadata) for k in wanted if k in found]

    def delete_vectors(self, index: Index, keys: Sequence[str]) -> None:
        """Delete the vectors with these keys (keys that do not exist are ignored)."""
        t = _tables().bucket_vectors
        with self.db.begin() as conn:
            self._bump(conn, index)
            conn.execute(t.delete().where(t.c.index_id == index.id, t.c.key.in_(list(keys))))

    def list_vectors(
        self,
        index: Index,
        *,
        after: str | None = None,
        limit: int = LIMITS.list_page,
        segment: tuple[int, int] | None = None,
        data: bool = False,
        metadata: bool = False,
    ) -> tuple[list[StoredVector], bool]:
        """Vectors by key after ``after`` (in segment ``(i, n)`` if given); and whether more."""
        t = _tables().bucket_vectors
        query = sa.select(t).where(t.c.index_id == index.id).order_by(t.c.key).limit(limit + 1)
        if after is not None:
            query = query.where(t.c.key > after)
        if segment is not None:
            position, count = segment
            query = query.where(t.c.segment_hash % count == position)
        with self.db.connect() as conn:
            rows = conn.execute(query).all()
        return [_vector(r, data=data, metadata=metadata) for r in rows[:limit]], len(rows) > limit

    def query(
        self,
        index: Index,
        vector: np.ndarray,
        k: int,
        *,
        filter: Any = None,
        metadata: bool = False,
    ) -> list[tuple[StoredVector, float]]:
        """The ``k`` nearest vectors that match ``filter``, nearest first, with distances."""
        with self.db.connect() as conn:
            current = self._index_in(conn, index.bucket_name, index.name)
            snapshot = self.snapshots.get(
                current.id, current.version, lambda: self._load(conn, current)
            )
        # An empty filter document filters nothing (as an absent one).
        mask = None
        if filter is not None and filter != {}:
            mask = snapshot.mask(filter, current.non_filterable_keys)
        hits = search(snapshot, vector, k, mask=mask)
        return [
            (
                StoredVector(
                    key=snapshot.keys[row],
                    data=snapshot.matrix[row],
                    metadata=(snapshot.metadata[row] or None) if metadata else None,
                ),
                distance,
            )
            for row, distance in hits
        ]

    def _load(self, conn: sa.Connection, index: Index) -> IndexSnapshot:
        t = _tables().bucket_vectors
        rows = conn.execute(
            sa.select(t.c.key, t.c.data, t.c.metadata)
            .where(t.c.index_id == index.id)
            .order_by(t.c.key)
        ).all()
        matrix = (
            np.frombuffer(b"".join(r.data for r in rows), dtype=_DTYPE)
            .reshape(len(rows), index.dimension)
            .astype(np.float32)
        )
        return IndexSnapshot.build(
            keys=[r.key for r in rows],
            matrix=matrix,
            metadata=[dict(r.metadata) if r.metadata is not None else {} for r in rows],
            metric=index.distance_metric,
        )
