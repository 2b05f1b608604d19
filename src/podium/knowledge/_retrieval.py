"""Retrieval: dense + keyword (BM25) fused, with Bedrock-style metadata filters.

Candidates come from :mod:`._candidates`: an exact in-memory scan on SQLite, pgvector HNSW and
SQL filters on PostgreSQL; fusion, boosts and MMR are the same on both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa

from podium.errors import InvalidInput, NotFound
from podium.storage import ann_path, convex, schema, vector_index
from podium.storage import mmr as mmr_select

from ._candidates import CHUNK_ID_KEY, SOURCE_URI_KEY, SnapshotView, SqlView, result_metadata
from ._models import RetrievalResult, SearchType
from ._snapshot import Snapshot
from .filters import canonical_filter, compile_filter, parse_filter

if TYPE_CHECKING:
    from ._context import KnowledgeContext

__all__ = ["CHUNK_ID_KEY", "SOURCE_URI_KEY", "Retriever", "parse_search_type"]

_View = SnapshotView | SqlView

#: Candidates taken from each ranker before fusion.
_CANDIDATES = 50
#: HYBRID = sigmoid(w·z(dense) + (1-w)·z(bm25)). Chosen over RRF (k=10/60/100), DBSF and min-max
#: convex fusion by ``benchmarks/fusion_compare.py`` on SciFact (see docs/knowledge-bases.md).
_DENSE_WEIGHT = 0.5
_MASK_CACHE = 64
_LOAD_BATCH = 10_000
_KEYWORD_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="podium-bm25")


def parse_search_type(value: SearchType | str) -> SearchType:
    """Accept enum members or case-insensitive names."""
    try:
        return value if isinstance(value, SearchType) else SearchType(str(value).upper())
    except ValueError:
        raise InvalidInput(
            f"search_type must be one of HYBRID, SEMANTIC, KEYWORD, got {value!r}"
        ) from None


class Retriever:
    """Hybrid retrieval over one knowledge base."""

    def __init__(self, context: KnowledgeContext) -> None:
        self.context = context

    def _current_version(self, conn: sa.Connection) -> int:
        kb = schema.knowledge_bases
        version = conn.execute(
            sa.select(kb.c.version).where(kb.c.id == self.context.kb_id)
        ).scalar()
        if version is None:
            raise NotFound(f"knowledge base {self.context.kb_name!r} no longer exists")
        return int(version)

    def snapshot(self, conn: sa.Connection) -> Snapshot:
        """The in-memory index, reloaded from SQL when the KB's version has moved."""
        version = self._current_version(conn)
        return self.context.snapshots.get(self.context.kb_id, version, lambda: self._load(conn))

    def _load(self, conn: sa.Connection) -> Snapshot:
        c, d = schema.chunks, schema.documents
        # Metadata comes as its stored JSON text, parsed once per distinct text: a document's
        # chunks share theirs, and parsing every row was half of a 100k-chunk reload. Rows are
        # read in batches from the driver's cursor: a SQLAlchemy Row per chunk, read three times
        # over, cost more than the query itself, and a batch keeps one slice of rows alive.
        result = conn.execute(
            sa.select(c.c.id, c.c.embedding, sa.type_coerce(c.c.metadata, sa.Text), d.c.uri)
            .join(d, d.c.id == c.c.document_id)
            .where(c.c.kb_id == self.context.kb_id, c.c.searchable.is_(True))
            .order_by(c.c.id)
        )
        parsed: dict[str, Any] = {}
        ids: list[int] = []
        blobs = bytearray()
        metadata: list[dict[str, Any]] = []
        # SQLite's driver rows need no processing (the embedding is a BLOB, the metadata text);
        # the snapshot serves SQLite only, but another dialect's rows would still unpack.
        source = result.cursor if self.context.db.dialect == "sqlite" else result
        try:
            while batch := source.fetchmany(_LOAD_BATCH):
                for cid, embedding, meta, uri in batch:
                    ids.append(cid)
                    blobs += embedding
                    metadata.append(result_metadata(_parsed(parsed, meta), uri, cid))
        finally:
            result.close()
        dim = self.context.info.dimension
        id_array = np.array(ids, dtype=np.int64)
        matrix = np.frombuffer(blobs, dtype=np.float32).reshape(-1, dim)
        matrix.flags.writeable = False  # shared by every query of the snapshot, as bytes were
        return Snapshot(
            ids=id_array,
            positions={cid: p for p, cid in enumerate(ids)},
            vectors=vector_index(
                matrix,
                id_array,
                path=ann_path(self.context.db.url, f"kb-{self.context.kb_id}"),
                threshold=self.context.ann_threshold,
            ),
            metadata=metadata,
        )

    def _mask(self, snap: Snapshot, flt: dict[str, Any] | str | None) -> np.ndarray | None:
        if flt is None or flt == {}:
            return None
        parsed = parse_filter(flt)
        key = canonical_filter(parsed)
        with snap.lock:
            cached = snap.masks.get(key)
            if cached is not None:
                snap.masks.move_to_end(key)
                return cached
        predicate = compile_filter(parsed)
        mask = np.fromiter(
            (predicate(m) for m in snap.metadata), dtype=bool, count=len(snap.metadata)
        )
        with snap.lock:
            snap.masks[key] = mask
            while len(snap.masks) > _MASK_CACHE:
                snap.masks.popitem(last=False)
        return mask

    def retrieve(
        self,
        query: str,
        *,
        number_of_results: int,
        search_type: SearchType | str,
        filter: dict[str, Any] | str | None,
        mmr: bool,
        boost: Callable[[dict[str, Any]], float] | None,
    ) -> list[RetrievalResult]:
        """Top chunks for ``query``; see ``KnowledgeBase.retrieve``."""
        if not isinstance(query, str) or not query.strip():
            raise InvalidInput("query must be a non-empty string")
        if len(query) > 20_000:
            raise InvalidInput("query is longer than 20000 characters")
        if not isinstance(number_of_results, int) or not 1 <= number_of_results <= 100:
            raise InvalidInput(
                f"number_of_results must be between 1 and 100, got {number_of_results!r}"
            )
        kind = parse_search_type(search_type)
        pool = max(_CANDIDATES, number_of_results * 4)
        with self.context.db.connect() as conn:
            view = self._view(conn, filter)
            # BM25 runs in a helper thread (on its own connection, the GIL released in SQLite
            # or while PostgreSQL answers) while this one embeds the query and searches
            # vectors (onnxruntime and BLAS release the GIL too): HYBRID costs about
            # max(keyword, dense) rather than their sum.
            keyword_future = (
                _KEYWORD_POOL.submit(view.keyword, query, pool)
                if kind is not SearchType.SEMANTIC
                else None
            )
            dense_scores: dict[int, float] = {}
            qvec: np.ndarray | None = None
            if kind is not SearchType.KEYWORD:
                qvec = self.context.embedder.embed([query], "query")[0]
                dense_scores = view.dense(conn, qvec, pool)
            keyword_scores = keyword_future.result() if keyword_future is not None else {}
            if kind is SearchType.HYBRID and qvec is not None:
                ranked = _hybrid(*_both_scores(view, conn, qvec, dense_scores, keyword_scores))
            elif kind is SearchType.SEMANTIC:
                ranked = list(dense_scores.items())
            else:
                ranked = list(keyword_scores.items())
            if boost is not None:
                ranked = _apply_boost(ranked, view.metadata(conn, [c for c, _ in ranked]), boost)
            if mmr and qvec is not None and ranked:
                ranked = _diversify(
                    ranked, view.vectors(conn, [c for c, _ in ranked]), qvec, number_of_results
                )
            top = ranked[:number_of_results]
            return self._materialise(conn, top)

    def _view(self, conn: sa.Connection, flt: dict[str, Any] | str | None) -> _View:
        """Where this query's candidates come from: SQL on PostgreSQL, the snapshot elsewhere."""
        if self.context.db.dialect == "postgresql":
            self._current_version(conn)  # NotFound for a KB deleted meanwhile, as snapshot()
            parsed = None if flt is None or flt == {} else parse_filter(flt)
            return SqlView(self.context, parsed)
        snap = self.snapshot(conn)
        return SnapshotView(self.context, snap, self._mask(snap, flt))

    def _materialise(
        self, conn: sa.Connection, ranked: list[tuple[int, float]]
    ) -> list[RetrievalResult]:
        if not ranked:
            return []
        rows = conn.execute(_MATERIALISE, {"ids": [cid for cid, _ in ranked]}).all()
        by_id = {r[0]: r for r in rows}
        results = []
        for cid, score in ranked:
            row = by_id.get(cid)
            if row is None:
                continue  # deleted between the index snapshot and now
            meta = result_metadata(row[3], row[4], cid)
            results.append(
                RetrievalResult(
                    chunk_id=cid,
                    text=row[2] if row[2] is not None else row[1],
                    score=float(score),
                    source_uri=row[4],
                    metadata=meta,
                )
            )
        return results


