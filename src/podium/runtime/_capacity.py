"""How many session workers this host can hold: the default of ``PODIUM_MAX_WORKERS``.

Each live session has its own worker process. Its pages shared copy-on-write with the zygote
cost nothing extra; what it adds is its unique set size (USS). The default cap gives the workers
a fraction of the memory available when the gateway starts, at the measured per-worker USS.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

__all__ = [
    "HARD_MAX_WORKERS",
    "MEMORY_FRACTION",
    "MIN_WORKERS",
    "WORKER_FOOTPRINT_BYTES",
    "available_memory_bytes",
    "default_max_workers",
]

#: What one session worker adds (USS). Measured with ``benchmarks/runtime_limits.py`` on the
#: 2-core development box: an event-assistant worker as ``podium up`` runs it (offline model,
#: extraction in the server, not the worker) has 34.8 MB after its first turn and 38.3 MB after
#: five (the bundled embedding model and the libraries stay shared with the zygote); the
#: issue's flood of ``podium up`` saw ~43 MB. Rounded up to 64 MiB for longer conversations and
#: heavier apps. A worker that runs its own extraction thread (``podium serve`` with
#: ``PODIUM_EMBEDDED_WORKER=true``, the default) measured 43-235 MB: give such a setup an
#: explicit ``PODIUM_MAX_WORKERS``.
WORKER_FOOTPRINT_BYTES = 64 * 2**20
#: Share of the available memory the workers may take; the rest is for the gateway, the
#: database's page cache and whatever else runs on the host.
MEMORY_FRACTION = 0.5
#: Never more workers than this by default, whatever the memory (file descriptors, scheduling).
HARD_MAX_WORKERS = 1000
#: Never fewer than this by default, even on a small host.
MIN_WORKERS = 4

_CGROUP = Path("/sys/fs/cgroup")


def available_memory_bytes() -> int:
    """Memory available to new processes: the host's, or the container's if that is lower."""
    import psutil

    available = int(psutil.virtual_memory().available)
    # cgroup v2: a container's limit is not visible in /proc/meminfo.
    with contextlib.suppress(OSError, ValueError):
        limit = (_CGROUP / "memory.max").read_text().strip()
        if limit != "max":
            used = int((_CGROUP / "memory.current").read_text().strip())
            available = min(available, max(0, int(limit) - used))
    return available


def default_max_workers(available_bytes: int | None = None) -> int:
    """The worker cap for ``available_bytes`` (default: :func:`available_memory_bytes`).

    ``MEMORY_FRACTION`` of it divided by ``WORKER_FOOTPRINT_BYTES``, between ``MIN_WORKERS`` and
    ``HARD_MAX_WORKERS``.
    """
    if available_bytes is None:
        available_bytes = available_memory_bytes()
    fit = int(available_bytes * MEMORY_FRACTION) // WORKER_FOOTPRINT_BYTES
    return max(MIN_WORKERS, min(HARD_MAX_WORKERS, fit))
