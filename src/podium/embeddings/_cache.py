"""An embedding cache in SQL keyed by (model_id, sha256(text)), so unchanged text is never re-embedded."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa

from ._base import Embedder, EmbedKind

if TYPE_CHECKING:
    from podium.storage import Database

__all__ = ["CachedEmbedder", "text_hash"]

_LOOKUP_CHUNK = 500


def text_hash(text: str) -> str:
    """The cache key of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEmbedder:
    """Wraps an embedder; document embeddings are read from and written to ``embedding_cache``.

    Query embeddings skip the cache: they are one-off and latency-bound.
    """

    def __init__(self, inner: Embedder, db: Database) -> None:
        self.inner = inner
        self._db = db
        self.misses = 0

    @property
    def model_id(self) -> str:
        """The wrapped model's id."""
        return self.inner.model_id

    @property
    def dimension(self) -> int:
        """The wrapped model's dimension."""
        return self.inner.dimension

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """The wrapped model's token spans."""
        return self.inner.token_spans(text)

    def embed(self, texts: Sequence[str], kind: EmbedKind = "document") -> np.ndarray:
        """Embed, serving document texts seen before from the cache."""
        if kind == "query" or not texts:
            return self.inner.embed(texts, kind)
        from podium.storage import schema

        table = schema.embedding_cache
        hashes = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = sorted(set(hashes))
        with self._db.connect() as conn:
            for start in range(0, len(unique), _LOOKUP_CHUNK):
                part = unique[start : start + _LOOKUP_CHUNK]
                rows = conn.execute(
                    sa.select(table.c.text_hash, table.c.vector).where(
                        table.c.model_id == self.model_id, table.c.text_hash.in_(part)
                    )
                )
                for h, blob in rows:
                    found[h] = np.frombuffer(blob, dtype=np.float32)
        missing_idx: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if h not in found and h not in missing_idx:
                missing_idx[h] = i
        if missing_idx:
            order = list(missing_idx.items())
            vectors = self.inner.embed([texts[i] for _, i in order], kind)
            self.misses += len(order)
            with self._db.begin() as conn:
                self._db.insert_ignore(
                    conn,
                    table,
                    [
                        {"model_id": self.model_id, "text_hash": h, "vector": v.tobytes()}
                        for (h, _), v in zip(order, vectors, strict=True)
                    ],
                )
            for (h, _), v in zip(order, vectors, strict=True):
                found[h] = v
        return np.stack([found[h] for h in hashes]).astype(np.float32, copy=False)