def _materialise_statement() -> sa.Select[Any]:
    c, d = schema.chunks, schema.documents
    parent = c.alias("parent")
    return (
        sa.select(c.c.id, c.c.text, parent.c.text.label("parent_text"), c.c.metadata, d.c.uri)
        .join(d, d.c.id == c.c.document_id)
        .outerjoin(parent, parent.c.id == c.c.parent_id)
        .where(c.c.id.in_(sa.bindparam("ids", expanding=True)))
    )


#: Built once: constructing the aliased join costs ~2 ms per query otherwise.
_MATERIALISE = _materialise_statement()


def _parsed(seen: dict[str, Any], raw: object) -> Any:
    """``raw`` JSON parsed, reusing the object of an identical text seen before (read-only)."""
    if not isinstance(raw, str):
        return raw  # NULL, or a driver that decodes JSON itself
    found = seen.get(raw)
    if found is None:
        found = seen[raw] = json.loads(raw)
    return found


def _both_scores(
    view: _View,
    conn: sa.Connection,
    qvec: np.ndarray,
    dense: dict[int, float],
    keyword: dict[int, float],
) -> tuple[dict[int, float], dict[int, float]]:
    """Both rankers' scores for every candidate either one proposes.

    Fusion used to give a candidate missing from one list that list's lowest score, which
    flatters a document the other ranker never saw. Instead a keyword-only candidate gets its
    real cosine (its vector is at hand, on either backend), and a dense-only one, outside the
    keyword top, BM25 0, as for a document that matches none of the query's words; no extra
    keyword query. On SciFact-train this raised nDCG@10 on both halves of the queries.
    """
    dense = dict(dense)
    keyword = dict(keyword)
    outside = [cid for cid in keyword if cid not in dense]
    if outside:
        vectors = view.vectors(conn, outside)
        for cid in outside:  # in keyword rank order, so ties stay deterministic
            if cid in vectors:
                dense[cid] = float(np.dot(vectors[cid], qvec))
    for cid in dense:
        keyword.setdefault(cid, 0.0)
    return dense, keyword


