"""Retrieval evaluation on BEIR-layout data (nDCG@10, recall@10/100, MRR@10)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.errors import NotFound

from ._beir import load_beir
from ._metrics import evaluate_run
from ._models import JobStatus, SearchType

if TYPE_CHECKING:
    from ._knowledge_base import KnowledgeBase
    from ._service import KnowledgeService

__all__ = ["eval_kb_name", "evaluate_retrieval"]

#: Documents are indexed whole: FTS sees all of the text, the embedder its first 256 tokens.
_EVAL_CHUNKING: dict[str, Any] = {"strategy": "none"}


def eval_kb_name(data_dir: Path, embedding_model: str) -> str:
    """A KB name that changes whenever the corpus file or the indexing config changes."""
    corpus = (data_dir / "corpus.jsonl").resolve()
    stat = corpus.stat()
    key = json.dumps([str(corpus), stat.st_size, stat.st_mtime_ns, embedding_model, _EVAL_CHUNKING])
    return "eval-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _prepare_kb(
    service: KnowledgeService,
    data_dir: Path,
    corpus: dict[str, Any],
    progress: Callable[[int, int], None] | None,
) -> KnowledgeBase:
    name = eval_kb_name(data_dir, service.settings.embedding_model)
    try:
        kb = service.get(name)
        jobs = kb.list_jobs(1)
        if jobs and jobs[0].status is JobStatus.COMPLETE and kb.info.document_count == len(corpus):
            return kb
    except NotFound:
        kb = service.create(
            name, description=f"retrieval eval corpus {data_dir}", chunking=_EVAL_CHUNKING
        )
    docs = [
        {"uri": doc_id, "text": f"{doc.title}\n{doc.text}".strip(), "metadata": {}}
        for doc_id, doc in corpus.items()
    ]
    kb.ingest_documents(docs, progress=progress)
    return service.get(name)


def evaluate_retrieval(
    service: KnowledgeService,
    data_dir: Path,
    *,
    split: str = "test",
    top_k: int = 10,
    search_type: SearchType | str = SearchType.HYBRID,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Index the corpus (reused across runs), run every query, and score the run."""
    data = load_beir(data_dir, split)
    kb = _prepare_kb(service, data_dir, data.corpus, progress)
    depth = max(100, top_k)
    run: dict[str, list[str]] = {}
    started = time.perf_counter()
    for qid, text in data.queries.items():
        results = kb.retrieve(text, number_of_results=depth, search_type=search_type)
        run[qid] = [r.source_uri for r in results]
    elapsed = time.perf_counter() - started
    metrics = evaluate_run(run, data.qrels, ks=(10, 100))
    return {
        **{key: metrics[key] for key in ("ndcg@10", "recall@10", "recall@100", "mrr@10")},
        "queries": len(run),
        "documents": len(data.corpus),
        "search_type": str(search_type).upper(),
        "split": split,
        "knowledge_base": kb.name,
        "ms_per_query": round(1000 * elapsed / max(1, len(run)), 2),
    }
