"""numpy's OpenBLAS runs one thread in a Podium process (query-time products; storage/_blas.py)."""

from __future__ import annotations

import ctypes

import pytest

from podium.storage import Database, _blas


def _openblas_threads() -> int | None:
    for path in _blas._openblas_libraries():
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
            getter = getattr(lib, name, None)
            if getter is not None:
                return int(getter())
    return None


def test_a_database_limits_openblas_to_one_thread() -> None:
    Database("sqlite://").dispose()
    threads = _openblas_threads()
    if threads is None:
        pytest.skip("numpy here is not linked to a known OpenBLAS")
    assert threads == 1


def test_zero_leaves_the_count_alone() -> None:
    assert _blas.limit_blas_threads(0) is False
    if _openblas_threads() is None:
        pytest.skip("numpy here is not linked to a known OpenBLAS")
    assert _blas.limit_blas_threads(1) is True
    assert _openblas_threads() == 1
