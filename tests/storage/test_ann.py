"""The HNSW path of vector search: recall against the exact scan, filters, persistence, repair."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from podium.storage import ExactVectorIndex, HnswVectorIndex, ann_path, remove_ann, vector_index
from podium.storage import _ann_store as store


def clustered(n: int, dim: int = 64, seed: int = 3) -> np.ndarray:
    """Unit vectors around ``n // 100`` topics (cosine ≈ 0.8 to their centre), like embeddings.

    Uniform random vectors are the adversarial case for HNSW and unlike any embedding model's.
    """
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(4, n // 100), dim)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    noise = rng.standard_normal((n, dim)).astype(np.float32) * (0.75 / np.sqrt(dim))
    x = centres[rng.integers(0, centres.shape[0], n)] + noise
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def queries(matrix: np.ndarray, count: int = 50, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    q = matrix[rng.integers(0, matrix.shape[0], count)]
    q = q + rng.standard_normal(q.shape).astype(np.float32) * (0.3 / np.sqrt(q.shape[1]))
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def recall_at_10(ann: HnswVectorIndex, exact: ExactVectorIndex, qs: np.ndarray, mask=None) -> float:
    hits = wanted = 0
    for q in qs:
        want = set(exact.search(q, 10, mask)[0].tolist())
        hits += len(want & set(ann.search(q, 10, mask)[0].tolist()))
        wanted += len(want)
    return hits / wanted


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return ann_path(f"sqlite:///{tmp_path / 'podium.db'}", "kb-TEST")  # type: ignore[return-value]


def test_below_the_threshold_the_scan_is_exact(path: Path) -> None:
    m = clustered(500)
    index = vector_index(m, np.arange(500), path=path, threshold=1000)
    assert isinstance(index, ExactVectorIndex)
    assert not path.exists()


def test_recall_at_10_against_the_exact_scan(path: Path) -> None:
    m = clustered(6000)
    ids = np.arange(1, 6001) * 3  # SQL row ids: sparse, ascending
    ann = vector_index(m, ids, path=path, threshold=100)
    assert isinstance(ann, HnswVectorIndex)
    assert recall_at_10(ann, ExactVectorIndex(m), queries(m)) >= 0.95
    # Scores are the exact cosine of the rows found (re-scored from the float32 matrix).
    q = queries(m, 1)[0]
    pos, scores = ann.search(q, 5)
    np.testing.assert_allclose(scores, m[pos] @ q, rtol=1e-6)


@pytest.mark.parametrize("every", [2, 7, 900])  # filters keeping 50%, 14% and 7 rows
def test_filtered_queries_return_k_results(path: Path, every: int, monkeypatch) -> None:
    m = clustered(6000)
    ann = vector_index(m, np.arange(6000), path=path, threshold=100)
    mask = np.arange(6000) % every == 0
    monkeypatch.setattr("podium.storage._ann.EXACT_SUBSET", 0)  # force the over-fetch walk
    monkeypatch.setattr("podium.storage._ann.SUBSET_FACTOR", 0)
    for q in queries(m, 20):
        pos, _ = ann.search(q, 10, mask)
        assert len(pos) == min(10, int(mask.sum()))
        assert mask[pos].all()
    assert recall_at_10(ann, ExactVectorIndex(m), queries(m, 20), mask) >= 0.95


def test_the_graph_is_persisted_privately_and_reused(path: Path, monkeypatch) -> None:
    m = clustered(3000)
    vector_index(m, np.arange(3000), path=path, threshold=100)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    built = []
    monkeypatch.setattr(store, "_build", lambda *a: built.append(1) or pytest.fail("rebuilt"))
    again = vector_index(m, np.arange(3000), path=path, threshold=100)
    assert isinstance(again, HnswVectorIndex) and not built


def test_additions_and_deletions_update_the_graph_incrementally(path: Path, monkeypatch) -> None:
    m = clustered(4000)
    ids = np.arange(4000)
    vector_index(m[:3000], ids[:3000], path=path, threshold=100)
    monkeypatch.setattr(store, "_build", lambda *a: pytest.fail("rebuilt instead of updated"))
    keep = np.ones(4000, dtype=bool)
    keep[:200] = False  # 200 deleted, 1000 added
    ann = vector_index(m[keep], ids[keep], path=path, threshold=100)
    assert ann.graph.size == 3800
    for q in m[3000:3010]:  # an added vector finds itself
        assert int(ann.ids[ann.search(q, 1)[0][0]]) in set(range(3000, 4000))
    found = {int(ann.ids[p]) for q in m[:50] for p in ann.search(q, 10)[0]}
    assert not found & set(range(200))


def test_a_reused_row_id_with_another_vector_is_replaced(path: Path) -> None:
    """SQLite may give a deleted chunk's id to a new chunk: the fingerprint catches it."""
    m = clustered(3000)
    ids = np.arange(3000)
    vector_index(m, ids, path=path, threshold=100)
    changed = m.copy()
    changed[2999] = -m[0]  # same id, another vector
    ann = vector_index(changed, ids, path=path, threshold=100)
    assert int(ann.search(-m[0], 1)[0][0]) == 2999


@pytest.mark.parametrize("damage", ["graph", "marker", "both", "corrupt"])
def test_a_missing_or_damaged_index_is_rebuilt(path: Path, damage: str) -> None:
    m = clustered(3000)
    ids = np.arange(3000)
    vector_index(m, ids, path=path, threshold=100)
    marker = store._marker(path)
    if damage in ("graph", "both"):
        path.unlink()
    if damage in ("marker", "both"):
        marker.unlink()
    if damage == "corrupt":
        path.write_bytes(b"not a graph")
    ann = vector_index(m, ids, path=path, threshold=100)
    assert recall_at_10(ann, ExactVectorIndex(m), queries(m, 20)) >= 0.95
    assert path.exists() and marker.exists()


def test_a_marker_of_another_dimension_is_ignored(path: Path) -> None:
    vector_index(clustered(3000, dim=32), np.arange(3000), path=path, threshold=100)
    m = clustered(3000, dim=48)
    ann = vector_index(m, np.arange(3000), path=path, threshold=100)
    assert ann.graph.ndim == 48


def test_remove_ann_deletes_graph_and_marker(path: Path) -> None:
    vector_index(clustered(3000), np.arange(3000), path=path, threshold=100)
    remove_ann(path)
    assert not path.exists() and not store._marker(path).exists()
    remove_ann(path)  # already gone: fine
    remove_ann(None)


def test_no_file_for_an_in_memory_database() -> None:
    assert ann_path("sqlite://", "kb-x") is None
    assert ann_path("sqlite:///:memory:", "kb-x") is None
    assert ann_path("postgresql://u@h/db", "kb-x") is None
    index = vector_index(clustered(3000), np.arange(3000), path=None, threshold=100)
    assert isinstance(index, HnswVectorIndex)


def test_ann_directory_sits_next_to_the_database(tmp_path: Path) -> None:
    path = ann_path(f"sqlite:///{tmp_path / 'x' / 'podium.db'}", "kb-A")
    assert path == tmp_path / "x" / "podium.db.ann" / "kb-A.usearch"
    assert os.fspath(path).endswith(".usearch")


def test_onnxruntime_still_imports_after_usearch() -> None:
    """onnxruntime segfaulted when imported after usearch's extension: usearch_index() orders them."""
    import subprocess
    import sys

    code = "from podium.storage._ann import usearch_index; usearch_index(); import onnxruntime"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=120).returncode == 0
