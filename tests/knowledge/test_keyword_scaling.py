"""A knowledge base's keyword search moves to tantivy past its size threshold (auto engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.config import Settings
from podium.embeddings import TestEmbedder
from podium.knowledge import KnowledgeBase, KnowledgeService
from podium.storage import (
    Database,
    SqliteFtsIndex,
    TantivyKeywordIndex,
    index_folder,
    tantivy_available,
)

pytestmark = pytest.mark.skipif(not tantivy_available(), reason="tantivy not installed")

WORDS = ["kafka", "stream", "identity", "cluster", "dashboard", "policy", "token", "graph"]


def _kb_of_40(
    tmp_path: Path, threshold: int, monkeypatch: pytest.MonkeyPatch
) -> tuple[KnowledgeService, KnowledgeBase]:
    """A knowledge service whose tantivy threshold is ``threshold``, and a KB of 40 chunks."""
    monkeypatch.delenv("PODIUM_KEYWORD_ENGINE", raising=False)
    settings = Settings(
        home=tmp_path / "home",
        embedding_model=TestEmbedder().model_id,
        keyword_tantivy_threshold=threshold,
    )
    db = Database(settings.resolved_database_url)
    db.migrate()
    knowledge = KnowledgeService(db, settings)
    kb = knowledge.create("kb")
    kb.ingest_documents(_docs(40))
    return knowledge, kb


def _docs(n: int) -> list[dict[str, object]]:
    return [
        {"uri": f"doc-{i}", "text": f"{WORDS[i % 8]} {WORDS[(i * 3) % 8]} note {i}"}
        for i in range(n)
    ]


def test_small_kb_keeps_fts5_and_leaves_no_index_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge, kb = _kb_of_40(tmp_path, 1000, monkeypatch)
    assert isinstance(knowledge.chunk_index.for_size(40), SqliteFtsIndex)
    found = kb.retrieve("kafka stream", 5, "KEYWORD")
    assert found and all("kafka" in r.text or "stream" in r.text for r in found)
    assert not index_folder(knowledge.db.engine.url.database or "").exists()
    knowledge.db.dispose()


def test_big_kb_is_searched_through_tantivy_with_fts5s_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge, kb = _kb_of_40(tmp_path, 30, monkeypatch)
    assert isinstance(knowledge.chunk_index.for_size(40), TantivyKeywordIndex)
    fts = KnowledgeService(knowledge.db, knowledge.settings)
    fts.chunk_index = SqliteFtsIndex("chunks")
    exact = [r.chunk_id for r in fts.get(kb.id).retrieve("identity token", 10, "KEYWORD")]
    assert len(exact) == 10  # every chunk holding both words: no tie decides the set
    first = kb.retrieve("identity token", 10, "KEYWORD")  # FTS5 answers while tantivy builds
    assert [r.chunk_id for r in first] == exact
    with knowledge.db.connect() as conn:
        assert TantivyKeywordIndex("chunks").sync(conn)
    assert (index_folder(knowledge.db.engine.url.database or "") / "chunks").is_dir()
    assert {r.chunk_id for r in kb.retrieve("identity token", 10, "KEYWORD")} == set(exact)
    knowledge.db.dispose()
