"""A versioned cache of in-memory vector matrices (snapshots of SQL rows, the rows stay the truth).

A service that scans vectors in memory keeps, per caller key (a knowledge base id, a memory id and
namespace prefix...), a snapshot built from SQL and tagged with the version counter it was built
at. :meth:`VectorMatrixCache.get` returns the cached snapshot while the caller's version is the
one it was built at, and otherwise calls the caller's loader to build a new one. The cache is an
LRU bounded by entries and, optionally, by total rows over all snapshots.

Thread-safe. Two threads that need the same key at a new version load it once (the second waits
for the first); loads of different keys run in parallel.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from podium.errors import InvalidInput

__all__ = ["VectorMatrixCache"]

K = TypeVar("K", bound=Hashable)
S = TypeVar("S")


@dataclass(kw_only=True)
class _Entry(Generic[S]):
    version: int
    snapshot: S
    rows: int


@dataclass(kw_only=True)
class _Loading:
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiters: int = 0


class VectorMatrixCache(Generic[K, S]):
    """An LRU of snapshots keyed by a caller key, each valid for one version number.

    ``max_entries`` bounds the number of snapshots. ``max_rows`` (optional) bounds the sum of
    ``rows(snapshot)`` over the cache; the most recently used snapshot is always kept, even when
    it alone is larger. ``rows`` is required with ``max_rows``.
    """

    def __init__(
        self,
        *,
        max_entries: int,
        max_rows: int | None = None,
        rows: Callable[[S], int] | None = None,
    ) -> None:
        if max_entries < 1:
            raise InvalidInput(f"max_entries must be >= 1, got {max_entries}")
        if max_rows is not None and rows is None:
            raise InvalidInput("max_rows needs rows: a function giving a snapshot's row count")
        self.max_entries = max_entries
        self.max_rows = max_rows
        self._rows = rows
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, _Entry[S]] = OrderedDict()
        self._loading: dict[K, _Loading] = {}
        self._total_rows = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def total_rows(self) -> int:
        """Rows over every cached snapshot (0 when the cache does not count rows)."""
        with self._lock:
            return self._total_rows

    def _fresh(self, key: K, version: int) -> _Entry[S] | None:
        """The entry for ``key`` built at ``version``, marked as most recently used (lock held)."""
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            return None
        self._entries.move_to_end(key)
        return entry

    def peek(self, key: K, version: int) -> S | None:
        """The cached snapshot of ``key`` if it was built at ``version``, else None (no load)."""
        with self._lock:
            entry = self._fresh(key, version)
            return entry.snapshot if entry is not None else None

    def get(self, key: K, version: int, load: Callable[[], S]) -> S:
        """The snapshot of ``key`` at ``version``: cached, or built by ``load()`` and cached.

        ``load`` runs without the cache's lock (other keys stay usable); an exception from it
        propagates and caches nothing. The latest load of a key replaces the previous entry.
        """
        with self._lock:
            entry = self._fresh(key, version)
            if entry is not None:
                return entry.snapshot
            slot = self._loading.get(key)
            if slot is None:
                slot = self._loading[key] = _Loading()
            slot.waiters += 1
        try:
            with slot.lock:
                with self._lock:
                    # Another thread may have built it while this one waited.
                    entry = self._fresh(key, version)
                if entry is not None:
                    return entry.snapshot
                snapshot = load()
                self.put(key, version, snapshot)
                return snapshot
        finally:
            with self._lock:
                slot.waiters -= 1
                if slot.waiters == 0 and self._loading.get(key) is slot:
                    del self._loading[key]

    def put(self, key: K, version: int, snapshot: S) -> None:
        """Cache ``snapshot`` as ``key`` at ``version`` (most recently used), then evict."""
        rows = self._rows(snapshot) if self._rows is not None else 0
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total_rows -= old.rows
            self._entries[key] = _Entry(version=version, snapshot=snapshot, rows=rows)
            self._total_rows += rows
            self._evict()

    def _evict(self) -> None:
        """Drop least recently used entries until within bounds (lock held)."""
        while len(self._entries) > self.max_entries or (
            self.max_rows is not None
            and len(self._entries) > 1
            and self._total_rows > self.max_rows
        ):
            _, entry = self._entries.popitem(last=False)
            self._total_rows -= entry.rows

    def forget(self, match: K | Callable[[K], bool]) -> int:
        """Drop snapshots; returns how many.

        ``match`` is either a predicate on keys, or a key: that key is dropped, and so is every
        tuple key that starts with it (``forget("mem-1")`` drops ``("mem-1", "/a")``, and
        ``forget(("mem-1", "/a"))`` drops ``("mem-1", "/a", ...)``). Use it after changes that
        do not move the version counter (a deleted and re-created resource starts over at 0).
        """
        predicate = match if callable(match) else _key_prefix(match)
        with self._lock:
            doomed = [k for k in self._entries if predicate(k)]
            for k in doomed:
                self._total_rows -= self._entries.pop(k).rows
        return len(doomed)

    def clear(self) -> None:
        """Drop every snapshot."""
        with self._lock:
            self._entries.clear()
            self._total_rows = 0


def _key_prefix(prefix: Hashable) -> Callable[[Hashable], bool]:
    """A predicate: the key is ``prefix``, or a tuple key starting with it."""
    parts = prefix if isinstance(prefix, tuple) else (prefix,)

    def matches(key: Hashable) -> bool:
        if key == prefix:
            return True
        return isinstance(key, tuple) and len(key) > len(parts) and key[: len(parts)] == parts

    return matches
