"""Information-retrieval metrics, computed the way BEIR (via pytrec_eval) reports them.

* ``ndcg@k``: graded gain ``rel`` (linear, as trec_eval's ``ndcg_cut``), discount ``log2(rank + 1)``,
  normalised by the DCG of the qrels sorted by relevance.
* ``recall@k``: share of the relevant documents (``rel > 0``) found in the top ``k``.
* ``mrr@k``: ``1 / rank`` of the first relevant document in the top ``k``, else 0.

A ranked list counts each document at its first position only. Documents absent from the qrels
have relevance 0; negative judgements count as 0 too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from podium.errors import InvalidInput

__all__ = [
    "evaluate_run",
    "mean",
    "mrr_at_k",
    "ndcg_at_k",
    "precision_at_k",
    "recall_at_k",
]


def _check_k(k: int) -> None:
    if k < 1:
        raise InvalidInput(f"k must be >= 1, got {k}")


def _top_k(ranked_ids: Sequence[str], k: int) -> list[str]:
    """The first ``k`` distinct ids, in order."""
    seen: set[str] = set()
    top: list[str] = []
    for doc_id in ranked_ids:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        top.append(doc_id)
        if len(top) == k:
            break
    return top


def _gain(qrels: Mapping[str, int], doc_id: str) -> int:
    return max(qrels.get(doc_id, 0), 0)


def ndcg_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain at ``k`` (0.0 when no document is relevant)."""
    _check_k(k)
    dcg = sum(
        _gain(qrels, doc_id) / math.log2(rank + 1)
        for rank, doc_id in enumerate(_top_k(ranked_ids, k), start=1)
    )
    ideal = sorted((max(rel, 0) for rel in qrels.values()), reverse=True)[:k]
    idcg = sum(rel / math.log2(rank + 1) for rank, rel in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Share of relevant documents (``rel > 0``) in the top ``k``.

    Returns 0.0 for a query with no relevant document; :func:`evaluate_run` leaves such queries
    out of its averages instead.
    """
    _check_k(k)
    relevant = {doc_id for doc_id, rel in qrels.items() if rel > 0}
    if not relevant:
        return 0.0
    found = sum(1 for doc_id in _top_k(ranked_ids, k) if doc_id in relevant)
    return found / len(relevant)


def precision_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Relevant documents in the top ``k``, divided by ``k`` (as trec_eval's ``P_k``)."""
    _check_k(k)
    found = sum(1 for doc_id in _top_k(ranked_ids, k) if qrels.get(doc_id, 0) > 0)
    return found / k


def mrr_at_k(ranked_ids: Sequence[str], qrels: Mapping[str, int], k: int) -> float:
    """Reciprocal rank of the first relevant document in the top ``k``, or 0.0."""
    _check_k(k)
    for rank, doc_id in enumerate(_top_k(ranked_ids, k), start=1):
        if qrels.get(doc_id, 0) > 0:
            return 1.0 / rank
    return 0.0


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0.0 for no values."""
    total = 0.0
    count = 0
    for v in values:
        total += v
        count += 1
    return total / count if count else 0.0


def evaluate_run(
    run: Mapping[str, Sequence[str]],
    qrels: Mapping[str, Mapping[str, int]],
    ks: Sequence[int] = (10, 100),
) -> dict[str, float]:
    """Mean ``ndcg@k``, ``recall@k`` and ``mrr@k`` for every ``k`` in ``ks``.

    Averages run over the queries in ``qrels`` with at least one relevant document. A query
    missing from ``run`` counts as an empty ranking (scores 0), so a retriever that drops queries
    is not flattered; queries in ``run`` without qrels are ignored.
    """
    if not ks:
        raise InvalidInput("ks must name at least one cutoff")
    for k in ks:
        _check_k(k)
    judged = [qid for qid, rels in qrels.items() if any(rel > 0 for rel in rels.values())]
    result: dict[str, float] = {}
    for k in ks:
        result[f"ndcg@{k}"] = mean(ndcg_at_k(run.get(q, ()), qrels[q], k) for q in judged)
        result[f"recall@{k}"] = mean(recall_at_k(run.get(q, ()), qrels[q], k) for q in judged)
        result[f"mrr@{k}"] = mean(mrr_at_k(run.get(q, ()), qrels[q], k) for q in judged)
    return result
