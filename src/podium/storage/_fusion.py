"""Fusing ranked lists and score lists, and diversifying results.

* :func:`rrf`: reciprocal rank fusion over rankings (no scores needed).
* :func:`rrf_scores`: reciprocal rank fusion normalised to 0..1, as a score per key.
* :func:`convex`: a weighted sum of normalised scores (min-max, z-score, or raw).
* :func:`dbsf`: distribution-based score fusion (each list scaled by mean ± 3·std to [0, 1]).
* :func:`mmr`: maximal marginal relevance over embedding vectors.

Every fusion but :func:`rrf_scores` returns ``[(key, score), ...]`` sorted by score, highest
first. Ties keep the order in which keys first appear (scanning the inputs in order), so results
are deterministic. Shared by knowledge-base retrieval and memory search.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Literal, TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt

from podium.errors import InvalidInput

__all__ = ["RRF_K", "Normalization", "convex", "dbsf", "mmr", "rrf", "rrf_scores"]

K = TypeVar("K", bound=Hashable)
Normalization: TypeAlias = Literal["minmax", "zscore", "none"]
#: The customary RRF constant (Cormack et al. 2009).
RRF_K = 60


def _check_weights(weights: Sequence[float] | None, n: int, what: str) -> list[float]:
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise InvalidInput(f"weights has {len(weights)} entries but there are {n} {what}")
    out = [float(w) for w in weights]
    if any(not math.isfinite(w) or w < 0 for w in out):
        raise InvalidInput("weights must be finite and non-negative")
    return out


def _sorted(scores: dict[K, float]) -> list[tuple[K, float]]:
    # dicts keep insertion (= first appearance) order and sorted() is stable, so ties keep it.
    return sorted(scores.items(), key=lambda item: -item[1])


def rrf(
    rankings: Sequence[Sequence[K]],
    k: int = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Reciprocal rank fusion: ``score(d) = sum_i weights[i] / (k + rank_i(d))``, ranks from 1.

    A key repeated within one ranking counts at its first (best) rank only.
    """
    if k < 0:
        raise InvalidInput(f"k must be >= 0, got {k}")
    ws = _check_weights(weights, len(rankings), "rankings")
    scores: dict[K, float] = {}
    for ranking, w in zip(rankings, ws, strict=True):
        seen: set[K] = set()
        for rank, key in enumerate(ranking, start=1):
            if key in seen:
                continue
            seen.add(key)
            scores[key] = scores.get(key, 0.0) + w / (k + rank)
    return _sorted(scores)


def rrf_scores(rankings: Sequence[Sequence[K]], k: int = RRF_K) -> dict[K, float]:
    """Reciprocal-rank fusion normalised to 0..1 (1 = ranked first by every non-empty list)."""
    # Unlike rrf(), a key repeated within one ranking counts at each of its ranks, and the
    # result is a mapping in first-appearance order, not a sorted list.
    lists = [r for r in rankings if len(r)]
    if not lists:
        return {}
    scores: dict[K, float] = {}
    for ranking in lists:
        for rank, key in enumerate(ranking):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank + 1)
    best = len(lists) / (k + 1)
    return {key: s / best for key, s in scores.items()}


def _normalize(
    scores: Mapping[K, float], normalization: Normalization
) -> tuple[dict[K, float], float]:
    """Normalised scores of one list, and the score a key missing from it gets."""
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    if values.size == 0:
        return {}, 0.0
    if not np.all(np.isfinite(values)):
        raise InvalidInput("scores must be finite numbers")
    if normalization == "minmax":
        lo, hi = float(values.min()), float(values.max())
        # One hit, or all tied: each is as good as that list gets.
        scaled = (values - lo) / (hi - lo) if hi > lo else np.ones_like(values)
        return dict(zip(scores, scaled.tolist(), strict=True)), 0.0
    if normalization == "zscore":
        std = float(values.std())
        scaled = (values - values.mean()) / std if std > 0 else np.zeros_like(values)
        return dict(zip(scores, scaled.tolist(), strict=True)), float(scaled.min())
    if normalization == "none":
        return dict(scores), float(values.min())
    raise InvalidInput(
        f"unknown normalization {normalization!r} (expected one of: minmax, zscore, none)"
    )


def _weighted_sum(
    normalized: list[tuple[dict[K, float], float]], weights: list[float]
) -> list[tuple[K, float]]:
    order: dict[K, None] = {}
    for scores, _ in normalized:
        order.update(dict.fromkeys(scores))
    fused = {
        key: sum(
            w * scores.get(key, missing)
            for (scores, missing), w in zip(normalized, weights, strict=True)
        )
        for key in order
    }
    return _sorted(fused)