def _hybrid(dense: dict[int, float], keyword: dict[int, float]) -> list[tuple[int, float]]:
    """Convex z-score fusion, squashed into (0, 1) so boosts and thresholds stay meaningful."""
    fused = convex([dense, keyword], [_DENSE_WEIGHT, 1.0 - _DENSE_WEIGHT], normalization="zscore")
    return [(cid, 1.0 / (1.0 + math.exp(-score))) for cid, score in fused]


def _apply_boost(
    ranked: list[tuple[int, float]],
    metadata: dict[int, dict[str, Any]],
    boost: Callable[[dict[str, Any]], float],
) -> list[tuple[int, float]]:
    """Multiply scores by (1 + boost(metadata)) and re-sort (stable)."""
    boosted = [
        (cid, score * (1.0 + boost(metadata[cid]))) for cid, score in ranked if cid in metadata
    ]
    return sorted(boosted, key=lambda item: -item[1])


def _diversify(
    ranked: list[tuple[int, float]], vectors: dict[int, np.ndarray], qvec: np.ndarray, k: int
) -> list[tuple[int, float]]:
    present = [(cid, score) for cid, score in ranked if cid in vectors]
    if not present:
        return []
    order = mmr_select(qvec, np.stack([vectors[cid] for cid, _ in present]), k=min(k, len(present)))
    return [present[i] for i in order]
