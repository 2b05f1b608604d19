"""Compare hybrid fusion methods on a BEIR dataset (the evidence behind the HYBRID default).

Runs SEMANTIC and KEYWORD retrieval once per query (top 100 each, on the KB that
``podium eval retrieval`` builds and reuses), then fuses the two lists offline with each method
and scores nDCG@10 / recall@100. Usage::

    python benchmarks/fusion_compare.py --data ../shared/data/scifact-train --split train --home DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from _common import report

from podium.config import Settings
from podium.knowledge import KnowledgeService
from podium.knowledge._beir import load_beir
from podium.knowledge._evaluate import _prepare_kb
from podium.knowledge._metrics import evaluate_run
from podium.storage import Database, convex, dbsf, rrf


def main(data: Path, split: str, home: Path) -> dict[str, Any]:
    settings = Settings(home=home)
    db = Database(settings.resolved_database_url)
    db.migrate()
    service = KnowledgeService(db, settings)
    ds = load_beir(data, split)
    kb = _prepare_kb(service, data, ds.corpus, None)
    dense: dict[str, dict[str, float]] = {}
    sparse: dict[str, dict[str, float]] = {}
    for qid, text in ds.queries.items():
        dense[qid] = {r.source_uri: r.score for r in kb.retrieve(text, 100, "SEMANTIC")}
        sparse[qid] = {r.source_uri: r.score for r in kb.retrieve(text, 100, "KEYWORD")}

    def run(fuse: Any) -> dict[str, float]:
        ranked = {q: [doc for doc, _ in fuse(dense[q], sparse[q])][:100] for q in ds.queries}
        metrics = evaluate_run(ranked, ds.qrels)
        return {k: round(metrics[k], 4) for k in ("ndcg@10", "recall@10", "recall@100", "mrr@10")}

    methods: dict[str, Any] = {
        "semantic_only": lambda d, s: sorted(d.items(), key=lambda x: -x[1]),
        "keyword_only": lambda d, s: sorted(s.items(), key=lambda x: -x[1]),
        "dbsf": lambda d, s: dbsf([d, s]),
    }
    for k in (10, 60, 100):
        methods[f"rrf_k{k}"] = lambda d, s, k=k: rrf([list(d), list(s)], k=k)
    for w in (0.3, 0.5, 0.7):
        methods[f"convex_minmax_w{w}"] = lambda d, s, w=w: convex([d, s], [w, 1 - w], "minmax")
        methods[f"convex_zscore_w{w}"] = lambda d, s, w=w: convex([d, s], [w, 1 - w], "zscore")
    results = {name: run(fn) for name, fn in methods.items()}
    best = max(results, key=lambda n: results[n]["ndcg@10"])
    return report(
        "fusion_compare",
        {"data": str(data), "split": split, "methods": results, "best_ndcg@10": best},
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--split", default="test")
    p.add_argument("--home", type=Path, required=True)
    a = p.parse_args()
    main(a.data, a.split, a.home)
