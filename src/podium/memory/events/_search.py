"""Event search: background event embeddings and hybrid search over an actor's raw messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput
from podium.storage import rrf_scores

from .. import _tables as t
from .._models import EventHit
from .._validation import validate_actor_id, validate_max_results, validate_session_id

if TYPE_CHECKING:
    from podium.storage import Database

    from .._lookup import MemoryLookup

__all__ = ["EventSearch"]

_E = t.events


class EventSearch:
    """Event embedding and search operations over ``db``."""

    db: Database
    lookup: MemoryLookup

    def embed_pending_events(self, memory_id: str, limit: int = 256) -> int:
        """Fill up to ``limit`` missing event vectors of a memory; returns how many were embedded."""
        with self.db.connect() as conn:
            memory = self.lookup.load(conn, memory_id)
            rows = conn.execute(
                sa.select(_E.c.pk, _E.c.text)
                .where(_E.c.memory_id == memory_id, _E.c.embedding.is_(None))
                .order_by(_E.c.pk)
                .limit(limit)
            ).all()
        if not rows:
            return 0
        embedder = self.lookup.embedder(memory.embedding_model)
        texts = [r[1] for r in rows if r[1]]
        vectors = iter(embedder.embed(texts, kind="document") if texts else [])
        zero = np.zeros(embedder.dimension, dtype=np.float32)
        params = [
            {
                "b_pk": pk,
                "b_embedding": (next(vectors) if text else zero).astype(np.float32).tobytes(),
            }
            for pk, text in rows
        ]
        with self.db.begin() as conn:
            # Rows deleted meanwhile simply match nothing.
            conn.execute(
                _E.update()
                .where(_E.c.pk == sa.bindparam("b_pk"), _E.c.embedding.is_(None))
                .values(embedding=sa.bindparam("b_embedding")),
                params,
            )
        return len(params)

    def backfill_event_embeddings(self, max_memories: int = 8, limit: int = 64) -> int:
        """Embed up to ``limit`` missing event vectors in each of up to ``max_memories`` memories.

        The extraction worker's idle-time step; returns how many events were embedded.
        """
        with self.db.connect() as conn:
            ids = list(
                conn.execute(
                    sa.select(_E.c.memory_id)
                    .where(_E.c.embedding.is_(None))
                    .distinct()
                    .limit(max_memories)
                ).scalars()
            )
        return sum(self.embed_pending_events(mid, limit=limit) for mid in ids)

    def search_events(
        self,
        memory_id: str,
        actor_id: str,
        query: str,
        top_k: int = 10,
        session_id: str | None = None,
    ) -> list[EventHit]:
        """Hybrid search over an actor's raw messages ("which session did we talk about X?").

        BM25 and cosine rankings fused by RRF; events not embedded yet are found by keyword.
        """
        validate_actor_id(actor_id)
        if session_id is not None:
            validate_session_id(session_id)
        if not isinstance(query, str) or not query.strip():
            raise InvalidInput("query must be a non-empty string")
        validate_max_results(top_k)
        scope = f"{memory_id}|{actor_id}" + (f"|{session_id}" if session_id else "")
        pool = max(50, top_k * 5)
        with self.db.connect() as conn:
            memory = self.lookup.load(conn, memory_id)
            keyword = [pk for pk, _ in t.EVENTS_FTS.search(conn, [scope], query, pool)]
            conds = [
                _E.c.memory_id == memory_id,
                _E.c.actor_id == actor_id,
                _E.c.embedding.is_not(None),
            ]
            if session_id:
                conds.append(_E.c.session_id == session_id)
            vec_rows = conn.execute(sa.select(_E.c.pk, _E.c.embedding).where(*conds)).all()
            dense: list[int] = []
            if vec_rows:
                embedder = self.lookup.embedder(memory.embedding_model)
                q = embedder.embed([query], kind="query")[0]
                matrix = np.frombuffer(b"".join(r[1] for r in vec_rows), dtype=np.float32).reshape(
                    len(vec_rows), -1
                )
                scores = matrix @ q
                order = np.argsort(-scores, kind="stable")[:pool]
                dense = [int(vec_rows[i][0]) for i in order if scores[i] > 0]
            fused = rrf_scores([keyword, dense])
            best = sorted(fused, key=lambda pk: -fused[pk])[:top_k]
            if not best:
                return []
            rows = {
                r[0]: r
                for r in conn.execute(
                    sa.select(
                        _E.c.pk, _E.c.event_id, _E.c.session_id, _E.c.event_timestamp, _E.c.text
                    ).where(
                        _E.c.pk.in_(best), _E.c.memory_id == memory_id, _E.c.actor_id == actor_id
                    )
                )
            }
        return [
            EventHit(
                event_id=rows[pk][1],
                actor_id=actor_id,
                session_id=rows[pk][2],
                event_timestamp=rows[pk][3],
                text=rows[pk][4],
                score=round(fused[pk], 6),
            )
            for pk in best
            if pk in rows
        ]