def convex(
    score_lists: Sequence[Mapping[K, float]],
    weights: Sequence[float],
    normalization: Normalization = "minmax",
) -> list[tuple[K, float]]:
    """Convex combination: ``score(d) = sum_i weights[i] * norm_i(d)``.

    ``minmax`` scales each list to [0, 1] (a list whose scores are all equal maps them to 1);
    ``zscore`` uses ``(s - mean) / std`` (0 when std is 0); ``none`` uses raw scores. A key absent
    from a list gets that list's minimum normalised score (0 for ``minmax``). The weights need
    not sum to 1.
    """
    ws = _check_weights(weights, len(score_lists), "score lists")
    return _weighted_sum([_normalize(s, normalization) for s in score_lists], ws)


def dbsf(
    score_lists: Sequence[Mapping[K, float]],
    weights: Sequence[float] | None = None,
) -> list[tuple[K, float]]:
    """Distribution-based score fusion.

    Each list is scaled with ``(s - (mean - 3·std)) / (6·std)`` and clipped to [0, 1] (population
    std; a list with std 0 maps to 1), then the lists are summed with ``weights`` (default 1 each).
    A key absent from a list scores 0 there.
    """
    ws = _check_weights(weights, len(score_lists), "score lists")
    normalized: list[tuple[dict[K, float], float]] = []
    for scores in score_lists:
        values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
        if values.size and not np.all(np.isfinite(values)):
            raise InvalidInput("scores must be finite numbers")
        std = float(values.std()) if values.size else 0.0
        if std > 0:
            lower = float(values.mean()) - 3 * std
            scaled = np.clip((values - lower) / (6 * std), 0.0, 1.0)
        else:
            scaled = np.ones_like(values)
        normalized.append((dict(zip(scores, scaled.tolist(), strict=True)), 0.0))
    return _weighted_sum(normalized, ws)


def _unit_rows(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    # A zero vector stays zero (similar to nothing) instead of becoming NaN.
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def mmr(
    query_vec: npt.ArrayLike | None,
    candidate_vecs: npt.ArrayLike,
    candidate_scores: Iterable[float] | None = None,
    k: int = 10,
    lambda_: float = 0.5,
) -> list[int]:
    """Maximal marginal relevance: pick up to ``k`` candidate indices, relevant but not redundant.

    Each step takes ``argmax lambda_ * rel(c) - (1 - lambda_) * max_{s in picked} cos(c, s)``.
    ``rel`` is ``candidate_scores`` when given (then ``query_vec`` may be None), else the cosine
    similarity to ``query_vec``.
    Vectors are L2-normalised here. Ties go to the lower index. ``lambda_ = 1`` is plain
    relevance order; ``lambda_ = 0`` only avoids redundancy.
    """
    if not 0.0 <= lambda_ <= 1.0:
        raise InvalidInput(f"lambda_ must be in [0, 1], got {lambda_}")
    if k < 0:
        raise InvalidInput(f"k must be >= 0, got {k}")
    cands = np.asarray(candidate_vecs, dtype=np.float64)
    if cands.size == 0 or k == 0:
        return []
    if cands.ndim != 2:
        raise InvalidInput(f"candidate_vecs must be 2-D (n, d), got shape {cands.shape}")
    cands = _unit_rows(cands)
    if candidate_scores is not None:
        relevance = np.asarray(list(candidate_scores), dtype=np.float64)
        if relevance.shape != (cands.shape[0],):
            raise InvalidInput(
                f"candidate_scores has {relevance.size} entries for {cands.shape[0]} candidates"
            )
    else:
        if query_vec is None:
            raise InvalidInput("mmr needs query_vec when candidate_scores is not given")
        query = np.asarray(query_vec, dtype=np.float64).reshape(-1)
        if query.shape[0] != cands.shape[1]:
            raise InvalidInput(
                f"query_vec has dimension {query.shape[0]}, candidates have {cands.shape[1]}"
            )
        relevance = cands @ _unit_rows(query)
    n = cands.shape[0]
    picked: list[int] = []
    available = np.ones(n, dtype=bool)
    max_sim = np.full(n, -np.inf)
    for _ in range(min(k, n)):
        # The first pick is by relevance alone: max_sim is still -inf everywhere.
        objective = lambda_ * relevance - (1.0 - lambda_) * max_sim if picked else relevance.copy()
        objective[~available] = -np.inf
        best = int(np.argmax(objective))
        picked.append(best)
        available[best] = False
        max_sim = np.maximum(max_sim, cands @ cands[best])
    return picked
