"""Score fusion (RRF, convex, DBSF) and maximal marginal relevance, checked by hand arithmetic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from podium.errors import InvalidInput
from podium.storage import convex, dbsf, mmr, rrf, rrf_scores


def _keys(result: list[tuple[str, float]]) -> list[str]:
    return [key for key, _ in result]


# --- RRF -------------------------------------------------------------------------------------


def test_rrf_sums_reciprocal_ranks() -> None:
    result = rrf([["a", "b", "c"], ["b", "c", "d"]], k=60)
    # a: 1/61, b: 1/62 + 1/61, c: 1/63 + 1/62, d: 1/63
    expected = {"a": 1 / 61, "b": 1 / 62 + 1 / 61, "c": 1 / 63 + 1 / 62, "d": 1 / 63}
    assert _keys(result) == ["b", "c", "a", "d"]
    for key, score in result:
        assert score == pytest.approx(expected[key])


def test_rrf_ties_keep_first_appearance() -> None:
    # x and y both score 1/61 + 1/62; x was seen first.
    assert _keys(rrf([["x", "y"], ["y", "x"]])) == ["x", "y"]
    assert _keys(rrf([["y", "x"], ["x", "y"]])) == ["y", "x"]
    # Disjoint lists: 1/61 ties 1/61, 1/62 ties 1/62; order of appearance decides.
    assert _keys(rrf([["a", "b"], ["c", "d"]])) == ["a", "c", "b", "d"]


def test_rrf_weights_and_k() -> None:
    # a: 2/61 + 1/62 = 0.0489, b: 2/62 + 1/61 = 0.0487
    result = rrf([["a", "b"], ["b", "a"]], weights=[2.0, 1.0])
    assert _keys(result) == ["a", "b"]
    assert result[0][1] == pytest.approx(2 / 61 + 1 / 62)
    # k = 0: scores are plain 1/rank.
    assert rrf([["a", "b"]], k=0) == [("a", 1.0), ("b", 0.5)]
    # A zero weight silences a ranking but keeps its keys.
    assert rrf([["a"], ["b"]], weights=[1.0, 0.0]) == [("a", 1 / 61), ("b", 0.0)]


def test_rrf_counts_a_repeated_key_once_at_its_best_rank() -> None:
    # "a" at rank 1 only; "b" keeps its position, rank 3.
    assert rrf([["a", "a", "b"]], k=0) == [("a", 1.0), ("b", pytest.approx(1 / 3))]


def test_rrf_validates_arguments() -> None:
    assert rrf([]) == []
    with pytest.raises(InvalidInput, match="weights has 1 entries but there are 2 rankings"):
        rrf([["a"], ["b"]], weights=[1.0])
    with pytest.raises(InvalidInput, match="k must be >= 0"):
        rrf([["a"]], k=-1)
    with pytest.raises(InvalidInput, match="non-negative"):
        rrf([["a"]], weights=[-1.0])


# --- convex ----------------------------------------------------------------------------------


def test_convex_minmax_with_missing_keys_at_zero() -> None:
    semantic = {"a": 10.0, "b": 5.0, "c": 0.0}  # normalised: a 1, b 0.5, c 0
    keyword = {"b": 1.0, "d": 0.5}  # normalised: b 1, d 0
    result = dict(convex([semantic, keyword], weights=[0.5, 0.5]))
    # a: .5*1 + .5*0 (missing) = .5; b: .5*.5 + .5*1 = .75; c: 0; d: .5*0 + .5*0 = 0
    assert result == pytest.approx({"a": 0.5, "b": 0.75, "c": 0.0, "d": 0.0})
    # c and d tie at 0; c appeared first.
    assert _keys(convex([semantic, keyword], weights=[0.5, 0.5])) == ["b", "a", "c", "d"]


def test_convex_minmax_single_or_tied_list_is_all_ones() -> None:
    result = dict(convex([{"a": 3.0, "b": 3.0}, {"c": 0.2}], weights=[1.0, 2.0]))
    # List 1 all tied -> 1 each; list 2 has one hit -> 1. a: 1 + 0, c: 0 + 2*1
    assert result == pytest.approx({"a": 1.0, "b": 1.0, "c": 2.0})


def test_convex_zscore_missing_gets_list_minimum() -> None:
    # List 1: mean 2, std 1 -> a -1, b +1. List 2: one score, std 0 -> c 0, missing -> 0.
    # a: -1 + 0 = -1; b: 1 + 0 = 1; c: min(list 1) = -1, + 0 = -1.
    result = convex([{"a": 1.0, "b": 3.0}, {"c": 5.0}], weights=[1.0, 1.0], normalization="zscore")
    assert _keys(result) == ["b", "a", "c"]
    assert dict(result) == pytest.approx({"a": -1.0, "b": 1.0, "c": -1.0})


def test_convex_none_uses_raw_scores() -> None:
    # a: 2 + min(list 2) = 2 + 3 = 5; b: 1 + 3 = 4
    result = convex([{"a": 2.0, "b": 1.0}, {"b": 3.0}], weights=[1.0, 1.0], normalization="none")
    assert result == [("a", 5.0), ("b", 4.0)]


def test_convex_validates_arguments() -> None:
    with pytest.raises(InvalidInput, match="unknown normalization 'l2'"):
        convex([{"a": 1.0}], weights=[1.0], normalization="l2")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="finite"):
        convex([{"a": math.nan}], weights=[1.0])
    with pytest.raises(InvalidInput, match="weights has 2 entries"):
        convex([{"a": 1.0}], weights=[1.0, 1.0])
    assert convex([{}, {}], weights=[1.0, 1.0]) == []


# --- DBSF ------------------------------------------------------------------------------------


def test_dbsf_scales_by_three_standard_deviations() -> None:
    # mean 2, population std sqrt(2/3) = 0.8165; lower = 2 - 3*0.8165 = -0.4495; width 6*std = 4.899
    # a: (1 + 0.4495) / 4.899 = 0.2959, b: 0.5, c: 0.7041
    std = math.sqrt(2 / 3)
    result = dbsf([{"a": 1.0, "b": 2.0, "c": 3.0}])
    assert _keys(result) == ["c", "b", "a"]
    assert dict(result) == pytest.approx(
        {"a": (1 - (2 - 3 * std)) / (6 * std), "b": 0.5, "c": (3 - (2 - 3 * std)) / (6 * std)}
    )
    assert dict(result)["a"] == pytest.approx(0.2959, abs=1e-4)


def test_dbsf_clips_outliers_and_sums_lists() -> None:
    # 99 zeros and one 100: mean 1, var = 100 - 1 = 99, std 9.95; upper = 1 + 29.85 < 100 -> clip to 1.
    scores = {f"z{i}": 0.0 for i in range(99)} | {"top": 100.0}
    fused = dict(dbsf([scores]))
    assert fused["top"] == 1.0
    lower = 1 - 3 * math.sqrt(99)
    assert fused["z0"] == pytest.approx((0 - lower) / (6 * math.sqrt(99)))
    # Two lists: a key in both sums its parts; a missing key scores 0 in that list.
    two = dict(dbsf([{"a": 1.0, "b": 2.0, "c": 3.0}, {"c": 7.0}], weights=[1.0, 0.5]))
    # c: 0.7041 from list 1, plus 0.5 * 1 (a one-score list has std 0 and maps to 1).
    assert two["c"] == pytest.approx(0.7041 + 0.5, abs=1e-4)
    assert two["a"] == pytest.approx(0.2959, abs=1e-4)


# --- MMR -------------------------------------------------------------------------------------


def test_mmr_prefers_a_diverse_second_pick() -> None:
    query = np.array([0.8, 0.6])
    # c0 and c1 are the same direction (relevance 0.8 each); c2 is orthogonal to them (relevance 0.6).
    cands = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0]])
    # Step 1: c0 and c1 tie at 0.8 -> lower index, c0.
    # Step 2: c1: .5*.8 - .5*1 = -0.1; c2: .5*.6 - .5*0 = 0.3 -> c2. Step 3: c1.
    assert mmr(query, cands, k=3, lambda_=0.5) == [0, 2, 1]
    # lambda 1: pure relevance order.
    assert mmr(query, cands, k=3, lambda_=1.0) == [0, 1, 2]
    assert mmr(query, cands, k=2) == [0, 2]
    assert mmr(query, cands, k=10) == [0, 2, 1]


def test_mmr_with_given_scores() -> None:
    cands = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    # Relevance from scores 1.0, 0.9, 0.5. Step 2: c1: .5*.9 - .5*1 = -0.05; c2: .5*.5 - 0 = 0.25.
    assert mmr(None, cands, candidate_scores=[1.0, 0.9, 0.5], k=3) == [0, 2, 1]
    # lambda 0.9: c1: .81 - .1 = 0.71; c2: .45 - 0 = 0.45 -> c1 stays second.
    assert mmr(None, cands, candidate_scores=[1.0, 0.9, 0.5], k=3, lambda_=0.9) == [0, 1, 2]


def test_mmr_edge_cases() -> None:
    assert mmr([1.0, 0.0], np.zeros((0, 2)), k=5) == []
    assert mmr([1.0, 0.0], [[1.0, 0.0]], k=0) == []
    # A zero vector is similar to nothing and is picked last, without NaNs.
    assert mmr([1.0, 0.0], [[0.0, 0.0], [1.0, 0.0]], k=2) == [1, 0]
    with pytest.raises(InvalidInput, match="lambda_"):
        mmr([1.0], [[1.0]], lambda_=1.5)
    with pytest.raises(InvalidInput, match="dimension 3"):
        mmr([1.0, 0.0, 0.0], [[1.0, 0.0]])
    with pytest.raises(InvalidInput, match="candidate_scores has 1 entries for 2"):
        mmr(None, [[1.0, 0.0], [0.0, 1.0]], candidate_scores=[1.0])


# --- normalised RRF (memory search) -----------------------------------------------------------


def test_rrf_scores_is_normalised_to_one_for_a_unanimous_first() -> None:
    scores = rrf_scores([[1, 2, 3], [1, 3]])
    assert scores[1] == pytest.approx(1.0)
    assert scores[3] == pytest.approx((1 / 63 + 1 / 62) / (2 / 61))
    assert scores[2] == pytest.approx((1 / 62) / (2 / 61))
    assert list(scores) == [1, 2, 3]  # first-appearance order, not sorted


def test_rrf_scores_ignores_empty_lists_and_counts_repeats() -> None:
    assert rrf_scores([]) == {} and rrf_scores([[], []]) == {}
    assert rrf_scores([[], [5]]) == {5: pytest.approx(1.0)}
    # A key repeated within one list counts at each rank (as memory search always did).
    assert rrf_scores([[7, 7]], k=0) == {7: pytest.approx(1.5)}
