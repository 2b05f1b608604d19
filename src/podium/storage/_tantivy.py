"""Keyword search on SQLite through tantivy: a derived index in a folder beside the database file.

FTS5's ``bm25()`` scores every row that matches a query (p99 121 ms at 100k chunks); tantivy's
block-max WAND skips the postings that cannot reach the top k (p99 ~2 ms). The SQL rows stay
the one truth, and so does the FTS5 table: every write still goes to FTS5 in the caller's
transaction (it holds the indexed text and scope tokens, serves as the fallback, and keeps the
privacy, repair and transfer paths as they were), and appends a line to ``fts_changes`` in the
same transaction. The tantivy index applies that log after the commit, in a background thread
(or when asked, :meth:`TantivyKeywordIndex.sync`), and records the last ``seq`` it applied in
``state.json`` next to it. Replaying a line is idempotent (a row is deleted by id and indexed
again from its current FTS5 content), so a crash anywhere between the SQL commit, the tantivy
commit and the state file only makes a later catch-up redo some lines.

A search is answered by tantivy only when the index has applied every committed line the
caller's snapshot can see (one indexed ``max(seq)`` lookup); otherwise, and inside a write
transaction that changed the index, FTS5 answers exactly, and a catch-up is scheduled. The
index is rebuilt from the FTS5 content when its folder is missing or unreadable, its format
version or the database's origin token differs, it claims lines the log does not have (an
older database file restored), its document count disagrees with FTS5 at first open, or a
privacy ``optimize`` asked for segments without the deleted rows' terms.

Several processes may open the same database: a ``flock`` on the index's lock file makes one
writer at a time (tantivy allows one), and a process whose searcher is behind the state file
reloads it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ._keyword import KeywordIndex, SqliteFtsIndex, query_terms, scope_token
from ._tantivy_query import SearcherView, analyzer, index_schema

__all__ = ["TantivyKeywordIndex", "close_keyword_indexes", "index_folder", "tantivy_available"]

logger = logging.getLogger(__name__)

#: Bump when the schema or the analyzer changes: indexes of another version are rebuilt.
FORMAT_VERSION = 1
_ROW, _SCOPE, _PURGE, _ORIGIN = 0, 1, 2, 3
_BATCH = 500
#: How long after a write the background catch-up waits, so bursts share one tantivy commit
#: (a commit costs tens of milliseconds of fsync).
_DEBOUNCE_S = 0.5
_PRUNE_EVERY = 20_000
_HEAP_BYTES = 64_000_000

# Transactions that wrote to an index: their own searches must see their uncommitted rows,
# which only FTS5 has.
_dirty: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_stores: dict[tuple[str, str], _Store] = {}
_stores_lock = threading.Lock()
_no_log: set[str] = set()
_real: dict[str, str] = {}


def tantivy_available() -> bool:
    """Whether the ``tantivy`` package can be imported here."""
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def index_folder(database: str | Path) -> Path:
    """The folder of the derived keyword indexes of the SQLite file ``database``."""
    return Path(f"{database}.keyword")


class TantivyKeywordIndex(KeywordIndex):
    """FTS5 table ``fts_<name>`` (the truth and fallback) plus a tantivy index serving searches."""

    def __init__(self, name: str, *, lazy: bool = False) -> None:
        self.name = name
        self.fts = SqliteFtsIndex(name)
        # Lazy: writes are logged; tantivy catches up once a search (any process) uses it.
        self.lazy = lazy

    def add_scoped(
        self, conn: sa.Connection, items: Sequence[tuple[int, Sequence[str], str]]
    ) -> None:
        """Index items in FTS5 and log them for the tantivy index, in the caller's transaction."""
        if items:
            self.fts.add_scoped(conn, items)
            self._log(conn, [(_ROW, int(rid), None) for rid, _, _ in items])

    def delete(self, conn: sa.Connection, row_ids: Sequence[int]) -> None:
        """Remove rows by id."""
        if row_ids:
            self.fts.delete(conn, row_ids)
            self._log(conn, [(_ROW, int(rid), None) for rid in row_ids])

    def delete_scope(self, conn: sa.Connection, scope: str) -> None:
        """Remove every row in ``scope``."""
        self.fts.delete_scope(conn, scope)
        self._log(conn, [(_SCOPE, None, scope_token(scope))])

    def optimize(self, conn: sa.Connection) -> None:
        """Purge deleted rows' terms: FTS5 merges now, tantivy rebuilds when it applies the log.

        The rebuild makes every earlier log line moot, so they go now: a forgotten actor's
        scope token must not outlive the forget-me in ``fts_changes`` either.
        """
        self.fts.optimize(conn)
        if _store_for(conn, self.name) is not None:
            conn.exec_driver_sql(
                "DELETE FROM fts_changes WHERE name = ? AND op != ?", (self.name, _ORIGIN)
            )
        self._log(conn, [(_PURGE, None, None)])

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]]:
        """Best ``limit`` (row id, BM25 score) pairs, from tantivy when it is current."""
        if not query_terms(query) or not scopes:
            return []
        store = _store_for(conn, self.name)
        if store is not None and self.name not in _written(conn):
            found = store.search(conn, scopes, query, limit)
            if found is not None:
                return found
        return self.fts.search(conn, scopes, query, limit)

    def sync(self, conn: sa.Connection) -> bool:
        """Apply every committed change now; False without an index.

        The catch-up reads on a connection of its own when ``conn`` is inside a transaction: a
        first build must take its snapshot after it holds the index's lock (see
        :meth:`_Store.forget_unused`).
        """
        store = _store_for(conn, self.name)
        if store is None or self.name in _written(conn):
            # A transaction's own lines are not committed yet: applying them could outlive it.
            return False
        if conn.in_transaction():
            with conn.engine.connect() as fresh:
                store.catch_up(fresh)
        else:
            store.catch_up(conn)
        return True

    def _log(self, conn: sa.Connection, lines: list[tuple[int, int | None, str | None]]) -> None:
        store = _store_for(conn, self.name)
        if store is None:
            return
        if self.lazy and self.name not in _written(conn):
            store.forget_unused(conn, len(lines))
        conn.exec_driver_sql(
            "INSERT INTO fts_changes(name, op, row_id, scope) VALUES (?, ?, ?, ?)",
            [(self.name, op, rid, scope) for op, rid, scope in lines],
        )
        txn = conn.get_transaction()
        if txn is not None:
            _dirty.setdefault(txn, set()).add(self.name)
        _watch_commits(conn.engine)
        if self.lazy:
            store.nudge(conn.engine)
        else:
            store.schedule(conn.engine)


