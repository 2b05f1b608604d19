"""The versioned vector-matrix cache: reload on version, LRU bounds, forget, concurrency."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from podium.errors import InvalidInput
from podium.storage import VectorMatrixCache


def _loader(calls: list[str], name: str, rows: int = 1) -> object:
    def load() -> np.ndarray:
        calls.append(name)
        return np.zeros((rows, 4), dtype=np.float32)

    return load


def test_reloads_only_when_the_version_moves() -> None:
    cache: VectorMatrixCache[str, np.ndarray] = VectorMatrixCache(max_entries=4)
    calls: list[str] = []
    first = cache.get("kb", 1, _loader(calls, "v1"))  # type: ignore[arg-type]
    assert cache.get("kb", 1, _loader(calls, "again")) is first  # type: ignore[arg-type]
    assert cache.peek("kb", 1) is first and cache.peek("kb", 2) is None
    second = cache.get("kb", 2, _loader(calls, "v2"))  # type: ignore[arg-type]
    assert second is not first
    assert calls == ["v1", "v2"]
    assert len(cache) == 1  # a key holds one snapshot: the newest load


def test_lru_by_entries_and_by_rows() -> None:
    cache: VectorMatrixCache[str, np.ndarray] = VectorMatrixCache(
        max_entries=3, max_rows=10, rows=lambda m: int(m.shape[0])
    )
    calls: list[str] = []
    for key in ("a", "b", "c"):
        cache.get(key, 0, _loader(calls, key, rows=2))  # type: ignore[arg-type]
    cache.get("a", 0, _loader(calls, "a!"))  # type: ignore[arg-type]  # a is now most recent
    cache.get("d", 0, _loader(calls, "d", rows=2))  # type: ignore[arg-type]  # evicts b
    assert cache.peek("b", 0) is None and cache.peek("a", 0) is not None
    assert cache.total_rows == 6
    cache.get("big", 0, _loader(calls, "big", rows=7))  # type: ignore[arg-type]
    # 13 rows > 10: the least recently used go until it fits (c, then d: peek counts as a use).
    assert [k for k in ("a", "c", "d", "big") if cache.peek(k, 0) is not None] == ["a", "big"]
    assert cache.total_rows == 9
    cache.get("huge", 0, _loader(calls, "huge", rows=50))  # type: ignore[arg-type]
    # The newest snapshot is kept even when it alone is over the row budget.
    assert len(cache) == 1 and cache.total_rows == 50


def test_forget_by_key_tuple_prefix_or_predicate() -> None:
    cache: VectorMatrixCache[object, int] = VectorMatrixCache(max_entries=10)
    for key in [("m1", "/a"), ("m1", "/b"), ("m2", "/a"), "m1", "m10"]:
        cache.put(key, 0, 1)
    assert cache.forget("m1") == 3  # "m1" and both ("m1", ...) keys, not "m10"
    assert cache.peek(("m2", "/a"), 0) == 1 and cache.peek("m10", 0) == 1
    assert cache.forget(("m2", "/a")) == 1
    assert cache.forget(lambda k: k == "m10") == 1
    assert len(cache) == 0 and cache.forget("nothing") == 0


def test_a_failed_load_caches_nothing() -> None:
    cache: VectorMatrixCache[str, int] = VectorMatrixCache(max_entries=2)

    def boom() -> int:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        cache.get("kb", 1, boom)
    assert cache.get("kb", 1, lambda: 7) == 7


def test_concurrent_gets_of_one_key_load_once() -> None:
    cache: VectorMatrixCache[str, int] = VectorMatrixCache(max_entries=2)
    loads = 0
    lock = threading.Lock()

    def slow() -> int:
        nonlocal loads
        with lock:
            loads += 1
        time.sleep(0.05)
        return 42

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: cache.get("kb", 3, slow), range(16)))
    assert results == [42] * 16 and loads == 1


def test_other_keys_load_in_parallel() -> None:
    cache: VectorMatrixCache[str, int] = VectorMatrixCache(max_entries=4)
    inside = threading.Barrier(2, timeout=5)

    def load() -> int:
        inside.wait()  # both loads must be running at once, or this times out
        return 1

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(lambda k: cache.get(k, 0, load), ["a", "b"])) == [1, 1]


def test_bounds_are_checked() -> None:
    with pytest.raises(InvalidInput):
        VectorMatrixCache(max_entries=0)
    with pytest.raises(InvalidInput, match="rows"):
        VectorMatrixCache(max_entries=1, max_rows=10)
