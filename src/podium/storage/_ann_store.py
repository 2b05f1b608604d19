"""The HNSW graph of a vector set, persisted beside the SQLite file and reconciled with SQL rows.

SQL rows stay the one truth; the graph is derived. It lives in ``<db file>.ann/`` (a private
directory) as ``<name>.usearch`` plus a marker ``<name>.rows.npy``: the ids the graph holds and,
per id, two projections of its vector on fixed probe vectors (a fingerprint: SQLite may reuse the
row id of a deleted chunk for a new one with another vector).

:func:`vector_index` is called whenever a snapshot is built from SQL rows (on the first query
after a write). Under an exclusive file lock (several processes may share the database):

* the marker matches the rows (same ids, same fingerprints): the graph is memory-mapped as is;
* otherwise the graph on disk is loaded and updated incrementally: ids gone from SQL, or whose
  vector changed, are removed; new ones added. More than half changed, or no usable graph or
  marker (deleted, corrupt, another dimension or format): it is rebuilt from the rows;
* the result is written back: the marker is deleted first, the graph replaced atomically, then
  the marker written. A crash at any point leaves either no marker (next open rebuilds) or a
  marker that describes the graph beside it, so ``kill -9`` never leaves a wrong index in use.

Processes that only read see the marker move with the SQL rows and map the new graph.
Below ``threshold`` rows nothing is persisted: an exact scan is faster than building a graph.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ._ann import HnswVectorIndex, new_hnsw, usearch_index
from ._vectors import ExactVectorIndex

__all__ = ["ANN_THRESHOLD", "ann_path", "remove_ann", "vector_index"]

logger = logging.getLogger(__name__)

#: Rows from which the HNSW graph replaces the exact scan. Measured on 2 busy cores with 384-d
#: vectors: the BLAS scan costs 2-6 ms at 20k rows and 15-60 ms at 100k, the graph 0.1-0.6 ms;
#: building the graph costs ~0.1 ms a row, so small sets stay exact.
ANN_THRESHOLD = 20_000
#: Bumped when the graph's parameters or the marker's layout change: older files are rebuilt.
_FORMAT = 1
#: Fingerprints closer than this are the same vector (BLAS may round differently per call).
_TOLERANCE = 1e-5


def ann_path(url: str, name: str) -> Path | None:
    """Where the graph ``name`` of the SQLite database at ``url`` lives (None: not a file DB)."""
    if not url.startswith("sqlite"):
        return None
    import sqlalchemy as sa

    database = sa.make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database).with_name(Path(database).name + ".ann") / f"{name}.usearch"


def remove_ann(path: Path | None) -> None:
    """Delete the graph at ``path`` and its marker (when its vector set is deleted)."""
    if path is None:
        return
    for p in (_marker(path), path):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def vector_index(
    matrix: np.ndarray, ids: np.ndarray, *, path: Path | None, threshold: int = ANN_THRESHOLD
) -> ExactVectorIndex | HnswVectorIndex:
    """The index of a snapshot's rows (``ids`` ascending): exact below ``threshold``, else HNSW.

    With a ``path`` the graph is reused from disk and brought up to date with the rows; without
    one it is built in memory.
    """
    if ids.size < max(threshold, 1) or not _usearch_available():
        return ExactVectorIndex(matrix)
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    ids = np.asarray(ids, dtype=np.int64)
    if path is None:
        return HnswVectorIndex(matrix, ids, _build(matrix, ids))
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with _locked(path):
        prints = _fingerprints(matrix)
        marker = _read_marker(path, matrix.shape[1])
        if marker is not None and _same(marker, ids, prints):
            graph = _restore(path, view=True)
            if graph is not None and graph.size == ids.size:
                return HnswVectorIndex(matrix, ids, graph)
        graph = _reconciled(path, marker, matrix, ids, prints)
        _write(path, graph, ids, prints)
    return HnswVectorIndex(matrix, ids, graph)


def _usearch_available() -> bool:
    try:
        usearch_index()
    except ImportError:
        logger.warning("usearch is not installed | vector search stays an exact scan")
        return False
    return True


def _build(matrix: np.ndarray, ids: np.ndarray) -> Any:
    start = time.perf_counter()
    graph = new_hnsw(matrix.shape[1])
    graph.add(ids, matrix, threads=0)
    logger.info(
        "rows=<%d>, seconds=<%.1f> | built the HNSW graph", ids.size, time.perf_counter() - start
    )
    return graph


def _reconciled(
    path: Path,
    marker: tuple[np.ndarray, np.ndarray] | None,
    matrix: np.ndarray,
    ids: np.ndarray,
    prints: np.ndarray,
) -> Any:
    """The graph on disk brought up to date with ``ids`` (or a new one when that is cheaper)."""
    graph = _restore(path, view=False) if marker is not None else None
    if graph is None or marker is None or graph.size != marker[0].size:
        return _build(matrix, ids)
    old_ids, old_prints = marker
    common, new_at, old_at = np.intersect1d(ids, old_ids, assume_unique=True, return_indices=True)
    changed = np.abs(prints[new_at] - old_prints[old_at]).max(axis=1) > _TOLERANCE
    stale = np.concatenate([np.setdiff1d(old_ids, ids, assume_unique=True), common[changed]])
    fresh = np.concatenate([np.setdiff1d(ids, old_ids, assume_unique=True), common[changed]])
    if stale.size + fresh.size > ids.size // 2:
        return _build(matrix, ids)
    start = time.perf_counter()
    if stale.size:
        graph.remove(stale)
    if fresh.size:
        graph.add(fresh, matrix[np.searchsorted(ids, fresh)], threads=0)
    logger.info(
        "added=<%d>, removed=<%d>, seconds=<%.2f> | updated the HNSW graph",
        fresh.size,
        stale.size,
        time.perf_counter() - start,
    )
    return graph


def _fingerprints(matrix: np.ndarray) -> np.ndarray:
    """Two projections per row on fixed probes: a changed vector moves them (float64 sums)."""
    probes = np.random.default_rng(20251201).standard_normal((matrix.shape[1], 2))
    return (matrix @ probes.astype(np.float32)).astype(np.float64)


def _same(marker: tuple[np.ndarray, np.ndarray], ids: np.ndarray, prints: np.ndarray) -> bool:
    old_ids, old_prints = marker
    return bool(
        np.array_equal(old_ids, ids)
        and (ids.size == 0 or np.abs(old_prints - prints).max() <= _TOLERANCE)
    )


def _marker(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".usearch") + ".rows.npy")


def _read_marker(path: Path, ndim: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(ids, fingerprints) the graph at ``path`` holds, or None if missing or not ours."""
    try:
        table = np.load(_marker(path), allow_pickle=False)
    except (OSError, ValueError, EOFError):
        return None
    # Row 0 is a header: format, dimension, rows.
    if table.ndim != 2 or table.shape[1] != 3 or table.shape[0] < 1:
        return None
    if tuple(table[0]) != (_FORMAT, ndim, table.shape[0] - 1):
        return None
    return table[1:, 0].astype(np.int64), table[1:, 1:]


def _restore(path: Path, *, view: bool) -> Any | None:
    try:
        return usearch_index().Index.restore(str(path), view=view)
    except (OSError, RuntimeError, ValueError) as error:
        logger.info("path=<%s>, error=<%s> | HNSW graph unreadable, rebuilding", path, error)
        return None


def _write(path: Path, graph: Any, ids: np.ndarray, prints: np.ndarray) -> None:
    """Replace the graph and its marker: marker gone first, so a crash never pairs them wrongly."""
    marker = _marker(path)
    with contextlib.suppress(FileNotFoundError):
        marker.unlink()
    tmp = path.with_name(path.name + ".tmp")
    graph.save(str(tmp))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    table = np.empty((ids.size + 1, 3), dtype=np.float64)
    table[0] = (_FORMAT, graph.ndim, ids.size)
    table[1:, 0] = ids
    table[1:, 1:] = prints
    tmp_marker = marker.with_name(marker.name + ".tmp.npy")
    np.save(tmp_marker, table, allow_pickle=False)
    os.chmod(tmp_marker, 0o600)
    os.replace(tmp_marker, marker)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``<graph>.lock``: one process reconciles the graph at a time."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # Windows: a single process per database is assumed there
            yield
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