def close_keyword_indexes(database: str | None) -> None:
    """Stop this process's tantivy indexes of the SQLite file ``database`` (its engine closes).

    Waits for a catch-up in flight, so nothing writes beside a database that its owner is about
    to delete (a temporary evaluation home). A later search opens the index again.
    """
    if not database or database == ":memory:":
        return
    path = os.path.realpath(database)
    with _stores_lock:
        closing = [key for key in _stores if key[0] == path]
        stores = [_stores.pop(key) for key in closing]
    _no_log.discard(path)
    for store in stores:
        store.close()


def _database_file(conn: sa.Connection) -> str | None:
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return database if not database.startswith("file:") else None


def _store_for(conn: sa.Connection, name: str) -> _Store | None:
    """The tantivy store of ``conn``'s database file, or None (in-memory, or no change log)."""
    database = _database_file(conn)
    if database is None:
        return None
    path = _real.get(database)
    if path is None:
        path = _real[database] = os.path.realpath(database)
    key = (path, name)
    store = _stores.get(key)
    if store is not None:
        return store
    if path in _no_log:
        return None
    try:
        conn.exec_driver_sql("SELECT 1 FROM fts_changes LIMIT 0").all()
    except sa.exc.OperationalError:
        # A database migrated before 0012: FTS5 alone, until it is migrated.
        _no_log.add(path)
        return None
    with _stores_lock:
        store = _stores.setdefault(key, _Store(index_folder(path) / name, name))
    return store


