"""How many threads numpy's OpenBLAS may use in a Podium process (one, unless configured).

Every query multiplies a matrix of stored vectors by one query vector (the exact scan of a
knowledge base, the records of a memory namespace). Such a product is short and bound by memory
bandwidth, and OpenBLAS's worker threads busy-wait for work: beside onnxruntime's threads
embedding the query, and other processes on a few cores, a 10k × 384 product measured p50
20 ms / p99 38 ms with OpenBLAS's default of one thread per core against 0.19 / 3.8 ms with one
thread (2 shared cores, load average 6). So :class:`~podium.storage.Database` sets the thread
count once per process to :attr:`podium.config.Settings.blas_threads` (``PODIUM_BLAS_THREADS``,
default 1; 0 leaves OpenBLAS's own choice). Only OpenBLAS is known here (numpy's wheels bundle
it); another BLAS is left as it is.
"""

from __future__ import annotations

import ctypes
import logging
import threading

__all__ = ["limit_blas_threads"]

logger = logging.getLogger(__name__)

#: ``openblas_set_num_threads`` under the names OpenBLAS builds export it (numpy's wheels bundle
#: scipy-openblas with a 64-bit integer interface and a prefix).
_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_lock = threading.Lock()
_done = False


def _openblas_libraries() -> list[str]:
    """Paths of the OpenBLAS libraries loaded in this process (Linux; elsewhere none)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            return sorted({line.split()[-1] for line in f if "openblas" in line.lower()})
    except OSError:
        return []


def limit_blas_threads(threads: int | None = None) -> bool:
    """Set OpenBLAS's thread count (default: the setting) once per process; True when set."""
    global _done
    with _lock:
        if _done and threads is None:
            return False
        if threads is None:
            from podium.config import process_settings

            try:
                threads = process_settings().blas_threads
            except ValueError:  # a bad PODIUM_* variable: reported where it is used, not here
                threads = 1
        _done = True
        if threads <= 0:
            return False
        import numpy  # noqa: F401  (loads the BLAS numpy was built with)

        for path in _openblas_libraries():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for name in _SETTERS:
                setter = getattr(lib, name, None)
                if setter is not None:
                    setter(ctypes.c_int(threads))
                    logger.debug("threads=<%d>, library=<%s> | BLAS threads set", threads, path)
                    return True
        return False