_watched: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _watch_commits(engine: sa.Engine) -> None:
    """Schedule a catch-up of every index a transaction wrote to, when it commits."""
    if engine in _watched:
        return
    _watched.add(engine)

    @sa.event.listens_for(engine, "commit")
    def _on_commit(conn: sa.Connection) -> None:
        for name in _written(conn):
            store = _store_for(conn, name)
            if store is not None:
                store.nudge(conn.engine)


def _written(conn: sa.Connection) -> set[str]:
    """The indexes that ``conn``'s open transaction wrote to."""
    txn = conn.get_transaction()
    return _dirty.get(txn, set()) if txn is not None else set()


def _max_seq(conn: sa.Connection) -> int:
    """The newest log line of any index (one step down the rowid B-tree)."""
    value = conn.exec_driver_sql("SELECT max(seq) FROM fts_changes").scalar()
    return int(value or 0)


class _Store:
    """One tantivy index folder: its searcher, its catch-up, and its background thread."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.fts = SqliteFtsIndex(name)
        self.applied = -1  # the log line this process's searcher reflects; -1: not verified
        self._index: Any = None
        self._schema: Any = None
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._engine: weakref.ref[sa.Engine] | None = None
        self._thread: threading.Thread | None = None
        self._pruned = 0
        self._unused = _PRUNE_EVERY  # lines logged with no index to need them (first: prune)
        self._closed = False
        self._view: SearcherView | None = None  # the searcher queries use, until a reload
        self.wanted = False  # searched or written eagerly here: catch up after every write

    # -- searching ---------------------------------------------------------------------------

    def search(
        self, conn: sa.Connection, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]] | None:
        """Tantivy's answer, or None when the index is behind ``conn``'s snapshot."""
        current = _max_seq(conn)
        try:
            if current != self.applied and not self._current(conn, current):
                self.schedule(conn.engine)
                return None
            return self._query(scopes, query, limit)
        except (ValueError, OSError, RuntimeError):
            # An index folder deleted or damaged under a running process: FTS5 answers, and
            # the catch-up rebuilds the folder.
            logger.warning("index=<%s> | keyword index unreadable, using FTS5", self.name)
            self.applied = -1
            self.schedule(conn.engine)
            return None

    def _query(
        self, scopes: Sequence[str], query: str, limit: int
    ) -> list[tuple[int, float]] | None:
        index = self._index
        if index is None:  # closed meanwhile
            return None
        view = self._view
        if view is None or view.index is not index:
            view = self._view = SearcherView(index, self._schema)
        return view.search(scopes, query, limit)

    def _reload(self) -> None:
        self._index.reload()
        self._view = None  # the next query takes the new searcher

    def _current(self, conn: sa.Connection, current: int) -> bool:
        """Whether the searcher reflects every line of this index up to ``current``.

        The lines since the last check may all be other indexes' (the log is shared), or
        another process (or the background thread) may have applied ours: then the searcher
        is reloaded from the commit the state file names.
        """
        if self.applied < 0 or self._index is None:
            return False
        if self._has_lines(conn, self.applied):
            state = self._read_state()
            applied = int(state.get("applied", -1)) if state else -1
            if applied <= self.applied or applied > current or self._has_lines(conn, applied):
                return False
            self._reload()
        self.applied = current
        return True

    def _has_lines(self, conn: sa.Connection, after: int) -> bool:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM fts_changes WHERE seq > ? AND name = ? LIMIT 1", (after, self.name)
        ).first()
        return found is not None

    # -- catching up ---------------------------------------------------------------------------

    def nudge(self, engine: sa.Engine) -> None:
        """Catch up soon if the index is in use (here, or built by any process)."""
        if self.wanted or (self.folder / "state.json").exists():
            self.schedule(engine)

    def schedule(self, engine: sa.Engine) -> None:
        """Catch up soon, in this store's background thread."""
        self.wanted = True
        self._engine = weakref.ref(engine)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._run, name=f"podium-keyword-{self.name}", daemon=True
            )
            self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """End the background thread and wait for a catch-up in flight."""
        self._closed = True
        self._wake.set()
        with self._lock:
            self._index = None
            self.applied = -1

    def _run(self) -> None:
        while not self._closed:
            if not self._wake.wait(timeout=60.0):
                return  # idle: the thread ends; the next write starts another
            time.sleep(_DEBOUNCE_S)
            self._wake.clear()
            engine = self._engine() if self._engine is not None else None
            if engine is None:
                continue
            try:
                with self._lock:
                    if self._closed:
                        return
                    with engine.connect() as conn:
                        self.catch_up(conn)
                self._prune(engine)
            except Exception:
                # The index is derived: FTS5 keeps answering; the next write or search retries.
                logger.warning(
                    "index=<%s> | keyword index catch-up failed", self.name, exc_info=True
                )

    def catch_up(self, conn: sa.Connection) -> None:
        """Apply the log up to ``conn``'s snapshot (rebuilding when the index disagrees)."""
        with self._lock, self._file_lock():
            self._catch_up(conn, verify=self.applied < 0)

    def _catch_up(self, conn: sa.Connection, *, verify: bool, force: bool = False) -> None:
        current = _max_seq(conn)
        origin = conn.exec_driver_sql(
            "SELECT scope FROM fts_changes WHERE op = ? LIMIT 1", (_ORIGIN,)
        ).scalar()
        state = self._read_state()
        fresh = self._open()
        rebuild = (
            force
            or fresh
            or state is None
            or state.get("version") != FORMAT_VERSION
            or state.get("origin") != origin
            or int(state.get("applied", -1)) > current
        )
        start = -1 if rebuild else int(state["applied"])  # type: ignore[index]
        lines = [] if rebuild else self._lines(conn, start)
        if any(op == _PURGE for op, _, _ in lines):
            rebuild = True
        if rebuild or lines:
            began = time.perf_counter()
            self._write(conn, lines, rebuild=rebuild)
            self._write_state(origin, current)
            logger.info(
                "index=<%s>, lines=<%d>, rebuild=<%s>, ms=<%.0f> | keyword index caught up",
                self.name,
                len(lines),
                rebuild,
                (time.perf_counter() - began) * 1000,
            )
        elif state is not None and state.get("applied") != current:
            self._write_state(origin, current)
        self._reload()
        self.applied = current
        if verify and not rebuild:
            rows = conn.exec_driver_sql(f"SELECT count(*) FROM {self.fts.table}").scalar()
            if self._index.searcher().num_docs != rows:
                logger.warning(
                    "index=<%s> | keyword index disagrees with its rows, rebuilding", self.name
                )
                self._catch_up(conn, verify=False, force=True)

    def _lines(self, conn: sa.Connection, after: int) -> list[tuple[int, int | None, str | None]]:
        return [
            (int(op), rid, scope)
            for op, rid, scope in conn.exec_driver_sql(
                "SELECT op, row_id, scope FROM fts_changes WHERE name = ? AND seq > ? ORDER BY seq",
                (self.name, after),
            )
        ]

    def _write(
        self, conn: sa.Connection, lines: list[tuple[int, int | None, str | None]], *, rebuild: bool
    ) -> None:
        writer = self._index.writer(heap_size=_HEAP_BYTES, num_threads=1)
        try:
            if rebuild:
                writer.delete_all_documents()
                for rows in self._content(conn, None):
                    self._add(writer, rows)
            else:
                pending: list[int] = []
                for op, rid, scope in lines:
                    if op == _ROW and rid is not None:
                        pending.append(int(rid))
                        continue
                    self._reindex(conn, writer, pending)
                    pending = []
                    if op == _SCOPE:
                        writer.delete_documents_by_term("scope", scope)
                self._reindex(conn, writer, pending)
            writer.commit()
            if rebuild:
                # Old segments (with deleted rows' terms) leave the disk now, not at some merge.
                self._reload()
                writer.garbage_collect_files()
            writer.wait_merging_threads()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.rollback()
            raise
        finally:
            del writer
        _tighten(self.folder)

    def _reindex(self, conn: sa.Connection, writer: Any, row_ids: list[int]) -> None:
        if not row_ids:
            return
        for rid in dict.fromkeys(row_ids):
            writer.delete_documents_by_term("id", rid)
        unique = list(dict.fromkeys(row_ids))
        for start in range(0, len(unique), _BATCH):
            for rows in self._content(conn, unique[start : start + _BATCH]):
                self._add(writer, rows)

    def _content(
        self, conn: sa.Connection, row_ids: list[int] | None
    ) -> Iterator[list[tuple[int, str, str]]]:
        table = self.fts.table
        if row_ids is not None:
            marks = ",".join("?" * len(row_ids))
            result = conn.exec_driver_sql(
                f"SELECT rowid, text, scope FROM {table} WHERE rowid IN ({marks})",
                tuple(row_ids),
            )
        else:
            result = conn.exec_driver_sql(f"SELECT rowid, text, scope FROM {table}")
        while rows := result.fetchmany(_BATCH):
            yield [(int(r[0]), r[1] or "", r[2] or "") for r in rows]

    @staticmethod
    def _add(writer: Any, rows: list[tuple[int, str, str]]) -> None:
        import tantivy

        for rid, text, scopes in rows:
            writer.add_document(tantivy.Document(id=rid, text=text, scope=scopes.split()))

    def _prune(self, engine: sa.Engine) -> None:
        """Drop applied log lines now and then (the newest one stays: it is the marker)."""
        if self.applied - self._pruned < _PRUNE_EVERY:
            return
        with engine.connect() as raw:
            conn = raw.execution_options(podium_write=True)
            with conn.begin():
                conn.exec_driver_sql(
                    "DELETE FROM fts_changes WHERE seq > ? AND seq < ? AND name = ?",
                    (self._pruned, self.applied, self.name),
                )
        self._pruned = self.applied

    def forget_unused(self, conn: sa.Connection, lines: int) -> None:
        """Drop this index's log lines while no tantivy index exists to need them (lazy ones).

        ``conn`` holds SQLite's write lock and has not logged to this index yet: every line of
        ours it sees is committed. A first build creates the folder (its lock) before taking its
        snapshot, which will see every line dropped now (and a rebuild needs none). The log's
        newest line stays: searchers compare ``max(seq)``.
        """
        self._unused += lines
        if self._unused < _PRUNE_EVERY or self.wanted or self.folder.exists():
            return
        conn.exec_driver_sql(
            "DELETE FROM fts_changes WHERE name = ? AND seq < (SELECT max(seq) FROM fts_changes)",
            (self.name,),
        )
        self._unused = 0

    # -- files -------------------------------------------------------------------------------

    def _open(self) -> bool:
        """Open the tantivy index (creating it when missing or unreadable); True when created."""
        import tantivy

        if self._index is not None and (self.folder / "index" / "meta.json").exists():
            return False
        path = self.folder / "index"
        schema = index_schema()
        created = not (path / "meta.json").exists()
        if not created:
            try:
                index = tantivy.Index(schema, path=str(path), reuse=True)
            except (ValueError, OSError):
                logger.warning("index=<%s> | keyword index unreadable, rebuilding", self.name)
                created = True
        if created:
            shutil.rmtree(path, ignore_errors=True)
            _private_dir(path)
            index = tantivy.Index(schema, path=str(path), reuse=False)
        index.register_tokenizer("podium", analyzer())
        index.config_reader("manual", 0)
        self._index, self._schema = index, schema
        return created

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        _private_dir(self.folder)
        fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another process's catch-up finishes first
            yield
        finally:
            os.close(fd)

    def _read_state(self) -> dict[str, Any] | None:
        try:
            state = json.loads((self.folder / "state.json").read_text())
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def _write_state(self, origin: str | None, applied: int) -> None:
        tmp = self.folder / "state.json.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"version": FORMAT_VERSION, "origin": origin, "applied": applied}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.folder / "state.json")


def _private_dir(path: Path) -> None:
    """Create ``path`` (and the folder above it) readable by its owner only, like the database."""
    for folder in (path.parent, path):
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


def _tighten(folder: Path) -> None:
    """Make the index's files owner-only (tantivy creates them with the process umask)."""
    for path in (folder / "index").iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
